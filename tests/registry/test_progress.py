"""How blob downloads look on a terminal (and that nothing shows when stderr is not one)."""

from __future__ import annotations

import io

from caulk.registry.progress import TerminalProgress, terminal_progress

DIGEST = "sha256:" + "0123456789abcdef" * 4


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_one_line_per_blob_rewritten_at_most_ten_times_a_second() -> None:
    out, clock = io.StringIO(), Clock()
    progress = TerminalProgress(out, clock)
    progress.update(DIGEST, 1_000_000, 3_000_000)
    clock.now += 0.05
    progress.update(DIGEST, 2_000_000, 3_000_000)  # too soon: not shown
    clock.now += 0.1
    progress.update(DIGEST, 2_500_000, 3_000_000)
    progress.end(DIGEST, 3_000_000, ok=True)
    assert out.getvalue() == (
        "\r\x1b[Kcaulk: pulling 0123456789ab 1.0 MB / 3.0 MB"
        "\r\x1b[Kcaulk: pulling 0123456789ab 2.5 MB / 3.0 MB"
        "\r\x1b[Kcaulk: pulled 0123456789ab (3.0 MB)\n"
    )


def test_a_failed_download_clears_its_line_for_the_error() -> None:
    out = io.StringIO()
    progress = TerminalProgress(out, Clock())
    progress.update(DIGEST, 10, None)
    progress.end(DIGEST, 10, ok=False)
    assert out.getvalue() == "\r\x1b[Kcaulk: pulling 0123456789ab 0.0 MB\r\x1b[K"


def test_only_a_terminal_gets_progress() -> None:
    assert terminal_progress(io.StringIO()) is None
    assert isinstance(terminal_progress(Terminal()), TerminalProgress)
    closed = io.StringIO()
    closed.close()
    assert terminal_progress(closed) is None
