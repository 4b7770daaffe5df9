"""Maven version ordering: a port of Maven 3's ``ComparableVersion``.

Mirrors ``maven-artifact/src/main/java/org/apache/maven/artifact/versioning/
ComparableVersion.java`` of apache/maven as released in Maven 3.8.7 through 3.9.16 (the two are
identical apart from formatting), item for item:

- the lower-cased version is split on ``.``, ``-`` and digit/letter transitions into a tree of
  items: numbers, strings (qualifiers) and sub-lists (started by ``-``, by each transition, and
  by ``.X`` at the end for a string ``X``);
- each list is normalised by dropping trailing "null" items (``0``, ``""``, ``ga``, ``final``,
  ``release``), looking through trailing sub-lists;
- qualifiers order ``alpha`` < ``beta`` < ``milestone`` < ``rc`` = ``cr`` < ``snapshot`` <
  (release) = ``ga`` = ``final`` = ``release`` < ``sp`` < any other string (lexically); ``a1``,
  ``b1``, ``m1`` mean ``alpha-1``, ``beta-1``, ``milestone-1``;
- a number beats a string or a list at the same position, a list beats a string; against a
  missing item, numbers compare with 0 and strings with the release qualifier.

Java's int/long/BigInteger items are kept apart by their digit count, as in Maven (an int item
is below any long item), and compared numerically within a class.

The vectors verified against Maven 3.8.7 agree on every row except 19 that osv-scalibr encodes
from the POM reference's prose (e.g. ``1-1`` = ``1-ga-1``); Maven 4's rewrite (combination items
such as ``rc1``, ``.X`` read as ``-X``) orders 10 further rows differently. Both are documented
in docs/versions.md. Deviation: Maven accepts every string; :func:`key` raises
:class:`InvalidVersion` for the empty string.
"""

from __future__ import annotations

import functools
from functools import lru_cache
from typing import Final

from .base import InvalidVersion

SCHEME = "maven"

_QUALIFIERS: Final = ("alpha", "beta", "milestone", "rc", "snapshot", "", "sp")
_RELEASE_VERSION_INDEX: Final = str(_QUALIFIERS.index(""))
_ALIASES: Final = {"ga": "", "final": "", "release": "", "cr": "rc"}
_SHORT_QUALIFIERS: Final = {"a": "alpha", "b": "beta", "m": "milestone"}
_MAX_INT_ITEM_LENGTH: Final = 9
_MAX_LONG_ITEM_LENGTH: Final = 18


def _comparable_qualifier(qualifier: str) -> str:
    try:
        return str(_QUALIFIERS.index(qualifier))
    except ValueError:
        return f"{len(_QUALIFIERS)}-{qualifier}"


def _java_compare_strings(a: str, b: str) -> int:
    """Java's ``String.compareTo`` sign: UTF-16 code units (code points within the BMP)."""
    if a == b:
        return 0
    if max(map(ord, a + b)) < 0x10000:
        return -1 if a < b else 1
    return -1 if a.encode("utf-16-be") < b.encode("utf-16-be") else 1


class _Item:
    __slots__ = ()

    def is_null(self) -> bool:
        raise NotImplementedError

    def compare(self, other: _Item | None) -> int:
        raise NotImplementedError


class _Number(_Item):
    """IntItem, LongItem or BigIntegerItem: ``size`` 0, 1 or 2 by digit count."""

    __slots__ = ("size", "value")

    def __init__(self, digits: str) -> None:
        stripped = digits.lstrip("0") or "0"  # stripLeadingZeroes strips ASCII '0' only
        if len(stripped) <= _MAX_INT_ITEM_LENGTH:
            self.size = 0
        elif len(stripped) <= _MAX_LONG_ITEM_LENGTH:
            self.size = 1
        else:
            self.size = 2
        self.value = int(stripped)

    def is_null(self) -> bool:
        return self.value == 0

    def compare(self, other: _Item | None) -> int:
        if other is None:
            return 0 if self.value == 0 else 1  # 1.0 == 1, 1.1 > 1
        if isinstance(other, _Number):
            if self.size != other.size:
                return -1 if self.size < other.size else 1
            return (self.value > other.value) - (self.value < other.value)
        return 1  # 1.1 > 1-sp, 1.1 > 1-1


_ZERO = _Number("0")


class _String(_Item):
    __slots__ = ("comparable", "value")

    def __init__(self, value: str, followed_by_digit: bool) -> None:
        if followed_by_digit and len(value) == 1:
            value = _SHORT_QUALIFIERS.get(value, value)  # a1 = alpha-1, b1 = beta-1, m1 = ...
        self.value = _ALIASES.get(value, value)
        self.comparable = _comparable_qualifier(self.value)

    def is_null(self) -> bool:
        return self.comparable == _RELEASE_VERSION_INDEX

    def compare(self, other: _Item | None) -> int:
        if other is None:
            return _java_compare_strings(self.comparable, _RELEASE_VERSION_INDEX)  # 1-rc < 1
        if isinstance(other, _String):
            return _java_compare_strings(self.comparable, other.comparable)
        return -1  # 1.any < 1.1, 1.any < 1-1


class _List(_Item):
    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[_Item] = []

    def is_null(self) -> bool:
        return not self.items

    def normalize(self) -> None:
        items = self.items
        for i in range(len(items) - 1, -1, -1):
            last = items[i]
            if last.is_null():
                del items[i]
            elif not isinstance(last, _List):
                break

    def compare(self, other: _Item | None) -> int:
        if other is None:
            for item in self.items:
                result = item.compare(None)
                if result != 0:
                    return result
            return 0  # 1-0 = 1- (normalize) = 1
        if isinstance(other, _List):
            left, right = self.items, other.items
            for i in range(max(len(left), len(right))):
                lhs = left[i] if i < len(left) else None
                rhs = right[i] if i < len(right) else None
                if lhs is None:
                    result = 0 if rhs is None else -rhs.compare(None)
                else:
                    result = lhs.compare(rhs)
                if result != 0:
                    return result
            return 0
        if isinstance(other, _Number):
            return -1  # 1-1 < 1.0.x
        return 1  # 1-1 > 1-sp


def _parse_item(is_digit: bool, buf: str) -> _Item:
    return _Number(buf) if is_digit else _String(buf, False)


def _parse(version: str) -> _List:
    """``ComparableVersion.parseVersion``, step for step."""
    items = _List()
    text = version.lower()
    current = items
    stack: list[_List] = [items]

    def push() -> None:
        nonlocal current
        sub = _List()
        current.items.append(sub)
        current = sub
        stack.append(sub)

    is_digit = False
    start = 0
    for i, c in enumerate(text):
        if c == ".":
            current.items.append(_ZERO if i == start else _parse_item(is_digit, text[start:i]))
            start = i + 1
        elif c == "-":
            current.items.append(_ZERO if i == start else _parse_item(is_digit, text[start:i]))
            start = i + 1
            push()
        elif c.isdecimal():  # Character.isDigit
            if not is_digit and i > start:
                if current.items:
                    push()
                current.items.append(_String(text[start:i], True))
                start = i
                push()
            is_digit = True
        else:
            if is_digit and i > start:
                current.items.append(_parse_item(True, text[start:i]))
                start = i
                push()
            is_digit = False
    if len(text) > start:
        if not is_digit and current.items:
            push()  # 1.0.0.X1 < 1.0.0-X2: a trailing .X is treated as -X
        current.items.append(_parse_item(is_digit, text[start:]))
    while stack:
        stack.pop().normalize()
    return items


@lru_cache(maxsize=65536)
def _parsed(version: str) -> _List:
    if not version:
        raise InvalidVersion(SCHEME, version, "version string is empty")
    return _parse(version)


def compare(a: str, b: str) -> int:
    """Maven's ``ComparableVersion.compareTo``: -1, 0 or 1."""
    result = _parsed(a).compare(_parsed(b))
    return (result > 0) - (result < 0)


@functools.total_ordering
class MavenSortKey:
    """Sort key for Maven versions (ComparableVersion has no tuple form)."""

    __slots__ = ("_items", "version")

    def __init__(self, version: str) -> None:
        self._items = _parsed(version)
        self.version = version

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, MavenSortKey):
            return NotImplemented
        return self._items.compare(other._items) < 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MavenSortKey):
            return NotImplemented
        return self._items.compare(other._items) == 0

    __hash__ = None  # type: ignore[assignment]


def key(version: str) -> MavenSortKey:
    """Sort key consistent with :func:`compare`; raises :class:`InvalidVersion` for ``""``."""
    return MavenSortKey(version)


def _canonical(item: _Item) -> str:
    if isinstance(item, _Number):
        return str(item.value)
    if isinstance(item, _String):
        return item.value
    assert isinstance(item, _List)
    out: list[str] = []
    for sub in item.items:
        if out:
            out.append("-" if isinstance(sub, _List) else ".")
        out.append(_canonical(sub))
    return "".join(out)


def canonical(version: str) -> str:
    """``ComparableVersion.getCanonical()``: the normalised form, e.g. ``1.0-GA`` → ``1``."""
    return _canonical(_parsed(version))
