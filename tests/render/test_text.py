"""The text report: one grep-friendly line per finding, check, plan step and problem."""

from __future__ import annotations

from caulk.render import text
from caulk.results import AuditResult


def test_exact_report(result: AuditResult) -> None:
    assert text.render_audit(result).splitlines() == [
        ".: CK3001 [medium] no security policy file (SECURITY.md)",
        ".github/workflows/triage.yml:14:22: CK2004 [critical] ${{ github.event.pull_request.title"
        " }} in run: <script>alert(1)</script> | x",
        "Dockerfile:1:6: DL3007 [medium] Using latest is prone to errors if the image will ever "
        "update",
        "Dockerfile:9:1: CK1001 [high] final stage runs as root (no USER; base python:latest runs "
        "as root)",
        "",
        "score 3.3 / 10 from 4 local checks (1 inconclusive); 2 need GitHub API; estimated 4.0 / "
        "10 with 1 estimated from git history",
        "findings 4 findings (1 critical, 1 high, 2 medium); 2 suppressed",
        "check Dangerous-Workflow 0/10 [Critical, local] dangerous workflow patterns detected",
        "check Pinned-Dependencies 3/10 [Medium, local] dependency not pinned by hash detected",
        "check Security-Policy 0/10 [Medium, local] security policy file not detected",
        "check License 9/10 [Low, local] license file detected",
        "check Packaging ?/10 [Medium, local] packaging workflow not detected",
        "check Code-Review ?/10 [High, api] needs GitHub API; not computed offline",
        "check Maintained 7/10 [High, estimated] estimated from 30 commits in 90 days",
        "plan phase 1 CK2004 +4.55 30 min manual x1: Untrusted input expanded into a run: script",
        "plan phase 1 DL3007 +1.59 15 min auto x1: Using latest is prone to errors if the image "
        "will ever update",
        "plan phase 1 CK3001 +2.27 15 min auto x1: No SECURITY.md",
        "plan phase 3 CK1001 +0.00 2 h manual x1: The final stage runs as root",
        "problem .github/workflows/broken.yml:3:9: invalid YAML: mapping values are not allowed "
        "here",
        "problem big.bin: file is larger than 4 MiB; not analysed",
    ]


def test_finding_lines_parse_as_path_line_col(result: AuditResult) -> None:
    import re

    pattern = re.compile(
        r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[A-Z]+\d+) "
        r"\[(?P<sev>[a-z]+)\] "
    )
    located = [line for line in text.render_audit(result).splitlines() if pattern.match(line)]
    assert len(located) == sum(1 for f in result.findings if f.location is not None)


def test_multiline_messages_stay_on_one_line() -> None:
    from dataclasses import replace

    from .conftest import sample

    res = sample()
    odd = replace(res.findings[0], message="first\nsecond")
    out = text.render_audit(replace(res, findings=(odd,)))
    assert out.splitlines()[0] == ".: CK3001 [medium] first second"


def test_empty_audit(empty: AuditResult) -> None:
    assert text.render_audit(empty) == "score ? / 10 from 0 local checks\nfindings 0 findings\n"
