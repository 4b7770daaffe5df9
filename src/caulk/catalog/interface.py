"""The seam every cataloger implements, and the context it runs in.

A cataloger names the files it reads (:meth:`Cataloger.wants`, a cheap test on the path alone,
also used to tell the image reader which file bodies to keep) and turns them into packages.
Catalogers read only through the :class:`~caulk.catalog.source.FileSource`; malformed input
becomes a warning in the context, never an exception.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence

from caulk.catalog.models import OperatingSystem, Package
from caulk.catalog.source import FileSource, FileStat

MAX_DATABASE_BYTES = 256 * 1024 * 1024
"""Largest package database read (dpkg status, apk installed, rpmdb)."""
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
"""Largest single manifest read (METADATA, package.json, copyright, pom.properties)."""


class CatalogContext:
    """What a cataloger may use besides its files: the OS, and a place to put warnings."""

    def __init__(self, fs: FileSource, os: OperatingSystem | None = None) -> None:
        self.fs = fs
        """The filesystem being catalogued."""
        self.os = os
        """The operating system found by :mod:`caulk.catalog.osrelease`, if any."""
        self.warnings: list[str] = []
        """Collected ``path: reason`` messages."""
        self.owned: dict[str, str] = {}
        """Path → purl of the OS package that installed it (apk and rpm databases list files)."""
        self.owner_lists: list[tuple[str, str]] = []
        """(dpkg ``info/*.list`` file, purl of its package): read only when a language
        package needs them (:func:`caulk.catalog.ownership.mark_installed_by`)."""

    def claim(self, owner: str, paths: Iterable[str]) -> None:
        """Record that the OS package ``owner`` (a purl) installed ``paths`` (any leading ``/``)."""
        for path in paths:
            self.owned[path.lstrip("/")] = owner

    def warn(self, path: str, message: str) -> None:
        """Record that ``path`` could not be (fully) read and why."""
        self.warnings.append(f"{path}: {message}")

    def read(self, path: str, limit: int = MAX_MANIFEST_BYTES) -> bytes | None:
        """Read ``path`` with a size limit; a missing or oversized file gives None."""
        return self.fs.read(path, limit)

    def layer_of(self, path: str) -> str | None:
        """Layer that wrote ``path`` last (None if unknown or the path does not exist)."""
        return self.fs.layer_of(path)

    def stat(self, path: str) -> FileStat | None:
        """Kind and mode of ``path`` itself (symlinks not followed); None if absent."""
        try:
            return self.fs.stat(path)
        except (OSError, ValueError):
            return None

    def is_symlink(self, path: str) -> bool:
        """True if ``path`` is known to be a symbolic link."""
        info = self.stat(path)
        return info is not None and info.kind == "symlink"


class Cataloger(ABC):
    """Finds packages of one ecosystem."""

    name: str = ""
    """Short name used in warnings and docs (``dpkg``, ``python``…)."""
    enumerates: bool = True
    """True for catalogers that report whatever matching files exist (Python, npm, Go, Java):
    they are not given symlinks, so a file linked under two names is reported once and, in an
    image, no body outside :func:`~caulk.catalog.wanted_path` is read (Trivy's walker also skips
    symlinks). Database readers (dpkg, apk, rpm) read fixed paths, symlinks resolved."""

    @abstractmethod
    def wants(self, path: str) -> bool:
        """True if this cataloger reads the body of ``path`` (called for every file: keep it
        cheap)."""

    @abstractmethod
    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        """Packages evidenced by ``paths`` (the sorted paths this cataloger wants)."""
