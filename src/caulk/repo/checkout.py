"""A checkout on disk, read safely: the single source of file bytes for every check.

Files are untrusted input. Reading never follows a symlink out of the root, never loads more
than ``MAX_TEXT_BYTES`` of text, and never raises on bad input: it records a
:class:`~caulk.findings.Problem` naming the file and returns ``None``, so the rest of the
audit still runs and the checks that needed the file can say they are inconclusive.
"""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from caulk.errors import InputError
from caulk.findings import Problem

T = TypeVar("T")

MAX_TEXT_BYTES = 4 * 1024 * 1024
"""Largest file read as text (policy files, Dockerfiles, workflows are far smaller)."""

MAX_FILES = 200_000
"""Stop listing after this many files; a checkout larger than this is reported."""

_SKIP_DIRS = frozenset({".git"})


class Repository:
    """A directory to audit: its file list, safe reads, and a memo for parsed models."""

    def __init__(self, root: Path, exclude: Iterable[str] = ()) -> None:
        root = Path(root)
        if not root.exists():
            raise InputError(f"{root}: no such directory")
        if not root.is_dir():
            raise InputError(f"{root}: not a directory")
        self.root = root.resolve()
        self.exclude = tuple(exclude)
        self.problems: list[Problem] = []
        self._problem_keys: set[tuple[str, str]] = set()
        self._memo: dict[str, Any] = {}
        self._ignored_files, self._ignored_dirs = _git_ignored(self.root)
        self.files: tuple[str, ...] = tuple(self._walk())
        self._file_set = frozenset(self.files)

    # -- listing -------------------------------------------------------------------------

    def _walk(self) -> Iterable[str]:
        """Every file under the root except ``.git``, in Go ``filepath.Walk`` lexical order.

        Scorecard's ``--local`` file listing walks directory by directory in lexical order;
        checks that take "the first matching file" depend on that order. Like that listing,
        symlinks to directories are neither listed nor followed.

        Deliberate deviation: in a git work tree, files git ignores (``.gitignore``, e.g.
        ``__pycache__/``, ``.venv/``, build output) are left out. ``scorecard --local`` lists
        them, so a developer's checkout would lose Binary-Artifacts points for ``*.pyc`` files
        that Scorecard never sees on GitHub, where only committed files exist.
        """
        count = 0
        # One iterator of sorted entries per open directory: a subdirectory's contents are
        # listed where its name sorts among its siblings, as Go's Walk does ("a/b" before
        # "a-b", ".github/x" before "README").
        stack: list[Iterator[os.DirEntry[str]]] = []
        prefixes: list[str] = []
        opened = self._scan(self.root, "")
        if opened is not None:
            stack.append(opened)
            prefixes.append("")
        while stack:
            entry = next(stack[-1], None)
            if entry is None:
                stack.pop()
                prefixes.pop()
                continue
            rel = prefixes[-1] + entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                # Scorecard's listing stats through symlinks and skips those to directories.
                linked_dir = not is_dir and entry.is_symlink() and entry.is_dir()
            except OSError:
                is_dir = linked_dir = False
            if linked_dir:
                continue
            if is_dir:
                if entry.name not in _SKIP_DIRS and not self._excluded(rel + "/"):
                    sub = self._scan(Path(entry.path), rel + "/")
                    if sub is not None:
                        stack.append(sub)
                        prefixes.append(rel + "/")
                continue
            if self._excluded(rel):
                continue
            count += 1
            if count > MAX_FILES:
                self.add_problem(".", f"more than {MAX_FILES} files; the rest were not read")
                return
            yield rel

    def _scan(self, directory: Path, prefix: str) -> Iterator[os.DirEntry[str]] | None:
        try:
            with os.scandir(directory) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.add_problem(prefix.rstrip("/") or ".", f"cannot list directory: {_reason(exc)}")
            return None
        return iter(entries)

    def _excluded(self, rel: str) -> bool:
        if rel.endswith("/"):
            if rel in self._ignored_dirs:
                return True
        elif rel in self._ignored_files:
            return True
        return any(
            fnmatch.fnmatchcase(rel, pattern) or fnmatch.fnmatchcase(rel.rstrip("/"), pattern)
            for pattern in self.exclude
        )

    def exists(self, rel: str) -> bool:
        """Whether ``rel`` is a listed file."""
        return rel in self._file_set

    def glob(self, pattern: str) -> list[str]:
        """Listed files whose path matches ``pattern`` (``fnmatch``; ``*`` crosses ``/``)."""
        return [f for f in self.files if fnmatch.fnmatchcase(f, pattern)]

    # -- reading -------------------------------------------------------------------------

    def _open_path(self, rel: str) -> Path | None:
        path = self.root / rel
        try:
            st = path.lstat()
        except OSError as exc:
            self.add_problem(rel, f"cannot read: {_reason(exc)}")
            return None
        if stat.S_ISLNK(st.st_mode):
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                self.add_problem(rel, "symlink to a missing target; skipped")
                return None
            if not target.is_relative_to(self.root):
                self.add_problem(rel, "symlink points outside the repository; skipped")
                return None
            path = target
            st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            self.add_problem(rel, "not a regular file; skipped")
            return None
        return path

    def head(self, rel: str, size: int = 1024) -> bytes | None:
        """The first ``size`` bytes of a file, or None (problem recorded)."""
        path = self._open_path(rel)
        if path is None:
            return None
        try:
            with path.open("rb") as fh:
                return fh.read(size)
        except OSError as exc:
            self.add_problem(rel, f"cannot read: {_reason(exc)}")
            return None

    def read_bytes(self, rel: str, limit: int = MAX_TEXT_BYTES) -> bytes | None:
        """The whole file if it is at most ``limit`` bytes, else None (problem recorded)."""
        path = self._open_path(rel)
        if path is None:
            return None
        try:
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            self.add_problem(rel, f"cannot read: {_reason(exc)}")
            return None
        if len(data) > limit:
            self.add_problem(rel, f"file is larger than {limit // (1024 * 1024)} MiB; not analysed")
            return None
        return data

    def read_text(self, rel: str, limit: int = MAX_TEXT_BYTES) -> str | None:
        """The file decoded as UTF-8 (BOM removed), or None if unreadable or binary."""
        data = self.read_bytes(rel, limit)
        if data is None:
            return None
        if b"\x00" in data:
            self.add_problem(rel, "binary file (contains NUL bytes); not analysed")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.add_problem(rel, f"not valid UTF-8 (byte {exc.start}); not analysed", line=line)
            return None
        return text.removeprefix("\ufeff")

    # -- problems and memo -----------------------------------------------------------------

    def add_problem(
        self, path: str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        """Record bad input once per (path, message)."""
        key = (path, message)
        if key in self._problem_keys:
            return
        self._problem_keys.add(key)
        self.problems.append(Problem(path=path, message=message, line=line, column=column))

    def memo(self, key: str, factory: Callable[[], T]) -> T:
        """Compute a parsed model once per repository (Dockerfiles, workflows, git history)."""
        if key not in self._memo:
            self._memo[key] = factory()
        value: T = self._memo[key]
        return value


def _git_ignored(root: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Files and directories (``dir/``) that git ignores in the work tree at ``root``.

    Empty when ``root`` is not the top of a git work tree or git is unavailable.
    """
    if not (root / ".git").exists():
        return frozenset(), frozenset()
    try:
        proc = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "ls-files",
                "-z",
                "--others",
                "--ignored",
                "--exclude-standard",
                "--directory",
            ],
            capture_output=True,
            timeout=10,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0"},
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return frozenset(), frozenset()
    if proc.returncode != 0:
        return frozenset(), frozenset()
    entries = [e for e in proc.stdout.decode("utf-8", "surrogateescape").split("\0") if e]
    dirs = frozenset(e for e in entries if e.endswith("/"))
    files = frozenset(e for e in entries if not e.endswith("/"))
    return files, dirs


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__
