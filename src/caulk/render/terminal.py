"""The audit for a person at a terminal, with rich: headline, checks, findings, plan, problems.

Colour only when asked (``color=True``); otherwise rich is told ``no_color`` and not to force a
terminal, so piping the output never leaks escape codes. rich is imported inside
:func:`print_audit` because it costs tens of milliseconds and most invocations (JSON, SARIF,
``--help``) never need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from caulk.findings import Severity
from caulk.render.common import (
    by_phase,
    by_severity,
    findings_summary,
    format_check_score,
    format_hours,
    format_score,
    score_headline,
)
from caulk.results import AuditResult

if TYPE_CHECKING:
    from rich.text import Text

SEVERITY_STYLES = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _score_style(score: float | None) -> str:
    if score is None:
        return "dim"
    if score >= 8:
        return "bold green"
    if score >= 5:
        return "bold yellow"
    return "bold red"


def print_audit(result: AuditResult, color: bool, file: TextIO | None = None) -> None:
    """Print the report to stdout (or ``file``); escape codes only when ``color`` is True."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(
        file=file,
        force_terminal=color,
        no_color=not color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )

    headline = Text("caulk audit ", style="bold")
    headline.append(f"{format_score(result.score.local)} / 10", style=_score_style(result.score.local))
    console.print(headline)
    console.print(Text(score_headline(result)))
    console.print(Text(findings_summary(result)))

    if result.checks:
        table = Table(title="Scorecard checks", title_justify="left", show_edge=False)
        table.add_column("Check")
        table.add_column("Score", justify="right")
        table.add_column("Risk")
        table.add_column("Reason", overflow="fold")
        for check in result.checks:
            score = Text(format_check_score(check))
            if check.inconclusive:
                score.stylize("dim")
            else:
                score.stylize(_score_style(float(check.score)))
            name = check.name if check.local else f"{check.name} (API)"
            table.add_row(Text(name), score, Text(check.risk.value), Text(check.reason))
        console.print()
        console.print(table)

    for severity, items in by_severity(result.findings):
        console.print()
        console.print(
            Text(f"{severity.value.upper()} ({len(items)})", style=SEVERITY_STYLES[severity])
        )
        for finding in items:
            line = Text("  ")
            line.append(str(finding.location) if finding.location else "(repository)", "bold")
            line.append("  ")
            line.append(finding.rule_id, SEVERITY_STYLES[severity])
            line.append("  ")
            line.append(_one(finding.message))
            console.print(line)

    if result.plan:
        console.print()
        console.print(Text("Plan", style="bold"))
        for _phase, title, steps in by_phase(result.plan):
            console.print(Text(f"  {title}", style="bold"))
            for step in steps:
                line = Text(f"    {step.rule_id:<8} ")
                line.append(f"+{step.gain:.2f}", "green" if step.gain else "dim")
                line.append(f"  {format_hours(step.effort_hours):>7}")
                line.append("  fix" if step.automatable else "  manual", "dim")
                line.append(f"  x{step.findings}  {_one(step.title)}")
                console.print(line)

    if result.problems:
        console.print()
        for problem in result.problems:
            console.print(_warning(str(problem)))


def _warning(message: str) -> Text:
    from rich.text import Text

    text = Text("warning: ", style="bold yellow")
    text.append(_one(message))
    return text


def _one(text: str) -> str:
    return " ".join(text.split())
