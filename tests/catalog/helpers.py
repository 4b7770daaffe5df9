"""Helpers for cataloger tests: write a root filesystem, catalog it."""

from __future__ import annotations

from pathlib import Path

from caulk.catalog import catalog
from caulk.catalog.directory import DirectoryFileSource
from caulk.catalog.models import Catalog, Package

DEBIAN_OS_RELEASE = (
    'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\n'
    'VERSION="12 (bookworm)"\nVERSION_CODENAME=bookworm\nID=debian\n'
)


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path → content) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def catalog_tree(root: Path, files: dict[str, str | bytes] | None = None) -> Catalog:
    """Write ``files`` under ``root`` and catalog it."""
    if files:
        write_tree(root, files)
    return catalog(DirectoryFileSource(root))


def by_name(found: Catalog, type_: str | None = None) -> dict[str, Package]:
    """Packages by name (the last one wins), optionally of one purl type."""
    return {p.name: p for p in found.packages if type_ is None or p.type == type_}


def install_rpms(spec: str, work: Path, dbpath: Path) -> None:
    """Build ``spec`` with the real ``rpmbuild`` (in ``work``) and record every package it
    makes in the rpm database at ``dbpath`` (``rpm -i --justdb``: no files are written).

    Skips the calling test when rpmbuild is missing, or when this rpm does not write the
    SQLite backend."""
    import shutil
    import subprocess

    import pytest

    if shutil.which("rpmbuild") is None:
        pytest.skip("needs rpm/rpmbuild (apt-get install rpm)")
    top = work / "rpmbuild"
    (top / "SPECS").mkdir(parents=True)
    (top / "SPECS/test.spec").write_text(spec)
    subprocess.run(
        ["rpmbuild", "-bb", "--define", f"_topdir {top}", str(top / "SPECS/test.spec")],
        check=True,
        capture_output=True,
    )
    dbpath.mkdir(parents=True, exist_ok=True)
    subprocess.run(["rpm", "--dbpath", str(dbpath), "--initdb"], check=True, capture_output=True)
    rpms = [str(p) for p in sorted((top / "RPMS").rglob("*.rpm"))]
    subprocess.run(
        ["rpm", "--dbpath", str(dbpath), "-i", "--justdb", "--nodeps", "--ignorearch",
         "--ignoreos", *rpms],
        check=True,
        capture_output=True,
    )  # fmt: skip
    if not (dbpath / "rpmdb.sqlite").is_file():
        pytest.skip("this rpm does not use the sqlite backend")
