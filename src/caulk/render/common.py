"""What every audit renderer says the same way: the score headline, orderings and groupings.

Renderers differ in markup, not in content: the same score sentence (with the raw counts that
explain it), the same severity order, the same plan phases. Keeping that here means the JSON,
SARIF, Markdown, text and terminal reports of one audit never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caulk.checks.registry import CheckResult
from caulk.findings import Finding, Severity
from caulk.results import PHASE_TITLES, AuditResult, PlanStep

SEVERITY_ORDER: tuple[Severity, ...] = (
    Severity.CRITICAL,
    Severity.HIGH,
    Severity.MEDIUM,
    Severity.LOW,
    Severity.INFO,
)
"""Most severe first: the order findings are grouped in every human-readable report."""


def round_score(value: float | None) -> float | None:
    """A score as reports show it: one decimal (Scorecard prints ``%.1f``), or None."""
    return None if value is None else round(value, 1)


def format_score(value: float | None) -> str:
    """``7.4`` or ``?`` (Scorecard prints ``?`` when every check is inconclusive)."""
    return "?" if value is None else f"{value:.1f}"


def format_check_score(check: CheckResult) -> str:
    """``7`` or ``?`` for an inconclusive check."""
    return "?" if check.inconclusive else str(check.score)


def format_hours(hours: float) -> str:
    """Effort as a short human figure: ``15 min``, ``1.5 h``."""
    if hours < 1:
        return f"{round(hours * 60)} min"
    text = f"{hours:.1f}".rstrip("0").rstrip(".")
    return f"{text} h"


@dataclass(frozen=True)
class CheckCounts:
    """The raw numbers behind a score."""

    local: int
    """Checks computed from the checkout that gave a score."""
    inconclusive: int
    """Local checks that could not score (no data, unreadable input)."""
    api: int
    """Checks that need GitHub's API (estimated or not computed)."""
    estimated: int
    """API checks caulk estimated from git history."""


def check_counts(checks: Iterable[CheckResult]) -> CheckCounts:
    """Count the checks behind ``score.local`` and ``score.estimated``."""
    local = inconclusive = api = estimated = 0
    for check in checks:
        if check.local:
            if check.inconclusive:
                inconclusive += 1
            else:
                local += 1
        else:
            api += 1
            if check.estimated and not check.inconclusive:
                estimated += 1
    return CheckCounts(local=local, inconclusive=inconclusive, api=api, estimated=estimated)


def score_headline(result: AuditResult) -> str:
    """One sentence with the score and the counts that explain it.

    ``7.4 / 10 from 10 local checks; 8 need GitHub API`` (plus the inconclusive checks and the
    history-based estimate when there are any).
    """
    counts = check_counts(result.checks)
    parts = [
        f"{format_score(result.score.local)} / 10 from {counts.local} local "
        f"check{'' if counts.local == 1 else 's'}"
    ]
    if counts.inconclusive:
        parts[0] += f" ({counts.inconclusive} inconclusive)"
    if counts.api:
        parts.append(f"{counts.api} need GitHub API")
    if result.score.estimated is not None:
        parts.append(
            f"estimated {format_score(result.score.estimated)} / 10 with "
            f"{counts.estimated} estimated from git history"
        )
    return "; ".join(parts)


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    """How many findings of each severity, every severity present (zero included)."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        counts[finding.severity] += 1
    return counts


def findings_summary(result: AuditResult) -> str:
    """``12 findings (1 critical, 3 high, 8 medium); 2 suppressed``."""
    total = len(result.findings)
    counts = severity_counts(result.findings)
    text = f"{total} finding{'' if total == 1 else 's'}"
    nonzero = [f"{n} {sev.value}" for sev, n in counts.items() if n]
    if nonzero:
        text += f" ({', '.join(nonzero)})"
    if result.suppressed:
        text += f"; {result.suppressed} suppressed"
    return text


def by_severity(findings: Iterable[Finding]) -> list[tuple[Severity, list[Finding]]]:
    """Findings grouped most severe first; each group keeps the result's location order."""
    groups: dict[Severity, list[Finding]] = {sev: [] for sev in SEVERITY_ORDER}
    for finding in findings:
        groups[finding.severity].append(finding)
    return [(sev, items) for sev, items in groups.items() if items]


def by_phase(plan: Iterable[PlanStep]) -> list[tuple[int, str, list[PlanStep]]]:
    """Plan steps grouped by phase (ascending), with the phase's title."""
    groups: dict[int, list[PlanStep]] = {}
    for step in plan:
        groups.setdefault(step.phase, []).append(step)
    return [
        (phase, PHASE_TITLES.get(phase, f"Phase {phase}"), groups[phase])
        for phase in sorted(groups)
    ]


def location_text(finding: Finding) -> str:
    """``path:line:col``, or ``.`` for a finding about the repository as a whole."""
    return str(finding.location) if finding.location is not None else "."


def one_line(text: str) -> str:
    """Collapse newlines so a message stays on one line of a line-oriented report."""
    return " ".join(text.split())
