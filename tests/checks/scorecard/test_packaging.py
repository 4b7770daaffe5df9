"""Packaging as ``scorecard --local`` scores it: 10 or -1, never 0 (reference §2.10)."""

from __future__ import annotations

from pathlib import Path

from caulk.checks.registry import INCONCLUSIVE
from caulk.checks.scorecard.packaging import packaging
from tests.checks.workflow.wfrepo import repo_with, workflow_repo


def job_steps(*steps: str) -> str:
    body = "".join(f"      - {s}\n" for s in steps)
    return f"on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n{body}"


def test_build_push_action_counts_even_without_push(tmp_path: Path) -> None:
    text = job_steps("uses: docker/build-push-action@v6\n        with:\n          push: false")
    result = packaging(workflow_repo(tmp_path, text))
    assert (result.score, result.reason) == (10, "packaging workflow detected")


def test_docker_push_in_run(tmp_path: Path) -> None:
    assert packaging(workflow_repo(tmp_path, job_steps("run: docker push img"))).score == 10


def test_no_packaging_workflow_is_inconclusive_not_0(tmp_path: Path) -> None:
    result = packaging(workflow_repo(tmp_path, job_steps("run: make test")))
    assert (result.score, result.reason) == (INCONCLUSIVE, "packaging workflow not detected")


def test_npm_needs_the_registry_url_input(tmp_path: Path) -> None:
    without = job_steps("uses: actions/setup-node@v4", "run: npm publish")
    assert packaging(workflow_repo(tmp_path, without)).score == INCONCLUSIVE
    with_url = job_steps(
        "uses: actions/setup-node@v4\n        with:\n          registry-url: https://registry.npmjs.org",
        "run: npm publish",
    )
    assert packaging(workflow_repo(tmp_path / "b", with_url)).score == 10


def test_ko_needs_both_setup_actions(tmp_path: Path) -> None:
    one = job_steps("uses: ko-build/setup-ko@v0.7")
    assert packaging(workflow_repo(tmp_path, one)).score == INCONCLUSIVE
    both = job_steps("uses: imjasonh/setup-ko@v0.6", "uses: ko-build/setup-ko@v0.7")
    assert packaging(workflow_repo(tmp_path / "b", both)).score == 10


def test_reusable_workflow_job_matches(tmp_path: Path) -> None:
    text = "on: push\njobs:\n  rel:\n    uses: goreleaser/goreleaser-action@v6\n"
    assert packaging(workflow_repo(tmp_path, text)).score == 10


def test_parse_failure_before_the_match_is_a_runtime_error(tmp_path: Path) -> None:
    good = job_steps("run: docker push img")
    bad = "jobs: [\n"
    before = repo_with(tmp_path, {".github/workflows/a.yml": bad, ".github/workflows/b.yml": good})
    assert packaging(before).score == INCONCLUSIVE
    # After the first packaging workflow Scorecard stops reading.
    after = repo_with(
        tmp_path / "2", {".github/workflows/a.yml": good, ".github/workflows/b.yml": bad}
    )
    assert packaging(after).score == 10
