"""Docker Scout's "No unapproved base images" (``approved-base-images``).

reference/scout-grade-and-scanners.md §1.3: violated when the base image matches none of
``allowed_base_images`` (default ``["*"]``: any base is approved once it is known). Patterns
are shell globs over the normalised reference ``docker.io/library/debian:bookworm`` (``*``
crosses ``/`` here, a deliberate simplification of Scout's "up to the next character"). With
``allowed_distros_only`` (default true, as in Scout) an image whose distribution is past its
end of life (``caulk/data/eol_distros.json``, compared with the scan date) fails as well. The
base comes from the provenance or the base labels (:mod:`caulk.policy.base`); without either,
and with a supported distribution, the status is "no data".
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "approved-base-images"
NAME = "No unapproved base images"
WEIGHT = 15
DEFAULTS: dict[str, Any] = {"allowed_base_images": ["*"], "allowed_distros_only": True}


@cache
def eol_dates() -> dict[str, str]:
    """OSV ecosystem → end-of-life date (``YYYY-MM-DD``) of distributions caulk knows."""
    text = resources.files("caulk").joinpath("data", "eol_distros.json").read_text("utf-8")
    data: dict[str, str] = json.loads(text)["eol"]
    return data


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    if params["allowed_distros_only"] and inp.os is not None and inp.os.osv_ecosystem:
        end = eol_dates().get(inp.os.osv_ecosystem)
        now = inp.now or datetime.now(UTC)
        if end is not None and now.date().isoformat() > end:
            detail = f"{inp.os.pretty_name or inp.os.osv_ecosystem} reached end of life on {end}"
            return Outcome(Status.FAILED, "unsupported distribution", (detail,), 1)
    base = inp.base_image
    if base is None:
        return Outcome(
            Status.NO_DATA,
            "No data",
            ("no provenance or org.opencontainers.image.base.name label names the base",),
        )
    patterns = [str(p) for p in params["allowed_base_images"]]
    candidates = {base.reference, base.name}
    if base.tag and base.digest:
        candidates.add(f"{base.name}:{base.tag}@{base.digest}")
    if any(fnmatch.fnmatchcase(c, p) for c in candidates for p in patterns):
        return Outcome(Status.PASSED, base.reference)
    detail = f"{base.reference} matches none of {', '.join(patterns)}"
    return Outcome(Status.FAILED, base.reference, (detail,), 1)
