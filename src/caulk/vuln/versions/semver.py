"""SemVer 2.0 precedence, for the OSV ``SEMVER`` range type (npm, crates.io, Bitnami, DHI ...).

Strict parsing follows the grammar of semver.org 2.0.0 as node-semver implements it without
``loose`` (npm/node-semver ``internal/re.js``: ``FULL``): ``MAJOR.MINOR.PATCH``, numbers without
leading zeros, optional ``-prerelease`` of dot-separated identifiers (numeric ones without
leading zeros), optional ``+build``; surrounding whitespace and a leading ``v`` are tolerated as
node-semver does. Precedence
is section 11 of the spec: numbers numerically, a pre-release below its release, numeric
identifiers numerically and below alphanumeric ones (compared in ASCII order), a longer
identifier list above its prefix, build metadata ignored.

Deviation from node-semver: numbers are arbitrary-precision (node-semver refuses components
above ``Number.MAX_SAFE_INTEGER``; SemVer sets no limit).

:func:`coerce` repeats osv.dev's ``osv/semver_index.py`` ``coerce``: strip a leading ``v``, pad a
missing minor/patch with ``.0``, drop leading zeros from numbers and numeric pre-release
identifiers, and replace empty identifiers with ``-``. The comparator that caulk uses for OSV
``SEMVER`` ranges (:func:`osv_key`, :func:`osv_compare`) parses after that coercion, as osv.dev
does; on valid SemVer it is the strict ordering.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .base import InvalidVersion

SCHEME = "semver"

_NUMERIC = r"0|[1-9][0-9]*"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_BUILD_ID = r"[0-9A-Za-z-]+"
_SEMVER = re.compile(
    rf"v?({_NUMERIC})\.({_NUMERIC})\.({_NUMERIC})"
    rf"(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+{_BUILD_ID}(?:\.{_BUILD_ID})*)?"
)

PreKey = tuple[tuple[int, int] | tuple[int, str], ...]
SemverKey = tuple[int, int, int, tuple[int, PreKey]]
_RELEASE: tuple[int, PreKey] = (1, ())


def prerelease_key(prerelease: str) -> tuple[int, PreKey]:
    """Key of a validated pre-release string (``""`` = none, which sorts above any)."""
    if not prerelease:
        return _RELEASE
    ids: list[tuple[int, int] | tuple[int, str]] = []
    for ident in prerelease.split("."):
        ids.append((0, int(ident)) if ident.isdigit() else (1, ident))
    return (0, tuple(ids))


@lru_cache(maxsize=65536)
def key(version: str) -> SemverKey:
    """Sort key of a strict SemVer 2.0 version; raises :class:`InvalidVersion`."""
    match = _SEMVER.fullmatch(version.strip())  # node-semver trims its input
    if match is None:
        raise InvalidVersion(SCHEME, version, "not a SemVer 2.0 version (MAJOR.MINOR.PATCH)")
    major, minor, patch, pre = match.groups()
    return int(major), int(minor), int(patch), prerelease_key(pre or "")


def compare(a: str, b: str) -> int:
    """SemVer 2.0 precedence of two strict versions: -1, 0 or 1."""
    ka = key(a)
    kb = key(b)
    return (ka > kb) - (ka < kb)


_COERCE_VERSION = re.compile(r"(\d+)(\.\d+)?(\.\d+)?(.*)", re.DOTALL)
_COERCE_SUFFIX = re.compile(r"(-[^+]*)?(\+.*)?(.*)", re.DOTALL)


def _strip_zeros(component: str) -> str:
    if component.startswith("."):
        return "." + str(int(component[1:]))
    return str(int(component))


def _coerce_suffix(suffix: str) -> str:
    if not suffix:
        return suffix
    match = _COERCE_SUFFIX.fullmatch(suffix)
    assert match is not None  # every group is optional or matches anything
    pre_group, build_group, rest = match.groups()
    pre = ""
    if pre_group:
        parts = []
        for part in pre_group[1:].split("."):
            if not part:
                parts.append("-")
            elif part.isdecimal():
                parts.append(_strip_zeros(part))
            else:
                parts.append(part)
        pre = "-" + ".".join(parts)
    build = ""
    if build_group:
        build = "+" + ".".join(p or "-" for p in build_group[1:].split("."))
    return pre + build + rest


def coerce(version: str) -> str:
    """osv.dev's ``semver_index.coerce``: ``v1.2`` → ``1.2.0``, ``1.0.0-rc.01`` → ``1.0.0-rc.1``."""
    version = version.removeprefix("v")
    match = _COERCE_VERSION.fullmatch(version)
    if match is None:
        return version
    major, minor, patch, suffix = match.groups()
    return (
        _strip_zeros(major)
        + _strip_zeros(minor or ".0")
        + _strip_zeros(patch or ".0")
        + _coerce_suffix(suffix)
    )


@lru_cache(maxsize=65536)
def osv_key(version: str) -> SemverKey:
    """Sort key after osv.dev's coercion; raises :class:`InvalidVersion` naming the input."""
    try:
        return key(coerce(version.strip()))
    except InvalidVersion:
        raise InvalidVersion(
            SCHEME, version, "not a SemVer 2.0 version, even after osv.dev's coercion"
        ) from None


def osv_compare(a: str, b: str) -> int:
    """SemVer precedence after osv.dev's coercion: -1, 0 or 1."""
    ka = osv_key(a)
    kb = osv_key(b)
    return (ka > kb) - (ka < kb)
