"""Severity levels from CVSS vectors (computed by the cvss package) and distro ratings."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.vuln.models import Advisory, Severity
from caulk.vuln.osv import load_record, parse_record
from caulk.vuln.severity import Rating, base_score, level_for_score, rate, worst


@pytest.mark.parametrize(
    ("severity", "score"),
    [
        (Severity("CVSS_V3", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"), 7.8),
        (Severity("CVSS_V3", "CVSS:3.0/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L"), 4.0),
        (
            Severity("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            9.3,
        ),
        (Severity("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P"), 7.5),
        (Severity("CVSS_V3", "CVSS:3.1/AV:Q"), None),
        (Severity("Ubuntu", "medium"), None),
    ],
)
def test_base_scores_are_computed_from_vectors(severity: Severity, score: float | None) -> None:
    assert base_score(severity) == score


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (10.0, "critical"),
        (9.0, "critical"),
        (8.9, "high"),
        (7.0, "high"),
        (6.9, "medium"),
        (4.0, "medium"),
        (3.9, "low"),
        (0.1, "low"),
        (0.0, "negligible"),
    ],
)
def test_cvss_qualitative_bands(score: float, level: str) -> None:
    assert level_for_score(score) == level


def test_ubuntu_record_cvss_first_or_the_distro_priority_when_preferred(osv_data: Path) -> None:
    # glibc CVE-2016-20013: CVSS 3.1 says 7.5, Ubuntu triaged it negligible
    advisory = load_record(osv_data / "Ubuntu" / "UBUNTU-CVE-2016-20013.json")
    affected = advisory.affected[0]
    assert rate(advisory, affected) == Rating(
        "high", 7.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", "CVSS_V3"
    )
    distro = rate(advisory, affected, prefer="distro")
    assert (distro.level, distro.score, distro.source) == ("negligible", 7.5, "Ubuntu")


def test_ubuntu_priority_alone(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Ubuntu" / "UBUNTU-CVE-2026-1403.json")
    assert rate(advisory, advisory.affected[0]).level == "medium"


def test_debian_urgency_is_the_fallback(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Debian" / "CVE-2024-3847.json")
    assert rate(advisory, advisory.affected[0]) == Rating("low", source="urgency")


def test_bitnami_per_package_cvss_overrides_the_record(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Bitnami" / "BIT-consul-2021-37219.json")
    rating = rate(advisory, advisory.affected[0])
    assert (rating.level, rating.score) == ("high", 8.8)


def test_ghsa_database_severity_word_when_there_is_no_vector() -> None:
    advisory = parse_record(
        b'{"id": "GHSA-x", "modified": "2024-01-01T00:00:00Z", '
        b'"database_specific": {"severity": "MODERATE"}}',
        "GHSA-x.json",
    )
    assert rate(advisory) == Rating("medium", source="database_specific")


def test_elts_records_without_any_rating_are_unknown(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Debian-ELTS" / "ELA-100-1.json")
    assert rate(advisory, advisory.affected[0]).level == "unknown"


def test_not_yet_assigned_urgency_gives_no_answer() -> None:
    advisory = Advisory.from_osv(
        {
            "id": "DEBIAN-CVE-2024-1",
            "modified": "2024-01-01T00:00:00Z",
            "affected": [
                {
                    "package": {"ecosystem": "Debian:12", "name": "x"},
                    "ecosystem_specific": {"urgency": "not yet assigned"},
                }
            ],
        }
    )
    assert rate(advisory, advisory.affected[0]).level == "unknown"


def test_worst_picks_the_highest_level_then_score() -> None:
    ratings = [Rating("medium", 5.0), Rating("high", 7.1), Rating("high", 8.0), Rating("unknown")]
    assert worst(ratings) == Rating("high", 8.0)
    assert worst([]).level == "unknown"
