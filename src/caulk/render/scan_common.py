"""What every scan and compare renderer says the same way: counts, orderings, badges, sizes.

Severity letters and the ``0C 5H 11M 14L`` form are Docker Scout's quickview's; badge colours
and the doubled ``-`` of shields.io are the scout-action PR comment's
(reference/scout-grade-and-scanners.md §2.1 and §2.3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import quote

from caulk.vuln.matcher import Vulnerability
from caulk.vuln.severity import LEVEL_RANK

SHOWN_LEVELS = ("critical", "high", "medium", "low")
"""Levels with their own column; ``negligible`` and ``unknown`` are summed as ``?``."""

LETTERS = {"critical": "C", "high": "H", "medium": "M", "low": "L"}

BADGE_COLOURS = {
    "critical": "8b1924",
    "high": "e25d68",
    "medium": "fbb552",
    "low": "fce1a9",
    "unspecified": "lightgrey",
}
"""scout-action's badge colours; a zero count is always ``lightgrey``."""


def other_count(counts: Mapping[str, int]) -> int:
    """Vulnerabilities rated ``negligible`` or ``unknown`` (Scout's ``?`` column)."""
    return counts.get("negligible", 0) + counts.get("unknown", 0)


def counts_text(counts: Mapping[str, int]) -> str:
    """``0C 5H 11M 14L 1?`` (the ``?`` part only when non-zero)."""
    text = " ".join(f"{counts.get(level, 0)}{LETTERS[level]}" for level in SHOWN_LEVELS)
    other = other_count(counts)
    return f"{text} {other}?" if other else text


def delta_text(delta: int) -> str:
    """``+3``, ``-2`` or ``0``."""
    return f"+{delta}" if delta > 0 else str(delta)


def vulnerability_order(vuln: Vulnerability) -> tuple[int, str, str, str]:
    """Worst first, then ID, package, version."""
    return (-LEVEL_RANK[vuln.severity], vuln.id, vuln.package, vuln.installed_version)


def sorted_by_severity(vulns: Iterable[Vulnerability]) -> list[Vulnerability]:
    return sorted(vulns, key=vulnerability_order)


def level_name(level: str) -> str:
    """``unknown`` and ``negligible`` show as Scout's ``unspecified`` in badges."""
    return level if level in SHOWN_LEVELS else "unspecified"


def shields(text: str) -> str:
    """Escape for a shields.io path segment: ``-`` → ``--``, ``_`` → ``__``, then URL-quote."""
    return quote(text.replace("-", "--").replace("_", "__"), safe="")


def count_badge(level: str, count: int, short: bool = False) -> str:
    """``<img alt="high: 3" src="https://img.shields.io/badge/high-3-e25d68"/>``."""
    colour = BADGE_COLOURS[level] if count else "lightgrey"
    label = LETTERS.get(level, "?") if short else level
    return (
        f'<img alt="{level}: {count}" '
        f'src="https://img.shields.io/badge/{shields(label)}-{count}-{colour}"/>'
    )


def count_badges(counts: Mapping[str, int], short: bool = False) -> str:
    """The four severity badges, with ``unspecified`` as an HTML comment as Scout writes it."""
    badges = " ".join(count_badge(level, counts.get(level, 0), short) for level in SHOWN_LEVELS)
    return f"{badges} <!-- unspecified: {other_count(counts)} -->"


def vulnerability_badge(vuln_id: str, level: str) -> str:
    """The CVE badge of scout-action: the ID, labelled and coloured by severity."""
    name = level_name(level)
    colour = BADGE_COLOURS[name]
    return (
        f'<img alt="{name} : {vuln_id}" '
        f'src="https://img.shields.io/badge/{shields(vuln_id)}-lightgrey'
        f'?label={quote(name + " ")}&labelColor={colour}"/>'
    )


def human_size(n: int | None) -> str:
    """``36 MB`` in decimal units as Scout prints sizes; ``unknown`` for None."""
    if n is None:
        return "unknown"
    value = float(abs(n))
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            text = f"{value:.0f} {unit}" if unit in ("B", "kB", "MB") else f"{value:.1f} {unit}"
            return f"-{text}" if n < 0 else text
        value /= 1000
    return f"{n} B"  # pragma: no cover


def short_digest(digest: str | None) -> str:
    """The first 12 hex digits, as Scout shows digests."""
    if not digest:
        return "—"
    return digest.split(":", 1)[-1][:12]


def osv_url(vuln_id: str) -> str:
    """Where to read about a vulnerability."""
    return f"https://osv.dev/vulnerability/{quote(vuln_id, safe='')}"


def size_with_delta(size: int | None, delta: int | None) -> str:
    """``56.8 MiB (+1.2 MiB)``: image B's size and its change from A."""
    text = human_size(size)
    if delta:
        text += f" ({'+' if delta > 0 else ''}{human_size(delta)})"
    return text


def count_with_delta(count: int, delta: int) -> str:
    """``124 (+2)``: image B's package count and its change from A."""
    return f"{count} ({delta_text(delta)})" if delta else str(count)
