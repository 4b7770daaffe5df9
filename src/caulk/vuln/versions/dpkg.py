"""Debian package version ordering (``[epoch:]upstream[-revision]``), for Debian and Ubuntu.

Mirrors dpkg's ``lib/dpkg/version.c`` (``dpkg_version_compare``, ``verrevcmp``, ``order``) and
the checks of ``lib/dpkg/parsehelp.c`` (``parseversion``):

- the epoch is compared as an integer (absent = 0), then upstream, then revision (absent = "");
- a part is compared as alternating runs of non-digits and digits; non-digit runs character by
  character with ``~`` < end-of-run < letters < everything else (by byte value + 256), digit
  runs numerically (so ``1.0000`` = ``1.0`` and ``1.0-0`` = ``1.0``).

Errors that make ``dpkg --compare-versions`` fail raise :class:`InvalidVersion` (empty string,
embedded blanks, bad epoch, nothing after the colon, empty revision after a trailing ``-``).
dpkg only *warns* about an upstream part that does not start with a digit or about characters
outside ``[A-Za-z0-9.+~:-]`` and still compares; so does this module.

Instead of a character loop, each version becomes a tuple key whose natural ordering is exactly
``verrevcmp``: a part is split into ``(non-digit run, number)`` pairs, each non-digit run becomes
the tuple of its characters' ``order()`` values closed by 0 (``order`` of end-of-run), and the
part is closed by one more ``(0,)``. A non-first pair always has a non-empty non-digit run, so
two keys never stand in a prefix relation unless equal and element-wise comparison reproduces
dpkg's implicit padding with empty runs. Keys are cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .base import InvalidVersion

SCHEME = "dpkg"

_INT_MAX = 2**31 - 1
_DIGITS = re.compile(rb"([0-9]+)")
_EPOCH = re.compile(r"[+-]?[0-9]+")
_END: tuple[int, ...] = (0,)

PartKey = tuple[tuple[int, ...] | int, ...]
DpkgKey = tuple[int, PartKey, PartKey]


def _order(byte: int) -> int:
    """dpkg's ``order()``: ``~`` < end/digit (0) < letters < other bytes.

    Bytes above 0x7f go through a signed ``char`` on the platforms dpkg is built for most
    (x86), which maps them to 128..255 after the ``+ 256``.
    """
    if byte == 0x7E:  # '~'
        return -1
    if 0x41 <= byte <= 0x5A or 0x61 <= byte <= 0x7A:
        return byte
    if byte >= 0x80:
        return byte
    return byte + 256


_ORDER_TABLE = tuple(_order(b) for b in range(256))


def _run_key(run: bytes) -> tuple[int, ...]:
    table = _ORDER_TABLE
    return (*(table[b] for b in run), 0)


@lru_cache(maxsize=65536)
def _part_key(part: str) -> PartKey:
    pieces = _DIGITS.split(part.encode("utf-8", "surrogateescape"))
    key: list[tuple[int, ...] | int] = []
    last = len(pieces) - 1
    for i in range(0, last, 2):
        key.append(_run_key(pieces[i]))
        key.append(int(pieces[i + 1]))
    if pieces[last] or last == 0:
        key.append(_run_key(pieces[last]))
        key.append(0)
    key.append(_END)
    return tuple(key)


def split(version: str) -> tuple[int, str, str]:
    """``(epoch, upstream, revision)`` as dpkg's ``parseversion`` splits them.

    Raises :class:`InvalidVersion` for the errors dpkg refuses to compare.
    """
    if not version:
        raise InvalidVersion(SCHEME, version, "version string is empty")
    text = version.strip(" \t")
    if any(c in " \t" for c in text):
        raise InvalidVersion(SCHEME, version, "version string has embedded spaces")
    epoch = 0
    epoch_text, colon, rest = text.partition(":")
    if colon:
        if not epoch_text:
            raise InvalidVersion(SCHEME, version, "epoch in version is empty")
        if not _EPOCH.fullmatch(epoch_text):
            raise InvalidVersion(SCHEME, version, "epoch in version is not number")
        epoch = int(epoch_text)
        if epoch < 0:
            raise InvalidVersion(SCHEME, version, "epoch in version is negative")
        if epoch > _INT_MAX:
            raise InvalidVersion(SCHEME, version, "epoch in version is too big")
        if not rest:
            raise InvalidVersion(SCHEME, version, "nothing after colon in version number")
        text = rest
    upstream, hyphen, revision = text.rpartition("-")
    if not hyphen:
        upstream, revision = text, ""
    elif not revision:
        raise InvalidVersion(SCHEME, version, "revision number is empty")
    if not upstream:
        raise InvalidVersion(SCHEME, version, "version number is empty")
    return epoch, upstream, revision


@lru_cache(maxsize=65536)
def key(version: str) -> DpkgKey:
    """Sort key for a Debian version; raises :class:`InvalidVersion`."""
    epoch, upstream, revision = split(version)
    return epoch, _part_key(upstream), _part_key(revision)


def compare(a: str, b: str) -> int:
    """dpkg's ordering of two versions: -1, 0 or 1."""
    ka = key(a)
    kb = key(b)
    return (ka > kb) - (ka < kb)
