"""``caulk scan`` and ``caulk compare`` end to end on the real Debian test images (slow).

The database holds the real records of ../shared/data/osv plus records written in the Debian
tracker / DSA / PyPI shapes for the real source packages of the ``extra`` image, at the
installed versions (silent) and just above them (reported, fixable).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.sbom.generate import catalog_image
from tests.support import images
from tests.vuln.osv_helpers import CVSS_CRITICAL, CVSS_HIGH, fixed_at, make_db, record, unfixed

pytestmark = pytest.mark.slow


def _installed(ref: str) -> dict[str, str]:
    """Source package → source version (deb) and PyPI name → version, from the real image."""
    found = catalog_image(ref).catalog
    out: dict[str, str] = {}
    for p in found.packages:
        out[p.source_name if p.type == "deb" else f"pypi:{p.name}"] = p.source_version or p.version
    return out


@pytest.fixture(scope="module")
def extra(built_image: Callable[[str], images.BuiltImage]) -> images.BuiltImage:
    return built_image("extra")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, extra: images.BuiltImage, osv_data: Path) -> Path:
    v = _installed(extra.oci_ref)
    records = [
        record(
            "DEBIAN-CVE-2099-0001",
            "Debian:12",
            "curl",
            fixed_at(v["curl"]),
            upstream=["CVE-2099-0001"],
        ),  # fixed at the installed version: silent
        record(
            "DEBIAN-CVE-2099-0002",
            "Debian:12",
            "openssl",
            fixed_at(v["openssl"] + "+caulk1"),
            upstream=["CVE-2099-0002"],
            severity=[{"type": "CVSS_V3", "score": CVSS_HIGH}],
        ),
        record("DEBIAN-CVE-2099-0003", "Debian:12", "glibc", unfixed(), upstream=["CVE-2099-0003"]),
        record(
            "DSA-9999-1",
            "Debian:12",
            "curl",
            fixed_at(v["curl"] + "+caulk1"),
            upstream=["CVE-2099-0004"],
        ),
        record(
            "DEBIAN-CVE-2099-0004",
            "Debian:12",
            "curl",
            fixed_at(v["curl"] + "+caulk1"),
            upstream=["CVE-2099-0004"],
            severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
        ),
        record(
            "DEBIAN-CVE-2099-0005",
            "Debian:12",
            "python3.11",
            unfixed(),
            upstream=["CVE-2099-0005"],
            withdrawn="2099-01-01T00:00:00Z",
        ),
        # Debian's python3-packaging: PyPI's record must not apply to Debian's copy (Trivy's
        # data-source selection); Debian's record for its source package does
        record("PYSEC-2099-6", "PyPI", "packaging", fixed_at("23.1"), aliases=["CVE-2099-0006"]),
        record(
            "DEBIAN-CVE-2099-0007",
            "Debian:12",
            "python-packaging",
            fixed_at(v["python-packaging"] + "+caulk1"),
            upstream=["CVE-2099-0007"],
        ),
    ]
    return make_db(tmp_path_factory.mktemp("e2e"), records, osv_data)


@pytest.fixture(scope="module")
def osv_data() -> Path:
    from tests.vuln.conftest import OSV_DATA

    if not (OSV_DATA / "manifest.tsv").is_file():
        pytest.skip("real OSV records not found")
    return OSV_DATA


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _scan_json(ref: str, db: Path, *extra_args: str) -> dict[str, Any]:
    result = _run("scan", ref, "--db", str(db), "--offline", "--format", "json", *extra_args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_scan_reports_exactly_the_vulnerable_packages(extra: images.BuiltImage, db: Path) -> None:
    doc = _scan_json(extra.oci_ref, db)
    assert doc["schema_version"] == 1
    found = {(v["id"], v["package"]) for v in doc["vulnerabilities"]}
    assert ("CVE-2099-0002", "libssl3") in found
    assert ("CVE-2099-0004", "curl") in found and ("CVE-2099-0004", "libcurl4") in found
    assert ("CVE-2099-0003", "libc6") in found
    # Python packages dpkg installed are judged by Debian's advisories, not PyPI's: neither
    # the synthetic PYSEC-2099-6 nor the real PYSEC-2024-60 (idna) applies to them
    assert ("CVE-2099-0007", "python3-packaging") in found
    assert not {v for v in found if v[1] in ("packaging", "idna")}
    idna = next(p for p in doc["packages"] if p["name"] == "idna")
    assert idna["installed_by"].startswith("pkg:deb/debian/python3-idna@")
    ids = {i for i, _ in found}
    assert "CVE-2099-0001" not in ids and "CVE-2099-0005" not in ids  # fixed at / withdrawn
    assert not any(i.startswith("ELA-") for i in ids)  # Debian 9/10 ELTS records
    curl = next(
        v for v in doc["vulnerabilities"] if v["id"] == "CVE-2099-0004" and v["package"] == "curl"
    )
    assert set(curl["aliases"]) == {"DSA-9999-1", "DEBIAN-CVE-2099-0004"}
    assert curl["severity"] == "critical" and curl["fixed_version"].endswith("+caulk1")
    assert curl["source_package"] == "curl" and curl["installed_version"]
    glibc = next(v for v in doc["vulnerabilities"] if v["id"] == "CVE-2099-0003")
    assert glibc["fixed_version"] is None and glibc["fixable"] is False
    assert doc["summary"]["packages"] == images.EXTRA_DPKG_COUNT + 2
    grade = doc["grade"]
    assert {p["name"]: p["status"] for p in grade["policies"]} == {
        "No fixable critical or high vulnerabilities": "failed",
        "No high-profile vulnerabilities": "passed",
        "Supply chain attestations": "failed",
        "No unapproved base images": "passed",
        "No outdated base images": "no data",
        "Default non-root user": "passed",
        "No AGPL v3 licenses": "passed",
    }
    assert (grade["letter"], grade["percent"], grade["points"], grade["total"]) == (
        "D",
        50.0,
        45,
        90,
    )


def test_fail_on_and_fail_on_policy_exit_codes(extra: images.BuiltImage, db: Path) -> None:
    base = ("scan", extra.oci_ref, "--db", str(db), "--offline")
    assert _run(*base, "--fail-on", "critical").exit_code == 1
    table = _run(*base)
    assert table.exit_code == 0
    assert "Health score  D (50%)" in table.stdout and "CVE-2099-0004" in table.stdout
    assert _run(*base, "--fail-on-policy").exit_code == 1
    bad = _run(*base, "--fail-on", "severe")
    assert bad.exit_code == 2 and "--fail-on" in bad.stderr


def test_vex_file_suppresses_and_says_which(
    extra: images.BuiltImage, db: Path, tmp_path: Path
) -> None:
    vex = tmp_path / "app.openvex.json"
    vex.write_text(
        json.dumps(
            {
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": "https://example.org/vex/app",
                "author": "app maintainers",
                "timestamp": "2025-01-01T00:00:00Z",
                "version": 1,
                "statements": [
                    {
                        "vulnerability": {"name": "CVE-2099-0007"},
                        "products": [{"@id": "pkg:deb/debian/python3-packaging"}],
                        "status": "not_affected",
                        "justification": "vulnerable_code_not_in_execute_path",
                    }
                ],
            }
        )
    )
    doc = _scan_json(extra.oci_ref, db, "--vex", str(vex))
    assert "CVE-2099-0007" not in {v["id"] for v in doc["vulnerabilities"]}
    (hidden,) = doc["suppressed"]
    assert hidden["id"] == "CVE-2099-0007" and hidden["vex"]["source"] == str(vex)
    assert hidden["vex"]["justification"] == "vulnerable_code_not_in_execute_path"


def test_cyclonedx_with_vulnerabilities_validates(extra: images.BuiltImage, db: Path) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    result = _run("scan", extra.oci_ref, "--db", str(db), "--offline", "-f", "cyclonedx")
    assert result.exit_code == 0, result.output
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(result.stdout) is None
    doc = json.loads(result.stdout)
    vuln = next(v for v in doc["vulnerabilities"] if v["id"] == "CVE-2099-0004")
    assert len(vuln["affects"]) == 2 and vuln["ratings"][0]["severity"] == "critical"


def test_sarif_and_markdown(extra: images.BuiltImage, db: Path) -> None:
    sarif = json.loads(
        _run("scan", extra.oci_ref, "--db", str(db), "--offline", "-f", "sarif").stdout
    )
    run = sarif["runs"][0]
    assert sarif["version"] == "2.1.0"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "CVE-2099-0004" in rule_ids
    result = next(r for r in run["results"] if r["ruleId"] == "CVE-2099-0004")
    assert result["level"] == "error"
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "var/lib/dpkg/status"
    )
    markdown = _run("scan", extra.oci_ref, "--db", str(db), "--offline", "-f", "markdown").stdout
    assert markdown.startswith("<h2>:mag: Vulnerabilities of <code>")
    assert "**Health score: D (50%)**" in markdown


def test_multiarch_attestations_pass_for_max_mode_only(
    built_image: Callable[[str], images.BuiltImage], db: Path
) -> None:
    multi = built_image("multiarch")

    def attestation_status(platform: str) -> str:
        doc = _scan_json(multi.oci_ref, db, "--platform", platform)
        return next(
            p["status"] for p in doc["grade"]["policies"] if p["id"] == "supply-chain-attestations"
        )

    assert attestation_status("linux/amd64") == "passed"  # SPDX + SLSA v1 max
    assert attestation_status("linux/arm64/v8") == "failed"  # SLSA v0.2 min, no SBOM


def test_compare_minbase_with_extra(
    built_image: Callable[[str], images.BuiltImage], extra: images.BuiltImage, db: Path
) -> None:
    minbase = built_image("minbase")
    args = ("compare", minbase.oci_ref, extra.oci_ref, "--db", str(db), "--offline")
    result = _run(*args, "--format", "markdown", "--exit-on", "vulnerability")
    assert result.exit_code == 1, result.output  # B adds curl's vulnerabilities
    text = result.stdout
    assert "## Overview" in text and ":heavy_plus_sign:" in text
    assert "Changes for packages of type <code>pypi</code> (2 changes)" in text
    doc = json.loads(_run(*args, "--format", "json").stdout)
    added = {p["name"] for p in doc["packages"] if p["change"] == "added"}
    assert {"curl", "libcurl4", "python3.11", "idna", "packaging"} <= added
    assert doc["delta"]["packages"] == len(added) - sum(
        1 for p in doc["packages"] if p["change"] == "removed"
    )
    same = _run(
        "compare",
        extra.oci_ref,
        extra.oci_ref,
        "--db",
        str(db),
        "--offline",
        "-x",
        "vulnerability,policy",
    )
    assert same.exit_code == 0, same.output


def test_missing_database_is_an_input_error(extra: images.BuiltImage, tmp_path: Path) -> None:
    result = _run("scan", extra.oci_ref, "--db", str(tmp_path / "none.sqlite3"))
    assert result.exit_code == 2
    assert "run 'caulk db update' or 'caulk db import'" in result.stderr
