"""Docker Scout's "No fixable critical or high vulnerabilities" (``fixable-vulnerabilities``).

reference/scout-grade-and-scanners.md §1.3: violated by at least one vulnerability of a listed
severity with a fix version available. Parameters and defaults as Scout's: ``severities``
(``["critical", "high"]``), ``fixable_only`` (true), ``package_types`` (purl types; empty = all)
and ``grace_period_days`` (0: a vulnerability counts once its advisory is older than this; one
without a ``published`` time always counts). Vulnerabilities hidden by VEX never count.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "fixable-vulnerabilities"
NAME = "No fixable critical or high vulnerabilities"
WEIGHT = 20
DEFAULTS: dict[str, Any] = {
    "severities": ["critical", "high"],
    "fixable_only": True,
    "package_types": [],
    "grace_period_days": 0,
}

_LETTERS = (("critical", "C"), ("high", "H"), ("medium", "M"), ("low", "L"))


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    severities = {str(s).lower() for s in params["severities"]}
    types = {str(t).lower() for t in params["package_types"]}
    grace = timedelta(days=int(params["grace_period_days"]))
    violating: dict[tuple[str, str], str] = {}
    for vuln in inp.vulnerabilities:
        if vuln.severity not in severities:
            continue
        if params["fixable_only"] and not vuln.fixable:
            continue
        if types and vuln.package_type not in types:
            continue
        published = vuln.published
        if (
            grace
            and inp.now is not None
            and published is not None
            and (inp.now - published < grace)
        ):
            continue
        violating[(vuln.id, vuln.package)] = vuln.severity
    by_id: dict[str, str] = {}
    for (ident, _), severity in violating.items():
        by_id[ident] = severity
    counts = {level: 0 for level, _ in _LETTERS}
    for severity in by_id.values():
        if severity in counts:
            counts[severity] += 1
    summary = " ".join(
        f"{counts[level]}{letter}" for level, letter in _LETTERS if level in severities
    )
    details = tuple(
        f"{ident} ({severity}) in {package}"
        for (ident, package), severity in sorted(violating.items())
    )
    status = Status.FAILED if by_id else Status.PASSED
    return Outcome(status, summary, details, len(by_id))
