"""Writing a verb's result: to stdout, or atomically to ``--output``. No typer here.

Shared by the typer commands (:mod:`caulk.cli`) and the start-up fast path (:mod:`caulk.entry`).
"""

from __future__ import annotations

import sys
from pathlib import Path

from caulk.errors import InputError


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` (newline-terminated) to ``output`` atomically, or to stdout.

    Raises :class:`InputError` naming the file when it cannot be written.
    """
    if output is None:
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        return
    from caulk.fsutil import atomic_write_text

    try:
        atomic_write_text(output, text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from None
