"""Docker Scout's "No high-profile vulnerabilities" (``high-profile-vulnerabilities``).

reference/scout-grade-and-scanners.md §1.3: violated when the image has a CVE from Docker's
curated list or, with ``include_cisa_kev`` (default true), one in CISA's Known Exploited
Vulnerabilities catalogue. caulk ships the **union** of the Hub's and the CLI's curated lists
(``caulk/data/high_profile_cves.json``); KEV is read from a file given with ``--kev FILE``
(CISA's ``known_exploited_vulnerabilities.json``), since caulk does not fetch it. Parameters:
``ignored_cves`` (default none) and ``include_cisa_kev``. A vulnerability matches when its ID or
one of its aliases is listed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "high-profile-vulnerabilities"
NAME = "No high-profile vulnerabilities"
WEIGHT = 20
DEFAULTS: dict[str, Any] = {"ignored_cves": [], "include_cisa_kev": True}


class KevError(ValueError):
    """A file that is not CISA's KEV catalogue."""


@cache
def curated_cves() -> frozenset[str]:
    """The shipped high-profile CVE list."""
    text = resources.files("caulk").joinpath("data", "high_profile_cves.json").read_text("utf-8")
    data = json.loads(text)
    return frozenset(data["cves"])


def load_kev(path: Path) -> frozenset[str]:
    """The ``cveID``s of a CISA KEV JSON file; raises :class:`KevError`."""
    try:
        data = json.loads(Path(path).read_bytes())
    except OSError as exc:
        raise KevError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise KevError(f"{path}: not JSON: {exc}") from None
    entries = data.get("vulnerabilities") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KevError(f"{path}: not a CISA KEV catalogue (no 'vulnerabilities' list)")
    return frozenset(
        e["cveID"] for e in entries if isinstance(e, dict) and isinstance(e.get("cveID"), str)
    )


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    listed = set(curated_cves())
    if params["include_cisa_kev"] and inp.kev is not None:
        listed |= inp.kev
    listed -= {str(c) for c in params["ignored_cves"]}
    hits: dict[str, set[str]] = {}
    for vuln in inp.vulnerabilities:
        found = sorted(vuln.ids & listed)
        for cve in found:
            hits.setdefault(cve, set()).add(vuln.package)
    details = tuple(f"{cve} in {', '.join(sorted(pkgs))}" for cve, pkgs in sorted(hits.items()))
    summary = f"{len(hits)} CVE" + ("" if len(hits) == 1 else "s")
    if inp.kev is None and params["include_cisa_kev"]:
        details += ("CISA KEV not checked: pass --kev FILE",)
    return Outcome(Status.FAILED if hits else Status.PASSED, summary, details, len(hits))
