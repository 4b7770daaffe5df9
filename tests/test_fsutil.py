"""Atomic writes of user files: a private temporary file beside the target, then a rename."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from caulk.fsutil import atomic_write_bytes, atomic_write_text


def test_a_new_file_is_written_whole_and_private(tmp_path: Path) -> None:
    target = tmp_path / "sbom.json"
    atomic_write_text(target, "{}\n")
    assert target.read_text() == "{}\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert os.listdir(tmp_path) == ["sbom.json"]


def test_replacing_a_file_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "Dockerfile"
    target.write_text("FROM debian\n")
    target.chmod(0o644)
    atomic_write_bytes(target, b"FROM debian:12\n")
    assert target.read_bytes() == b"FROM debian:12\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["Dockerfile"]


def test_an_existing_temporary_name_is_never_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the first random name is taken (by an attacker, say): the next one is used instead
    names = iter([b"\x00" * 6, b"\x01" * 6])
    monkeypatch.setattr(os, "urandom", lambda n: next(names))
    taken = tmp_path / ".out.txt.000000000000.caulk-tmp"
    taken.write_text("not ours")
    atomic_write_text(tmp_path / "out.txt", "ours\n")
    assert taken.read_text() == "not ours"
    assert (tmp_path / "out.txt").read_text() == "ours\n"


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "a-directory"
    target.mkdir()
    with pytest.raises(OSError):
        atomic_write_text(target, "text")  # a rename cannot replace a directory
    assert os.listdir(tmp_path) == ["a-directory"]
    assert os.listdir(target) == []
