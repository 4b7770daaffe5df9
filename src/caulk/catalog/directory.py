"""A :class:`~caulk.catalog.source.FileSource` over a plain directory (``caulk sbom dir:PATH``).

Used for unpacked root filesystems and in tests. Symlinks are resolved *inside* the root, like
an image's: an absolute target is taken relative to the root, ``..`` cannot climb above it, and
a loop or an escape gives None. Every file reports the same layer (``layer`` argument, default
None: a directory has no layers).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DirectoryStat:
    """``kind`` (file, dir, symlink, other) and permission ``mode`` of one path."""

    kind: str
    mode: int


class DirectoryFileSource:
    """Read-only view of ``root`` as an image's final filesystem."""

    def __init__(self, root: str | os.PathLike[str], layer: str | None = None) -> None:
        self.root = Path(root)
        self.layer = layer
        self._paths: list[str] | None = None

    def paths(self) -> Iterable[str]:
        if self._paths is None:
            found: list[str] = []
            base = str(self.root)
            for dirpath, dirnames, filenames in os.walk(base):
                rel = os.path.relpath(dirpath, base)
                prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
                for name in filenames:
                    found.append(prefix + name)
                for name in dirnames:  # symlinks to directories are listed, not followed
                    if Path(dirpath, name).is_symlink():
                        found.append(prefix + name)
            found.sort()
            self._paths = found
        return self._paths

    def _resolve(self, path: str) -> str | None:
        parts = [p for p in path.split("/") if p and p != "."]
        parts.reverse()
        resolved: list[str] = []
        hops = 0
        base = os.fspath(self.root).rstrip("/") or ""
        while parts:
            part = parts.pop()
            if part == "..":
                if resolved:
                    resolved.pop()
                continue
            candidate = "/".join((base, *resolved, part))
            try:
                mode = os.lstat(candidate).st_mode
            except OSError:
                return None
            if stat.S_ISLNK(mode):
                hops += 1
                if hops > 40:
                    return None
                target = str(Path(candidate).readlink())
                if target.startswith("/"):
                    resolved = []
                more = [p for p in target.split("/") if p and p != "."]
                parts.extend(reversed(more))
                continue
            resolved.append(part)
        return "/".join((base, *resolved))

    def read(self, path: str, limit: int = 64 * 1024 * 1024) -> bytes | None:
        real = self._resolve(path)
        if real is None:
            return None
        try:
            if not stat.S_ISREG(os.lstat(real).st_mode):  # no FIFOs or devices
                return None
            with Path(real).open("rb") as handle:
                data = handle.read(limit + 1)
        except OSError:
            return None
        return None if len(data) > limit else data

    def stat(self, path: str) -> DirectoryStat | None:
        """The path's own kind and mode (symlinks not followed; parents resolved in the root)."""
        parent, _, name = path.rstrip("/").rpartition("/")
        base = self._resolve(parent) if parent else os.fspath(self.root)
        if base is None or name in ("", ".", ".."):
            return None
        try:
            mode = os.lstat(f"{base}/{name}").st_mode
        except OSError:
            return None
        if stat.S_ISLNK(mode):
            kind = "symlink"
        elif stat.S_ISREG(mode):
            kind = "file"
        elif stat.S_ISDIR(mode):
            kind = "dir"
        else:
            kind = "other"
        return DirectoryStat(kind, stat.S_IMODE(mode))

    def layer_of(self, path: str) -> str | None:
        if self.layer is None:
            return None
        return self.layer if os.path.lexists(self.root / path) else None
