"""Matching installed packages against OSV advisories: keys, ranges, fixes, aliases, severity.

Advisories are written in the shapes the real feeds publish (Debian tracker and DSA records for
``Debian:12``, PyPI records) for the real packages of the ``extra`` test image, at versions just
at, below and above what is installed; the real records in ../shared/data/osv sit beside them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.catalog.models import OperatingSystem, Package
from caulk.catalog.purl import purl
from caulk.vuln.matcher import match_packages, match_target
from caulk.vuln.store import Store
from tests.vuln.osv_helpers import (
    BOOKWORM,
    CURL,
    CVSS_CRITICAL,
    CVSS_HIGH,
    EXTRA_SAMPLE,
    IDNA,
    LIBC6,
    LIBC_BIN,
    LIBCAP2,
    LIBCURL4,
    PACKAGING,
    PYTHON311,
    deb,
    fixed_at,
    make_db,
    record,
    unfixed,
)

ADVISORIES = [
    # fixed exactly at the installed source version: nothing to report
    record(
        "DEBIAN-CVE-2025-1000",
        "Debian:12",
        "curl",
        fixed_at("7.88.1-10+deb12u15"),
        upstream=["CVE-2025-1000"],
    ),
    # fixed just above: reported and fixable
    record(
        "DEBIAN-CVE-2025-1001",
        "Debian:12",
        "python3.11",
        fixed_at("3.11.2-6+deb12u10"),
        upstream=["CVE-2025-1001"],
        severity=[{"type": "CVSS_V3", "score": CVSS_HIGH}],
    ),
    # unfixed: introduced 0 only
    record("DEBIAN-CVE-2025-1002", "Debian:12", "glibc", unfixed(), upstream=["CVE-2025-1002"]),
    # a DSA and the tracker records of the CVE it fixes: reported once
    record(
        "DSA-6001-1",
        "Debian:12",
        "curl",
        fixed_at("7.88.1-10+deb12u16"),
        upstream=["CVE-2025-1003"],
    ),
    record(
        "DEBIAN-CVE-2025-1003",
        "Debian:12",
        "curl",
        fixed_at("7.88.1-10+deb12u16"),
        upstream=["CVE-2025-1003"],
        severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
    ),
    # withdrawn: skipped
    record(
        "DEBIAN-CVE-2025-1004",
        "Debian:12",
        "curl",
        unfixed(),
        upstream=["CVE-2025-1004"],
        withdrawn="2025-06-02T00:00:00Z",
    ),
    # an epoch in the source version
    record(
        "DEBIAN-CVE-2025-1005",
        "Debian:12",
        "libcap2",
        fixed_at("1:2.66-4+deb12u4"),
        upstream=["CVE-2025-1005"],
    ),
    # the same curl bug for bullseye must not touch bookworm
    record("DEBIAN-CVE-2025-1006", "Debian:11", "curl", unfixed(), upstream=["CVE-2025-1006"]),
    # a PyPI record for the dist-info package, spelled as PyPI's display name
    record(
        "PYSEC-2025-7",
        "PyPI",
        "Packaging",
        fixed_at("23.1"),
        aliases=["CVE-2025-1007"],
        severity=[{"type": "CVSS_V3", "score": CVSS_HIGH}],
    ),
    record("PYSEC-2025-8", "PyPI", "packaging", fixed_at("23.0")),  # fixed at installed
    # the binary name is not a key: Debian publishes source packages only
    record("DEBIAN-CVE-2025-1009", "Debian:12", "libcurl4", unfixed(), upstream=["CVE-2025-1009"]),
]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, osv_data: Path) -> Path:
    return make_db(tmp_path_factory.mktemp("matcher"), ADVISORIES, osv_data)


def _by_pkg(
    db: Path, packages: tuple[Package, ...] = EXTRA_SAMPLE, os: OperatingSystem | None = BOOKWORM
) -> dict[str, dict[str, object]]:
    with Store.open(db) as store:
        report = match_packages(packages, os, store)
    out: dict[str, dict[str, object]] = {}
    for v in report.vulnerabilities:
        out.setdefault(v.package, {})[v.id] = v
    return out


def test_fixed_at_the_installed_version_is_not_reported(db: Path) -> None:
    found = _by_pkg(db)
    assert "CVE-2025-1000" not in found.get("curl", {})
    assert "PYSEC-2025-8" not in str(found.get("packaging", {}))


def test_fixed_just_above_the_installed_version_is_reported_and_fixable(db: Path) -> None:
    vuln = _by_pkg(db)["python3.11"]["CVE-2025-1001"]
    assert vuln.fixed_version == "3.11.2-6+deb12u10"  # type: ignore[attr-defined]
    assert vuln.fixable and vuln.severity == "high"  # type: ignore[attr-defined]
    assert vuln.source_package == "python3.11"  # type: ignore[attr-defined]


def test_unfixed_record_is_reported_without_a_fix_for_every_binary_of_the_source(
    db: Path,
) -> None:
    found = _by_pkg(db)
    for binary in ("libc6", "libc-bin"):
        vuln = found[binary]["CVE-2025-1002"]
        assert vuln.fixed_version is None and not vuln.fixable  # type: ignore[attr-defined]
        assert vuln.source_package == "glibc"  # type: ignore[attr-defined]
        assert vuln.ecosystem == "Debian:12"  # type: ignore[attr-defined]


def test_dsa_and_its_cve_records_are_reported_once_under_the_cve(db: Path) -> None:
    curl = _by_pkg(db)["curl"]
    assert [i for i in curl if i.startswith(("CVE-2025-1003", "DSA-6001"))] == ["CVE-2025-1003"]
    vuln = curl["CVE-2025-1003"]
    assert set(vuln.aliases) == {"DSA-6001-1", "DEBIAN-CVE-2025-1003"}  # type: ignore[attr-defined]
    assert vuln.advisories == ("DEBIAN-CVE-2025-1003", "DSA-6001-1")  # type: ignore[attr-defined]
    # the tracker record's CVSS vector rates the whole group
    assert vuln.severity == "critical" and vuln.cvss_score == 9.8  # type: ignore[attr-defined]
    assert vuln.fixed_version == "7.88.1-10+deb12u16"  # type: ignore[attr-defined]


def test_withdrawn_and_other_release_records_are_skipped(db: Path) -> None:
    ids = {i for vulns in _by_pkg(db).values() for i in vulns}
    assert "CVE-2025-1004" not in ids  # withdrawn
    assert "CVE-2025-1006" not in ids  # Debian:11
    assert "CVE-2025-1009" not in ids  # binary package name


def test_epoch_in_source_version_is_compared_with_dpkg_ordering(db: Path) -> None:
    vuln = _by_pkg(db)["libcap2"]["CVE-2025-1005"]
    assert vuln.installed_version == "1:2.66-4+deb12u3+b1"  # type: ignore[attr-defined]
    assert vuln.source_version == "1:2.66-4+deb12u3"  # type: ignore[attr-defined]
    assert vuln.fixed_version == "1:2.66-4+deb12u4"  # type: ignore[attr-defined]


def test_pypi_dist_info_package_matches_by_pep503_name(db: Path) -> None:
    vuln = _by_pkg(db)["packaging"]["CVE-2025-1007"]
    assert vuln.aliases == ("PYSEC-2025-7",)  # type: ignore[attr-defined]
    assert vuln.fixed_version == "23.1" and vuln.ecosystem == "PyPI"  # type: ignore[attr-defined]


def test_real_pypi_record_matches_the_installed_idna(db: Path) -> None:
    # PYSEC-2024-60 (CVE-2024-3651): idna < 3.7, a real record in ../shared/data/osv/PyPI
    vuln = _by_pkg(db)["idna"]["CVE-2024-3651"]
    assert vuln.fixed_version == "3.7"  # type: ignore[attr-defined]


def test_real_debian_elts_records_do_not_match_debian_12(db: Path) -> None:
    found = _by_pkg(db)
    ids = {i for vulns in found.values() for i in vulns}
    assert not any(i.startswith("ELA-") for i in ids)
    # ... but the same records do match a buster curl below their fixes
    buster = OperatingSystem("debian", "10", osv_ecosystem="Debian:10")
    old_curl = deb("curl", "7.64.0-4+deb10u9")
    with Store.open(db) as store:
        report = match_packages((old_curl,), buster, store)
    assert "ELA-1145-1" in {a for v in report.vulnerabilities for a in v.advisories}


def test_lowest_fix_above_the_installed_version_across_branches(tmp_path: Path) -> None:
    # Go stdlib records fix each release branch separately
    go = record(
        "GO-2099-0001",
        "Go",
        "stdlib",
        [
            {"introduced": "0"},
            {"fixed": "1.21.10"},
            {"introduced": "1.22.0-0"},
            {"fixed": "1.22.4"},
            {"introduced": "1.23.0-0"},
            {"fixed": "1.23.1"},
        ],
        range_type="SEMVER",
    )
    db = make_db(tmp_path, [go])
    stdlib = Package("stdlib", "v1.22.3", "golang", purl("golang", "", "stdlib", "v1.22.3"))
    patched = Package("stdlib", "v1.22.4", "golang", purl("golang", "", "stdlib", "v1.22.4"))
    with Store.open(db) as store:
        report = match_packages((stdlib, patched), None, store)
    assert [(v.installed_version, v.fixed_version) for v in report.vulnerabilities] == [
        ("v1.22.3", "1.22.4")
    ]


def test_unknown_os_skips_os_packages_with_a_warning(db: Path) -> None:
    with Store.open(db) as store:
        report = match_packages((CURL, LIBCURL4, PACKAGING), None, store)
    assert {v.package for v in report.vulnerabilities} == {"packaging"}
    assert report.packages_skipped == 2
    assert any("2 operating-system package(s) not matched" in w for w in report.warnings)


def test_invalid_installed_version_is_a_warning_not_an_error(tmp_path: Path) -> None:
    db = make_db(tmp_path, [record("PYSEC-2099-1", "PyPI", "weird", fixed_at("2.0"))])
    weird = Package("weird", "not a version!", "pypi", "pkg:pypi/weird@x")
    with Store.open(db) as store:
        report = match_packages((weird,), None, store)
    assert report.vulnerabilities == ()
    assert any("PYSEC-2099-1 not evaluated" in w for w in report.warnings)


def test_match_target_keys() -> None:
    assert match_target(LIBC6, BOOKWORM) is not None
    target = match_target(LIBC_BIN, BOOKWORM)
    assert target is not None and (target.ecosystem, target.name, target.version) == (
        "Debian:12",
        "glibc",
        "2.36-9+deb12u14",
    )
    assert match_target(IDNA, None) is not None
    assert match_target(PYTHON311, None) is None
    assert match_target(LIBCAP2, BOOKWORM) is not None
    gomain = Package("example.com/app", "", "golang", "pkg:golang/example.com/app")
    assert match_target(gomain, None) is None  # no version, nothing to compare


def test_at_installed_versions_nothing_is_reported_and_below_a_fix_it_is(tmp_path: Path) -> None:
    """The brief's rule, for every sample package: fixed == installed → silent; older → found."""
    records = []
    for index, package in enumerate(EXTRA_SAMPLE):
        eco = "PyPI" if package.type == "pypi" else "Debian:12"
        records.append(
            record(
                f"CAULK-TEST-{index}", eco, package.source_name, fixed_at(package.source_version)
            )
        )
    db = make_db(tmp_path, records)
    with Store.open(db) as store:
        assert match_packages(EXTRA_SAMPLE, BOOKWORM, store).vulnerabilities == ()
        older = tuple(
            Package(p.name, p.version, p.type, p.purl, p.source_name, p.source_version + "~older")
            if p.type == "deb"
            else Package(p.name, p.version + ".dev0", p.type, p.purl)
            for p in EXTRA_SAMPLE
        )
        report = match_packages(older, BOOKWORM, store)
    assert {v.package for v in report.vulnerabilities} == {p.name for p in EXTRA_SAMPLE}
    assert all(v.fixable for v in report.vulnerabilities)
