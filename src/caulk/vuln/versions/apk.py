"""Alpine package version ordering (apk), for Alpine, Wolfi, Chainguard and other apk distros.

Mirrors ``src/version.c`` of alpinelinux/apk-tools 90b974fd (apk-tools 3): a version is read as
a stream of tokens ``digit{.digit}...{letter}{_suffix{number}}...{~hash}{-r#}`` and two versions
are compared token by token while both tokens have the same type:

- the first number and the numbers after ``_suffix`` and ``-r`` compare as integers (unsigned
  64-bit, wrapping like ``apk_blob_pull_uint``); a later ``.number`` compares as an integer unless
  either side starts with ``0``, then as a string (``1.01`` < ``1.1``, Gentoo style);
- a letter compares by its byte, a commit hash (``~hex``) as a string, a suffix by its rank:
  ``alpha`` < ``beta`` < ``pre`` < ``rc`` < (none) < ``cvs`` < ``svn`` < ``git`` < ``hg`` < ``p``;
- at the first position where the token *types* differ, a pre-release suffix (``alpha`` ..
  ``rc``) is lower; otherwise the token type that comes later in the grammar is lower, so end of
  string < ``-r`` < ``~hash`` < suffix number < suffix < letter < ``.number``, and an invalid
  token is lowest of all; two versions that become invalid at the same position are equal.

For two versions that apk accepts (``apk_version_validate``) the token walk above is the whole
story; each token becomes a ``(rank, value)`` pair whose tuple ordering is that comparison.

apk-tools 3 still "compares" a version it rejects, but the result is meaningless: everything
after the first invalid token is ignored, so ``6.0.2p1-r0`` = ``6.0.2p1-r8`` (a letter may not be
followed by digits) and ``a`` = ``b``. Such versions do occur in OSV Alpine data (old openssh
builds) and apk-tools 2 ordered them differently again. When either side is invalid, this module
therefore uses the ordering of OSV's own matcher, osv-scalibr ``semantic/version-alpine.go``
(c2094f2d): numeric components, one letter, ``_suffix`` list, ``-r`` build number, then the
unparsed remainder (none beats some); two unparseable versions compare as plain strings. That is
a deliberate deviation from apk-tools for input apk refuses; it keeps every row of osv-scalibr's
Alpine vectors and of apk-tools' own test data green. Only the empty string raises
:class:`InvalidVersion`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from functools import lru_cache

from .base import InvalidVersion

SCHEME = "apk"

# Token types, in apk-tools' enum order (enum PARTS).
_INITIAL_DIGIT = 0
_DIGIT = 1
_LETTER = 2
_SUFFIX = 3
_SUFFIX_NO = 4
_COMMIT_HASH = 5
_REVISION_NO = 6
_END = 7
_INVALID = 8

# Suffix ranks (DECLARE_SUFFIXES); _SUFFIX_NONE separates pre-release from post-release ones.
_SUFFIXES = {
    "alpha": 1,
    "beta": 2,
    "pre": 3,
    "rc": 4,
    "cvs": 6,
    "svn": 7,
    "git": 8,
    "hg": 9,
    "p": 10,
}
_SUFFIX_NONE = 5
_PRE_RELEASE_RANK = -100  # a pre-release suffix token loses against any other token type
_UINT64 = (1 << 64) - 1

_DECIMAL = frozenset("0123456789")
_HEX = frozenset("0123456789abcdef")
_LOWER = frozenset("abcdefghijklmnopqrstuvwxyz")

Token = tuple[int, int | str | tuple[int, int | str]]
ApkKey = tuple[Token, ...]


def _digits_end(text: str, pos: int) -> int:
    end = pos
    while end < len(text) and text[end] in _DECIMAL:
        end += 1
    return end


def _tokens(version: str) -> list[tuple[int, int | str]]:
    """apk's ``token_first``/``token_next`` walk: ``(type, value)`` up to END or INVALID."""
    out: list[tuple[int, int | str]] = []
    end = _digits_end(version, 0)
    if end == 0:
        out.append((_INVALID, 0))
        return out
    out.append((_INITIAL_DIGIT, int(version[:end]) & _UINT64))
    token = _INITIAL_DIGIT
    pos = end
    n = len(version)
    while True:
        if pos >= n:
            out.append((_END, 0))
            return out
        ch = version[pos]
        if ch in _LOWER:
            if token > _DIGIT:
                break
            token = _LETTER
            out.append((_LETTER, ord(ch)))
            pos += 1
        elif ch == "." or ch in _DECIMAL:
            if ch == ".":
                if token > _DIGIT:
                    break
                pos += 1
            if token in (_INITIAL_DIGIT, _DIGIT):
                token = _DIGIT
            elif token == _SUFFIX:
                token = _SUFFIX_NO
            else:
                break
            end = _digits_end(version, pos)
            if end == pos:
                break
            digits = version[pos:end]
            if token == _DIGIT:
                out.append((_DIGIT, digits))
            else:
                out.append((_SUFFIX_NO, int(digits) & _UINT64))
            pos = end
        elif ch == "_":
            if token > _SUFFIX_NO:
                break
            end = pos + 1
            while end < n and version[end] in _LOWER:
                end += 1
            rank = _SUFFIXES.get(version[pos + 1 : end])
            if rank is None:
                break
            token = _SUFFIX
            out.append((_SUFFIX, rank))
            pos = end
        elif ch == "~":
            if token >= _COMMIT_HASH:
                break
            end = pos + 1
            while end < n and version[end] in _HEX:
                end += 1
            if end == pos + 1:
                break
            token = _COMMIT_HASH
            out.append((_COMMIT_HASH, version[pos + 1 : end]))
            pos = end
        elif ch == "-":
            if token >= _REVISION_NO or not version.startswith("-r", pos):
                break
            pos += 2
            end = _digits_end(version, pos)
            if end == pos:
                break
            token = _REVISION_NO
            out.append((_REVISION_NO, int(version[pos:end]) & _UINT64))
            pos = end
        else:
            break
    out.append((_INVALID, 0))
    return out


def _rank(token_type: int, value: int | str) -> int:
    if token_type == _SUFFIX and isinstance(value, int) and value < _SUFFIX_NONE:
        return _PRE_RELEASE_RANK
    return -token_type


@lru_cache(maxsize=65536)
def _parse(version: str) -> tuple[bool, ApkKey]:
    """``(valid, key)``: whether apk accepts the version, and its apk-tools 3 token key."""
    if not version:
        raise InvalidVersion(SCHEME, version, "version string is empty")
    out: list[Token] = []
    tokens = _tokens(version)
    for token_type, value in tokens:
        if token_type == _DIGIT and isinstance(value, str):
            # Leading zero on either side means string sort; any string starting with '0' sorts
            # before one that does not, so the two cases order consistently.
            if value[0] == "0":
                out.append((-_DIGIT, (0, value)))
            else:
                out.append((-_DIGIT, (1, int(value) & _UINT64)))
        else:
            out.append((_rank(token_type, value), value))
    return tokens[-1][0] == _END, tuple(out)


def compare(a: str, b: str) -> int:
    """apk's ordering of two versions (``apk_version_compare``): -1, 0 or 1.

    Falls back to osv-scalibr's ordering when apk rejects either version (see module docs).
    """
    valid_a, ka = _parse(a)
    valid_b, kb = _parse(b)
    if valid_a and valid_b:
        return (ka > kb) - (ka < kb)
    return _lenient_compare(_lenient_parse(a), _lenient_parse(b))


def validate(version: str) -> bool:
    """``apk_version_validate``: whether the whole string follows apk's version grammar."""
    return bool(version) and _tokens(version)[-1][0] == _END


@functools.total_ordering
class ApkSortKey:
    """Sort key for apk versions (a plain tuple when both sides are valid, see :func:`compare`)."""

    __slots__ = ("_key", "_valid", "version")

    def __init__(self, version: str) -> None:
        self._valid, self._key = _parse(version)
        self.version = version

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, ApkSortKey):
            return NotImplemented
        if self._valid and other._valid:
            return self._key < other._key
        return compare(self.version, other.version) < 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ApkSortKey):
            return NotImplemented
        if self._valid and other._valid:
            return self._key == other._key
        return compare(self.version, other.version) == 0

    __hash__ = None  # type: ignore[assignment]


def key(version: str) -> ApkSortKey:
    """Sort key consistent with :func:`compare`; raises :class:`InvalidVersion` for ``""``."""
    return ApkSortKey(version)


# --- ordering for versions apk rejects: osv-scalibr semantic/version-alpine.go ---------------

_LENIENT_NUMBERS = re.compile(r"(?:[0-9]+\.?)*")
_LENIENT_SUFFIX = re.compile(r"_(alpha|beta|pre|rc|cvs|svn|git|hg|p)([0-9]*)")
_LENIENT_HASH = re.compile(r"~[0-9a-f]+")
_LENIENT_BUILD = re.compile(r"-r([0-9]*)")
# osv-scalibr's weights: alpha .. rc, "" (4), cvs .. hg, and p last; a *missing* suffix is
# padded with weight 5 (that of cvs), as osv-scalibr does.
_LENIENT_WEIGHTS = {"alpha": 0, "beta": 1, "pre": 2, "rc": 3, "cvs": 5, "svn": 6, "git": 7, "hg": 8}
_LENIENT_P_WEIGHT = 9
_LENIENT_MISSING_SUFFIX = (5, 0)
_LENIENT_MISSING_COMPONENT = ("0", 0, 0)


@dataclass(frozen=True, slots=True)
class _Lenient:
    original: str
    invalid: bool
    components: tuple[tuple[str, int, int], ...]  # (digits, value, index)
    letter: str
    suffixes: tuple[tuple[int, int], ...]  # (weight, number)
    build: int
    remainder: str


@lru_cache(maxsize=16384)
def _lenient_parse(version: str) -> _Lenient:
    rest = version
    components: list[tuple[str, int, int]] = []
    numbers = _LENIENT_NUMBERS.match(rest)
    if numbers and numbers.group():
        for index, digits in enumerate(numbers.group().split(".")):
            if not digits:
                break
            components.append((digits, int(digits), index))
        rest = rest[numbers.end() :]
    letter = ""
    if rest[:1] in _LOWER:
        letter, rest = rest[0], rest[1:]
    suffixes: list[tuple[int, int]] = []
    # osv-scalibr finds suffixes anywhere in the rest but only strips those at its start.
    for match in _LENIENT_SUFFIX.finditer(rest):
        suffixes.append((_LENIENT_WEIGHTS.get(match[1], _LENIENT_P_WEIGHT), int(match[2] or "0")))
    for name, digits in _LENIENT_SUFFIX.findall(rest):
        rest = rest.removeprefix(f"_{name}{digits}")
    hash_match = _LENIENT_HASH.match(rest)
    if hash_match:
        rest = rest[hash_match.end() :]
    invalid = False
    build = 0
    if rest:
        build_match = _LENIENT_BUILD.match(rest)
        if build_match is None:
            invalid = True
        else:
            build = int(build_match[1] or "0")
            rest = rest[build_match.end() :]
    return _Lenient(version, invalid, tuple(components), letter, tuple(suffixes), build, rest)


def _sign_int(a: int, b: int) -> int:
    return (a > b) - (a < b)


def _sign_str(a: str, b: str) -> int:
    return (a > b) - (a < b)


def _lenient_compare(v: _Lenient, w: _Lenient) -> int:
    if v.invalid and w.invalid:
        return _sign_str(v.original, w.original)
    for i in range(max(len(v.components), len(w.components))):
        x = v.components[i] if i < len(v.components) else _LENIENT_MISSING_COMPONENT
        y = w.components[i] if i < len(w.components) else _LENIENT_MISSING_COMPONENT
        if x[2] != 0 and y[2] != 0 and (x[0][0] == "0" or y[0][0] == "0"):
            diff = _sign_str(x[0], y[0])
        else:
            diff = _sign_int(x[1], y[1])
        if diff:
            return diff
    if bool(v.letter) != bool(w.letter):
        return 1 if v.letter else -1
    diff = _sign_str(v.letter, w.letter)
    if diff:
        return diff
    for i in range(max(len(v.suffixes), len(w.suffixes))):
        sx = v.suffixes[i] if i < len(v.suffixes) else _LENIENT_MISSING_SUFFIX
        sy = w.suffixes[i] if i < len(w.suffixes) else _LENIENT_MISSING_SUFFIX
        diff = (sx > sy) - (sx < sy)
        if diff:
            return diff
    diff = _sign_int(v.build, w.build)
    if diff:
        return diff
    if bool(v.remainder) != bool(w.remainder):
        return -1 if v.remainder else 1
    return 0
