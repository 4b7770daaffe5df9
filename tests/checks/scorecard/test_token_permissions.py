"""Token-Permissions scores exactly as Scorecard's evaluation (reference §2.2)."""

from __future__ import annotations

from pathlib import Path

from caulk.checks.registry import INCONCLUSIVE
from caulk.checks.scorecard.token_permissions import token_permissions
from tests.checks.workflow.wfrepo import repo_with, workflow_repo


def job(name: str, permissions: str | None = None, steps: str = "- run: make") -> str:
    perms = f"    permissions: {permissions}\n" if permissions is not None else ""
    return f"  {name}:\n    runs-on: ubuntu-latest\n{perms}    steps:\n      {steps}\n"


def wf(top: str | None, *jobs: str) -> str:
    head = "on: push\n" + (f"permissions: {top}\n" if top is not None else "")
    return head + "jobs:\n" + "".join(jobs)


def score(tmp_path: Path, *texts: str) -> int:
    return token_permissions(workflow_repo(tmp_path, *texts)).score


def test_no_permissions_anywhere_scores_0(tmp_path: Path) -> None:
    result = token_permissions(workflow_repo(tmp_path, wf(None, job("build"))))
    assert result.score == 0
    assert result.reason == "detected GitHub workflow tokens with excessive permissions"
    (finding,) = result.findings
    assert finding.rule_id == "CK2002"
    assert finding.location is not None and finding.location.line == 1


def test_top_read_all_and_job_writes_scores_10(tmp_path: Path) -> None:
    text = wf("read-all", job("release", "\n      contents: write\n      packages: write"))
    result = token_permissions(workflow_repo(tmp_path, text))
    assert result.score == 10
    assert result.reason == "GitHub workflow tokens follow principle of least privilege"


def test_top_undeclared_with_every_job_declared_scores_9(tmp_path: Path) -> None:
    # 10 - 0.5 = 9.5, truncated; an empty permissions key counts as declared ("none").
    text = wf(None, job("a", "{}"), job("b", ""), job("c", "\n      contents: write"))
    assert score(tmp_path, text) == 9


def test_top_statuses_and_checks_write_scores_9(tmp_path: Path) -> None:
    assert score(tmp_path, wf("\n  statuses: write\n  checks: write", job("a", "{}"))) == 9


def test_top_scope_deductions(tmp_path: Path) -> None:
    assert score(tmp_path, wf("\n  deployments: write", job("a"))) == 9
    assert score(tmp_path / "b", wf("\n  contents: write", job("a"))) == 0
    # Writes Scorecard does not weigh (issues, id-token) cost nothing.
    assert score(tmp_path / "c", wf("\n  issues: write\n  id-token: write", job("a"))) == 10


def test_top_write_all_with_job_write_returns_0_at_once(tmp_path: Path) -> None:
    text = wf("write-all", job("a", "\n      contents: write"))
    result = token_permissions(workflow_repo(tmp_path, text))
    assert result.score == 0
    assert [f.rule_id for f in result.findings] == ["CK2014"]
    assert result.findings[0].location is not None
    assert (result.findings[0].location.line, result.findings[0].location.column) == (2, 14)


def test_top_write_all_with_undeclared_job_returns_0(tmp_path: Path) -> None:
    assert score(tmp_path, wf("write-all", job("a"))) == 0


def test_top_write_all_with_read_jobs_costs_half_a_point(tmp_path: Path) -> None:
    assert score(tmp_path, wf("write-all", job("a", "\n      contents: read"))) == 9


def test_job_level_write_all_is_not_reported(tmp_path: Path) -> None:
    # Scorecard's job probe skips write-all (no token name): only -0.5 for the top level.
    assert score(tmp_path, wf("write-all", job("a", "write-all"))) == 9


def test_ignored_job_scopes_do_not_trigger_the_write_all_zero(tmp_path: Path) -> None:
    publish = job(
        "publish",
        "\n      packages: write",
        "- uses: docker/build-push-action@v6",
    )
    assert score(tmp_path, wf("write-all", publish)) == 9


def test_undeclared_in_two_files_is_per_file(tmp_path: Path) -> None:
    good = wf(None, job("a", "{}"))
    assert score(tmp_path, good, good) == 9  # 10 - 0.5 - 0.5
    assert score(tmp_path / "b", good, wf(None, job("a"))) == 0


def test_other_strings_cost_nothing(tmp_path: Path) -> None:
    assert score(tmp_path, wf("WRITE-ALL", job("a"))) == 10


def test_no_workflow_with_commands_is_inconclusive(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".github/workflows/empty.yml": "# nothing\n"})
    result = token_permissions(repo)
    assert (result.score, result.reason) == (INCONCLUSIVE, "No tokens found")


def test_invalid_yaml_is_a_runtime_error(tmp_path: Path) -> None:
    repo = workflow_repo(tmp_path, wf("read-all", job("a")), "jobs: [\n")
    result = token_permissions(repo)
    assert result.score == INCONCLUSIVE
    assert "invalid GitHub workflow" in result.reason
    assert [p.path for p in repo.problems] == [".github/workflows/w2.yml"]
