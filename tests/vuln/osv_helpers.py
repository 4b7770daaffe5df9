"""Writing OSV records in the shapes the real feeds publish, and databases made of them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from caulk.catalog.models import OperatingSystem, Package
from caulk.catalog.purl import purl
from caulk.vuln.importer import import_path

BOOKWORM = OperatingSystem(
    id="debian",
    version_id="12",
    pretty_name="Debian GNU/Linux 12 (bookworm)",
    osv_ecosystem="Debian:12",
    version="12.15",
    codename="bookworm",
)
CVSS_CRITICAL = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"  # 9.8
CVSS_HIGH = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H"  # 7.5
CVSS_MEDIUM = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L"  # 5.0


def record(
    ident: str,
    ecosystem: str,
    name: str,
    events: Sequence[Mapping[str, str]],
    *,
    range_type: str = "ECOSYSTEM",
    **fields: Any,
) -> dict[str, Any]:
    """One OSV record with one affected package and one range (extra top-level ``fields``)."""
    out: dict[str, Any] = {
        "id": ident,
        "modified": "2025-06-01T00:00:00Z",
        "published": "2025-05-01T00:00:00Z",
        "affected": [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": range_type, "events": list(events)}],
            }
        ],
    }
    out.update(fields)
    return out


def fixed_at(version: str) -> list[dict[str, str]]:
    return [{"introduced": "0"}, {"fixed": version}]


def unfixed() -> list[dict[str, str]]:
    return [{"introduced": "0"}]


def write_records(directory: Path, records: Iterable[Mapping[str, Any]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for rec in records:
        (directory / f"{rec['id']}.json").write_text(json.dumps(rec, indent=1))
    return directory


def make_db(tmp: Path, records: Iterable[Mapping[str, Any]], *extra_dirs: Path) -> Path:
    """A database of ``records`` (and of every record under ``extra_dirs``)."""
    db = tmp / "osv.sqlite3"
    import_path(db, write_records(tmp / "records", records))
    for directory in extra_dirs:
        import_path(db, directory)
    return db


def deb(name: str, version: str, source: str = "", source_version: str = "") -> Package:
    """A Debian 12 binary package as the dpkg cataloger reports it."""
    return Package(
        name=name,
        version=version,
        type="deb",
        purl=purl("deb", "debian", name, version, {"arch": "amd64", "distro": "debian-12.15"}),
        source_name=source or name,
        source_version=source_version or version,
        locations=("var/lib/dpkg/status",),
    )


def pypi(name: str, version: str, licenses: tuple[str, ...] = ()) -> Package:
    return Package(
        name=name,
        version=version,
        type="pypi",
        purl=purl("pypi", "", name, version),
        source_name=name,
        source_version=version,
        licenses=licenses,
        locations=(f"usr/lib/python3/dist-packages/{name}-{version}.dist-info/METADATA",),
    )


# Real packages of the ``extra`` test image (tests/support/images.py), as catalogued.
CURL = deb("curl", "7.88.1-10+deb12u15")
LIBCURL4 = deb("libcurl4", "7.88.1-10+deb12u15", "curl")
LIBC6 = deb("libc6", "2.36-9+deb12u14", "glibc")
LIBC_BIN = deb("libc-bin", "2.36-9+deb12u14", "glibc")
LIBSSL3 = deb("libssl3", "3.0.22-1~deb12u2", "openssl")
PYTHON311 = deb("python3.11", "3.11.2-6+deb12u9")
LIBCAP2 = deb("libcap2", "1:2.66-4+deb12u3+b1", "libcap2", "1:2.66-4+deb12u3")
PACKAGING = pypi("packaging", "23.0", ("Apache-2.0",))
IDNA = pypi("idna", "3.3", ("BSD-3-Clause",))
EXTRA_SAMPLE = (CURL, LIBCURL4, LIBC6, LIBC_BIN, LIBSSL3, PYTHON311, LIBCAP2, PACKAGING, IDNA)
