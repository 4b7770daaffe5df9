"""The audit as plain, stable, grep-friendly text (the default when stdout is not a TTY).

One finding per line in the compiler convention editors and CI annotators parse::

    Dockerfile:1:1: DL3007 [medium] Using latest is prone to errors ...

Repository-wide findings use ``.`` as their path. Then one line per check, per plan step and
per input problem, each starting with a fixed word (``score``, ``check``, ``plan``,
``problem``) so ``grep '^check '`` gives the checks. No colour, no wrapping, no alignment that
depends on the terminal.
"""

from __future__ import annotations

from caulk.render.common import (
    findings_summary,
    format_check_score,
    format_hours,
    location_text,
    one_line,
    score_headline,
)
from caulk.results import AuditResult


def render_audit(result: AuditResult) -> str:
    """The text report, ending in a newline."""
    lines: list[str] = [
        f"{location_text(f)}: {f.rule_id} [{f.severity.value}] {one_line(f.message)}"
        for f in result.findings
    ]
    if lines:
        lines.append("")
    lines.append(f"score {score_headline(result)}")
    lines.append(f"findings {findings_summary(result)}")
    for check in result.checks:
        scope = "local" if check.local else ("estimated" if check.estimated else "api")
        lines.append(
            f"check {check.name} {format_check_score(check)}/10 "
            f"[{check.risk.value}, {scope}] {one_line(check.reason)}"
        )
    for step in result.plan:
        auto = "auto" if step.automatable else "manual"
        lines.append(
            f"plan phase {step.phase} {step.rule_id} +{step.gain:.2f} "
            f"{format_hours(step.effort_hours)} {auto} x{step.findings}: {one_line(step.title)}"
        )
    lines.extend(f"problem {one_line(str(p))}" for p in result.problems)
    return "\n".join(lines) + "\n"
