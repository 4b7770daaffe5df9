"""Package catalogers: what is installed in an image's final filesystem.

``catalog(fs)`` detects the operating system, hands each cataloger the paths it wants, and
returns a :class:`~caulk.catalog.models.Catalog` with every package sorted and every malformed
input as a warning. ``wanted_path(path)`` tells an image reader which file bodies to keep (the
union of what the catalogers read), so layers can be streamed without keeping everything.

One module per ecosystem: :mod:`.dpkg`, :mod:`.apk`, :mod:`.rpm`, :mod:`.python`, :mod:`.npm`,
:mod:`.gobinary`, :mod:`.java`; :mod:`.osrelease` for the OS.
"""

from __future__ import annotations

from caulk.catalog.apk import INSTALLED as APK_INSTALLED
from caulk.catalog.apk import ApkCataloger
from caulk.catalog.dpkg import DpkgCataloger
from caulk.catalog.gobinary import BIN_PREFIXES, GoBinaryCataloger
from caulk.catalog.interface import CatalogContext, Cataloger
from caulk.catalog.java import JavaCataloger
from caulk.catalog.models import Catalog, OperatingSystem, Package
from caulk.catalog.npm import NpmCataloger
from caulk.catalog.osrelease import EXTRA_PATHS, OS_RELEASE_PATHS, detect_os
from caulk.catalog.ownership import mark_installed_by
from caulk.catalog.python import PythonCataloger
from caulk.catalog.rpm import DATABASES as RPM_DATABASES
from caulk.catalog.rpm import RpmCataloger
from caulk.catalog.source import FileSource

__all__ = [
    "CATALOGERS",
    "Catalog",
    "FileSource",
    "OperatingSystem",
    "Package",
    "catalog",
    "wanted_path",
]

CATALOGERS: tuple[Cataloger, ...] = (
    DpkgCataloger(),
    ApkCataloger(),
    RpmCataloger(),
    PythonCataloger(),
    NpmCataloger(),
    GoBinaryCataloger(),
    JavaCataloger(),
)


# A cheap superset of every cataloger's ``wants`` (tests/catalog/test_catalog.py checks that it
# is one): the image reader calls ``wanted_path`` for every file of every layer.
_SUFFIXES = (
    ".jar",
    ".war",
    ".ear",
    ".par",
    ".JAR",
    ".WAR",
    ".EAR",
    ".PAR",
    "/METADATA",
    "/PKG-INFO",
    ".egg-info",
    "/package.json",
    "/copyright",
)
_PREFIXES = ("var/lib/dpkg/status", "var/lib/dpkg/info/", *BIN_PREFIXES)
_EXACT = frozenset((*OS_RELEASE_PATHS, *EXTRA_PATHS, *APK_INSTALLED, *RPM_DATABASES))


def _candidate(path: str) -> bool:
    if path.endswith(_SUFFIXES) or path.startswith(_PREFIXES) or path in _EXACT:
        return True
    if "/bin/" in path or "/sbin/" in path or "/libexec/" in path:
        return True
    name = path.removeprefix("app/")
    return "/" not in name and "." not in name


def wanted_path(path: str) -> bool:
    """True if a cataloger (or OS detection) reads the body of ``path`` (relative, no ``/``)."""
    if not _candidate(path):
        return False
    return path in _EXACT or any(c.wants(path) for c in CATALOGERS)


def catalog(fs: FileSource) -> Catalog:
    """Every package in ``fs``, sorted, with the OS and the warnings."""
    ctx = CatalogContext(fs=fs)
    ctx.os = detect_os(ctx)
    wanted: dict[int, list[str]] = {i: [] for i in range(len(CATALOGERS))}
    for path in fs.paths():
        if not _candidate(path):
            continue
        for index, cataloger in enumerate(CATALOGERS):
            if cataloger.wants(path):
                wanted[index].append(path)
    packages: list[Package] = []
    for index, cataloger in enumerate(CATALOGERS):
        if cataloger.enumerates:
            wanted[index] = [p for p in wanted[index] if not ctx.is_symlink(p)]
        if not wanted[index]:
            continue
        try:
            packages.extend(cataloger.catalog(wanted[index], ctx))
        except (ValueError, LookupError, UnicodeError, OSError, RecursionError) as exc:
            # A cataloger bug or a hostile file must not lose the rest of the SBOM.
            ctx.warn(cataloger.name, f"cataloger stopped early: {type(exc).__name__}: {exc}")
    packages = mark_installed_by(packages, ctx)
    packages.sort(key=lambda p: p.sort_key)
    return Catalog(packages=tuple(packages), os=ctx.os, warnings=tuple(ctx.warnings))
