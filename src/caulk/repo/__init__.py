"""Sources for the audit: a checkout on disk and its git history."""

from caulk.errors import InputError
from caulk.repo.checkout import Repository

__all__ = ["InputError", "Repository"]
