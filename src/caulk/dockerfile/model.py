"""The parsed Dockerfile: instructions with exact spans, stages, and parse errors.

Every span points into the file's original text (as :meth:`Repository.read_text` returns it),
so a fixer can replace ``text[span.start:span.end]`` and keep everything else byte for byte.
The shapes mirror BuildKit's parser (``frontend/dockerfile/parser``): one
:class:`Instruction` per BuildKit ``Node`` (a logical line after continuations), its flags
split off as ``extractBuilderFlags`` does, JSON (exec) form recognised as ``parseJSON`` does,
and heredoc bodies attached to ``RUN``/``COPY``/``ADD``.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

from caulk.findings import Location


@dataclass(frozen=True)
class Span:
    """A range ``[start, end)`` of character offsets with its 1-based line/column bounds."""

    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    """1-based column one past the last character (as :class:`Location`)."""

    def location(self, path: str) -> Location:
        """This span as a finding location in ``path``."""
        return Location(path, self.line, self.column, self.end_line, self.end_column)


class LineIndex:
    """Maps character offsets of a text to 1-based lines and columns."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), both 1-based, of the character at ``offset``."""
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1

    def span(self, start: int, end: int) -> Span:
        """The span ``[start, end)``; an empty span ends where it starts."""
        line, column = self.position(start)
        if end <= start:
            return Span(start, start, line, column, line, column)
        end_line, last_column = self.position(end - 1)
        return Span(start, end, line, column, end_line, last_column + 1)

    def line_span(self, line: int) -> Span:
        """The span of a whole 1-based line, without its newline."""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        if end > start and self.text[end - 1] == "\r":
            end -= 1
        return self.span(start, end)


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in a derived string (a logical line, a script) back to the file.

    ``segments`` are ``(derived_start, file_start)`` pairs sorted by ``derived_start``; each
    segment maps a contiguous run of characters one to one.
    """

    segments: tuple[tuple[int, int], ...]

    def to_file(self, index: int) -> int:
        """The file offset of the derived string's character ``index``."""
        if not self.segments:
            return 0
        keys = [s[0] for s in self.segments]
        i = max(bisect.bisect_right(keys, index) - 1, 0)
        derived_start, file_start = self.segments[i]
        return file_start + (index - derived_start)

    def shifted(self, offset: int) -> OffsetMap:
        """The map of the derived string with its first ``offset`` characters removed."""
        out: list[tuple[int, int]] = []
        for derived_start, file_start in self.segments:
            if derived_start <= offset:
                out = [(0, file_start + (offset - derived_start))]
            else:
                out.append((derived_start - offset, file_start))
        return OffsetMap(tuple(out))


@dataclass(frozen=True)
class Word:
    """One argument word as the parser split it, with its span in the file."""

    value: str
    """The word as BuildKit's node holds it (quotes kept where BuildKit keeps them)."""
    span: Span


@dataclass(frozen=True)
class Flag:
    """A builder flag such as ``--platform=linux/amd64`` or ``--link``."""

    name: str
    """Lower-case name without dashes: ``platform``, ``mount``, ``from``."""
    value: str | None
    """The value after ``=``, quotes removed; None for a bare boolean flag."""
    span: Span


@dataclass(frozen=True)
class KeyValue:
    """One ``key=value`` pair of ``ENV``, ``LABEL`` or ``ARG``."""

    key: str
    """The key with quotes removed."""
    value: str | None
    """The value with quotes removed; None for ``ARG name`` without a default."""
    raw_value: str | None
    """The value as written (quotes kept)."""
    span: Span


@dataclass(frozen=True)
class Heredoc:
    """A heredoc attached to ``RUN``/``COPY``/``ADD`` (BuildKit ``parser.Heredoc``)."""

    name: str
    """The delimiter word, quotes removed."""
    content: str
    """The body as BuildKit stores it: the lines between the instruction and the delimiter,
    newlines kept, leading tabs not yet removed."""
    expand: bool
    """False when the delimiter was quoted (no variable expansion in the body)."""
    chomp: bool
    """True for ``<<-`` (leading tabs are removed from the body)."""
    file_descriptor: int
    body_span: Span
    """The body lines (may be empty), without the delimiter line."""
    body_map: OffsetMap
    """Maps offsets of :attr:`text` back to the file."""

    @property
    def text(self) -> str:
        """The body as the build sees it (leading tabs removed for ``<<-``)."""
        if not self.chomp:
            return self.content
        return "".join(line.lstrip("\t") for line in self.content.splitlines(keepends=True))


@dataclass(frozen=True)
class Comment:
    """A comment line (``# ...``) outside any instruction."""

    line: int
    text: str
    """The text after ``#``, stripped."""
    span: Span


@dataclass(frozen=True)
class Instruction:
    """One instruction (a logical line after continuations), with exact spans."""

    keyword: str
    """The instruction word as written, e.g. ``FROM`` or ``from`` (case kept, as BuildKit's
    ``Node.Value`` keeps it: Scorecard compares it with upper-case names)."""
    span: Span
    """From the keyword to the end of the instruction's last line (heredoc delimiter
    included), without the final newline."""
    keyword_span: Span
    flags: tuple[Flag, ...]
    args: str
    """The arguments after the flags, as one logical string (continuations joined)."""
    args_span: Span | None
    args_map: OffsetMap
    """Maps offsets in :attr:`args` to file offsets."""
    words: tuple[Word, ...]
    """The arguments split as BuildKit's line parser for this instruction splits them (for
    shell-form ``RUN``/``CMD`` the whole argument string is one word)."""
    json: bool = False
    """Exec (JSON) form."""
    json_args: tuple[str, ...] = ()
    pairs: tuple[KeyValue, ...] = ()
    """``ENV``/``LABEL``/``ARG`` pairs."""
    heredocs: tuple[Heredoc, ...] = ()
    comments: tuple[str, ...] = ()
    """Comments directly before the instruction (BuildKit ``PrevComment``)."""
    sub: Instruction | None = None
    """The instruction wrapped by ``ONBUILD``."""

    @property
    def cmd(self) -> str:
        """The lower-case instruction name."""
        return self.keyword.lower()

    @property
    def line(self) -> int:
        return self.span.line

    @property
    def end_line(self) -> int:
        return self.span.end_line

    def flag(self, name: str) -> Flag | None:
        """The last flag called ``name`` (BuildKit keeps the last one)."""
        found = None
        for f in self.flags:
            if f.name == name:
                found = f
        return found

    def flag_values(self, name: str) -> list[str]:
        """Every value of a repeatable flag such as ``--mount``."""
        return [f.value for f in self.flags if f.name == name and f.value is not None]


ErrorKind = Literal["syntax", "instruction"]


@dataclass(frozen=True)
class ParseError:
    """Input BuildKit rejects.

    ``syntax`` errors are raised by BuildKit's ``parser.Parse`` itself (Scorecard then fails
    the whole Pinned-Dependencies check); ``instruction`` errors are raised later, when
    BuildKit turns nodes into instructions (unknown instruction, wrong argument count).
    """

    message: str
    line: int
    kind: ErrorKind = "syntax"
    column: int = 1


@dataclass(frozen=True)
class FromInfo:
    """The parts of a ``FROM`` instruction."""

    image: Word | None
    """The image reference word as written (variables not expanded)."""
    alias: Word | None
    platform: str | None


@dataclass
class Stage:
    """A build stage: its ``FROM`` and the instructions after it."""

    index: int
    from_: Instruction
    info: FromInfo
    name: str | None
    """The stage name (lower-case, as BuildKit compares it) or None."""
    image: str | None
    """The base reference after global ``ARG`` substitution; None if it cannot be resolved."""
    base_stage: int | None
    """Index of the earlier stage this one is built ``FROM``, if any."""
    instructions: list[Instruction] = field(default_factory=list)

    @property
    def is_scratch(self) -> bool:
        return self.base_stage is None and (self.image or "").lower() == "scratch"


@dataclass
class ParsedDockerfile:
    """One Dockerfile: its text, directives, instructions, stages and errors."""

    path: str
    text: str
    index: LineIndex
    escape: str = "\\"
    directives: dict[str, str] = field(default_factory=dict)
    instructions: list[Instruction] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    global_args: dict[str, str | None] = field(default_factory=dict)
    """``ARG`` defaults declared before the first ``FROM`` (None: no default)."""
    stages: list[Stage] = field(default_factory=list)

    @property
    def syntax_ok(self) -> bool:
        """Whether BuildKit's ``parser.Parse`` accepts the file."""
        return not any(e.kind == "syntax" for e in self.errors)

    @property
    def final_stage(self) -> Stage | None:
        return self.stages[-1] if self.stages else None

    def stage_of(self, instruction: Instruction) -> Stage | None:
        """The stage an instruction belongs to (None before the first ``FROM``)."""
        for stage in self.stages:
            if stage.from_ is instruction or any(i is instruction for i in stage.instructions):
                return stage
        return None
