"""``caulk compare``: overview deltas, label/package/vulnerability/policy changes, renderings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caulk.compare import compare_results
from caulk.policy.model import AttestationFacts, BaseImage
from caulk.render.compare_json import compare_document
from caulk.render.compare_markdown import render_compare_markdown
from caulk.render.compare_text import render_compare_text
from caulk.scan import ImageSummary, ScanResult, build_result
from caulk.vuln.store import Store
from tests.vuln.osv_helpers import (
    BOOKWORM,
    CURL,
    CVSS_CRITICAL,
    IDNA,
    LIBC6,
    LIBCURL4,
    PACKAGING,
    deb,
    fixed_at,
    make_db,
    pypi,
    record,
    unfixed,
)

ADVISORIES = [
    record(
        "DEBIAN-CVE-2025-2001",
        "Debian:12",
        "curl",
        fixed_at("7.88.1-10+deb12u16"),
        upstream=["CVE-2025-2001"],
        severity=[{"type": "CVSS_V3", "score": CVSS_CRITICAL}],
    ),
    record("DEBIAN-CVE-2025-2002", "Debian:12", "glibc", unfixed(), upstream=["CVE-2025-2002"]),
    record("PYSEC-2025-9", "PyPI", "packaging", fixed_at("23.1"), aliases=["CVE-2025-2003"]),
    record("PYSEC-2025-10", "PyPI", "idna", fixed_at("3.4"), aliases=["CVE-2025-2004"]),
]
BASE = BaseImage("docker.io/library/debian", "bookworm", None, "label")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_db(tmp_path_factory.mktemp("compare"), ADVISORIES)


def _scan(db: Path, ref: str, packages: tuple[object, ...], **image: object) -> ScanResult:
    fields: dict[str, object] = dict(
        reference=ref,
        manifest_digest="sha256:" + ("a" if "main" in ref else "b") * 64,
        platform="linux/amd64",
        tag=ref.rsplit(":", 1)[1],
        compressed_size=30_000_000,
        labels={"org.opencontainers.image.version": "1.0", "maintainer": "x"},
        base_image=BASE,
        user="1000",
    )
    fields.update(image)
    with Store.open(db) as store:
        return build_result(ImageSummary(**fields), packages, BOOKWORM, store)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def comparison(db: Path) -> object:
    main = _scan(db, "app:main", (CURL, LIBCURL4, LIBC6, PACKAGING))
    pr = _scan(
        db,
        "app:pr-7",
        (
            deb("curl", "7.88.1-10+deb12u16"),  # updated past the fix
            deb("libcurl4", "7.88.1-10+deb12u16", "curl"),
            LIBC6,  # unchanged, still unfixed
            pypi("packaging", "23.0"),  # unchanged
            IDNA,  # added, with a vulnerability
        ),
        compressed_size=32_500_000,
        labels={
            "org.opencontainers.image.version": "1.1",
            "org.opencontainers.image.revision": "abc",
        },
        user="root",
    )
    return compare_results(main, pr)


def test_overview_deltas(comparison: object) -> None:
    from caulk.compare import Comparison

    assert isinstance(comparison, Comparison)
    assert comparison.size_delta == 2_500_000
    assert comparison.package_delta == 1
    assert comparison.counts_a["critical"] == 1 and comparison.counts_b["critical"] == 0
    assert comparison.counts_delta["critical"] == -1


def test_label_changes(comparison: object) -> None:
    changes = {(c.key, c.kind) for c in comparison.labels}  # type: ignore[attr-defined]
    assert changes == {
        ("org.opencontainers.image.version", "changed"),
        ("maintainer", "removed"),
        ("org.opencontainers.image.revision", "added"),
    }
    assert comparison.labels_unchanged == 0  # type: ignore[attr-defined]


def test_package_changes_carry_their_vulnerability_changes(comparison: object) -> None:
    by_name = {p.name: p for p in comparison.packages}  # type: ignore[attr-defined]
    assert set(by_name) == {"curl", "libcurl4", "idna"}
    curl = by_name["curl"]
    assert (curl.kind, curl.versions_a, curl.versions_b) == (
        "updated",
        ("7.88.1-10+deb12u15",),
        ("7.88.1-10+deb12u16",),
    )
    assert [v.id for v in curl.vulnerabilities_removed] == ["CVE-2025-2001"]
    assert curl.vulnerabilities_added == ()
    idna = by_name["idna"]
    assert idna.kind == "added" and [v.id for v in idna.vulnerabilities_added] == ["CVE-2025-2004"]
    assert comparison.packages_unchanged == 2  # type: ignore[attr-defined]


def test_vulnerabilities_added_removed_and_worse_flags(comparison: object) -> None:
    c = comparison
    assert [v.id for v in c.vulnerabilities_added] == ["CVE-2025-2004"]  # type: ignore[attr-defined]
    assert [v.id for v in c.vulnerabilities_removed] == ["CVE-2025-2001"]  # type: ignore[attr-defined]
    assert c.worse_vulnerabilities  # type: ignore[attr-defined]
    changed = {p.id: (p.a, p.b) for p in c.policies if p.changed}  # type: ignore[attr-defined]
    assert set(changed) == {"fixable-vulnerabilities", "default-non-root-user"}
    assert c.worse_policies  # type: ignore[attr-defined] - root now


def test_identical_images_are_not_worse(db: Path) -> None:
    a = _scan(db, "app:main", (CURL, LIBC6))
    c = compare_results(a, a)
    assert c.packages == () and c.labels == () and c.vulnerabilities_added == ()
    assert not c.worse_vulnerabilities and not c.worse_policies


def test_markdown_is_a_scout_style_pr_comment(comparison: object) -> None:
    text = render_compare_markdown(comparison)  # type: ignore[arg-type]
    assert text.startswith("## Overview\n")
    assert "| - size | 30 MB | 32 MB (+2 MB) |" in text
    assert "| - packages | 4 | 5 (+1) |" in text
    assert "<details><summary><strong>Labels</strong> (3 changes)</summary>" in text
    assert "-org.opencontainers.image.version=1.0\n+org.opencontainers.image.version=1.1" in text
    assert (
        "<details><summary><strong>Packages and Vulnerabilities</strong> "
        "(3 package changes and 2 vulnerability changes)</summary>"
    ) in text
    assert "Changes for packages of type <code>deb</code> (2 changes)" in text
    # the zero count is grey, the removed critical keeps its colour, CVE dashes are doubled
    assert 'src="https://img.shields.io/badge/critical-1-8b1924"' in text
    assert 'src="https://img.shields.io/badge/critical-0-lightgrey"' in text
    assert "badge/CVE--2025--2001-lightgrey?label=critical%20&labelColor=8b1924" in text
    assert "<strong>Removed vulnerabilities (1):</strong>" in text
    assert text.count("<details>") + text.count("<details ") == text.count("</details>")
    assert "| **Health score** |" in text


def test_text_and_json(comparison: object) -> None:
    text = render_compare_text(comparison)  # type: ignore[arg-type]
    assert "## Overview" in text and "Analyzed Image" in text
    assert "    ± curl 7.88.1-10+deb12u15 → 7.88.1-10+deb12u16" in text
    assert "Health score  Analyzed " in text
    doc = compare_document(comparison)  # type: ignore[arg-type]
    json.dumps(doc)
    assert doc["schema_version"] == 1
    assert doc["delta"] == {
        "size": 2_500_000,
        "packages": 1,
        "vulnerabilities": comparison.counts_delta,
    }  # type: ignore[attr-defined]
    assert doc["worse"] == {"vulnerabilities": True, "policies": True}
    assert [p["name"] for p in doc["packages"]] == ["curl", "libcurl4", "idna"]
    assert doc["vulnerabilities_added"][0]["id"] == "CVE-2025-2004"


def test_attestation_gain_is_a_policy_improvement(db: Path) -> None:
    plain = _scan(db, "app:main", (LIBC6,))
    attested = _scan(db, "app:pr", (LIBC6,), attestations=AttestationFacts(True, True, "max"))
    c = compare_results(plain, attested)
    (change,) = [p for p in c.policies if p.changed]
    assert change.id == "supply-chain-attestations" and not change.worse
    assert not c.worse_policies and compare_results(attested, plain).worse_policies
