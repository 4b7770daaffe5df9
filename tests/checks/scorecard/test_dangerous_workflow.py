"""Dangerous-Workflow: untrusted checkout and script injection (reference §2.3)."""

from __future__ import annotations

from pathlib import Path

from caulk.checks.registry import INCONCLUSIVE
from caulk.checks.scorecard.dangerous_workflow import dangerous_workflow
from tests.checks.workflow.wfrepo import repo_with, workflow_repo

PWN_REQUEST = """\
on:
  pull_request_target:
    types: [opened]
permissions: read-all
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: make test
"""

INJECTION = """\
on: issues
permissions: {}
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - name: label
        run: |
          echo "triaging"
          title="${{ github.event.issue.title }}"
          echo "$title"
"""

SAFE = """\
on: pull_request
permissions: {}
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.sha }} ${{ github.event.pull_request.number }}"
        env:
          TITLE: ${{ github.event.pull_request.title }}
      - uses: actions/github-script@v7
        with:
          script: console.log("${{ github.event.pull_request.title }}")
"""


def test_untrusted_checkout_in_pull_request_target_scores_0(tmp_path: Path) -> None:
    result = dangerous_workflow(workflow_repo(tmp_path, PWN_REQUEST))
    assert (result.score, result.reason) == (0, "dangerous workflow patterns detected")
    (finding,) = result.findings
    assert finding.rule_id == "CK2004"
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (11, 16)


def test_script_injection_on_its_exact_line(tmp_path: Path) -> None:
    result = dangerous_workflow(workflow_repo(tmp_path, INJECTION))
    assert result.score == 0
    (finding,) = result.findings
    assert finding.rule_id == "CK2005"
    assert finding.location is not None
    # Line 10 of the file, the second line of the run: block, at the "${{".
    assert (finding.location.line, finding.location.column) == (10, 18)


def test_safe_patterns_score_10(tmp_path: Path) -> None:
    # pull_request (not _target) checkout, env: and github-script are not inspected.
    result = dangerous_workflow(workflow_repo(tmp_path, SAFE))
    assert (result.score, result.reason) == (10, "no dangerous workflow patterns detected")


def test_head_ref_and_tojson_are_untrusted(tmp_path: Path) -> None:
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - run: echo '${{ toJSON(github.event) }}'\n"
    )
    assert dangerous_workflow(workflow_repo(tmp_path, text)).score == 0
    text2 = text.replace("toJSON(github.event)", "github.head_ref")
    assert dangerous_workflow(workflow_repo(tmp_path / "b", text2)).score == 0


def test_unclosed_expression_is_a_runtime_error(tmp_path: Path) -> None:
    text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ oops\n"
    assert dangerous_workflow(workflow_repo(tmp_path, text)).score == INCONCLUSIVE


def test_no_workflows_is_inconclusive(tmp_path: Path) -> None:
    result = dangerous_workflow(repo_with(tmp_path, {"README.md": "hi\n"}))
    assert (result.score, result.reason) == (INCONCLUSIVE, "no workflows found")


def test_invalid_yaml_is_inconclusive_without_traceback(tmp_path: Path) -> None:
    repo = workflow_repo(tmp_path, INJECTION, "on: push\njobs:\n  a: {\n")
    assert dangerous_workflow(repo).score == INCONCLUSIVE
    assert repo.problems and repo.problems[0].message.startswith("invalid YAML")
