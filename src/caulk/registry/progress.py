"""Progress of blob downloads on a terminal: one line per blob, rewritten as bytes arrive.

Pulling an image's layers can take minutes; ``caulk sbom``, ``inspect``, ``scan`` and
``compare`` show this on stderr when stderr is a terminal, and print nothing otherwise (logs
and pipes stay clean; stdout, where reports go, is never touched).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TextIO


class DownloadProgress(Protocol):
    """Told about each blob download: bytes as they arrive, then how it ended."""

    def update(self, digest: str, received: int, total: int | None) -> None:
        """``received`` bytes of ``digest`` so far, of ``total`` (None: not declared)."""

    def end(self, digest: str, received: int, ok: bool) -> None:
        """The download finished (``ok``) or failed (an error follows)."""


REFRESH_SECONDS = 0.1


def _short(digest: str) -> str:
    return digest.partition(":")[2][:12] or digest


def _megabytes(count: int) -> str:
    return f"{count / 1e6:.1f} MB"


class TerminalProgress:
    """Rewrites one status line per blob (``\\r``), at most every :data:`REFRESH_SECONDS`."""

    def __init__(self, stream: TextIO, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream
        self._clock = clock
        self._shown_at = 0.0

    def update(self, digest: str, received: int, total: int | None) -> None:
        now = self._clock()
        if now - self._shown_at < REFRESH_SECONDS:
            return
        self._shown_at = now
        of = f" / {_megabytes(total)}" if total else ""
        self._write(f"caulk: pulling {_short(digest)} {_megabytes(received)}{of}")

    def end(self, digest: str, received: int, ok: bool) -> None:
        self._shown_at = 0.0
        # a failed download leaves a clean line for the error message that follows
        self._write(f"caulk: pulled {_short(digest)} ({_megabytes(received)})\n" if ok else "")

    def _write(self, line: str) -> None:
        self._stream.write(f"\r\x1b[K{line}")
        self._stream.flush()


def terminal_progress(stream: TextIO) -> DownloadProgress | None:
    """A :class:`TerminalProgress` on ``stream`` if it is a terminal, else None."""
    try:
        interactive = stream.isatty()
    except (AttributeError, ValueError):  # closed or not a real file
        return None
    return TerminalProgress(stream) if interactive else None
