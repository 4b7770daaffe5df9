"""``${{ … }}`` expressions in workflow strings, and which of them an attacker controls.

The scan and the pattern list mirror Scorecard's script-injection probe
(``checks/raw/dangerous_workflow.go`` ``checkVariablesInScript`` and
``containsUntrustedContextPattern``; ../shared/reference/scorecard-checks.md §2.3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNTRUSTED_CONTEXT = re.compile(
    r".*(issue\.title|issue\.body|pull_request\.title|pull_request\.body|discussion\.title|"
    r"discussion\.body|comment\.body|review\.body|review_comment\.body|pages.*\.page_name|"
    r"commits.*\.message|head_commit\.message|head_commit\.author\.email|"
    r"head_commit\.author\.name|commits.*\.author\.email|commits.*\.author\.name|"
    r"blocked_user\.name|blocked_user\.email|pull_request\.head\.ref|pull_request\.head\.label|"
    r"pull_request\.head\.repo\.default_branch).*",
    re.ASCII,
)
_TOJSON_GITHUB = re.compile(r"(?i)tojson\s*\(\s*github(\.event)?\s*\)", re.ASCII)


class UnclosedExpression(ValueError):
    """A ``${{`` with no ``}}`` after it (Scorecard: an internal error)."""

    def __init__(self, offset: int) -> None:
        self.offset = offset
        super().__init__(f"'${{{{' at offset {offset} is never closed with '}}}}'")


@dataclass(frozen=True)
class Expression:
    """One ``${{ … }}``: ``start`` is the offset of ``$``, ``text`` what is between the braces."""

    start: int
    end: int
    """Offset one past the closing ``}}``."""
    text: str

    @property
    def source(self) -> str:
        """The expression as written, ``${{ … }}``."""
        return "${{" + self.text + "}}"


def expressions(value: str) -> list[Expression]:
    """Every ``${{ … }}`` in ``value`` in order; raises :class:`UnclosedExpression`.

    Same scan as Scorecard: after a match the search resumes at the closing ``}}``.
    """
    found: list[Expression] = []
    base = 0
    rest = value
    while True:
        start = rest.find("${{")
        if start < 0:
            return found
        close = rest.find("}}", start)
        if close < 0:
            raise UnclosedExpression(base + start)
        found.append(Expression(base + start, base + close + 2, rest[start + 3 : close]))
        base += close
        rest = rest[close:]


def is_untrusted(expression: str) -> bool:
    """Scorecard ``containsUntrustedContextPattern`` on the text between ``${{`` and ``}}``."""
    if "github.head_ref" in expression:
        return True
    if _TOJSON_GITHUB.search(expression):
        return True
    return "github.event." in expression and bool(_UNTRUSTED_CONTEXT.search(expression))
