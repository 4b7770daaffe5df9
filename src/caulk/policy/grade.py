"""The health grade A–F from policy results, exactly as Docker Scout computes it.

reference/scout-grade-and-scanners.md §1.2 (docker/docs ``scout/policy/scores.md`` and
``policy/local.md``): every enabled policy adds its weight to the total; a passing one also adds
it to the points; a failing or no-data one adds nothing. ``percent = points / total * 100``.
Thresholds are strict: over 90 % is A, over 70 % B, over 50 % C, over 30 % D, over 10 % E,
else F — so exactly 90 % is a B and exactly 70 % a C. A weight of 0 removes a policy; when
every weight is 0 there is no grade. The comparisons are done on integers
(``points * 100 > 90 * total``), so no rounding can move a boundary.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caulk.policy.model import PolicyResult, Status

THRESHOLDS = ((90, "A"), (70, "B"), (50, "C"), (30, "D"), (10, "E"))
"""``(percent, letter)``: a score strictly above ``percent`` earns ``letter``; else F."""


@dataclass(frozen=True, slots=True)
class Grade:
    """The health score and where it comes from."""

    letter: str | None
    """``A``…``F``; None when no policy carries weight."""
    points: int
    total: int
    passed: int
    failed: int
    no_data: int

    @property
    def percent(self) -> float | None:
        """``points / total * 100`` rounded to two decimals; None without a grade."""
        if self.total == 0:
            return None
        return round(self.points * 100 / self.total, 2)

    @property
    def percent_text(self) -> str:
        """``83%``, ``83.3%`` when not whole, ``N/A`` without a grade."""
        if self.total == 0:
            return "N/A"
        if (self.points * 100) % self.total == 0:
            return f"{self.points * 100 // self.total}%"
        return f"{self.points * 100 / self.total:.1f}%"

    @property
    def text(self) -> str:
        """``B (83.3%)`` as Scout prints ``Health score  B (83%)``; ``N/A`` without a grade."""
        if self.letter is None:
            return "N/A"
        return f"{self.letter} ({self.percent_text})"


def letter_for(points: int, total: int) -> str | None:
    """The letter for ``points`` out of ``total`` (strict thresholds), None if total is 0."""
    if total <= 0:
        return None
    for percent, letter in THRESHOLDS:
        if points * 100 > percent * total:
            return letter
    return "F"


def compute_grade(results: Iterable[PolicyResult]) -> Grade:
    """The grade of a set of policy results (weight-0 policies are ignored)."""
    points = total = passed = failed = no_data = 0
    for result in results:
        if result.weight <= 0:
            continue
        total += result.weight
        if result.status is Status.PASSED:
            points += result.weight
            passed += 1
        elif result.status is Status.FAILED:
            failed += 1
        else:
            no_data += 1
    return Grade(letter_for(points, total), points, total, passed, failed, no_data)
