"""The repository's shell scripts, as Scorecard's Pinned-Dependencies finds and analyses them.

Mirrors ``collectShellScriptInsecureDownloads`` and ``isSupportedShellScriptFile`` in Scorecard's
``checks/raw/pinned_dependencies.go`` and ``shell_download_validate.go``: every listed file
(vendored code included) except ``testdata/`` and ``src/test/`` paths, as
``OnMatchingFileContentDo`` drops them; a file is a script when its first line is a shebang
naming sh, bash or mksh (``#!/bin/bash``, ``#!/bin/sh -e``, ``#!/usr/bin/env bash``; the
interpreter must follow ``#!`` directly, so ``#! /bin/sh`` is not one), or, with no shebang
at all, when its name ends in ``.sh``, ``.bash`` or ``.mksh``. Each script gets its own taint.
"""

from __future__ import annotations

import os
import stat

from caulk.checks.scorecard.pinning_model import Dependency
from caulk.repo.checkout import Repository
from caulk.shell.gocompat import path_base

_SUPPORTED = ("sh", "bash", "mksh")
_HEAD_BYTES = 256
_MAX_LINE = 64 * 1024
"""Go's ``bufio.Scanner`` gives up on a first line longer than this (then no shebang)."""


def is_testdata_path(path: str) -> bool:
    """Scorecard's ``isTestdataFile``."""
    return (
        path.startswith("testdata/")
        or "/testdata/" in path
        or path.startswith("src/test/")
        or "/src/test/" in path
    )


def _names_supported_shell(shebang_line: str) -> bool:
    parts = shebang_line[2:].split(" ")
    first = path_base(parts[0]).lower()
    if first in _SUPPORTED:
        return True
    # #!/usr/bin/env bash
    return first == "env" and len(parts) >= 2 and path_base(parts[1]).lower() in _SUPPORTED


def is_supported_shell_script(path: str, head: bytes) -> bool:
    """``isSupportedShellScriptFile``: decided by the shebang if any, else the extension.

    ``head`` must hold at least the first line (or :data:`_MAX_LINE` bytes of it).
    """
    has_extension = path.endswith((".sh", ".bash", ".mksh"))
    if not head:
        return has_extension
    newline = head.find(b"\n")
    if newline < 0:
        if len(head) > _MAX_LINE:
            return has_extension
        first = head
    else:
        first = head[:newline]
    first = first.removesuffix(b"\r")
    if not first.startswith(b"#!"):
        return has_extension
    return _names_supported_shell(first.decode("utf-8", errors="replace"))


def _head(repo: Repository, path: str) -> bytes | None:
    """Enough of the file to see its first line.

    Every file of the checkout is opened, so the common case (a regular file) is read with
    ``os.open`` directly: ``O_NOFOLLOW`` refuses a symlink and ``O_NONBLOCK`` a FIFO, and those
    go through :meth:`Repository.head`, which resolves them safely and records problems.
    """
    head = _fast_head(os.path.join(repo.root, path))  # noqa: PTH118 - cheaper than pathlib
    if head is None:
        head = repo.head(path, _HEAD_BYTES)
    if head is None or len(head) < _HEAD_BYTES or b"\n" in head or not head.startswith(b"#!"):
        return head
    return repo.head(path, _MAX_LINE + 1)


def _fast_head(full_path: str) -> bytes | None:
    try:
        fd = os.open(full_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, _HEAD_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)


def shell_script_dependencies(repo: Repository) -> list[Dependency]:
    """Dependencies in every shell script of ``repo`` (lexical walk order)."""
    return repo.memo("shell.script_dependencies", lambda: _collect(repo))


def _collect(repo: Repository) -> list[Dependency]:
    from caulk.shell.analyze import analyze_script

    deps: list[Dependency] = []
    for path in repo.files:
        if is_testdata_path(path):
            continue
        head = _head(repo, path)
        if head is None or not is_supported_shell_script(path, head):
            continue
        text = repo.read_text(path)
        if text is None:
            continue
        deps.extend(analyze_script(text, path=path, line=1))
    return deps
