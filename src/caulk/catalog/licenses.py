"""Licence names as package databases write them, turned into SPDX license expressions.

Inputs are DEP-5 ``License:`` fields (``GPL-2+ or Artistic``, ``BSD-3-clause, and Expat``), apk
``L:`` fields (``MIT AND BSD-2-Clause``, older ``GPL2+``), rpm ``LICENSE`` tags, Python and npm
licence strings. The grammar accepted is SPDX's (``AND``/``OR``/``WITH``, parentheses) plus
DEP-5's lower-case operators and its comma (a low-precedence ``and``; DEP-5 §"License
specification", https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/).

Each licence name is mapped, in order: Debian/Fedora short names from a small table (``Expat``
→ ``MIT``, ``Artistic`` → ``Artistic-1.0-Perl``, ``Perl`` → ``Artistic-1.0-Perl OR
GPL-1.0-or-later``); GNU names with any version spelling (``GPL-2``, ``GPLv2+``, ``LGPL-2.1+``,
``GPL-2.0`` → ``-only``/``-or-later``); a case-insensitive match in the SPDX licence list.
**Deliberate choice:** a name that is none of these is kept as ``LicenseRef-<name>`` (characters
outside ``[A-Za-z0-9.-]`` become ``-``) rather than dropped, so no declared licence disappears;
SBOM writers declare each such reference. An exception that SPDX does not know is dropped from a
``WITH`` (the base licence alone is the conservative reading: exceptions only add permissions).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

# Debian (DEP-5 §"License short name"), Fedora and common free-text spellings. Keys are lower case.
_SHORT_NAMES: dict[str, str] = {
    "apache-2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "artistic": "Artistic-1.0-Perl",
    "artistic-1": "Artistic-1.0",
    "artistic-2": "Artistic-2.0",
    "bsd-2-clause": "BSD-2-Clause",
    "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "cc0": "CC0-1.0",
    "expat": "MIT",
    "mit license": "MIT",
    "isc license": "ISC",
    "perl": "Artistic-1.0-Perl OR GPL-1.0-or-later",
    "psf": "PSF-2.0",
    "psf-2": "PSF-2.0",
    "python": "Python-2.0",
    "zope-2.1": "ZPL-2.1",
    "zlib/libpng": "zlib-acknowledgement",
    "mpl-2": "MPL-2.0",
    "mpl-1.1+": "MPL-1.1+",
    "gpl": "GPL-1.0-or-later",
    "gpl+": "GPL-1.0-or-later",
    "lgpl": "LGPL-2.0-or-later",
    "lgpl+": "LGPL-2.0-or-later",
    "gfdl": "GFDL-1.1-or-later",
    "gfdl+": "GFDL-1.1-or-later",
    "gfdl-niv-1.2": "GFDL-1.2-no-invariants-only",
    "gfdl-niv-1.2+": "GFDL-1.2-no-invariants-or-later",
    "gfdl-niv-1.3": "GFDL-1.3-no-invariants-only",
    "gfdl-niv-1.3+": "GFDL-1.3-no-invariants-or-later",
    "public domain": "LicenseRef-public-domain",
    "public-domain": "LicenseRef-public-domain",
}

# GPL-2, GPLv2+, GPL2+, LGPL-2.1, AGPL-3.0+, GFDL-1.3 (SPDX deprecated GPL-2.0 included).
_GNU = re.compile(r"^(a?gpl|lgpl|gfdl)[-\s]?v?(\d)(?:\.(\d))?(\+|-or-later|-only)?$")
_EXCEPTIONS: dict[str, str] = {
    "openssl": "OpenSSL-exception",
    "autoconf": "Autoconf-exception-2.0",
    "font": "Font-exception-2.0",
    "gcc": "GCC-exception-3.1",
    "classpath": "Classpath-exception-2.0",
    "bison": "Bison-exception-2.2",
    "libtool": "Libtool-exception",
    "llvm": "LLVM-exception",
}
_FALLBACK_IDS = (
    "0BSD",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-1.0",
    "Artistic-1.0-Perl",
    "Artistic-2.0",
    "BSD-1-Clause",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "EPL-2.0",
    "GPL-1.0-or-later",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.0-or-later",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MPL-2.0",
    "OpenSSL",
    "PSF-2.0",
    "Python-2.0",
    "Unlicense",
    "X11",
    "Zlib",
    "curl",
)
_REF_CHARS = re.compile(r"[^A-Za-z0-9.\-]+")
_TOKEN = re.compile(r"\s*(\(|\)|,|[^\s(),]+)")
_OPERATORS = {"and", "or", "with"}
_PUNCTUATION = {"(", ")", ","}


@cache
def _spdx_ids() -> dict[str, str]:
    """Lower-case SPDX licence/exception id → canonical id.

    The list is caulk's copy of the SPDX License List (CC0-1.0) in ``caulk/data/spdx-ids.txt``;
    a short built-in list is the fallback if the data file is missing from an installation.
    """
    ids: list[str]
    try:
        text = (Path(__file__).resolve().parent.parent / "data" / "spdx-ids.txt").read_text("utf-8")
        ids = [line for line in text.splitlines() if line and not line.startswith("#")]
    except OSError:
        ids = [*_FALLBACK_IDS, *_EXCEPTIONS.values()]
    return {i.lower(): i for i in ids}


def is_spdx_id(name: str) -> bool:
    """True if ``name`` is on the SPDX licence or exception list (exact spelling)."""
    return _spdx_ids().get(name.lower()) == name


def license_ref(name: str) -> str:
    """``LicenseRef-…`` for a licence name SPDX does not know."""
    cleaned = _REF_CHARS.sub("-", name.strip()).strip("-.")
    return f"LicenseRef-{cleaned or 'unknown'}"


@cache
def spdx_license_id(name: str) -> str:
    """One licence name → an SPDX id (or small expression for ``Perl``), or ``LicenseRef-…``."""
    text = " ".join(name.split())
    low = text.lower()
    if low in _SHORT_NAMES:
        return _SHORT_NAMES[low]
    gnu = _GNU.match(low)
    if gnu:
        family, major, minor, suffix = gnu.groups()
        family = family.upper()
        if minor is None:
            minor = "1" if (family, major) == ("GFDL", "1") else "0"
        base = f"{family}-{major}.{minor}"
        later = suffix in ("+", "-or-later")
        if base.lower() in _spdx_ids():
            return f"{base}-or-later" if later else f"{base}-only"
    ids = _spdx_ids()
    if low in ids and not low.endswith("+"):
        return ids[low]
    if low.endswith("+") and low[:-1] in ids:
        return f"{ids[low[:-1]]}+"
    return license_ref(text)


def _exception_id(words: list[str]) -> str | None:
    name = " ".join(words).lower()
    ids = _spdx_ids()
    if name in ids:
        return ids[name]
    short = re.sub(r"[-\s]*exception$", "", name).strip()
    if short in _EXCEPTIONS and _EXCEPTIONS[short].lower() in ids:
        return _EXCEPTIONS[short]
    for candidate in (f"{short}-exception", f"{short.replace(' ', '-')}-exception"):
        if candidate in ids:
            return ids[candidate]
    return None


class _Parser:
    """Recursive descent over SPDX/DEP-5 licence expressions; builds a rendered string."""

    def __init__(self, text: str) -> None:
        self.tokens: list[str] = _TOKEN.findall(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    # Precedence, low to high: "," (DEP-5), OR, AND, WITH.
    def comma_list(self) -> tuple[str, str | None]:
        parts = [self.or_list()]
        while self.peek() == ",":
            self.take()
            if (self.peek() or "").lower() in ("and", "or"):
                self.take()
            parts.append(self.or_list())
        return _join(parts, "AND")

    def or_list(self) -> tuple[str, str | None]:
        parts = [self.and_list()]
        while (self.peek() or "").lower() == "or":
            self.take()
            parts.append(self.and_list())
        return _join(parts, "OR")

    def and_list(self) -> tuple[str, str | None]:
        parts = [self.with_term()]
        while (self.peek() or "").lower() == "and":
            self.take()
            parts.append(self.with_term())
        return _join(parts, "AND")

    def with_term(self) -> tuple[str, str | None]:
        base = self.atom()
        if (self.peek() or "").lower() != "with":
            return base
        self.take()
        words = self.words()
        exception = _exception_id(words)
        if exception is None or base[1] is not None:
            return base
        return f"{base[0]} WITH {exception}", "WITH"

    def words(self) -> list[str]:
        words: list[str] = []
        while True:
            token = self.peek()
            if token is None or token in _PUNCTUATION or token.lower() in _OPERATORS:
                return words
            words.append(self.take())

    def atom(self) -> tuple[str, str | None]:
        if self.peek() == "(":
            self.take()
            inner = self.comma_list()
            if self.peek() != ")":
                raise ValueError("unbalanced parenthesis")
            self.take()
            return inner
        words = self.words()
        if not words:
            raise ValueError(f"expected a licence name at {self.peek()!r}")
        mapped = spdx_license_id(" ".join(words))
        return mapped, ("OR" if " OR " in mapped else None)


def _join(parts: list[tuple[str, str | None]], operator: str) -> tuple[str, str | None]:
    unique: list[tuple[str, str | None]] = []
    for part in parts:
        if part[0] not in (p[0] for p in unique):
            unique.append(part)
    if len(unique) == 1:
        return unique[0]
    rendered = []
    for text, op in unique:
        # OR inside AND needs parentheses; AND inside OR and WITH anywhere do not.
        needs = op == "OR" and operator == "AND"
        rendered.append(f"({text})" if needs else text)
    return f" {operator} ".join(rendered), operator


@cache
def to_spdx_expression(text: str) -> str | None:
    """A licence field → a valid SPDX expression, or None if empty or unparseable."""
    text = text.strip()
    if not text:
        return None
    parser = _Parser(text)
    try:
        expression, _ = parser.comma_list()
    except (ValueError, IndexError):
        return license_ref(text)
    if parser.peek() is not None:
        return license_ref(text)
    return expression


def license_refs(expression: str) -> list[str]:
    """The ``LicenseRef-…`` identifiers used in ``expression``, in order of appearance."""
    return re.findall(r"LicenseRef-[A-Za-z0-9.\-]+", expression)
