"""Fixtures for the OSV database tests: the real records in ../shared/data/osv and zips of them."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pytest

from caulk.vuln.osv import decode_record

OSV_DATA = Path(__file__).parents[2].parent / "shared" / "data" / "osv"
"""The 503 real OSV records collected for this project (see SOURCE.md there)."""


@pytest.fixture(scope="session")
def osv_data() -> Path:
    """The real-records directory; the test is skipped when the shared data is absent."""
    if not (OSV_DATA / "manifest.tsv").is_file():
        pytest.skip(f"real OSV records not found at {OSV_DATA}")
    return OSV_DATA


def real_records(osv_data: Path, *folders: str) -> list[dict[str, Any]]:
    """The decoded records of some folders (JSON and YAML), sorted by file name."""
    out: list[dict[str, Any]] = []
    for folder in folders:
        for path in sorted((osv_data / folder).iterdir()):
            if path.suffix in (".json", ".yaml"):
                out.append(decode_record(path.read_bytes(), path.name))
    return out


def write_zip(path: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    """An osv.dev-style export: one ``<ID>.json`` member per record."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record, indent=2))
    return path


ALL_FOLDERS = (
    "AlmaLinux",
    "Alpine",
    "Bitnami",
    "Chainguard",
    "DHI",
    "Debian",
    "Debian-ELTS",
    "Go",
    "Maven",
    "PyPI",
    "Rocky Linux",
    "Ubuntu",
    "crates.io",
)


@pytest.fixture(scope="session")
def all_real_records(osv_data: Path) -> list[dict[str, Any]]:
    """Every real record, decoded (YAML ones as the dicts osv.dev would export as JSON)."""
    return real_records(osv_data, *ALL_FOLDERS)


@pytest.fixture(scope="session")
def real_zip(
    tmp_path_factory: pytest.TempPathFactory, all_real_records: list[dict[str, Any]]
) -> Path:
    """All 503 real records as one osv.dev-style zip."""
    return write_zip(tmp_path_factory.mktemp("osv") / "all.zip", all_real_records)
