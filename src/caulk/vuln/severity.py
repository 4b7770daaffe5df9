"""How bad an advisory is for one package: a level, and the CVSS base score when there is one.

Levels: ``critical``, ``high``, ``medium``, ``low``, ``negligible``, ``unknown``. The first
source that gives an answer wins:

1. CVSS vectors in ``severity[]``, the ``affected[]`` entry's own first (the schema lets them
   override the record's), ``CVSS_V3`` before ``CVSS_V4`` before ``CVSS_V2``. v3.x comes first
   because it is the vector every database publishes, so the scores line up with other
   scanners'; v4 is used when it is the only one. Base scores are computed by the ``cvss``
   package (RedHatProductSecurity/cvss), never taken from free text. The qualitative bands are
   CVSS's own (v3.1 spec §5, v4.0 spec "Qualitative Severity Rating Scale"): 9.0–10 critical,
   7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low, 0.0 negligible (CVSS "None").
2. The distribution's or database's own rating: an ``Ubuntu`` severity entry or
   ``ecosystem_specific.ubuntu_priority``; Debian's ``ecosystem_specific.urgency``
   (``unimportant`` → negligible; ``not yet assigned`` and ``end-of-life`` give no answer);
   ``database_specific.severity`` of the entry then of the record (GHSA ``LOW``…``CRITICAL``,
   ``MODERATE`` → medium; DHI, Bitnami).
3. ``unknown``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from caulk.vuln.models import Advisory, AffectedPackage, Severity

__all__ = [
    "LEVELS",
    "LEVEL_RANK",
    "Rating",
    "base_score",
    "level_for_score",
    "level_for_word",
    "rate",
    "worst",
]

LEVELS = ("critical", "high", "medium", "low", "negligible", "unknown")
"""Every level, worst first."""

LEVEL_RANK = {"critical": 5, "high": 4, "medium": 3, "low": 2, "negligible": 1, "unknown": 0}
"""Higher is worse; ``unknown`` ranks lowest so that any real rating beats it."""

_CVSS_ORDER = ("CVSS_V3", "CVSS_V4", "CVSS_V2")

_WORDS = {
    "critical": "critical",
    "high": "high",
    "important": "high",
    "medium": "medium",
    "moderate": "medium",
    "low": "low",
    "negligible": "negligible",
    "unimportant": "negligible",
    "none": "negligible",
    "info": "negligible",
}


@dataclass(frozen=True, slots=True)
class Rating:
    """The severity caulk reports for one (advisory, affected package)."""

    level: str
    """One of :data:`LEVELS`."""
    score: float | None = None
    """CVSS base score, when the level came from a vector."""
    vector: str | None = None
    """The CVSS vector used."""
    source: str = "none"
    """Where the level came from: ``CVSS_V3``, ``CVSS_V4``, ``CVSS_V2``, ``Ubuntu``,
    ``ubuntu_priority``, ``urgency``, ``database_specific`` or ``none``."""


def base_score(severity: Severity) -> float | None:
    """The CVSS base score of a ``CVSS_V2``/``V3``/``V4`` entry; None if not a valid vector."""
    from cvss import CVSS2, CVSS3, CVSS4, CVSSError  # type: ignore[import-untyped]

    vector = severity.score.strip()
    try:
        if severity.type == "CVSS_V3":
            return float(CVSS3(vector).base_score)
        if severity.type == "CVSS_V4":
            return float(CVSS4(vector).base_score)
        if severity.type == "CVSS_V2":
            return float(CVSS2(vector.removeprefix("(").removesuffix(")")).base_score)
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def level_for_score(score: float) -> str:
    """CVSS's qualitative band for a base score."""
    if score >= 9.0:
        return "critical"
    if score >= 7.0:
        return "high"
    if score >= 4.0:
        return "medium"
    if score > 0.0:
        return "low"
    return "negligible"


def level_for_word(word: object) -> str | None:
    """A rating word (``HIGH``, ``moderate``, ``unimportant``, ``low*``) as a level, or None."""
    if not isinstance(word, str):
        return None
    return _WORDS.get(word.strip().rstrip("*").strip().lower())


def _from_cvss(entries: Iterable[Severity]) -> Rating | None:
    entries = list(entries)
    for kind in _CVSS_ORDER:
        for entry in entries:
            if entry.type == kind:
                score = base_score(entry)
                if score is not None:
                    return Rating(level_for_score(score), score, entry.score.strip(), kind)
    return None


def _from_words(
    severities: Iterable[Severity], specific: Mapping[str, Any], database: Mapping[str, Any]
) -> Rating | None:
    for entry in severities:
        if entry.type == "Ubuntu":
            level = level_for_word(entry.score)
            if level is not None:
                return Rating(level, source="Ubuntu")
    for key in ("ubuntu_priority", "urgency"):
        level = level_for_word(specific.get(key))
        if level is not None:
            return Rating(level, source=key)
    level = level_for_word(database.get("severity"))
    if level is not None:
        return Rating(level, source="database_specific")
    return None


def rate(
    advisory: Advisory, affected: AffectedPackage | None = None, *, prefer: str = "cvss"
) -> Rating:
    """The :class:`Rating` of ``advisory`` for the package of ``affected`` (see module doc).

    ``prefer="distro"`` puts the distribution's or database's own rating first (what Trivy
    does for OS packages: Ubuntu rates glibc's CVE-2016-20013 *negligible* where its CVSS
    vector says 7.5); the CVSS score and vector are still reported beside that level.
    """
    own = affected.severity if affected is not None else ()
    cvss = _from_cvss(own) or _from_cvss(advisory.severity)
    words: Rating | None = None
    if affected is not None:
        words = _from_words(own, affected.ecosystem_specific, affected.database_specific)
    words = words or _from_words(advisory.severity, {}, advisory.database_specific)
    if prefer == "distro" and words is not None:
        if cvss is not None:
            return Rating(words.level, cvss.score, cvss.vector, words.source)
        return words
    return cvss or words or Rating("unknown")


def worst(ratings: Iterable[Rating]) -> Rating:
    """The worst rating (by level, then score); ``unknown`` for none."""
    best: Rating | None = None
    for rating in ratings:
        if best is None or (LEVEL_RANK[rating.level], rating.score or 0.0) > (
            LEVEL_RANK[best.level],
            best.score or 0.0,
        ):
            best = rating
    return best or Rating("unknown")
