"""RPM version ordering (``[epoch:]version[-release]``), for Red Hat, AlmaLinux, Rocky, SUSE ...

Mirrors rpm's ``rpmio/rpmvercmp.cc`` (``rpmvercmp``) and ``rpmio/rpmver.cc`` (``parseEVR``,
``rpmverCmp``) at rpm-software-management/rpm a8f0192a:

- ``parseEVR``: the epoch is the run of leading digits when a ``:`` follows it (an empty one
  counts as ``0``; no epoch compares as ``0``); the release is what follows the *last* ``-``;
- ``rpmverCmp``: epoch, then version, then release, each with ``rpmvercmp``; a missing release
  sorts before any release, even an empty one (``1`` < ``1-``);
- ``rpmvercmp``: characters other than ASCII letters, digits, ``~`` and ``^`` only separate
  segments; ``~`` sorts before everything, even the end of the string; ``^`` sorts after the end
  of the string but before any further segment; a numeric segment is newer than an alphabetic
  one; numeric segments compare as integers, alphabetic ones bytewise; when one string runs out,
  the other is newer.

The segment walk is turned into a tuple key: tokens ``~`` → ``(0,)``, end → ``(1,)``, ``^`` →
``(2,)``, letters → ``(3, text)``, digits → ``(4, number)``, closed by the end token, which gives
``rpmvercmp``'s result under plain tuple comparison. Only the empty string is invalid.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .base import InvalidVersion

SCHEME = "rpm"

# One token: a tilde, a caret, a run of ASCII letters or a run of ASCII digits. Everything else
# separates tokens and is dropped, exactly as rpmvercmp skips it.
_TOKEN = re.compile(r"(~)|(\^)|([A-Za-z]+)|([0-9]+)")
_TILDE = (0,)
_END = (1,)
_CARET = (2,)

SegmentKey = tuple[tuple[int] | tuple[int, str] | tuple[int, int], ...]
EvrKey = tuple[SegmentKey, SegmentKey, tuple[()] | tuple[SegmentKey]]


@lru_cache(maxsize=65536)
def segment_key(text: str) -> SegmentKey:
    """Sort key for one ``rpmvercmp`` operand (an epoch, version or release string)."""
    out: list[tuple[int] | tuple[int, str] | tuple[int, int]] = []
    for tilde, caret, alpha, digits in _TOKEN.findall(text):
        if tilde:
            out.append(_TILDE)
        elif caret:
            out.append(_CARET)
        elif alpha:
            out.append((3, alpha))
        else:
            out.append((4, int(digits)))
    out.append(_END)
    return tuple(out)


def rpmvercmp(a: str, b: str) -> int:
    """rpm's ``rpmvercmp`` on two bare version (or release) strings: -1, 0 or 1."""
    ka = segment_key(a)
    kb = segment_key(b)
    return (ka > kb) - (ka < kb)


def split(evr: str) -> tuple[str | None, str, str | None]:
    """``(epoch, version, release)`` as rpm's ``parseEVR`` splits them (``None`` = absent)."""
    if not evr:
        raise InvalidVersion(SCHEME, evr, "version string is empty")
    i = 0
    while i < len(evr) and "0" <= evr[i] <= "9":
        i += 1
    epoch: str | None = None
    version = evr
    if i < len(evr) and evr[i] == ":":
        epoch = evr[:i] or "0"
        version = evr[i + 1 :]
    release: str | None = None
    # parseEVR looks for the last '-' after the epoch digits (which cannot contain one).
    version_part, hyphen, release_part = version.rpartition("-")
    if hyphen:
        version, release = version_part, release_part
    return epoch, version, release


@lru_cache(maxsize=65536)
def key(evr: str) -> EvrKey:
    """Sort key for an ``[epoch:]version[-release]`` string; raises :class:`InvalidVersion`."""
    epoch, version, release = split(evr)
    release_key: tuple[()] | tuple[SegmentKey] = () if release is None else (segment_key(release),)
    return segment_key(epoch or "0"), segment_key(version), release_key


def compare(a: str, b: str) -> int:
    """rpm's ordering of two EVR strings (``rpmverCmp``): -1, 0 or 1."""
    ka = key(a)
    kb = key(b)
    return (ka > kb) - (ka < kb)
