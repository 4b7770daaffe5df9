"""Text positions and an edit plan for fixing one workflow file in place.

The workflow fixers locate what they change through ruamel.yaml's round-trip positions and
then edit the original text: insertions of whole lines at line starts and replacements of
one-line values. :class:`EditPlan` collects them, merges insertions at the same offset into
one edit (in the order they were planned) and refuses an edit that would overlap another, so
the engine never sees overlapping edits. :class:`WorkflowText` answers the layout questions
(the file's newline, a line's indentation, where a block mapping ends) from the original text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from caulk.findings import TextEdit

_LINE_VALUE = re.compile(r"(?P<value>[^\r\n]*?)(?P<rest>[ \t]+#[^\r\n]*)?[ \t]*(?=\r?\n|$)")


@dataclass
class WorkflowText:
    """A workflow file's original text with line offsets."""

    text: str
    starts: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.starts = [0]
        for index, char in enumerate(self.text):
            if char == "\n":
                self.starts.append(index + 1)

    @property
    def newline(self) -> str:
        return "\r\n" if "\r\n" in self.text else "\n"

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line(self, line0: int) -> str:
        """Line ``line0`` (0-based) without its line break; ``""`` past the end."""
        if not 0 <= line0 < len(self.starts):
            return ""
        start = self.starts[line0]
        end = self.text.find("\n", start)
        if end < 0:
            end = len(self.text)
        return self.text[start:end].rstrip("\r")

    def offset(self, line0: int, col0: int = 0) -> int:
        if line0 >= len(self.starts):
            return len(self.text)
        return self.starts[line0] + col0

    def line_start_after(self, line0: int) -> int:
        """Offset of the start of the line after ``line0`` (the end of the text if none)."""
        return self.starts[line0 + 1] if line0 + 1 < len(self.starts) else len(self.text)

    def line_end(self, line0: int) -> int:
        """Offset of the end of line ``line0``'s content (before ``\\r\\n``/``\\n``)."""
        return self.offset(line0) + len(self.line(line0))

    @staticmethod
    def indent_of(line: str) -> int:
        return len(line) - len(line.lstrip(" "))

    def is_blank(self, line0: int) -> bool:
        return not self.line(line0).strip()

    def is_comment(self, line0: int) -> bool:
        return self.line(line0).lstrip(" ").startswith("#")

    def rest_after(self, line0: int, col0: int) -> str:
        """What follows column ``col0`` on a line, without a trailing comment and spaces."""
        rest = self.line(line0)[col0:]
        match = _LINE_VALUE.match(rest)
        return match.group("value") if match else rest

    def block_end_line(self, first_line0: int, key_col: int) -> int:
        """The last line (0-based) of a block mapping whose keys sit at column ``key_col``.

        Walks down from ``first_line0`` (a line of the mapping) while lines are blank, more
        indented than ``key_col``, or keys at ``key_col`` (not a sequence dash); comment lines
        at or left of ``key_col`` after the last content line are not counted as content.
        """
        last = first_line0
        line0 = first_line0 + 1
        while line0 < self.line_count:
            text = self.line(line0)
            if not text.strip():
                line0 += 1
                continue
            if text.startswith(("---", "...")):
                break
            indent = self.indent_of(text)
            stripped = text.lstrip(" ")
            if indent > key_col:
                last = line0
            elif stripped.startswith("#"):
                pass  # a comment at or left of the keys: not content, keep walking
            elif indent == key_col and not stripped.startswith("- ") and stripped != "-":
                last = line0
            else:
                break
            line0 += 1
        return last


@dataclass(frozen=True)
class _Insert:
    offset: int
    text: str
    rank: int
    order: int


@dataclass
class EditPlan:
    """Non-overlapping edits of one file, computed from its original text."""

    path: str
    source: WorkflowText
    inserts: list[_Insert] = field(default_factory=list)
    replaces: list[tuple[int, int, str]] = field(default_factory=list)

    def _clashes(self, start: int, end: int) -> bool:
        for r_start, r_end, _ in self.replaces:
            if start < r_end and r_start < end:
                return True
            if start == end and r_start < start < r_end:
                return True
        if start < end:
            return any(start < i.offset < end for i in self.inserts)
        return False

    def insert(self, offset: int, text: str, *, rank: int = 0) -> bool:
        """Insert ``text`` at ``offset``; False (and nothing planned) if it would overlap.

        Insertions at one offset are joined by ``rank`` then plan order: rank 0 continues the
        block that ends there (a key appended to ``on:``), rank 1 starts a new block (a new
        top-level key), so the new block never swallows the continuation.
        """
        if self._clashes(offset, offset):
            return False
        self.inserts.append(_Insert(offset, text, rank, len(self.inserts)))
        return True

    def replace(self, start: int, end: int, text: str) -> bool:
        """Replace ``[start, end)``; False (and nothing planned) if it would overlap."""
        if start >= end or self._clashes(start, end):
            return False
        self.replaces.append((start, end, text))
        return True

    def insert_lines(self, offset: int, lines: list[str], *, rank: int = 0) -> bool:
        """Insert whole lines at a line start (adding a line break first at an unterminated end)."""
        newline = self.source.newline
        block = "".join(line + newline for line in lines)
        text = self.source.text
        if offset == len(text) and text and not text.endswith("\n"):
            block = newline + block
        return self.insert(offset, block, rank=rank)

    @property
    def empty(self) -> bool:
        return not self.inserts and not self.replaces

    def edits(self) -> list[TextEdit]:
        """The planned edits; insertions at one offset merged into one edit, in plan order."""
        merged: dict[int, list[_Insert]] = {}
        for item in self.inserts:
            merged.setdefault(item.offset, []).append(item)
        out = [
            TextEdit(self.path, offset, offset, "".join(i.text for i in sorted(items, key=_order)))
            for offset, items in merged.items()
        ]
        out.extend(TextEdit(self.path, start, end, text) for start, end, text in self.replaces)
        return sorted(out, key=lambda e: (e.start, e.end))


def _order(item: _Insert) -> tuple[int, int]:
    return item.rank, item.order


def is_flow(node: Any) -> bool:
    """A ruamel mapping or sequence written in flow style (``{…}``/``[…]``)."""
    if isinstance(node, (CommentedMap, CommentedSeq)):
        return bool(node.fa.flow_style())
    return False


def key_position(mapping: CommentedMap, key: Any) -> tuple[int, int]:
    """0-based (line, column) of ``key`` in ``mapping``."""
    line0, col0 = mapping.lc.key(key)
    return int(line0), int(col0)


def value_position(mapping: CommentedMap, key: Any) -> tuple[int, int]:
    """0-based (line, column) of the value of ``key`` (a nested block's first key)."""
    line0, col0 = mapping.lc.value(key)
    return int(line0), int(col0)


def first_key_column(mapping: CommentedMap) -> int | None:
    """The column (0-based) of a block mapping's keys, or None when it is empty."""
    for key in mapping:
        return key_position(mapping, key)[1]
    return None
