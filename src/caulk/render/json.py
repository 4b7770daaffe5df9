"""The audit as JSON: a documented, versioned contract (docs/json-schema.md).

The document validates against ``caulk/data/audit.schema.json``. It is deterministic: keys are
sorted, lists keep the audit's stable order (checks in registry order, findings by location,
the plan by phase and gain per hour), floats are rounded, and there is no timestamp, so the same
checkout gives the same bytes. ``schema_version`` changes its major number only when a field is
removed or changes meaning; new fields are a minor bump.
"""

from __future__ import annotations

import json
from typing import Any

from caulk.checks.registry import CheckResult
from caulk.findings import Finding, Problem, Rule
from caulk.render.common import check_counts, round_score, severity_counts
from caulk.results import SCHEMA_VERSION, AuditResult, PlanStep


def audit_document(result: AuditResult) -> dict[str, Any]:
    """The JSON document of an audit as Python data (what :func:`render_audit` serialises)."""
    from caulk import __version__

    counts = check_counts(result.checks)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "caulk", "version": __version__},
        "root": result.root,
        "score": {
            "local": round_score(result.score.local),
            "estimated": round_score(result.score.estimated),
        },
        "summary": {
            "checks": {
                "local": counts.local,
                "inconclusive": counts.inconclusive,
                "api": counts.api,
                "estimated": counts.estimated,
            },
            "findings": {sev.value: n for sev, n in severity_counts(result.findings).items()},
        },
        "checks": [_check(c) for c in result.checks],
        "findings": [_finding(f) for f in result.findings],
        "rules": {rule_id: _rule(rule) for rule_id, rule in sorted(result.rules.items())},
        "plan": [_step(s) for s in result.plan],
        "problems": [_problem(p) for p in result.problems],
        "suppressed": result.suppressed,
    }


def render_audit(result: AuditResult) -> str:
    """The audit as indented JSON with sorted keys, ending in a newline."""
    return json.dumps(audit_document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _check(check: CheckResult) -> dict[str, Any]:
    return {
        "name": check.name,
        "score": check.score,
        "risk": check.risk.value,
        "reason": check.reason,
        "local": check.local,
        "estimated": check.estimated,
        "details": list(check.details),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    loc = finding.location
    return {
        "rule_id": finding.rule_id,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": loc.path if loc else None,
        "line": loc.line if loc else None,
        "column": loc.column if loc else None,
        "end_line": loc.end_line if loc else None,
        "end_column": loc.end_column if loc else None,
        "check": finding.check,
        "confidence": finding.confidence.value,
        "fixable": bool(finding.edits),
    }


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "severity": rule.severity.value,
        "summary": rule.summary,
        "why": rule.why,
        "fix": rule.fix,
        "check": rule.check,
        "phase": rule.phase,
        "aliases": list(rule.aliases),
        "reference": rule.reference,
        "automatable": rule.automatable,
        "help_uri": rule.help_uri,
    }


def _step(step: PlanStep) -> dict[str, Any]:
    return {
        "phase": step.phase,
        "rule_id": step.rule_id,
        "title": step.title,
        "findings": step.findings,
        "gain": round(step.gain, 2),
        "effort_hours": step.effort_hours,
        "automatable": step.automatable,
        "check": step.check,
    }


def _problem(problem: Problem) -> dict[str, Any]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.column,
        "message": problem.message,
    }
