"""Whether a package version falls in an OSV ``affected[]`` entry: ranges, events and versions[].

Implements the "Evaluation" section of the OSV schema (ossf/osv-schema ``docs/schema.md`` @
51b8156b, ``IsVulnerable`` / ``IncludedInVersions`` / ``IncludedInRanges`` / ``BeforeLimits``):

- a version is affected if it equals an entry of ``versions[]`` or lies in any range (ranges are
  OR'ed);
- a range counts only if the version is *before its limits*: below at least one ``limit`` event,
  where ``"*"`` is infinity and no limit event means an implicit ``"*"``;
- within a range the events are sorted by version (``introduced: "0"`` before everything) and
  walked in order: ``introduced`` ≤ v sets vulnerable, ``fixed`` ≤ v clears it,
  ``last_affected`` < v clears it. Several introduced/fixed pairs in one range are normal (Go
  stdlib branches); an ``introduced`` with nothing after it means unfixed.

``ECOSYSTEM`` and ``SEMVER`` ranges are compared with the comparator passed in (the ecosystem's
ordering, as osv-scanner does; for SEMVER ecosystems that is SemVer). ``GIT`` ranges name
commits, not package versions, and are ignored, as are unknown range types.

Equality with ``versions[]`` entries is the comparator's equality (``1.0`` = ``1.0.0`` in PEP 440),
or plain string equality for an entry the comparator cannot parse. Events at the same version keep
their order in the file (a stable sort). An invalid *queried* version or an invalid event version
raises :class:`~caulk.vuln.versions.InvalidVersion`, so that the caller can report it instead of
silently deciding either way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from caulk.vuln.versions import Comparator, InvalidVersion

MATCHABLE_RANGE_TYPES = frozenset({"ECOSYSTEM", "SEMVER"})
"""Range types whose events are package versions."""

_EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")


def _event(raw: Mapping[str, Any]) -> tuple[str, str] | None:
    """``(kind, version)`` of one event object; ``None`` for an object with no known kind."""
    for kind in _EVENT_KINDS:
        value = raw.get(kind)
        if isinstance(value, str):
            return kind, value
    return None


def _is_minimum(kind: str, version: str) -> bool:
    return kind == "introduced" and version == "0"


def _is_infinity(kind: str, version: str) -> bool:
    return kind == "limit" and "*" in version


Event = tuple[str, str]
"""``(kind, version)`` of one range event: ``("fixed", "1.0.2")``."""


def _sorted_events(events: Sequence[Event], comparator: Comparator) -> list[Event]:
    def order(a: Event, b: Event) -> int:
        rank_a = -1 if _is_minimum(*a) else 1 if _is_infinity(*a) else 0
        rank_b = -1 if _is_minimum(*b) else 1 if _is_infinity(*b) else 0
        if rank_a or rank_b:
            return (rank_a > rank_b) - (rank_a < rank_b)
        return comparator.compare(a[1], b[1])

    return sorted(events, key=functools.cmp_to_key(order))


def before_limits(version: str, events: Sequence[tuple[str, str]], comparator: Comparator) -> bool:
    """``BeforeLimits``: below some ``limit`` event, or no limit events at all."""
    limits = [value for kind, value in events if kind == "limit"]
    if not limits:
        return True
    return any("*" in limit or comparator.compare(version, limit) < 0 for limit in limits)


def in_range(version: str, events: Sequence[tuple[str, str]], comparator: Comparator) -> bool:
    """``IncludedInRanges`` for one range's ``(kind, version)`` events."""
    if not before_limits(version, events, comparator):
        return False
    vulnerable = False
    for kind, value in _sorted_events(events, comparator):
        if kind == "introduced":
            if value == "0" or comparator.compare(version, value) >= 0:
                vulnerable = True
        elif kind == "fixed":
            if comparator.compare(version, value) >= 0:
                vulnerable = False
        elif kind == "last_affected" and comparator.compare(version, value) > 0:
            vulnerable = False
    return vulnerable


def in_versions(version: str, versions: Iterable[str], comparator: Comparator) -> bool:
    """``IncludedInVersions``: equal to one of the enumerated versions."""
    for listed in versions:
        if listed == version:
            return True
        try:
            if comparator.compare(version, listed) == 0:
                return True
        except InvalidVersion:
            continue  # an unparseable listed version can only match by its exact string
    return False


def range_events(raw_range: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The ``(kind, version)`` events of one OSV range object, in file order."""
    events = raw_range.get("events") or []
    out: list[tuple[str, str]] = []
    for raw in events:
        if isinstance(raw, Mapping):
            event = _event(raw)
            if event is not None:
                out.append(event)
    return out


def is_affected(
    version: str,
    ranges: Iterable[Mapping[str, Any]],
    versions: Iterable[str],
    comparator: Comparator,
) -> bool:
    """Whether ``version`` is affected per one OSV ``affected[]`` entry's ranges and versions.

    ``ranges`` are the entry's ``ranges[]`` objects as in the JSON (``type``, ``events``);
    ``versions`` is its ``versions[]`` list. Raises
    :class:`~caulk.vuln.versions.InvalidVersion` when ``version`` or an event version is not a
    version of the comparator's scheme.
    """
    comparator.key(version)  # an invalid queried version is an error even with no ranges
    if in_versions(version, versions, comparator):
        return True
    for raw_range in ranges:
        if raw_range.get("type") not in MATCHABLE_RANGE_TYPES:
            continue
        if in_range(version, range_events(raw_range), comparator):
            return True
    return False


def fixed_versions(ranges: Iterable[Mapping[str, Any]]) -> list[str]:
    """The ``fixed`` versions of the matchable ranges, in file order, without duplicates."""
    seen: dict[str, None] = {}
    for raw_range in ranges:
        if raw_range.get("type") not in MATCHABLE_RANGE_TYPES:
            continue
        for kind, value in range_events(raw_range):
            if kind == "fixed":
                seen.setdefault(value, None)
    return list(seen)
