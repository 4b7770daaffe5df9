"""The pins of generated workflows are verified like existing pins (regression: they were
written from caulk's table unchecked, so a second run against another action host re-pinned
or failed them)."""

from __future__ import annotations

from pathlib import Path

from caulk.fix.actions import ActionResolver
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.pin_actions import verify_generated
from tests.fix.conftest import World

UNKNOWN = "0123456789abcdef0123456789abcdef01234567"


def generated(tmp_path: Path, uses: str) -> ChangeSet:
    changes = ChangeSet(tmp_path)
    path = ".github/workflows/scorecard.yml"
    text = f"on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {uses}\n"
    changes.create(path, text)
    changes.note("CK2012", path, None, Outcome.FIXED, f"created {path}")
    return changes


def test_a_pin_the_repository_confirms_is_kept(world: World, tmp_path: Path) -> None:
    changes = generated(tmp_path, f"actions/checkout@{world.second} # v4.2.2")
    before = dict(changes.new_files)
    verify_generated(changes, ActionResolver(world.url), offline=False)
    assert changes.new_files == before
    assert [n.outcome for n in changes.notes] == [Outcome.FIXED]  # only "created"


def test_a_pin_the_repository_contradicts_moves_to_the_tag_commit(
    world: World, tmp_path: Path
) -> None:
    changes = generated(tmp_path, f"actions/checkout@{UNKNOWN} # v4.2.2")
    verify_generated(changes, ActionResolver(world.url), offline=False)
    text = changes.new_files[".github/workflows/scorecard.yml"]
    assert f"uses: actions/checkout@{world.second} # v4.2.2\n" in text
    assert changes.notes[-1].outcome is Outcome.FIXED
    assert "re-pinned to v4.2.2" in changes.notes[-1].message


def test_a_pin_that_cannot_be_verified_means_the_file_is_not_created(
    world: World, tmp_path: Path
) -> None:
    changes = generated(tmp_path, f"nobody/nothing@{UNKNOWN} # v1.0.0")
    verify_generated(changes, ActionResolver(world.url), offline=False)
    assert changes.new_files == {}
    assert [(n.outcome, n.path) for n in changes.notes] == [
        (Outcome.FAILED, ".github/workflows/scorecard.yml")
    ]
    assert "not created" in changes.notes[0].message


def test_offline_keeps_the_table_pins_and_says_they_were_not_checked(tmp_path: Path) -> None:
    changes = generated(tmp_path, f"actions/checkout@{UNKNOWN} # v4.2.2")
    before = dict(changes.new_files)
    verify_generated(changes, None, offline=True)
    assert changes.new_files == before
    assert changes.notes[-1].outcome is Outcome.SKIPPED
    assert "--offline" in changes.notes[-1].message
