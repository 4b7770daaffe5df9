"""Apply fixes as text edits on the original file contents, atomically, file by file.

Every fixer returns :class:`~caulk.findings.TextEdit` objects (character offsets into the
file's original text) or whole new files. Edits never overlap; anything outside an edited
span keeps its exact bytes, so comments, key order, quoting and indentation survive. A file
is written to a temporary file in its directory and renamed over the original, so a failure
leaves every file either old or new, never half-written.
"""

from __future__ import annotations

import difflib
import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from caulk.findings import TextEdit
from caulk.fsutil import atomic_write_text


class Outcome(enum.Enum):
    """What happened to one requested fix."""

    FIXED = "fixed"
    UNCHANGED = "unchanged"
    """Nothing to do: already in the desired state."""
    SKIPPED = "skipped"
    """Not attempted (``--offline`` and it needs the network, or deselected)."""
    FAILED = "failed"
    """Could not be done; the reason says why; the file was left as it was."""


@dataclass(frozen=True)
class FixNote:
    """One line of the fix report."""

    rule_id: str
    path: str
    line: int | None
    outcome: Outcome
    message: str


@dataclass
class ChangeSet:
    """Planned edits and new files for one repository, and the report of what was done."""

    root: Path
    originals: dict[str, str] = field(default_factory=dict)
    edits: dict[str, list[TextEdit]] = field(default_factory=lambda: defaultdict(list))
    new_files: dict[str, str] = field(default_factory=dict)
    notes: list[FixNote] = field(default_factory=list)

    def original(self, path: str, text: str) -> None:
        """Register the text the edits of ``path`` refer to."""
        self.originals.setdefault(path, text)

    def edit(self, edit: TextEdit) -> None:
        if edit.path not in self.originals:
            raise ValueError(f"{edit.path}: edit without its original text")
        self.edits[edit.path].append(edit)

    def create(self, path: str, text: str) -> None:
        """Add a file that does not exist yet."""
        self.new_files[path] = text

    def note(
        self, rule_id: str, path: str, line: int | None, outcome: Outcome, message: str
    ) -> None:
        self.notes.append(FixNote(rule_id, path, line, outcome, message))

    def results(self) -> dict[str, str]:
        """New text of every changed or created file."""
        out: dict[str, str] = {}
        for path, edits in self.edits.items():
            text = apply_edits(self.originals[path], edits)
            if text != self.originals[path]:
                out[path] = text
        for path, text in self.new_files.items():
            out[path] = text
        return out

    def diff(self) -> str:
        """A unified diff of every change (``a/`` and ``b/`` prefixes, like git)."""
        chunks: list[str] = []
        for path, new in sorted(self.results().items()):
            old = self.originals.get(path, "")
            before = f"a/{path}" if path in self.originals else "/dev/null"
            chunks.extend(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    _with_final_newline(new).splitlines(keepends=True),
                    fromfile=before,
                    tofile=f"b/{path}",
                )
            )
        return "".join(line if line.endswith("\n") else line + "\n" for line in chunks)

    def write(self) -> list[tuple[str, str]]:
        """Write every changed file atomically; returns (path, error) for files that failed."""
        failures: list[tuple[str, str]] = []
        for path, text in sorted(self.results().items()):
            target = self.root / path
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_text(target, text)
            except OSError as exc:
                failures.append((path, exc.strerror or str(exc)))
        return failures


def _with_final_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply non-overlapping edits; identical duplicates are applied once."""
    unique = sorted(set(edits), key=lambda e: (e.start, e.end, e.replacement))
    out: list[str] = []
    position = 0
    for edit in unique:
        if edit.start < position:
            raise ValueError(
                f"{edit.path}: overlapping edits at offset {edit.start} (a bug in a fixer)"
            )
        if not 0 <= edit.start <= edit.end <= len(text):
            raise ValueError(f"{edit.path}: edit outside the file ({edit.start}-{edit.end})")
        out.append(text[position : edit.start])
        out.append(edit.replacement)
        position = edit.end
    out.append(text[position:])
    return "".join(out)
