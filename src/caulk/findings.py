"""The vocabulary every check speaks: severities, exact locations, rules and findings.

A finding always names the rule that produced it (stable ``rule_id``), where it is
(``path:line:col`` relative to the audited root, ``/``-separated) and, through the rule,
why it matters and how to fix it. Rules mirror a reference where one exists (hadolint
``DLxxxx``, Trivy ``DSxxx`` as an alias, a Scorecard check) and keep its ID.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

DOCS_URL = "https://github.com/caulk-dev/caulk/blob/main/docs"
"""Where rule documentation is published (SARIF ``helpUri``)."""


class Severity(enum.Enum):
    """How bad a finding is; ordered so that ``a >= b`` means "at least as bad"."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_RANK[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse a user-given severity name; raises ``ValueError`` naming the choices."""
        try:
            return cls(text.strip().lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {text!r} (choose one of: {choices})") from None


_SEVERITY_RANK = {
    Severity.INFO: 0,
    Severity.LOW: 1,
    Severity.MEDIUM: 2,
    Severity.HIGH: 3,
    Severity.CRITICAL: 4,
}


class Confidence(enum.Enum):
    """How sure the rule is that the finding is real (zizmor's notion)."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file: 1-based line and column; ``end_*`` bound the span when known."""

    path: str
    """Path relative to the audited root, ``/``-separated."""
    line: int = 1
    """1-based line of the start."""
    column: int = 1
    """1-based column (in characters) of the start."""
    end_line: int | None = None
    """1-based line of the end, inclusive."""
    end_column: int | None = None
    """1-based column one past the last character."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class TextEdit:
    """Replace ``[start, end)`` (character offsets) of a file's original text."""

    path: str
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Rule:
    """A rule's identity and documentation; one per ``rule_id``."""

    id: str
    """Stable ID: hadolint ``DLxxxx`` where the rule is hadolint's, else caulk ``CKxxxx``."""
    name: str
    """Short kebab-case name, e.g. ``final-stage-runs-as-root``."""
    severity: Severity
    """Default severity of its findings."""
    summary: str
    """One line: what is wrong."""
    why: str
    """Why it matters (a paragraph)."""
    fix: str
    """How to fix it."""
    check: str | None = None
    """The Scorecard check this rule's findings lower, if any."""
    phase: int = 1
    """Hardening phase: 1 build hygiene, 2 attestation, 3 non-root (breaking)."""
    effort_hours: float = 0.25
    """Rough effort to fix one repository's worth of this rule."""
    aliases: tuple[str, ...] = ()
    """Equivalent IDs in peer tools (Trivy ``DSxxx``, zizmor audit names)."""
    reference: str | None = None
    """What the rule mirrors (a URL or a named source)."""
    automatable: bool = False
    """Whether ``caulk fix`` can fix it without a human decision."""
    supersedes: tuple[str, ...] = ()
    """Rules whose finding on the same line says the same thing less precisely (dropped)."""

    @property
    def help_uri(self) -> str:
        """The rule's documentation page."""
        if self.id.startswith("CK101"):
            page = "rules-pinning"
        elif self.id.startswith("CK2"):
            page = "rules-workflow"
        elif self.id.startswith("CK3"):
            page = "rules-repository"
        elif self.id.startswith("CK9"):
            page = "rules"
        else:
            page = "rules-dockerfile"
        return f"{DOCS_URL}/{page}.md#{self.id.lower()}"


@dataclass(frozen=True)
class Finding:
    """One problem found at one place."""

    rule_id: str
    severity: Severity
    message: str
    location: Location | None
    check: str | None = None
    """The Scorecard check it affects, or None."""
    confidence: Confidence = Confidence.HIGH
    edits: tuple[TextEdit, ...] = field(default=(), compare=False)
    """Text edits that fix it, when a fixer attached them."""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (
            loc.path if loc else "",
            loc.line if loc else 0,
            loc.column if loc else 0,
            self.rule_id,
            self.message,
        )


@dataclass(frozen=True)
class Problem:
    """Input that could not be read or parsed; reported, never a traceback."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"
