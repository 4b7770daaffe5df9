"""A checkout's git history, read offline with the ``git`` binary.

The API-only Scorecard checks Maintained and Code-Review look at "the last 30 commits of the
default branch" (``clients.RepoClient.ListCommits``). caulk estimates them from the local
history instead: ``git log`` on ``HEAD``, no network, bounded by a timeout.

History is optional input. Every failure (no ``git`` binary, not a repository, a directory
that is only a sub-folder of one, an unborn ``HEAD``, ``git`` refusing a repository owned by
another user, a timeout) gives ``None`` and a one-line reason from :func:`unavailable_reason`;
nothing here raises. The repository on disk is untrusted: ``git`` runs with no pager, no
terminal prompts, no optional locks, and with ``core.fsmonitor`` forced off, and the
environment variables that could redirect it (``GIT_DIR``, ``GIT_WORK_TREE`` ...) are removed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from caulk.repo.checkout import Repository

GIT_TIMEOUT_SECONDS = 20.0
"""Longest time one ``git`` call may take before the history is declared unavailable."""

COMMIT_WINDOW = 30
"""Scorecard's ``commitDepth`` default: how many default-branch commits it looks at."""

_FIELD = "\x1f"
_FIELDS = ("%H", "%P", "%an", "%ae", "%at", "%cn", "%ce", "%ct", "%B")
_LOG_FORMAT = _FIELD.join(_FIELDS)

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")

_REDIRECTING_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_CONFIG_PARAMETERS",
    "GIT_CONFIG_COUNT",
)


@dataclass(frozen=True)
class Commit:
    """One commit as ``git log`` reports it."""

    sha: str
    parents: tuple[str, ...]
    """Parent SHAs; two or more for a merge commit."""
    author_name: str
    author_email: str
    author_time: int
    """Author date, seconds since the epoch."""
    committer_name: str
    committer_email: str
    committer_time: int
    """Committer date, seconds since the epoch (Scorecard's ``CommittedDate``)."""
    message: str
    """The full message (subject, blank line, body), trailing newline removed."""

    @property
    def subject(self) -> str:
        """The first line of the message."""
        return self.message.split("\n", 1)[0]

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True)
class History:
    """The newest commits reachable from ``HEAD`` and what is known about their completeness."""

    commits: tuple[Commit, ...]
    """Newest first, at most the requested window."""
    shallow: bool
    """True for a shallow clone: older history (and the real first commit) is missing."""
    first_commit_time: int | None
    """Committer date of the oldest root commit reachable from ``HEAD`` (None if unknown)."""


def read_history(repo: Repository, *, first_parent: bool = True) -> History | None:
    """The last :data:`COMMIT_WINDOW` commits of ``HEAD``, memoized; None when unavailable.

    ``first_parent`` follows only the first parent of merges, i.e. the commits that landed on
    the branch (a merge or squash commit per pull request), which is how Code-Review groups
    changesets; without it, a merged branch's own commits are listed too, as GitHub's commit
    history does for Maintained.
    """
    return _loaded(repo, first_parent).history


def unavailable_reason(repo: Repository, *, first_parent: bool = True) -> str:
    """Why :func:`read_history` gives None; empty when history is available."""
    return _loaded(repo, first_parent).reason


def author_names(repo: Repository, shas: Iterable[str]) -> dict[str, str]:
    """The author name of each commit in ``shas`` (e.g. pull-request branch tips); {} on error."""
    wanted = sorted({s for s in shas if _SHA.fullmatch(s)})
    if not wanted:
        return {}
    git = shutil.which("git")
    if git is None:
        return {}
    try:
        out = _git(git, repo.root, "log", "--no-walk=unsorted", "-z", "--format=%H%x1f%an", *wanted)
    except _GitError:
        return {}
    names: dict[str, str] = {}
    for record in out.split("\x00"):
        sha, _, name = record.strip("\n").partition(_FIELD)
        if sha:
            names[sha] = name
    return names


@dataclass(frozen=True)
class _Loaded:
    history: History | None
    reason: str


class _GitError(Exception):
    """A ``git`` call failed; the message is the reason shown to the user."""


def _loaded(repo: Repository, first_parent: bool) -> _Loaded:
    key = f"git.history:{'first-parent' if first_parent else 'all'}"
    return repo.memo(key, lambda: _load(repo.root, first_parent))


def _load(root: Path, first_parent: bool) -> _Loaded:
    try:
        return _Loaded(_read(root, first_parent), "")
    except _GitError as exc:
        return _Loaded(None, str(exc))


def _read(root: Path, first_parent: bool) -> History:
    git = shutil.which("git")
    if git is None:
        raise _GitError("git is not installed; no history to read")
    toplevel = _git(git, root, "rev-parse", "--show-toplevel").strip()
    if not toplevel:
        raise _GitError("not a git repository")
    if Path(toplevel).resolve() != root.resolve():
        # No absolute paths in reasons: reports must be the same on every machine.
        raise _GitError("the audited directory is inside a git repository, not its top level")
    try:
        _git(git, root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    except _GitError:
        raise _GitError("the repository has no commits yet") from None
    shallow = _git(git, root, "rev-parse", "--is-shallow-repository").strip() == "true"
    args = ["log", "-z", f"--max-count={COMMIT_WINDOW}", f"--format={_LOG_FORMAT}"]
    if first_parent:
        args.append("--first-parent")
    commits = tuple(_parse_log(_git(git, root, *args, "HEAD", "--")))
    first_commit_time: int | None = None
    try:
        roots = _git(git, root, "log", "--max-parents=0", "--format=%ct", "HEAD", "--")
        times = [int(t) for t in roots.split()]
        first_commit_time = min(times) if times else None
    except (_GitError, ValueError):
        first_commit_time = None
    return History(commits=commits, shallow=shallow, first_commit_time=first_commit_time)


def _parse_log(output: str) -> list[Commit]:
    commits: list[Commit] = []
    for raw in output.split("\x00"):
        record = raw.lstrip("\n")
        if not record:
            continue
        parts = record.split(_FIELD, len(_FIELDS) - 1)
        if len(parts) != len(_FIELDS):
            raise _GitError("unexpected output from git log")
        sha, parents, an, ae, at, cn, ce, ct, message = parts
        try:
            author_time, committer_time = int(at), int(ct)
        except ValueError:
            raise _GitError(f"commit {sha[:12]} has an unreadable date") from None
        commits.append(
            Commit(
                sha=sha,
                parents=tuple(parents.split()),
                author_name=an,
                author_email=ae,
                author_time=author_time,
                committer_name=cn,
                committer_email=ce,
                committer_time=committer_time,
                message=message.rstrip("\n"),
            )
        )
    return commits


def _git(git: str, root: Path, *args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k not in _REDIRECTING_ENV}
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_OPTIONAL_LOCKS": "0",
            "GIT_NO_REPLACE_OBJECTS": "1",
            "LC_ALL": "C",
        }
    )
    command = [git, "--no-pager", "-c", "core.fsmonitor=false", "-C", str(root), *args]
    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            env=env,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise _GitError(f"git {args[0]} took longer than {GIT_TIMEOUT_SECONDS:g} s") from None
    except OSError as exc:
        raise _GitError(f"cannot run git: {exc.strerror or exc}") from None
    if proc.returncode != 0:
        stderr = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = stderr[-1] if stderr else f"exit status {proc.returncode}"
        if "not a git repository" in detail:
            raise _GitError("not a git repository")
        if "dubious ownership" in " ".join(stderr):
            raise _GitError("git refuses to read a repository owned by another user")
        raise _GitError(f"git {args[0]} failed: {detail.removeprefix('fatal: ')}")
    return proc.stdout.decode("utf-8", "replace")
