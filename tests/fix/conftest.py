"""Fixtures for fix tests: real action repositories served by a real git daemon."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.support.gitrepos import ActionRepo, git, git_daemon, make_action_repo


@dataclass
class World:
    url: str
    checkout: ActionRepo
    fork: ActionRepo
    first: str
    second: str
    third: str
    fork_only: str


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    base = tmp_path_factory.mktemp("git") / "repos"
    repo = make_action_repo(base, "actions/checkout")
    first = repo.commit("v4.1.0")
    repo.tag("v4.1.0", annotated=True)
    repo.tag("v4", annotated=False)
    second = repo.commit("v4.2.2")
    repo.tag("v4.2.2", annotated=True)
    repo.tag("v4.2", annotated=True)
    repo.tag("v4", annotated=False, force=True)  # the major tag moves, as actions do
    third = repo.commit("main moves on")
    # A branch and a tag with the same name, pointing at different commits.
    git(repo.work, "branch", "release", first)
    repo.tag("release", annotated=True)  # tag at HEAD (third)
    repo.push()

    fork = make_action_repo(base, "mallory/checkout")
    git(fork.work, "pull", "-q", str(repo.bare), "main")
    fork_only = fork.commit("evil")
    fork.push()
    with git_daemon(base) as url:
        yield World(url, repo, fork, first, second, third, fork_only)
