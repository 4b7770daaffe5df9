"""The audit for a person at a terminal, with rich: headline, checks, findings, plan, problems.

Colour only when asked (``color=True``); otherwise rich is told ``no_color`` and not to force a
terminal, so piping the output never leaks escape codes. rich is imported inside
:func:`print_audit` because it costs tens of milliseconds and most invocations (JSON, SARIF,
``--help``) never need it.
"""

from __future__ import annotations

from typing import TextIO

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
    from rich.padding import Padding
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
    headline.append(
        f"{format_score(result.score.local)} / 10", style=_score_style(result.score.local)
    )
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
        grid = Table.grid(padding=(0, 2))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for finding in items:
            grid.add_row(
                Text(str(finding.location) if finding.location else "(repository)", "bold"),
                Text(finding.rule_id, SEVERITY_STYLES[severity]),
                Text(_one(finding.message)),
            )
        console.print(Padding(grid, (0, 0, 0, 2)))

    if result.plan:
        console.print()
        console.print(Text("Plan (gain in score points, effort per step)", style="bold"))
        for _phase, title, steps in by_phase(result.plan):
            console.print(Text(f"  {title}", style="bold"))
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True)
            grid.add_column(justify="right", no_wrap=True)
            grid.add_column(justify="right", no_wrap=True)
            grid.add_column(no_wrap=True)
            grid.add_column(overflow="fold")
            for step in steps:
                grid.add_row(
                    Text(step.rule_id),
                    Text(f"+{step.gain:.2f}", "green" if step.gain else "dim"),
                    Text(format_hours(step.effort_hours)),
                    Text("caulk fix" if step.automatable else "manual", "dim"),
                    Text(f"{_one(step.title)} ({step.findings})"),
                )
            console.print(Padding(grid, (0, 0, 0, 4)))

    if result.problems:
        console.print()
        for problem in result.problems:
            warning = Text("warning: ", style="bold yellow")
            warning.append(_one(str(problem)))
            console.print(warning)


def _one(text: str) -> str:
    return " ".join(text.split())
