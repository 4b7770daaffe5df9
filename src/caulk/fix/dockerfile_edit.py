"""Plan text edits on one Dockerfile: new lines before or after an instruction, replacements.

Every position comes from the parse of the file's original text, so all of a file's edits
refer to the same bytes. Insertions at the same offset are merged into one edit in the order
they were planned (labels right after ``FROM`` come before a ``USER`` planned for the same
spot), which keeps :func:`caulk.fix.engine.apply_edits` free of ties. New lines use the
file's line ending and the indentation of the instruction they are anchored to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caulk.dockerfile.model import Instruction, ParsedDockerfile
from caulk.findings import TextEdit


@dataclass
class DockerfileEdits:
    """The edits planned for one parsed Dockerfile."""

    df: ParsedDockerfile
    _inserts: dict[int, list[str]] = field(default_factory=dict)
    _replacements: list[TextEdit] = field(default_factory=list)

    @property
    def newline(self) -> str:
        """The file's line ending (``\\r\\n`` when its first line ends so)."""
        first = self.df.text.find("\n")
        return "\r\n" if first > 0 and self.df.text[first - 1] == "\r" else "\n"

    def _indent(self, instruction: Instruction) -> str:
        line = self.df.index.line_span(instruction.line)
        text = self.df.text[line.start : instruction.span.start]
        return text if not text.strip() else ""

    def _block_start(self, instruction: Instruction) -> int:
        """Start of the line of ``instruction``, or of the comment lines directly above it."""
        line = instruction.line
        comment_lines = {c.line for c in self.df.comments}
        while line - 1 in comment_lines:
            line -= 1
        return self.df.index.line_span(line).start

    def insert_before(self, instruction: Instruction, lines: list[str]) -> None:
        """New lines above ``instruction`` (and above the comments that belong to it)."""
        indent = self._indent(instruction)
        nl = self.newline
        self._insert(self._block_start(instruction), "".join(indent + line + nl for line in lines))

    def insert_after(self, instruction: Instruction, lines: list[str]) -> None:
        """New lines below ``instruction`` (after a heredoc's delimiter line, and after any
        trailing blanks of its last line, which stay where they were)."""
        indent = self._indent(instruction)
        nl = self.newline
        end = self.df.index.line_span(instruction.span.end_line).end
        self._insert(end, "".join(nl + indent + line for line in lines))

    def _insert(self, offset: int, text: str) -> None:
        self._inserts.setdefault(offset, []).append(text)

    def replace_lines(self, instruction: Instruction, lines: list[str]) -> None:
        """Replace ``instruction`` with ``lines`` (same indentation, file's line ending)."""
        separator = self.newline + self._indent(instruction)
        self.replace(instruction.span.start, instruction.span.end, separator.join(lines))

    def replace(self, start: int, end: int, text: str) -> None:
        """Replace ``[start, end)``; an empty range is an insertion (merged in plan order)."""
        if start == end:
            self._insert(start, text)
        else:
            self._replacements.append(TextEdit(self.df.path, start, end, text))

    def overlaps(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` touches a planned replacement or lies around an insertion."""
        for edit in self._replacements:
            if start < edit.end and edit.start < end:
                return True
        return any(start < offset < end for offset in self._inserts)

    def edits(self) -> list[TextEdit]:
        """The planned edits, insertions at one offset merged into one."""
        merged = [
            TextEdit(self.df.path, offset, offset, "".join(texts))
            for offset, texts in self._inserts.items()
        ]
        return sorted([*merged, *self._replacements], key=lambda e: (e.start, e.end))

    def __bool__(self) -> bool:
        return bool(self._inserts or self._replacements)
