"""Which files are shell scripts for Scorecard, and what the repository's scripts contain."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.pinning_model import DependencyType
from caulk.repo.checkout import Repository
from caulk.shell.scripts import (
    is_supported_shell_script,
    is_testdata_path,
    shell_script_dependencies,
)


@pytest.mark.parametrize(
    ("path", "head", "expected"),
    [
        ("run", b"#!/bin/bash\necho", True),
        ("run", b"#!/usr/bin/bash\n", True),
        ("run", b"#!/usr/bin/env bash\n", True),
        ("run", b"#!/bin/env sh\n", True),
        ("run", b"#!/bin/sh -e\n", True),
        ("run", b"#!/bin/mksh\n", True),
        ("run", b"#!/bin/sh\r\n", True),
        ("run", b"#!bash\n", True),
        ("x.sh", b"#!/usr/bin/awk -f\n", False),  # a shebang decides, whatever the name
        ("x.sh", b"#!/bin/zsh\n", False),
        ("x.sh", b"#!/bin/dash\n", False),  # dash and ksh are not parsed by Scorecard
        ("run", b"#! /bin/sh\n", False),  # a space after #! hides the interpreter
        ("run", b"#!/usr/bin/env -S bash\n", False),
        ("x.sh", b"echo no shebang\n", True),
        ("x.bash", b"", True),
        ("x.mksh", b"\n", True),
        ("x.SH", b"echo\n", False),  # extensions are case-sensitive
        ("x.ksh", b"echo\n", False),
        ("x.py", b"print()\n", False),
    ],
)
def test_is_supported_shell_script(path: str, head: bytes, expected: bool) -> None:
    assert is_supported_shell_script(path, head) is expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("testdata/x.sh", True),
        ("a/testdata/x.sh", True),
        ("src/test/x.sh", True),
        ("pkg/src/test/x.sh", True),
        ("mytestdata/x.sh", False),
        ("src/tests/x.sh", False),
    ],
)
def test_testdata_paths_are_dropped(path: str, expected: bool) -> None:
    assert is_testdata_path(path) is expected


def write(root: Path, rel: str, content: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)


def test_repository_scripts_are_found_and_analysed(tmp_path: Path) -> None:
    write(tmp_path, "install.sh", "set -e\ncurl -sSL https://example.com/i | bash\n")
    write(tmp_path, "bin/release", "#!/usr/bin/env bash\nnpm install\n")
    write(tmp_path, "vendor/lib/setup.sh", "pip install foo\n")  # vendored code counts
    write(tmp_path, "testdata/bad.sh", "curl https://x | bash\n")  # dropped
    write(tmp_path, "src/test/it.sh", "curl https://x | bash\n")  # dropped
    write(tmp_path, "tool.py", "#!/usr/bin/env python3\nprint('curl https://x | bash')\n")
    write(tmp_path, "image.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    found = shell_script_dependencies(Repository(tmp_path))
    assert [(d.location.path, d.location.line, d.type) for d in found] == [
        ("bin/release", 2, DependencyType.NPM_COMMAND),
        ("install.sh", 2, DependencyType.DOWNLOAD_THEN_RUN),
        ("vendor/lib/setup.sh", 1, DependencyType.PIP_COMMAND),
    ]


def test_each_script_has_its_own_taint(tmp_path: Path) -> None:
    write(tmp_path, "a.sh", "wget -O /tmp/x https://example.com/x\n")
    write(tmp_path, "b.sh", "bash /tmp/x\n")
    assert shell_script_dependencies(Repository(tmp_path)) == []


def test_unparseable_script_is_reported_not_counted(tmp_path: Path) -> None:
    write(tmp_path, "broken.sh", "curl https://x | bash\nif then\n")
    (dep,) = shell_script_dependencies(Repository(tmp_path))
    assert not dep.counted
    assert dep.note.startswith("processing error: error parsing shell code")


def test_binary_script_is_skipped_with_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "installer.sh", b"#!/bin/sh\nexit 0\n\x00\x01payload")
    repo = Repository(tmp_path)
    assert shell_script_dependencies(repo) == []
    assert any(p.path == "installer.sh" for p in repo.problems)
