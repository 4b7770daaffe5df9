"""The Markdown report reads well in a PR comment and cannot be hijacked by repository text."""

from __future__ import annotations

from caulk.render import markdown
from caulk.results import AuditResult


def test_heading_and_score_sentence_with_raw_counts(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    lines = text.splitlines()
    assert lines[0] == "## caulk audit: 3.3 / 10"
    assert "3.3 / 10 from 4 local checks (1 inconclusive); 2 need GitHub API" in text
    assert "4 findings (1 critical, 1 high, 2 medium); 2 suppressed" in text


def test_checks_table_has_a_row_per_check(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    assert "| Check | Score | Risk | Reason |" in text
    assert "| Pinned-Dependencies | 3 | Medium | dependency not pinned by hash detected |" in text
    assert "| Packaging | ? | Medium |" in text
    assert "| Code-Review | ? (API) | High |" in text
    assert "| Maintained | 7 (estimated) | High |" in text


def test_findings_are_grouped_in_details_most_severe_first_and_open(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    critical = text.index("<details open><summary><b>Critical</b> (1)</summary>")
    high = text.index("<details open><summary><b>High</b> (1)</summary>")
    medium = text.index("<details><summary><b>Medium</b> (2)</summary>")
    assert critical < high < medium
    assert text.count("<details") == text.count("</details>") == 3


def test_a_finding_row_links_its_rule(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    help_uri = result.rules["DL3007"].help_uri
    assert (
        f"| `Dockerfile:1:6` | [DL3007]({help_uri}) | Using latest is prone to errors if the "
        "image will ever update |" in text
    )
    assert "| repository | [CK3001](" in text


def test_repository_text_is_escaped(result: AuditResult) -> None:
    # The CK2004 message quotes a workflow; it must not become HTML or split the table.
    text = markdown.render_audit(result)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; \\| x" in text


def test_plan_by_phase_with_gain_and_effort(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    phase1 = text.index("#### Phase 1 - build hygiene")
    phase3 = text.index("#### Phase 3 - non-root")
    assert phase1 < phase3
    assert (
        "| DL3007 | Using latest is prone to errors if the image will ever update | 1 | +1.59 "
        "| 15 min | yes |" in text
    )
    assert "| CK1001 | The final stage runs as root | 1 | - | 2 h | no |" in text


def test_problems_are_listed(result: AuditResult) -> None:
    text = markdown.render_audit(result)
    assert (
        "- `.github/workflows/broken.yml:3`: invalid YAML: mapping values are not allowed "
        "here" in text
    )


def test_empty_audit(empty: AuditResult) -> None:
    text = markdown.render_audit(empty)
    assert text.startswith("## caulk audit: ? / 10\n")
    assert "No findings." in text
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_long_groups_are_cut_to_fit_a_pr_comment(result: AuditResult) -> None:
    from dataclasses import replace

    from caulk.findings import Location

    template = next(f for f in result.findings if f.rule_id == "DL3007")
    many = tuple(
        replace(template, location=Location("Dockerfile", line, 6)) for line in range(1, 121)
    )
    text = markdown.render_audit(replace(result, findings=many), max_rows=50)
    assert text.count("| `Dockerfile:") == 50
    assert "... and 70 more medium findings" in text
