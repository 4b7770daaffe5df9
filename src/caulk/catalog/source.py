"""What catalogers read: the final filesystem of an image (or a directory, in tests).

Image sources (``caulk.image``) build a :class:`FileSource` after applying every layer with its
whiteouts; catalogers (``caulk.catalog.*``) only read through this protocol, so they never
touch tar members, digests or the host filesystem directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol


class FileStat(Protocol):
    """A path's own kind (``file``, ``dir``, ``symlink``, …) and mode; symlinks not followed."""

    @property
    def kind(self) -> str: ...

    @property
    def mode(self) -> int: ...


class FileSource(Protocol):
    """Read-only view of a final filesystem.

    Paths are relative, ``/``-separated, with no leading ``/``.
    """

    def paths(self) -> Iterable[str]:
        """Every regular file (and symlink) path in the final filesystem, sorted."""
        ...

    def read(self, path: str, limit: int = 64 * 1024 * 1024) -> bytes | None:
        """The file's bytes (symlinks resolved inside the image), or None if absent/too large."""
        ...

    def stat(self, path: str) -> FileStat | None:
        """The path's own kind and mode (a symlink is reported as one), or None if absent.

        Catalogers use it to skip symlinks without reading a layer again.
        """
        ...

    def layer_of(self, path: str) -> str | None:
        """Digest (``sha256:…`` diff_id) of the layer that wrote the final version of ``path``."""
        ...
