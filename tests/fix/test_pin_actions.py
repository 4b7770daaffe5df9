"""Pinning ``uses:`` edits only the pinned values; everything else keeps its bytes."""

from __future__ import annotations

from pathlib import Path

from caulk.fix.actions import ActionResolver
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.pin_actions import find_uses, pin_actions
from caulk.repo.checkout import Repository
from tests.fix.conftest import World

WORKFLOW = """\
# CI for the widget  (comments must survive)
name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-24.04
    steps:
      - uses: actions/checkout@v4   # the checkout
        with: {persist-credentials: false}
      - name: quoted
        uses: 'actions/checkout/sub/dir@v4.1.0'
      - uses: ./local-action
      - uses: docker://alpine:3.20
      - run: |
          echo "uses: actions/checkout@v4 is text here"
  reuse:
    uses: actions/checkout/.github/workflows/reusable.yml@release
"""


def _repo(tmp_path: Path, text: str) -> Repository:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(text)
    return Repository(tmp_path)


def test_only_real_uses_keys_are_found_not_text_in_run_blocks() -> None:
    sites = find_uses("ci.yml", WORKFLOW)
    assert sorted((s.line, s.value) for s in sites) == [
        (8, "actions/checkout@v4"),
        (11, "actions/checkout/sub/dir@v4.1.0"),
        (12, "./local-action"),
        (13, "docker://alpine:3.20"),
        (17, "actions/checkout/.github/workflows/reusable.yml@release"),
    ]
    assert {s.line for s in sites} == {8, 11, 12, 13, 17}


def test_pins_with_version_comments_and_keeps_everything_else(world: World, tmp_path: Path) -> None:
    repo = _repo(tmp_path, WORKFLOW)
    changes = ChangeSet(tmp_path)
    pin_actions(repo, changes, ActionResolver(world.url), offline=False)
    new = changes.results()[".github/workflows/ci.yml"]

    # The user's own comment survives after the version comment.
    assert f"      - uses: actions/checkout@{world.second} # v4.2.2 the checkout\n" in new
    assert f"        uses: 'actions/checkout/sub/dir@{world.first}' # v4.1.0\n" in new
    assert (
        f"    uses: actions/checkout/.github/workflows/reusable.yml@{world.third} # release\n"
        in new
    )
    # Untouched lines keep their exact bytes.
    old_lines = WORKFLOW.splitlines()
    new_lines = new.splitlines()
    assert len(old_lines) == len(new_lines)
    changed = {i + 1 for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b}
    assert changed == {8, 11, 17}
    assert [n.outcome for n in changes.notes].count(Outcome.FIXED) == 3


def test_second_run_changes_nothing(world: World, tmp_path: Path) -> None:
    repo = _repo(tmp_path, WORKFLOW)
    first = ChangeSet(tmp_path)
    pin_actions(repo, first, ActionResolver(world.url), offline=False)
    assert first.write() == []

    second = ChangeSet(tmp_path)
    pin_actions(Repository(tmp_path), second, ActionResolver(world.url), offline=False)
    assert second.results() == {}
    assert second.diff() == ""
    assert all(n.outcome is Outcome.UNCHANGED for n in second.notes)


def test_tag_object_pin_is_repaired_and_fork_sha_left_alone(world: World, tmp_path: Path) -> None:
    tag_object = world.checkout.object_of("refs/tags/v4.2.2")
    text = (
        "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        f"      - uses: actions/checkout@{tag_object} # v4.2.2\n"
        f"      - uses: actions/checkout@{world.fork_only} # v4.2.2\n"
    )
    repo = _repo(tmp_path, text)
    changes = ChangeSet(tmp_path)
    pin_actions(repo, changes, ActionResolver(world.url), offline=False)
    new = changes.results()[".github/workflows/ci.yml"]
    assert f"actions/checkout@{world.second} # v4.2.2" in new
    # The fork-only SHA is not a commit of any tag of actions/checkout: the comment's tag is
    # what the author meant, so it is re-pinned to that tag's commit and reported.
    fork_note = next(n for n in changes.notes if n.line == 7)
    assert fork_note.outcome is Outcome.FIXED
    assert "not a tag or branch head" in fork_note.message


def test_unresolvable_refs_are_reported_and_never_pinned(world: World, tmp_path: Path) -> None:
    text = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: nobody/nothing@v1\n"
    repo = _repo(tmp_path, text)
    changes = ChangeSet(tmp_path)
    pin_actions(repo, changes, ActionResolver(world.url), offline=False)
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "not found" in changes.notes[0].message


def test_offline_skips_and_says_why(tmp_path: Path) -> None:
    repo = _repo(tmp_path, WORKFLOW)
    changes = ChangeSet(tmp_path)
    pin_actions(repo, changes, None, offline=True)
    assert changes.results() == {}
    assert {n.outcome for n in changes.notes} == {Outcome.SKIPPED}
    assert "--offline" in changes.notes[0].message


def test_invalid_yaml_is_reported_and_not_written(tmp_path: Path) -> None:
    repo = _repo(tmp_path, "jobs: [unclosed\n")
    changes = ChangeSet(tmp_path)
    pin_actions(repo, changes, None, offline=True)
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "invalid YAML" in changes.notes[0].message


def test_version_comments_and_user_notes_are_told_apart() -> None:
    from caulk.fix.pin_actions import UsesSite

    def site(comment: str) -> UsesSite:
        return UsesSite("w.yml", 1, 0, 0, "", "actions/checkout@v4", comment)

    assert (site("# v4.2.2").comment_version, site("# v4.2.2").comment_note()) == ("v4.2.2", "")
    assert site("# tag=v4.1.0").comment_version == "v4.1.0"
    assert site("# v5.3.1 the toolchain").comment_note() == "the toolchain"
    assert site("# the toolchain").comment_version is None
    assert site("# the toolchain").comment_note() == "the toolchain"
    assert site("# release").comment_note("release") == ""
