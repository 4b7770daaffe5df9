"""Docker Hub's "No AGPL v3 licenses" (Scout CLI ID ``copyleft-license``).

reference/scout-grade-and-scanners.md §1.3: violated by at least one package under a listed
licence. The default list is the Hub's (AGPL-3.0 only: ``AGPL-3.0``, ``AGPL-3.0-only``,
``AGPL-3.0-or-later``), not the stricter CLI default (AGPL, GPL, LGPL, MPL); set ``licenses``
to change it (shell globs: ``"GPL-*"``). A package counts when any licence identifier in any of
its SPDX expressions matches (an ``OR`` choice still ships the listed licence).
``ignored_packages`` takes purl globs (``pkg:deb/debian/ghostscript@*``).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "copyleft-license"
NAME = "No AGPL v3 licenses"
WEIGHT = 5
DEFAULTS: dict[str, Any] = {
    "licenses": ["AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later"],
    "ignored_packages": [],
}

_OPERATORS = frozenset({"AND", "OR", "WITH"})


def licence_ids(expression: str) -> list[str]:
    """The licence identifiers of an SPDX expression (operators and exceptions dropped)."""
    tokens = [t for t in re.split(r"[\s()]+", expression) if t]
    out: list[str] = []
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
            continue
        if token.upper() == "WITH":
            skip_next = True
            continue
        if token.upper() in _OPERATORS:
            continue
        out.append(token.removesuffix("+"))
    return out


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    patterns = [str(p) for p in params["licenses"]]
    ignored = [str(p) for p in params["ignored_packages"]]
    hits: dict[str, set[str]] = {}
    for package in inp.packages:
        if any(fnmatch.fnmatchcase(package.purl, glob) for glob in ignored):
            continue
        for expression in package.licenses:
            for ident in licence_ids(expression):
                if any(fnmatch.fnmatchcase(ident, p) for p in patterns):
                    hits.setdefault(f"{package.name} {package.version}", set()).add(ident)
    details = tuple(f"{pkg}: {', '.join(sorted(ids))}" for pkg, ids in sorted(hits.items()))
    summary = f"{len(hits)} package" + ("" if len(hits) == 1 else "s")
    return Outcome(Status.FAILED if hits else Status.PASSED, summary, details, len(hits))
