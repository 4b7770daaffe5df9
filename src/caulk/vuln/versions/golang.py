"""Go module version ordering, for the Go ecosystem (golang.org/x/mod/semver).

Mirrors ``semver/semver.go`` of golang/mod (``parse``, ``Compare``): ``vMAJOR[.MINOR[.PATCH]]``
with the short forms ``v1`` = ``v1.0.0`` and ``v1.2`` = ``v1.2.0`` (no pre-release or build on a
short form), numbers without leading zeros, a pre-release of dot-separated ``[0-9A-Za-z-]``
identifiers (numeric ones without leading zeros) and build metadata that does not take part in
the ordering. Pseudo-versions (``v0.0.0-20220525230936-793ad666bf5e``,
``v1.2.4-0.20191109021931-daa7c04131f5``) are ordinary pre-releases and sort as the go command
sorts them; ``+incompatible`` is build metadata and is ignored.

OSV Go records store versions without the ``v`` (``1.22.0-0``), go.mod and binaries with it;
both are accepted. Deviation: x/mod's ``Compare`` ranks an invalid version below every valid one;
here an invalid version raises :class:`InvalidVersion`. :func:`from_go_toolchain` maps a
toolchain version (``go1.21rc2``) to the module-style version the stdlib records use, like
golang.org/x/vuln's ``GoTagToSemver``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .base import InvalidVersion
from .semver import PreKey, prerelease_key

SCHEME = "go"

_NUM = r"0|[1-9][0-9]*"
_IDENT = r"[0-9A-Za-z-]+"
_GO = re.compile(
    rf"v({_NUM})(?:\.({_NUM})(?:\.({_NUM})"
    rf"(?:-({_IDENT}(?:\.{_IDENT})*))?(?:\+{_IDENT}(?:\.{_IDENT})*)?)?)?"
)
_BAD_NUMERIC = re.compile(r"0[0-9]+")

GoKey = tuple[int, int, int, tuple[int, PreKey]]


@lru_cache(maxsize=65536)
def key(version: str) -> GoKey:
    """Sort key of a Go module version (``v`` optional); raises :class:`InvalidVersion`."""
    text = version if version.startswith("v") else "v" + version
    match = _GO.fullmatch(text)
    if match is None:
        raise InvalidVersion(SCHEME, version, "not a Go module semantic version")
    major, minor, patch, pre = match.groups()
    if pre and any(_BAD_NUMERIC.fullmatch(ident) for ident in pre.split(".")):
        raise InvalidVersion(SCHEME, version, "numeric pre-release identifier has leading zeros")
    return int(major), int(minor or 0), int(patch or 0), prerelease_key(pre or "")


def compare(a: str, b: str) -> int:
    """``semver.Compare`` for two valid Go versions: -1, 0 or 1."""
    ka = key(a)
    kb = key(b)
    return (ka > kb) - (ka < kb)


_TOOLCHAIN = re.compile(r"go(\d+(?:\.\d+)*)(?:(beta|rc)(\d+))?")


def from_go_toolchain(tag: str) -> str | None:
    """``go1.21.3`` → ``v1.21.3``, ``go1.21`` → ``v1.21.0``, ``go1.21rc2`` → ``v1.21.0-rc.2``.

    Returns ``None`` for a string that is not a Go release tag. Before Go 1.21 the first release
    of a minor line was ``go1.N`` (= ``v1.N.0``); ``go1`` is ``v1.0.0``.
    """
    words = tag.split(maxsplit=1)
    match = _TOOLCHAIN.fullmatch(words[0]) if words else None
    if match is None:
        return None
    numbers, kind, number = match.groups()
    parts = numbers.split(".")
    if len(parts) > 3:
        return None
    parts += ["0"] * (3 - len(parts))
    version = "v" + ".".join(str(int(p)) for p in parts)
    if kind:
        version += f"-{kind}.{int(number)}"
    return version
