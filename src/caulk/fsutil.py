"""Writing user files safely: a temporary file in the same directory, then an atomic rename."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the old or the new file, never half."""
    path = Path(path)
    directory = path.parent
    mode: int | None = None
    with contextlib.suppress(FileNotFoundError):
        mode = path.stat().st_mode & 0o7777
    fd, tmp = create_temp(directory, f".{path.name}.", ".caulk-tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            tmp.chmod(mode)
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def create_temp(directory: Path, prefix: str, suffix: str = "") -> tuple[int, Path]:
    """A new file only this process can have made (``O_EXCL``, mode 0600), opened for writing.

    Every temporary file caulk later renames over its target comes from here.

    What :func:`tempfile.mkstemp` does; written out because importing :mod:`tempfile` (with
    ``shutil``, ``random``, ``bz2`` and ``lzma``) costs ~4 ms of ``caulk sbom``'s start-up.
    """
    for _attempt in range(100):
        candidate = directory / f"{prefix}{os.urandom(6).hex()}{suffix}"
        try:
            return os.open(candidate, _TEMP_FLAGS, 0o600), candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"{directory}: no free temporary file name")


def atomic_write_text(path: Path, text: str) -> None:
    """``atomic_write_bytes`` for UTF-8 text."""
    atomic_write_bytes(path, text.encode("utf-8"))
