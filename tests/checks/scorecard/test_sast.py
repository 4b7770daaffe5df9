"""SAST as ``scorecard --local`` scores it (reference §2.9)."""

from __future__ import annotations

from pathlib import Path

from caulk.checks.registry import INCONCLUSIVE
from caulk.checks.scorecard.sast import sast
from tests.checks.workflow.wfrepo import repo_with, workflow_repo


def steps(*uses: str) -> str:
    body = "".join(f"      - uses: {u}\n" for u in uses)
    return f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def test_codeql_scores_10(tmp_path: Path) -> None:
    result = sast(workflow_repo(tmp_path, steps("github/codeql-action/analyze@v3")))
    assert (result.score, result.reason) == (10, "SAST tool detected: CodeQL")


def test_other_tool_scores_10(tmp_path: Path) -> None:
    result = sast(workflow_repo(tmp_path, steps("hadolint/hadolint-action@v3.1.0")))
    assert (result.score, result.reason) == (10, "SAST tool detected")


def test_codeql_init_alone_is_not_analysis(tmp_path: Path) -> None:
    result = sast(workflow_repo(tmp_path, steps("github/codeql-action/init@v3")))
    assert (result.score, result.reason) == (0, "no SAST tool detected")
    assert [f.rule_id for f in result.findings] == ["CK2015"]


def test_sonar_in_pom_counts_but_not_in_testdata(tmp_path: Path) -> None:
    pom = "<project><properties><sonar.host.url>https://sonar.example</sonar.host.url>"
    repo = repo_with(tmp_path, {"pom.xml": pom + "</properties></project>\n"})
    assert sast(repo).score == 10
    repo2 = repo_with(tmp_path / "b", {"testdata/pom.xml": pom + "</properties></project>\n"})
    assert sast(repo2).score == 0


def test_no_workflows_scores_0(tmp_path: Path) -> None:
    assert sast(repo_with(tmp_path, {"README.md": "x\n"})).score == 0


def test_invalid_workflow_is_a_runtime_error(tmp_path: Path) -> None:
    repo = workflow_repo(tmp_path, steps("github/codeql-action/analyze@v3"), "a: b: c\n")
    assert sast(repo).score == INCONCLUSIVE
