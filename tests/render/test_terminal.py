"""The terminal report: the same content as the text one, colour only when asked for."""

from __future__ import annotations

import io
import re

from caulk.render import terminal
from caulk.results import AuditResult


def _render(result: AuditResult, color: bool) -> str:
    out = io.StringIO()
    terminal.print_audit(result, color=color, file=out)
    return out.getvalue()


def test_without_colour_there_are_no_escape_codes(result: AuditResult) -> None:
    assert "\x1b[" not in _render(result, color=False)


def test_with_colour_there_are_escape_codes(result: AuditResult) -> None:
    assert "\x1b[" in _render(result, color=True)


def test_headline_with_raw_numbers(result: AuditResult) -> None:
    out = _render(result, color=False)
    assert out.splitlines()[0] == "caulk audit 3.3 / 10"
    assert "3.3 / 10 from 4 local checks (1 inconclusive); 2 need GitHub API" in out


def test_checks_findings_plan_and_problems_are_shown(result: AuditResult) -> None:
    out = _render(result, color=False)
    assert "Pinned-Dependencies" in out and "Code-Review (API)" in out
    assert out.index("CRITICAL (1)") < out.index("HIGH (1)") < out.index("MEDIUM (2)")
    assert re.search(r"Dockerfile:1:6 +DL3007 +Using latest", out)
    assert re.search(r"\(repository\) +CK3001 +no security policy", out)
    assert "Phase 3 - non-root" in out
    assert "+1.59" in out and "15 min" in out
    assert "warning: big.bin: file is larger than 4 MiB; not analysed" in out


def test_markup_in_messages_is_not_interpreted(result: AuditResult) -> None:
    # rich markup like [bold] in a repository's text must print literally.
    from dataclasses import replace

    odd = replace(result.findings[0], message="[bold red]boom[/] ${{ x }}")
    out = _render(replace(result, findings=(odd,)), color=False)
    assert "[bold red]boom[/] ${{ x }}" in out


def test_empty_audit(empty: AuditResult) -> None:
    out = _render(empty, color=False)
    assert out.splitlines()[0] == "caulk audit ? / 10"


def test_rich_is_imported_only_when_printing() -> None:
    # Start-up time matters: JSON, SARIF and --help must not pay for rich.
    import subprocess
    import sys

    code = (
        "import sys, caulk.render.terminal, caulk.render.json, caulk.render.sarif, "
        "caulk.render.markdown, caulk.render.text; print('rich' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
