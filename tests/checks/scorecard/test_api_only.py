"""API-only checks: declared but not scored offline, and the Maintained/Code-Review estimates."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.registry import REGISTRY
from caulk.checks.scorecard.api_only import (
    code_review,
    estimate_code_review,
    estimate_maintained,
    maintained,
)
from caulk.repo.checkout import Repository
from caulk.repo.git import Commit, History
from tests.repo.gitrepo import DAY, GitRepo

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("name", "risk"),
    [
        ("Branch-Protection", "High"),
        ("CI-Tests", "Low"),
        ("CII-Best-Practices", "Low"),
        ("Contributors", "Low"),
        ("Signed-Releases", "High"),
        ("Vulnerabilities", "High"),
        ("Webhooks", "Critical"),
    ],
)
def test_api_only_checks_are_declared_without_a_runner(name: str, risk: str) -> None:
    spec = REGISTRY.checks[name]
    assert spec.run is None
    assert spec.local is False
    assert spec.risk.value == risk


def test_vulnerabilities_says_it_needs_osv() -> None:
    assert "OSV API" in REGISTRY.checks["Vulnerabilities"].doc


@pytest.mark.parametrize("name", ["Maintained", "Code-Review"])
def test_estimated_checks_are_registered_as_not_local(name: str) -> None:
    spec = REGISTRY.checks[name]
    assert spec.run is not None
    assert spec.local is False
    assert spec.risk.value == "High"


def commit(sha: str, days_ago: float, message: str = "change", *, merge: bool = False,
           author: str = "Ada") -> Commit:  # fmt: skip
    when = int(NOW - days_ago * DAY)
    parents = ("p1", "p2") if merge else ("p1",)
    return Commit(sha, parents, author, "a@x", when, author, "a@x", when, message)


def history(*commits: Commit, shallow: bool = False, first: float | None = 400) -> History:
    first_time = int(NOW - first * DAY) if first is not None else None
    return History(commits=commits, shallow=shallow, first_commit_time=first_time)


# -- Maintained -------------------------------------------------------------------------------


@pytest.mark.parametrize(("recent", "score"), [(0, 0), (1, 0), (2, 1), (6, 5), (11, 9), (12, 10)])
def test_maintained_is_floor_of_10_c_over_12(recent: int, score: int) -> None:
    commits = [commit(f"r{i}", 10) for i in range(recent)]
    commits += [commit(f"o{i}", 200) for i in range(30 - recent)]
    result = estimate_maintained(history(*commits), NOW)
    assert result.score == score
    assert (result.local, result.estimated) == (False, True)
    assert result.reason.startswith("estimated from git history: ")
    assert "issue activity needs the GitHub API" in result.reason


def test_maintained_boundary_is_strictly_after_90_days() -> None:
    inside, edge = commit("a", 89.99), commit("b", 90)
    result = estimate_maintained(history(*[inside] * 12, *[edge] * 18), NOW)
    assert result.score == 10
    result = estimate_maintained(history(*[edge] * 30), NOW)
    assert result.score == 0


def test_maintained_is_0_when_the_first_commit_is_under_90_days_old() -> None:
    result = estimate_maintained(history(*[commit("a", 1)] * 30, first=30), NOW)
    assert result.score == 0
    assert "under 90 days old" in result.reason


def test_maintained_shallow_clone_with_few_commits_is_inconclusive() -> None:
    result = estimate_maintained(history(commit("a", 1), shallow=True), NOW)
    assert result.score == -1
    assert "shallow clone with 1 commit(s)" in result.reason


def test_maintained_from_a_real_repository(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    git.commit("initial", days_ago=365)
    for i in range(24):
        git.commit(f"old {i}", days_ago=300 - i)
    for i in range(5):
        git.commit(f"recent {i}", days_ago=20 - i)
    result = maintained(Repository(git.root))
    assert result.score == 4  # floor(10 * 5 / 12)
    assert "5 commit(s) of the last 30" in result.reason


def test_maintained_young_real_repository_scores_0(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    for i in range(15):
        git.commit(f"c{i}", days_ago=30 - i)
    assert maintained(Repository(git.root)).score == 0


def test_no_history_is_inconclusive(tmp_path: Path) -> None:
    result = maintained(Repository(tmp_path))
    assert result.score == -1
    assert result.estimated is True
    assert "not a git repository" in result.reason
    assert code_review(Repository(tmp_path)).score == -1


# -- Code-Review ------------------------------------------------------------------------------


def test_code_review_counts_merged_prs_and_review_markers() -> None:
    commits = (
        commit("m1", 1, "Merge pull request #12 from bob/fix\n\nFix", merge=True),
        commit("s1", 2, "Add parser (#13)"),
        commit("g1", 3, "Fix\n\nReviewed-on: https://gerrit/c/1\nReviewed-by: Eve <e@x>"),
        commit("f1", 4, "Fix\n\nDifferential Revision: https://reviews/D123"),
        commit("p1", 5, "Fix\n\nPiperOrigin-RevId: 123456"),
        commit("d1", 6, "direct push"),
        commit("d2", 7, "another direct push"),
    )
    result = estimate_code_review(history(*commits), {})
    assert result.score == 7  # 5 approved of 7 changesets
    assert result.reason.startswith("estimated from git history: 5/7 approved changesets")
    assert (result.local, result.estimated) == (False, True)


def test_commits_of_one_pull_request_are_one_changeset() -> None:
    commits = (commit("a", 1, "Part one (#5)"), commit("b", 2, "Part two (#5)"), commit("c", 3))
    assert estimate_code_review(history(*commits), {}).score == 5  # 1 of 2


def test_all_reviewed_scores_10() -> None:
    result = estimate_code_review(history(commit("a", 1, "Feature (#1)")), {})
    assert (result.score, result.reason.split(": ", 1)[1][:23]) == (10, "all changesets approved")


def test_approved_bot_changesets_are_skipped() -> None:
    commits = (
        commit("a", 1, "Bump x from 1 to 2 (#9)", author="dependabot[bot]"),
        commit("b", 2, "Feature (#8)"),
        commit("c", 3, "direct"),
    )
    assert estimate_code_review(history(*commits), {}).score == 5  # 1/2: the bot PR is skipped


def test_only_bot_activity_is_inconclusive() -> None:
    commits = (commit("a", 1, "Bump x (#9)", author="renovate[bot]"),)
    result = estimate_code_review(history(*commits), {})
    assert result.score == -1
    assert "no human activity" in result.reason


def test_no_commits_is_inconclusive() -> None:
    assert estimate_code_review(history(), {}).score == -1


def test_self_merged_pull_requests_are_reported() -> None:
    merge = commit("m", 1, "Merge pull request #3 from ada/x", merge=True, author="Ada")
    result = estimate_code_review(history(merge), {"m": "Ada"})
    assert result.score == 10
    assert any("merged by their own author" in d for d in result.details)


def test_code_review_from_a_real_repository(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    git.commit("initial import", days_ago=30)
    git.merge_pull_request(1, days_ago=20)
    git.commit("Squashed feature (#2)", days_ago=10)
    git.merge_pull_request(3, days_ago=5)
    result = code_review(Repository(git.root))
    assert result.score == 7  # 3 of 4 first-parent changesets arrived through pull requests
    assert not any("own author" in d for d in result.details)  # merged by Ada, authored by Bob
