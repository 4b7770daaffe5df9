"""Reading a checkout's git history offline: real repositories built in tmp_path."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from caulk.repo.checkout import Repository
from caulk.repo.git import author_names, read_history, unavailable_reason
from tests.repo.gitrepo import DAY, GitRepo


def test_commits_newest_first_with_dates_parents_and_message(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    first = git.commit("first", days_ago=10)
    second = git.commit("second\n\nbody line\nReviewed-by: Someone", days_ago=2)
    history = read_history(Repository(git.root))
    assert history is not None
    assert [c.sha for c in history.commits] == [second, first]
    newest = history.commits[0]
    assert newest.parents == (first,)
    assert newest.subject == "second"
    assert newest.message == "second\n\nbody line\nReviewed-by: Someone"
    assert newest.author_name == "Ada"
    assert newest.author_email == "ada@example.com"
    assert abs(newest.committer_time - (time.time() - 2 * DAY)) < 60
    assert history.shallow is False
    assert history.first_commit_time == history.commits[-1].committer_time


def test_first_parent_lists_only_what_landed_on_the_branch(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    git.commit("base", days_ago=5)
    merge = git.merge_pull_request(7)
    repo = Repository(git.root)
    landed = read_history(repo, first_parent=True)
    everything = read_history(repo, first_parent=False)
    assert landed is not None and everything is not None
    assert [c.subject for c in landed.commits] == ["Merge pull request #7 from bob/pr7", "base"]
    assert landed.commits[0].sha == merge and landed.commits[0].is_merge
    assert "work for #7" in [c.subject for c in everything.commits]
    tip = landed.commits[0].parents[1]
    assert author_names(repo, [tip, "not-a-sha"]) == {tip: "Bob"}


def test_window_is_30_commits(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    for i in range(33):
        git.commit(f"c{i}", days_ago=40 - i)
    history = read_history(Repository(git.root))
    assert history is not None
    assert len(history.commits) == 30
    assert history.commits[0].subject == "c32"


def test_history_is_memoized_per_repository(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    git.commit("one")
    repo = Repository(git.root)
    assert read_history(repo) is read_history(repo)


def test_not_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    repo = Repository(tmp_path / "plain")
    assert read_history(repo) is None
    assert unavailable_reason(repo) == "not a git repository"


def test_a_subdirectory_of_a_repository_has_no_history_of_its_own(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    (git.root / "sub").mkdir()
    (git.root / "sub/x").write_text("x")
    git.commit("one")
    repo = Repository(git.root / "sub")
    assert read_history(repo) is None
    assert "not its top level" in unavailable_reason(repo)


def test_repository_without_commits(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    repo = Repository(git.root)
    assert read_history(repo) is None
    assert unavailable_reason(repo) == "the repository has no commits yet"


def test_no_git_binary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git = GitRepo(tmp_path / "r")
    git.commit("one")
    empty = tmp_path / "empty-path"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    repo = Repository(git.root)
    assert read_history(repo) is None
    assert unavailable_reason(repo) == "git is not installed; no history to read"


def test_shallow_clone_is_flagged(tmp_path: Path) -> None:
    git = GitRepo(tmp_path / "r")
    for i in range(3):
        git.commit(f"c{i}", days_ago=10 - i)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{git.root}", str(clone)], check=True
    )
    history = read_history(Repository(clone))
    assert history is not None
    assert history.shallow is True
    assert [c.subject for c in history.commits] == ["c2"]


def test_environment_cannot_redirect_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = GitRepo(tmp_path / "other")
    other.commit("other repository")
    git = GitRepo(tmp_path / "r")
    git.commit("audited repository")
    monkeypatch.setenv("GIT_DIR", str(other.root / ".git"))
    history = read_history(Repository(git.root))
    assert history is not None
    assert history.commits[0].subject == "audited repository"
