"""The audit as GitHub-flavoured Markdown, for a pull-request comment or a job summary.

Layout: a heading with the score and the counts behind it, the checks table, findings grouped
by severity in collapsible ``<details>`` blocks (critical and high open), the plan by phase,
then input problems. Everything a repository controls (messages, paths, reasons) is escaped:
a crafted workflow must not be able to inject HTML or break a table in someone's PR comment.
"""

from __future__ import annotations

import html

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

_OPEN_SEVERITIES = frozenset({"critical", "high"})

MAX_ROWS_PER_SEVERITY = 50
"""A PR comment holds at most 65,536 characters; past this many rows per severity the report
says how many more there are and points at the full formats."""


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: HTML escaped, pipes escaped, one line."""
    escaped = html.escape(" ".join(text.split()), quote=False)
    return escaped.replace("|", "\\|").replace("`", "\\`")


def code(text: str, *, in_table: bool = True) -> str:
    """An inline code span that survives backticks in ``text`` (and pipes, in a table)."""
    text = " ".join(text.split())
    if in_table:
        text = text.replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def render_audit(result: AuditResult, max_rows: int = MAX_ROWS_PER_SEVERITY) -> str:
    """The Markdown report, ending in a newline; at most ``max_rows`` findings per severity."""
    lines: list[str] = [
        f"## caulk audit: {format_score(result.score.local)} / 10",
        "",
        f"**Score:** {cell(score_headline(result))}.  ",
        f"**Findings:** {cell(findings_summary(result))}.",
        "",
    ]
    lines += _checks(result)
    lines += _findings(result, max_rows)
    lines += _plan(result)
    lines += _problems(result)
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"


def _checks(result: AuditResult) -> list[str]:
    if not result.checks:
        return []
    lines = [
        "### Scorecard checks",
        "",
        "| Check | Score | Risk | Reason |",
        "|---|---:|---|---|",
    ]
    for check in result.checks:
        score = format_check_score(check)
        if not check.local:
            score += " (estimated)" if check.estimated and not check.inconclusive else " (API)"
        lines.append(
            f"| {cell(check.name)} | {score} | {check.risk.value} | {cell(check.reason)} |"
        )
    lines.append("")
    return lines


def _findings(result: AuditResult, max_rows: int) -> list[str]:
    lines = ["### Findings", ""]
    if not result.findings:
        lines += ["No findings.", ""]
        return lines
    for severity, items in by_severity(result.findings):
        is_open = " open" if severity.value in _OPEN_SEVERITIES else ""
        lines += [
            f"<details{is_open}><summary><b>{severity.value.capitalize()}</b> ({len(items)})"
            "</summary>",
            "",
            "| Location | Rule | Message |",
            "|---|---|---|",
        ]
        for finding in items[:max_rows]:
            where = code(str(finding.location)) if finding.location else "repository"
            rule = result.rules.get(finding.rule_id)
            rule_text = (
                f"[{cell(finding.rule_id)}]({rule.help_uri})" if rule else cell(finding.rule_id)
            )
            lines.append(f"| {where} | {rule_text} | {cell(finding.message)} |")
        if len(items) > max_rows:
            lines += [
                "",
                f"... and {len(items) - max_rows} more {severity.value} findings "
                "(`caulk audit --format sarif` or `--format json` lists them all).",
            ]
        lines += ["", "</details>", ""]
    return lines


def _plan(result: AuditResult) -> list[str]:
    if not result.plan:
        return []
    lines = ["### Plan", ""]
    for _phase, title, steps in by_phase(result.plan):
        lines += [
            f"#### {cell(title)}",
            "",
            "| Rule | Step | Findings | Gain | Effort | `caulk fix` |",
            "|---|---|---:|---:|---:|---|",
        ]
        for step in steps:
            gain = f"+{step.gain:.2f}" if step.gain else "-"
            auto = "yes" if step.automatable else "no"
            lines.append(
                f"| {cell(step.rule_id)} | {cell(step.title)} | {step.findings} | {gain} | "
                f"{format_hours(step.effort_hours)} | {auto} |"
            )
        lines.append("")
    return lines


def _problems(result: AuditResult) -> list[str]:
    if not result.problems:
        return []
    lines = ["### Input problems", ""]
    for problem in result.problems:
        where = problem.path
        if problem.line is not None:
            where += f":{problem.line}"
        lines.append(f"- {code(where, in_table=False)}: {cell(problem.message)}")
    lines.append("")
    return lines
