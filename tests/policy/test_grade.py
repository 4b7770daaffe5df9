"""The health grade: Docker Scout's points, strict thresholds, and the no-data rule (§1.2)."""

from __future__ import annotations

import dataclasses

import pytest

from caulk.catalog.models import Package
from caulk.policy import evaluate_policies, load_settings
from caulk.policy.grade import compute_grade, letter_for
from caulk.policy.model import AttestationFacts, BaseImage, PolicyInput, PolicyResult, Status
from caulk.scan import ImageSummary, ScanResult
from tests.vuln.osv_helpers import BOOKWORM


def _results(points: int, total: int = 100) -> tuple[PolicyResult, ...]:
    """Two policies: one passing with ``points`` weight, one failing with the rest."""
    out = [PolicyResult("pass", "passing", Status.PASSED, points)]
    if total - points:
        out.append(PolicyResult("fail", "failing", Status.FAILED, total - points))
    return tuple(out)


def _scan(results: tuple[PolicyResult, ...]) -> ScanResult:
    return ScanResult(
        image=ImageSummary("oci:x"),
        packages=(),
        vulnerabilities=(),
        suppressed=(),
        policies=results,
        grade=compute_grade(results),
    )


@pytest.mark.parametrize(
    ("points", "letter"),
    [
        (100, "A"),
        (91, "A"),
        (90, "B"),  # "exactly 90% is a B"
        (71, "B"),
        (70, "C"),  # "exactly 70% is a C"
        (51, "C"),
        (50, "D"),
        (31, "D"),
        (30, "E"),
        (11, "E"),
        (10, "F"),
        (0, "F"),
    ],
)
def test_each_letter_boundary_is_strict(points: int, letter: str) -> None:
    result = _scan(_results(points))
    assert result.grade.letter == letter
    assert result.grade.percent == points
    assert result.grade.text == f"{letter} ({points}%)"


def test_boundaries_with_the_default_weights_out_of_90() -> None:
    # Hub: 85/90 → A; 65/90 → B (scores.md); 81/90 = 90% exactly → B
    assert letter_for(85, 90) == "A"
    assert letter_for(65, 90) == "B"
    assert letter_for(81, 90) == "B"
    assert letter_for(82, 90) == "A"
    assert letter_for(63, 90) == "C"  # exactly 70%
    assert compute_grade(_results(75, 90)).text == "B (83.3%)"


def test_no_data_scores_like_a_failure_and_weight_zero_removes_a_policy() -> None:
    results = (
        PolicyResult("a", "a", Status.PASSED, 20),
        PolicyResult("b", "b", Status.NO_DATA, 20),
        PolicyResult("c", "c", Status.FAILED, 0),
    )
    grade = compute_grade(results)
    assert (grade.points, grade.total, grade.passed, grade.failed, grade.no_data) == (
        20,
        40,
        1,
        0,
        1,
    )
    assert grade.letter == "D"  # exactly 50%


def test_all_weights_zero_gives_no_grade() -> None:
    grade = compute_grade((PolicyResult("a", "a", Status.PASSED, 0),))
    assert grade.letter is None and grade.percent is None and grade.text == "N/A"


def _clean_input(**changes: object) -> PolicyInput:
    base = PolicyInput(
        packages=(
            Package(
                "bash", "5.2", "deb", "pkg:deb/debian/bash@5.2", licenses=("GPL-3.0-or-later",)
            ),
        ),
        user="65532",
        attestations=AttestationFacts(True, True, "max"),
        base_image=BaseImage(
            "docker.io/library/debian", "bookworm", "sha256:" + "1" * 64, "provenance"
        ),
        os=BOOKWORM,
        resolve_digest=lambda ref: "sha256:" + "1" * 64,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_default_policies_and_weights_give_the_hub_total_of_90() -> None:
    results = evaluate_policies(_clean_input())
    assert [(r.id, r.weight) for r in results] == [
        ("fixable-vulnerabilities", 20),
        ("high-profile-vulnerabilities", 20),
        ("supply-chain-attestations", 15),
        ("approved-base-images", 15),
        ("no-stale-base-images", 10),
        ("default-non-root-user", 5),
        ("copyleft-license", 5),
    ]
    assert all(r.status is Status.PASSED for r in results)
    assert compute_grade(results).text == "A (100%)"


def test_root_user_alone_keeps_an_a_and_stale_base_alone_drops_to_b() -> None:
    root = compute_grade(evaluate_policies(_clean_input(user="")))
    assert root.text == "A (94.4%)"  # 85/90
    offline = compute_grade(evaluate_policies(_clean_input(resolve_digest=None)))
    assert offline.text == "B (88.9%)"  # 80/90: no data counts as not passed
    both = compute_grade(evaluate_policies(_clean_input(user="0", resolve_digest=None)))
    assert both.text == "B (83.3%)"  # 75/90


def test_configured_weights_move_the_grade() -> None:
    settings = load_settings(
        {
            "default-non-root-user": {"weight": 70},
            "copyleft-license": {"enabled": False},
            "no-stale-base-images": {"weight": 0},
        }
    )
    results = evaluate_policies(_clean_input(user="root", resolve_digest=None), settings)
    assert "copyleft-license" not in {r.id for r in results}
    grade = compute_grade(results)
    assert (grade.points, grade.total) == (70, 140)
    assert grade.text == "D (50%)"
