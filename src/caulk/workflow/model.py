"""The GitHub Actions workflow model: workflows, jobs and steps with exact positions.

Built by :mod:`caulk.workflow.load` from ruamel.yaml round-trip documents. Every value that a
finding may point at is a :class:`Scalar`, which knows where it starts in the file and can map
a character offset inside its (possibly multi-line) value back to a file line and column, so a
``${{ … }}`` on the fifth line of a ``run: |`` block is reported on that exact line.

Field shapes follow what actionlint (the parser OpenSSF Scorecard uses) extracts, so the
Scorecard checks can mirror its behaviour: top-level keys are case-sensitive, ``permissions``
scope names and ``with:`` input names are compared lower-cased.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Pos:
    """A 1-based line and column in a workflow file."""

    line: int
    column: int


@dataclass(frozen=True)
class SourceText:
    """A workflow file's text split into lines (shared by its scalars)."""

    lines: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> SourceText:
        return cls(tuple(text.split("\n")))

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its newline, or ``""`` past the end."""
        if 1 <= number <= len(self.lines):
            return self.lines[number - 1].rstrip("\r")
        return ""


@dataclass(frozen=True)
class Scalar:
    """A scalar value and where it starts; block scalars start at their ``|``/``>`` indicator."""

    value: str
    pos: Pos
    style: str = ""
    """``""`` plain, ``'``/``"`` quoted, ``|`` literal block, ``>`` folded block."""
    source: SourceText | None = field(default=None, repr=False, compare=False)

    @property
    def end_column(self) -> int | None:
        """One past the last column when the value is a one-line plain scalar, else None."""
        if self.style == "" and "\n" not in self.value:
            return self.pos.column + len(self.value)
        if self.style in ("'", '"') and "\n" not in self.value:
            return self.pos.column + len(self.value) + 2
        return None

    def position_of(self, offset: int, needle: str | None = None) -> Pos:
        """The file position of character ``offset`` of :attr:`value`.

        Exact for literal blocks (``run: |``) and one-line plain scalars; for quoted or folded
        scalars the text ``needle`` (what starts at ``offset``) is searched for in the source
        from the value's start, falling back to the start of the value.
        """
        offset = max(0, min(offset, len(self.value)))
        if self.style == "|" and self.source is not None:
            return self._literal_position(offset)
        if self.style == "" and "\n" not in self.value[:offset]:
            return Pos(self.pos.line, self.pos.column + offset)
        if needle and self.source is not None:
            found = self._search(needle, self.value[:offset].count(needle))
            if found is not None:
                return found
        if self.style in ("'", '"') and "\n" not in self.value[:offset]:
            return Pos(self.pos.line, self.pos.column + 1 + offset)
        return self.pos

    def line_of(self, offset: int) -> int:
        """The file line of character ``offset`` (see :meth:`position_of`)."""
        return self.position_of(offset).line

    def _literal_position(self, offset: int) -> Pos:
        assert self.source is not None
        index = self.value.count("\n", 0, offset)
        line_start = self.value.rfind("\n", 0, offset) + 1
        line = self.pos.line + 1 + index
        return Pos(line, self._block_indent() + (offset - line_start) + 1)

    def _block_indent(self) -> int:
        """The indentation of a block scalar's content (explicit indicator or first line)."""
        assert self.source is not None
        header = self.source.line(self.pos.line)[self.pos.column - 1 :]
        digits = [c for c in header[1:3] if c.isdigit()]
        number = self.pos.line + 1
        while number <= len(self.source.lines):
            text = self.source.line(number)
            if text.strip():
                indent = len(text) - len(text.lstrip(" "))
                if digits:
                    parent = len(self.source.line(self.pos.line)) - len(
                        self.source.line(self.pos.line).lstrip(" ")
                    )
                    return parent + int(digits[0])
                return indent
            number += 1
        return self.pos.column - 1

    def _search(self, needle: str, occurrence: int) -> Pos | None:
        assert self.source is not None
        seen = 0
        for number in range(self.pos.line, len(self.source.lines) + 1):
            text = self.source.line(number)
            start = self.pos.column - 1 if number == self.pos.line else 0
            while True:
                hit = text.find(needle, start)
                if hit < 0:
                    break
                if seen == occurrence:
                    return Pos(number, hit + 1)
                seen += 1
                start = hit + 1
        return None


class PermissionsKind(enum.Enum):
    """How a ``permissions`` key was written (Scorecard's raw classification)."""

    UNDECLARED = "undeclared"
    """No ``permissions`` key."""
    NONE = "none"
    """``permissions: {}``, or a present key with an empty value."""
    READ_ALL = "read-all"
    """``permissions: read-all`` (any case)."""
    WRITE_ALL = "write-all"
    """``permissions: write-all`` exactly as written."""
    OTHER = "other"
    """Any other string (e.g. ``WRITE-ALL``, ``read``): Scorecard ignores it."""
    SCOPES = "scopes"
    """A mapping of scopes to ``read``/``write``/``none``."""


@dataclass(frozen=True)
class Permissions:
    """A ``permissions`` key (top level or job level)."""

    kind: PermissionsKind
    key_pos: Pos | None = None
    """Where the ``permissions`` key is; None when undeclared."""
    value: Scalar | None = None
    """The string form's value (``write-all``, ``read-all``…)."""
    scopes: tuple[tuple[str, Scalar, Pos], ...] = ()
    """``(scope lower-cased, value, key position)`` in file order; later duplicates dropped."""

    @property
    def declared(self) -> bool:
        return self.kind is not PermissionsKind.UNDECLARED

    def scope(self, name: str) -> Scalar | None:
        """The value of scope ``name`` (lower-case), if present."""
        for scope, value, _ in self.scopes:
            if scope == name:
                return value
        return None

    def writes(self) -> list[tuple[str, Scalar, Pos]]:
        """Scopes whose value is ``write`` (any case)."""
        return [s for s in self.scopes if s[1].value.lower() == "write"]


UNDECLARED = Permissions(PermissionsKind.UNDECLARED)


@dataclass(frozen=True)
class Step:
    """One entry of ``jobs.<id>.steps``."""

    index: int
    """0-based index in the job's steps."""
    pos: Pos
    """Position of the step mapping (its first key)."""
    uses: Scalar | None = None
    run: Scalar | None = None
    shell: Scalar | None = None
    with_: tuple[tuple[str, Scalar, Pos], ...] = ()
    """``with:`` inputs as ``(name lower-cased, value, key position)``."""
    env: tuple[tuple[str, Scalar], ...] = ()
    if_: Scalar | None = None
    id: str | None = None
    name: str | None = None

    def input(self, name: str) -> Scalar | None:
        """The ``with:`` input ``name`` (case-insensitive), if present."""
        wanted = name.lower()
        for key, value, _ in self.with_:
            if key == wanted:
                return value
        return None

    def input_key_pos(self, name: str) -> Pos | None:
        wanted = name.lower()
        for key, _, pos in self.with_:
            if key == wanted:
                return pos
        return None

    @property
    def action(self) -> str | None:
        """``uses`` without its ``@ref`` (None for run steps)."""
        if self.uses is None:
            return None
        return self.uses.value.split("@", 1)[0]

    @property
    def label(self) -> str:
        """A human name: the step's name, id, uses or index."""
        if self.name:
            return self.name
        if self.id:
            return self.id
        if self.uses is not None:
            return self.uses.value
        return f"step {self.index + 1}"


@dataclass(frozen=True)
class Job:
    """One entry of ``jobs``."""

    id: str
    pos: Pos
    """Position of the job's key."""
    name: str | None = None
    permissions: Permissions = UNDECLARED
    runs_on: tuple[Scalar, ...] = ()
    """``runs-on`` labels (a lone ``${{ … }}`` expression is one label)."""
    matrix_os: tuple[str, ...] | None = None
    """``strategy.matrix.os`` values plus ``include`` entries' ``os``; None if unknown."""
    uses: Scalar | None = None
    """A reusable workflow call (``jobs.<id>.uses``)."""
    steps: tuple[Step, ...] = ()
    container: Scalar | None = None
    services: tuple[tuple[str, Scalar], ...] = ()
    default_shell: Scalar | None = None
    """``jobs.<id>.defaults.run.shell``."""
    if_: Scalar | None = None
    env: tuple[tuple[str, Scalar], ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.id


@dataclass(frozen=True)
class Workflow:
    """A parsed ``.github/workflows/*.yml`` file."""

    path: str
    source: SourceText = field(repr=False, compare=False)
    triggers: tuple[tuple[str, Pos], ...] = ()
    """Event names in ``on:`` (string, list or mapping form) with their positions."""
    on_pos: Pos | None = None
    """Position of the ``on`` key."""
    permissions: Permissions = UNDECLARED
    env: tuple[tuple[str, Scalar], ...] = ()
    jobs: tuple[Job, ...] = ()
    name: str | None = None
    root_pos: Pos = Pos(1, 1)
    """Position of the document's first key."""
    schedule_crons: tuple[Scalar, ...] = ()
    push_filters: tuple[str, ...] = ()
    """Keys under ``on.push`` (``branches``, ``tags``, ``paths``…); empty for a bare ``push``."""

    @property
    def runs_on_branch_push(self) -> bool:
        """Triggered by pushes to branches: ``push`` without a tags-only filter."""
        if not self.has_trigger("push"):
            return False
        filters = set(self.push_filters)
        if filters & {"branches", "branches-ignore"}:
            return True
        return not filters & {"tags", "tags-ignore"}

    @property
    def trigger_names(self) -> frozenset[str]:
        return frozenset(name for name, _ in self.triggers)

    def has_trigger(self, name: str) -> bool:
        return name in self.trigger_names

    def steps(self) -> list[tuple[Job, Step]]:
        """Every step of every job, in file order."""
        return [(job, step) for job in self.jobs for step in job.steps]


@dataclass(frozen=True)
class WorkflowFailure:
    """A workflow file that could not be parsed (Scorecard: a runtime error)."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class WorkflowSet:
    """Every workflow file of a repository, in Scorecard's lexical walk order."""

    paths: tuple[str, ...]
    """Every workflow file (``.github/workflows/*.yml|*.yaml``), even comment-only ones."""
    workflows: tuple[Workflow, ...]
    """The parsed workflows with commands."""
    failures: tuple[WorkflowFailure, ...]
    skipped: tuple[str, ...]
    """Empty or comment-only files (Scorecard skips them)."""

    @property
    def with_commands(self) -> int:
        """Files that contain something other than comments (parsed or failed)."""
        return len(self.workflows) + len(self.failures)

    def failure(self, path: str) -> WorkflowFailure | None:
        for failure in self.failures:
            if failure.path == path:
                return failure
        return None

    def workflow(self, path: str) -> Workflow | None:
        for workflow in self.workflows:
            if workflow.path == path:
                return workflow
        return None
