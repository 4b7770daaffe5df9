"""Build real git repositories with controlled dates for history tests (no mocks)."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

DAY = 86_400


class GitRepo:
    """A scratch repository; commits get explicit author/committer names and dates."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self._counter = 0

    def git(
        self, *args: str, date: float | None = None, author: str = "Ada <ada@example.com>"
    ) -> str:
        name, _, email = author.partition(" <")
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email.rstrip(">"),
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email.rstrip(">"),
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(self.root),
        }
        if date is not None:
            stamp = f"@{int(date)} +0000"
            env["GIT_AUTHOR_DATE"] = stamp
            env["GIT_COMMITTER_DATE"] = stamp
        proc = subprocess.run(
            ["git", "-C", str(self.root), *args],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout.strip()

    def commit(
        self, message: str, *, days_ago: float = 1.0, author: str = "Ada <ada@example.com>"
    ) -> str:
        """Commit one new file with ``message`` dated ``days_ago`` days before now."""
        self._counter += 1
        (self.root / f"file{self._counter}.txt").write_text(f"{self._counter}\n")
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=time.time() - days_ago * DAY, author=author)
        return self.git("rev-parse", "HEAD")

    def merge_pull_request(
        self,
        number: int,
        *,
        branch_author: str = "Bob <bob@example.com>",
        merger: str = "Ada <ada@example.com>",
        days_ago: float = 1.0,
    ) -> str:
        """A branch with one commit, merged with GitHub's "Merge pull request #N" subject."""
        branch = f"pr{number}"
        self.git("checkout", "-q", "-b", branch)
        self.commit(f"work for #{number}", days_ago=days_ago + 0.5, author=branch_author)
        self.git("checkout", "-q", "main")
        self.git(
            "merge",
            "-q",
            "--no-ff",
            "-m",
            f"Merge pull request #{number} from bob/{branch}\n\nDescription",
            branch,
            date=time.time() - days_ago * DAY,
            author=merger,
        )
        return self.git("rev-parse", "HEAD")
