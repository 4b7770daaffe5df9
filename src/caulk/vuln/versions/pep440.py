"""Python package version ordering (PEP 440), for the PyPI ecosystem.

``packaging.version.Version`` is the reference implementation (pypa/packaging, which pip uses)
and is used as is: its objects are the sort keys. A string that ``packaging`` refuses raises
:class:`InvalidVersion`; OSV's PyPI records only carry PEP 440 versions.

For the rare installed distribution with a pre-PEP 440 version (``0.1-bulbasaur``),
:func:`legacy_key` reproduces setuptools/packaging's former ``LegacyVersion`` (packaging < 22):
such versions sort before every PEP 440 version, among themselves by ``parse_version``'s old
component rules. That is the ordering osv-scanner used; it is opt-in, not part of
:func:`compare`.
"""

from __future__ import annotations

import re
from functools import lru_cache

from packaging.version import InvalidVersion as PackagingInvalidVersion
from packaging.version import Version

from .base import InvalidVersion

SCHEME = "pep440"


@lru_cache(maxsize=65536)
def key(version: str) -> Version:
    """``packaging.version.Version(version)``; raises :class:`InvalidVersion`."""
    try:
        return Version(version)
    except PackagingInvalidVersion:
        raise InvalidVersion(SCHEME, version, "not a valid PEP 440 version") from None


def compare(a: str, b: str) -> int:
    """PEP 440 ordering of two versions: -1, 0 or 1 (``1.0`` = ``1.0.0``, local > public)."""
    ka = key(a)
    kb = key(b)
    return (ka > kb) - (ka < kb)


_LEGACY_COMPONENT = re.compile(r"(\d+|[a-z]+|\.|-)")
_LEGACY_REPLACEMENTS = {"pre": "c", "preview": "c", "-": "final-", "rc": "c", "dev": "@"}

LegacyKey = tuple[int, tuple[str, ...]] | tuple[int, Version]


def _legacy_parts(version: str) -> list[str]:
    parts: list[str] = []
    for raw in _LEGACY_COMPONENT.split(version.lower()):
        part = _LEGACY_REPLACEMENTS.get(raw, raw)
        if not part or part == ".":
            continue
        part = part.zfill(8) if part[:1] in "0123456789" else "*" + part
        if part.startswith("*"):
            if part < "*final":  # remove "-" before a pre-release tag
                while parts and parts[-1] == "*final-":
                    parts.pop()
            while parts and parts[-1] == "00000000":  # remove trailing zeros
                parts.pop()
        parts.append(part)
    while parts and parts[-1] == "00000000":
        parts.pop()
    parts.append("*final")
    return parts


@lru_cache(maxsize=16384)
def legacy_key(version: str) -> LegacyKey:
    """Sort key accepting any string: PEP 440 versions as usual, others as ``LegacyVersion``.

    Legacy versions get epoch -1 and sort before every PEP 440 version.
    """
    try:
        return (0, Version(version))
    except PackagingInvalidVersion:
        return (-1, tuple(_legacy_parts(version)))


def compare_legacy(a: str, b: str) -> int:
    """:func:`compare` that also orders pre-PEP 440 versions (see :func:`legacy_key`)."""
    ka = legacy_key(a)
    kb = legacy_key(b)
    return (ka > kb) - (ka < kb)  # type: ignore[operator]
