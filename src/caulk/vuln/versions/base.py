"""What every version scheme shares: the error for an unparseable version and the comparator value.

Each scheme module (``dpkg``, ``apk``, ``rpm``, ``pep440``, ``semver``, ``golang``, ``maven``)
exposes ``compare(a, b) -> int`` (-1, 0, 1) and ``key(v)``, a sort key consistent with
``compare``; :class:`Comparator` bundles the two with the scheme's name so that the matcher can
carry one value per ecosystem (see :func:`caulk.vuln.versions.comparator_for`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import SupportsRichComparison


class InvalidVersion(ValueError):
    """A version string that its scheme's reference implementation refuses.

    ``scheme`` names the ordering (``dpkg``, ``pep440`` ...), ``version`` is the offending
    string and ``reason`` says what is wrong with it, in the reference's own words where it
    has them.
    """

    def __init__(self, scheme: str, version: str, reason: str) -> None:
        super().__init__(f"invalid {scheme} version {version!r}: {reason}")
        self.scheme = scheme
        self.version = version
        self.reason = reason


class UnsupportedEcosystem(LookupError):
    """An OSV ecosystem for which caulk has no version ordering."""

    def __init__(self, ecosystem: str) -> None:
        super().__init__(f"no version ordering for OSV ecosystem {ecosystem!r}")
        self.ecosystem = ecosystem


@dataclass(frozen=True, slots=True)
class Comparator:
    """One version ordering: its name, a three-way ``compare`` and a consistent sort ``key``.

    Both raise :class:`InvalidVersion` for a string the scheme refuses.
    """

    scheme: str
    """Name of the ordering (``dpkg``, ``apk``, ``rpm``, ``pep440``, ``semver``, ``go``, ...)."""
    compare: Callable[[str, str], int]
    """``compare(a, b)``: -1 if ``a`` sorts before ``b``, 0 if equal, 1 if after."""
    key: Callable[[str], SupportsRichComparison]
    """Sort key: ``key(a) < key(b)`` exactly when ``compare(a, b) < 0``."""

    def is_valid(self, version: str) -> bool:
        """Whether the scheme accepts ``version``."""
        try:
            self.key(version)
        except InvalidVersion:
            return False
        return True

    def sort(self, versions: Iterable[str]) -> list[str]:
        """The versions in ascending order (stable for equal versions)."""
        return sorted(versions, key=self.key)
