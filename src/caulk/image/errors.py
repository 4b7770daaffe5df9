"""Errors raised while reading images: each names the image part and the problem.

Every error is a :class:`caulk.errors.InputError`, so the CLI reports it on one line and
exits with code 2.
"""

from __future__ import annotations

from caulk.errors import InputError


class ImageError(InputError):
    """The image (or its reference) cannot be read: a missing file, bad JSON, unknown tag."""


class DigestMismatchError(ImageError):
    """A blob's bytes do not hash to the digest (or size) that names it."""


class LayerError(ImageError):
    """A layer is unsafe or corrupt: a limit exceeded, a malformed tar header, bad compression."""
