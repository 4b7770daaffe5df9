"""OSV advisories as frozen values, parsed and validated once at the boundary.

The shape follows the OSV schema (ossf/osv-schema ``docs/schema.md`` @ 51b8156b; summary in
reference/osv.md). :meth:`Advisory.from_osv` turns one decoded record (JSON or YAML) into an
:class:`Advisory` or raises :class:`OSVError` naming what is wrong; the rest of caulk never sees
an unvalidated structure. Parsing is lenient where the schema allows growth and real data
deviates:

- unknown keys are ignored and ``schema_version`` is tolerated whatever its value (newer minor
  versions only add fields);
- an ``affected[]`` entry without a ``package`` (the schema allows it for GIT-only records) is
  kept out of :attr:`Advisory.affected`: it cannot be matched by package;
- an event object with no known kind is dropped (``ranges.range_events`` does the same);
- free-form ``database_specific`` / ``ecosystem_specific`` objects are kept verbatim.

Timestamps are timezone-aware UTC :class:`~datetime.datetime` values; the golang/vulndb
placeholder ``0001-01-01T00:00:00Z`` is a valid (very old) time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from caulk.vuln.versions import ecosystem_base

__all__ = [
    "EVENT_KINDS",
    "Advisory",
    "AffectedPackage",
    "Event",
    "OSVError",
    "Range",
    "RecordIndex",
    "Severity",
    "format_time",
    "index_record",
    "normalize_name",
    "parse_time",
]

EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
"""The event kinds of the OSV schema, in the schema's order."""


class OSVError(ValueError):
    """A record that is not a usable OSV advisory; the message names the field at fault."""


class Event(NamedTuple):
    """One range event: ``kind`` is ``introduced``, ``fixed``, ``last_affected`` or ``limit``.

    A tuple so that a range's events can be handed straight to :mod:`caulk.vuln.ranges`.
    """

    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Range:
    """One ``affected[].ranges[]`` object."""

    type: str
    """``ECOSYSTEM``, ``SEMVER`` or ``GIT`` (other values are kept and never match)."""
    events: tuple[Event, ...]
    """The events in file order (the schema does not promise they are sorted)."""
    repo: str | None = None
    """The repository URL of a ``GIT`` range."""

    def to_osv(self) -> dict[str, Any]:
        """The range as an OSV JSON object."""
        out: dict[str, Any] = {
            "type": self.type,
            "events": [{e.kind: e.value} for e in self.events],
        }
        if self.repo is not None:
            out["repo"] = self.repo
        return out

    @property
    def fixed(self) -> tuple[str, ...]:
        """The ``fixed`` versions of this range, in file order."""
        return tuple(e.value for e in self.events if e.kind == "fixed")


@dataclass(frozen=True, slots=True)
class Severity:
    """One ``severity[]`` entry: ``CVSS_V2``/``V3``/``V4`` with a vector, or ``Ubuntu``."""

    type: str
    score: str
    """A CVSS vector string, or the rating word of a distro-specific type."""

    def to_osv(self) -> dict[str, str]:
        """The entry as an OSV JSON object."""
        return {"type": self.type, "score": self.score}


@dataclass(frozen=True, slots=True)
class AffectedPackage:
    """One ``affected[]`` entry: a package in one ecosystem and its affected versions."""

    ecosystem: str
    """The exact OSV ecosystem string (``Debian:12``, ``Ubuntu:Pro:22.04:LTS``, ``PyPI``)."""
    name: str
    """The package name as published (the *source* package for distro ecosystems)."""
    purl: str | None = None
    ranges: tuple[Range, ...] = ()
    versions: tuple[str, ...] = ()
    """Explicitly enumerated affected versions."""
    severity: tuple[Severity, ...] = ()
    """Per-package severities (override the record's own, per the schema)."""
    ecosystem_specific: Mapping[str, Any] = field(default_factory=dict)
    database_specific: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ecosystem_base(self) -> str:
        """The ecosystem without its ``:suffix`` (``Debian:12`` → ``Debian``)."""
        return ecosystem_base(self.ecosystem)

    @property
    def normalized_name(self) -> str:
        """The name as lookups key it (see :func:`normalize_name`)."""
        return normalize_name(self.ecosystem, self.name)

    @property
    def fixed_versions(self) -> tuple[str, ...]:
        """Every ``fixed`` version of the ECOSYSTEM/SEMVER ranges, in file order, once each."""
        seen: dict[str, None] = {}
        for rng in self.ranges:
            if rng.type in ("ECOSYSTEM", "SEMVER"):
                for value in rng.fixed:
                    seen.setdefault(value, None)
        return tuple(seen)

    @property
    def fixable(self) -> bool:
        """Whether a fixed version exists in this ecosystem."""
        return bool(self.fixed_versions)

    @classmethod
    def from_osv(cls, entry: object, where: str = "affected") -> AffectedPackage | None:
        """Parse one ``affected[]`` object; ``None`` when it names no package (GIT-only)."""
        if not isinstance(entry, Mapping):
            raise OSVError(f"{where} is not an object")
        package = entry.get("package")
        if package is None:
            return None
        if not isinstance(package, Mapping):
            raise OSVError(f"{where}.package is not an object")
        ecosystem, name, purl = package.get("ecosystem"), package.get("name"), package.get("purl")
        if not isinstance(ecosystem, str) or not isinstance(name, str):
            raise OSVError(f"{where}.package needs string 'ecosystem' and 'name'")
        ranges: list[Range] = []
        for index, raw in enumerate(_list(entry, "ranges", where)):
            ranges.append(_range(raw, f"{where}.ranges[{index}]"))
        return cls(
            ecosystem=ecosystem,
            name=name,
            purl=purl if isinstance(purl, str) else None,
            ranges=tuple(ranges),
            versions=_strings(entry, "versions", where),
            severity=_severities(entry, where),
            ecosystem_specific=_object(entry, "ecosystem_specific", where),
            database_specific=_object(entry, "database_specific", where),
        )

    def affects(self, version: str) -> bool:
        """Whether ``version`` is affected, evaluated exactly as the OSV schema defines it.

        Uses the ecosystem's own ordering (:func:`caulk.vuln.versions.comparator_for`); raises
        :class:`~caulk.vuln.versions.InvalidVersion` or
        :class:`~caulk.vuln.versions.UnsupportedEcosystem` rather than guessing.
        """
        from caulk.vuln.ranges import MATCHABLE_RANGE_TYPES, in_range, in_versions
        from caulk.vuln.versions import comparator_for

        comparator = comparator_for(self.ecosystem)
        comparator.key(version)
        if in_versions(version, self.versions, comparator):
            return True
        return any(
            in_range(version, rng.events, comparator)
            for rng in self.ranges
            if rng.type in MATCHABLE_RANGE_TYPES
        )

    def ranges_osv(self) -> list[dict[str, Any]]:
        """The ranges as OSV JSON objects (the input of :func:`caulk.vuln.ranges.is_affected`)."""
        return [r.to_osv() for r in self.ranges]


@dataclass(frozen=True, slots=True)
class Advisory:
    """One OSV record."""

    id: str
    modified: datetime
    published: datetime | None = None
    withdrawn: datetime | None = None
    """Set when the record was withdrawn: stored, flagged, never matched."""
    summary: str = ""
    details: str = ""
    aliases: tuple[str, ...] = ()
    """IDs of the same vulnerability elsewhere (CVE, GHSA ...)."""
    upstream: tuple[str, ...] = ()
    """IDs this record derives from (a USN's UBUNTU-CVE records, a distro record's CVE)."""
    related: tuple[str, ...] = ()
    """Related but distinct IDs (Freexian ELTS lists the CVEs it fixes here)."""
    severity: tuple[Severity, ...] = ()
    affected: tuple[AffectedPackage, ...] = ()
    database_specific: Mapping[str, Any] = field(default_factory=dict)
    schema_version: str = "1.0.0"
    """The record's ``schema_version``; ``1.0.0`` when absent, as the schema says."""

    @property
    def is_withdrawn(self) -> bool:
        """Whether the record is withdrawn."""
        return self.withdrawn is not None

    @property
    def references_ids(self) -> tuple[str, ...]:
        """``aliases`` then ``upstream`` then ``related``: every other ID the record names."""
        return (*self.aliases, *self.upstream, *self.related)

    @classmethod
    def from_osv(cls, obj: object) -> Advisory:
        """Parse one decoded OSV record; raises :class:`OSVError` naming the bad field."""
        if not isinstance(obj, Mapping):
            raise OSVError(f"an OSV record is a JSON object, not {type(obj).__name__}")
        ident = obj.get("id")
        if not isinstance(ident, str) or not ident.strip():
            raise OSVError("'id' is missing or not a non-empty string")
        where = ident
        modified = obj.get("modified")
        if modified is None:
            raise OSVError(f"{where}: 'modified' is missing")
        affected_raw = _list(obj, "affected", where)
        affected: list[AffectedPackage] = []
        for index, entry in enumerate(affected_raw):
            parsed = AffectedPackage.from_osv(entry, f"{where}: affected[{index}]")
            if parsed is not None:
                affected.append(parsed)
        schema_version = obj.get("schema_version")
        return cls(
            id=ident,
            modified=parse_time(modified, f"{where}: 'modified'"),
            published=_optional_time(obj, "published", where),
            withdrawn=_optional_time(obj, "withdrawn", where),
            summary=_str(obj, "summary", where),
            details=_str(obj, "details", where),
            aliases=_strings(obj, "aliases", where),
            upstream=_strings(obj, "upstream", where),
            related=_strings(obj, "related", where),
            severity=_severities(obj, where),
            affected=tuple(affected),
            database_specific=_object(obj, "database_specific", where),
            schema_version=schema_version if isinstance(schema_version, str) else "1.0.0",
        )


class RecordIndex(NamedTuple):
    """What the store indexes of one record (:func:`index_record`)."""

    id: str
    modified: datetime
    published: datetime | None
    withdrawn: datetime | None
    times: tuple[str, str | None, str | None]
    """``modified``, ``published``, ``withdrawn`` as :func:`format_time` writes them."""
    summary: str
    aliases: list[str]
    upstream: list[str]
    related: list[str]
    schema_version: str
    packages: list[tuple[str, str]]
    """``(ecosystem, name)`` of each ``affected[]`` entry that names a package, in order."""


_ONLY_STR = {str}
_EVENT_KIND_SET = frozenset(EVENT_KINDS)


def _strs(value: object) -> bool:
    # set(map(type, ...)) runs in C: several times faster than a generator over long
    # versions[] lists (JSON never yields str subclasses, so this equals isinstance)
    return value is None or (
        type(value) is list and (not value or set(map(type, value)) == _ONLY_STR)
    )


def _severity_ok(value: object) -> bool:
    if value is None:
        return True
    if type(value) is not list:
        return False
    for entry in value:
        if (
            type(entry) is not dict
            or type(entry.get("type")) is not str
            or type(entry.get("score")) is not str
        ):
            return False
    return True


def _range_ok(raw: object) -> bool:
    if type(raw) is not dict or type(raw.get("type")) is not str:
        return False
    events = raw.get("events")
    if events is None:
        return True
    if type(events) is not list:
        return False
    for event in events:
        if type(event) is not dict:
            return False
        if len(event) == 1:  # the usual shape: one known kind with a string
            ((kind, value),) = event.items()
            if kind in _EVENT_KIND_SET and value is not None and type(value) is not str:
                return False
            continue
        for kind in EVENT_KINDS:
            value = event.get(kind)
            if value is not None:
                if type(value) is not str:
                    return False
                break
    return True


def _fast_index(obj: object) -> RecordIndex | None:
    """The index of a well-formed record, or None when anything is off (see index_record)."""
    if not isinstance(obj, dict):
        return None
    ident, modified = obj.get("id"), obj.get("modified")
    if not isinstance(ident, str) or not ident.strip() or not isinstance(modified, str):
        return None
    summary, details = obj.get("summary"), obj.get("details")
    aliases, upstream, related = obj.get("aliases"), obj.get("upstream"), obj.get("related")
    database = obj.get("database_specific")
    if not (
        (summary is None or isinstance(summary, str))
        and (details is None or isinstance(details, str))
        and _strs(aliases)
        and _strs(upstream)
        and _strs(related)
        and _severity_ok(obj.get("severity"))
        and (database is None or isinstance(database, dict))
    ):
        return None
    packages: list[tuple[str, str]] = []
    affected = obj.get("affected")
    if affected is not None:
        if not isinstance(affected, list):
            return None
        for entry in affected:
            if not isinstance(entry, dict):
                return None
            package = entry.get("package")
            if package is None:
                continue
            if not isinstance(package, dict):
                return None
            ecosystem, name = package.get("ecosystem"), package.get("name")
            ranges = entry.get("ranges")
            specific, entry_db = entry.get("ecosystem_specific"), entry.get("database_specific")
            if not (
                isinstance(ecosystem, str)
                and isinstance(name, str)
                and (ranges is None or (type(ranges) is list and all(map(_range_ok, ranges))))
                and _strs(entry.get("versions"))
                and _severity_ok(entry.get("severity"))
                and (specific is None or isinstance(specific, dict))
                and (entry_db is None or isinstance(entry_db, dict))
            ):
                return None
            packages.append((ecosystem, name))
    try:
        published = _optional_time(obj, "published", ident)
        withdrawn = _optional_time(obj, "withdrawn", ident)
        modified_time = parse_time(modified)
    except OSVError:
        return None
    schema_version = obj.get("schema_version")
    times = (
        _canonical(modified, modified_time),
        _canonical(obj["published"], published) if published else None,
        _canonical(obj["withdrawn"], withdrawn) if withdrawn else None,
    )
    return RecordIndex(
        ident,
        modified_time,
        published,
        withdrawn,
        times,
        summary or "",
        aliases or [],
        upstream or [],
        related or [],
        schema_version if isinstance(schema_version, str) else "1.0.0",
        packages,
    )


def _canonical(text: object, parsed: datetime) -> str:
    """``format_time(parsed)``, taking the common ``YYYY-MM-DDTHH:MM:SSZ`` text as it is."""
    if type(text) is str and len(text) == 20 and text[19] == "Z" and text[10] == "T":
        return text
    return format_time(parsed)


def index_record(obj: object) -> RecordIndex:
    """Validate a decoded record as :meth:`Advisory.from_osv` does, without building it.

    The importer's fast path: it checks every field that ``from_osv`` checks (so a stored record
    always parses when it is read back) and returns only what the store indexes. On a bad
    record it defers to ``from_osv`` for the precise message.
    """
    index = _fast_index(obj)
    if index is not None:
        return index
    Advisory.from_osv(obj)  # raises OSVError naming the field
    raise OSVError(f"{obj.get('id') if isinstance(obj, dict) else obj!r}: not a valid OSV record")


_PEP503 = re.compile(r"[-_.]+")


@functools.lru_cache(maxsize=4096)
def _base(ecosystem: str) -> str:
    return ecosystem_base(ecosystem)


def normalize_name(ecosystem: str, name: str) -> str:
    """The package name as the store keys it.

    PyPI names are PEP 503-normalised (``Foo_Bar.baz`` → ``foo-bar-baz``), since pip treats
    those spellings as one project; crates.io names are lower-cased with ``_`` → ``-`` (the
    registry refuses names that differ only so). Every other ecosystem compares names exactly:
    Go module paths, Maven coordinates and RPM names are case-sensitive, and Debian/Alpine
    names are lower-case by policy already.
    """
    base = _base(ecosystem)
    if base == "PyPI":
        return _PEP503.sub("-", name).lower()
    if base == "crates.io":
        return name.lower().replace("_", "-")
    return name


def parse_time(value: object, where: str = "timestamp") -> datetime:
    """An RFC 3339 timestamp as an aware UTC datetime (a naive one is taken as UTC)."""
    if isinstance(value, datetime):  # a YAML loader may have decoded it already
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise OSVError(f"{where} is not an RFC 3339 time: {value!r}") from None
    else:
        raise OSVError(f"{where} is not a string: {value!r}")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_time(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]Z``: fixed width, so strings sort as times do."""
    v = value.astimezone(UTC) if value.tzinfo is not None else value
    text = f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    if v.microsecond:
        text += f".{v.microsecond:06d}"
    return text + "Z"


def _optional_time(obj: Mapping[str, Any], key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    return parse_time(value, f"{where}: {key!r}")


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise OSVError(f"{where}: {key!r} is not a string")
    return value


def _list(obj: Mapping[str, Any], key: str, where: str) -> Sequence[Any]:
    value = obj.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise OSVError(f"{where}: {key!r} is not a list")
    return value


def _strings(obj: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _list(obj, key, where)
    for value in values:
        if not isinstance(value, str):
            raise OSVError(f"{where}: {key!r} holds a non-string {value!r}")
    return tuple(values)


def _object(obj: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    value = obj.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise OSVError(f"{where}: {key!r} is not an object")
    return value


def _severities(obj: Mapping[str, Any], where: str) -> tuple[Severity, ...]:
    out: list[Severity] = []
    for index, entry in enumerate(_list(obj, "severity", where)):
        if not isinstance(entry, Mapping):
            raise OSVError(f"{where}: severity[{index}] is not an object")
        kind, score = entry.get("type"), entry.get("score")
        if not isinstance(kind, str) or not isinstance(score, str):
            raise OSVError(f"{where}: severity[{index}] needs string 'type' and 'score'")
        out.append(Severity(kind, score))
    return tuple(out)


def _range(raw: object, where: str) -> Range:
    if not isinstance(raw, Mapping):
        raise OSVError(f"{where} is not an object")
    kind = raw.get("type")
    if not isinstance(kind, str):
        raise OSVError(f"{where}.type is missing")
    events: list[Event] = []
    for index, event in enumerate(_list(raw, "events", where)):
        if not isinstance(event, Mapping):
            raise OSVError(f"{where}.events[{index}] is not an object")
        for name in EVENT_KINDS:
            value = event.get(name)
            if value is not None:
                if not isinstance(value, str):
                    raise OSVError(f"{where}.events[{index}].{name} is not a string")
                events.append(Event(name, value))
                break
    repo = raw.get("repo")
    return Range(kind, tuple(events), repo if isinstance(repo, str) else None)
