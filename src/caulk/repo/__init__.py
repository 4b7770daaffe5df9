"""Sources for the audit: a checkout on disk and its git history."""

from caulk.repo.checkout import InputError, Repository

__all__ = ["InputError", "Repository"]
