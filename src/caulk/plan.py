"""The hardening plan: findings grouped by rule into steps, ranked by score gained per hour.

A step's gain is the rise of ``score.local`` if its Scorecard check reached 10, shared among
the rules that lower that check in proportion to their findings. This is an estimate of the
order to work in, not a promise: Scorecard's per-check formulas (proportional counts, the
GitHub-owned/third-party action weights) make exact attribution to one rule ill-defined.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from caulk.checks.registry import MAX_SCORE, CheckResult, aggregate
from caulk.findings import Finding, Rule
from caulk.results import PlanStep


def check_gain(checks: list[CheckResult], name: str) -> float:
    """How much ``score.local`` rises if check ``name`` scores 10 (inconclusive ones included)."""
    local = [c for c in checks if c.local]
    current = aggregate(local)
    improved = aggregate([replace(c, score=MAX_SCORE) if c.name == name else c for c in local])
    if improved is None:
        return 0.0
    return max(improved - (current if current is not None else 0.0), 0.0)


def build_plan(
    findings: list[Finding], checks: list[CheckResult], rules: dict[str, Rule]
) -> tuple[PlanStep, ...]:
    """One step per rule with findings, best gain per hour first within each phase."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_rule[finding.rule_id].append(finding)

    per_check_counts: dict[str, int] = defaultdict(int)
    for rule_id, items in by_rule.items():
        check = _check_of(rule_id, items, rules)
        if check is not None:
            per_check_counts[check] += len(items)

    gains = {name: check_gain(checks, name) for name in per_check_counts}
    steps: list[PlanStep] = []
    for rule_id, items in by_rule.items():
        rule = rules.get(rule_id)
        check = _check_of(rule_id, items, rules)
        gain = 0.0
        if check is not None and per_check_counts[check]:
            gain = gains[check] * len(items) / per_check_counts[check]
        steps.append(
            PlanStep(
                phase=rule.phase if rule else 1,
                rule_id=rule_id,
                title=rule.summary if rule else items[0].message,
                findings=len(items),
                gain=round(gain, 2),
                effort_hours=rule.effort_hours if rule else 0.5,
                automatable=rule.automatable if rule else False,
                check=check,
            )
        )
    severity_rank = {
        rule_id: max(f.severity.rank for f in items) for rule_id, items in by_rule.items()
    }
    steps.sort(key=lambda s: (s.phase, -s.gain_per_hour, -severity_rank[s.rule_id], s.rule_id))
    return tuple(steps)


def _check_of(rule_id: str, items: list[Finding], rules: dict[str, Rule]) -> str | None:
    rule = rules.get(rule_id)
    if rule is not None and rule.check is not None:
        return rule.check
    return next((f.check for f in items if f.check), None)
