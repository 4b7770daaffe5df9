"""Real git repositories for action-resolution tests, and a real ``git daemon`` on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_ENV = {
    "GIT_AUTHOR_NAME": "caulk tests",
    "GIT_AUTHOR_EMAIL": "tests@caulk.invalid",
    "GIT_COMMITTER_NAME": "caulk tests",
    "GIT_COMMITTER_EMAIL": "tests@caulk.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "HOME": "/nonexistent",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **_ENV}
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


@dataclass
class ActionRepo:
    """An action repository with a known history of tags and branches."""

    bare: Path
    work: Path

    def commit(self, message: str) -> str:
        (self.work / "action.yml").write_text(
            f"name: test\ndescription: {message}\nruns:\n  using: node20\n  main: index.js\n"
        )
        git(self.work, "add", "action.yml")
        git(self.work, "commit", "-q", "-m", message)
        return git(self.work, "rev-parse", "HEAD")

    def tag(self, name: str, *, annotated: bool, force: bool = False) -> None:
        args = ["tag"]
        if force:
            args.append("-f")
        if annotated:
            args += ["-a", "-m", f"release {name}"]
        git(self.work, *args, name)

    def push(self) -> None:
        git(self.work, "push", "-q", "--force", "--tags", "origin", "refs/heads/*:refs/heads/*")

    def object_of(self, ref: str) -> str:
        return git(self.bare, "rev-parse", ref)


def make_action_repo(base: Path, name: str) -> ActionRepo:
    """A bare repository at ``base/name`` (``owner/repo``) and a work tree that pushes to it."""
    bare = base / name
    bare.mkdir(parents=True)
    git(bare, "init", "-q", "--bare", "-b", "main")
    work = base.parent / "work" / name
    work.mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    git(work, "remote", "add", "origin", str(bare))
    return ActionRepo(bare=bare, work=work)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def git_daemon(base: Path) -> Iterator[str]:
    """Serve every repository under ``base`` with ``git daemon``; yields ``git://…/``."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--informative-errors",
            f"--base-path={base}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("git daemon did not start")
            time.sleep(0.05)
        yield f"git://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=5)
