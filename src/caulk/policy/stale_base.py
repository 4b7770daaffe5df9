"""Docker Scout's "No outdated base images" (``no-stale-base-images``).

reference/scout-grade-and-scanners.md §1.3: violated when "the tag you used to build your image
points to a different digest than what you're using". caulk needs the base's tag and the
digest it was built from (provenance materials, or the ``base.name`` + ``base.digest`` labels)
and a registry to ask what the tag points at now. Without the tag or digest, offline, or when
the registry cannot answer, the status is "no data" and the reason is given.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "no-stale-base-images"
NAME = "No outdated base images"
WEIGHT = 10
DEFAULTS: dict[str, Any] = {}


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    del params
    base = inp.base_image
    if base is None:
        return Outcome(Status.NO_DATA, "No data", ("the base image is unknown",))
    if not base.tag or not base.digest:
        missing = "tag" if not base.tag else "digest"
        return Outcome(
            Status.NO_DATA, "No data", (f"the {missing} of base {base.reference} is unknown",)
        )
    if inp.resolve_digest is None:
        return Outcome(
            Status.NO_DATA, "No data", (f"{base.reference}: registry not consulted (offline)",)
        )
    try:
        current = inp.resolve_digest(f"{base.name}:{base.tag}")
    except Exception as exc:
        return Outcome(Status.NO_DATA, "No data", (f"{base.reference}: {exc}",))
    if current == base.digest:
        return Outcome(Status.PASSED, f"{base.reference} is current")
    detail = f"{base.reference} now points to {current}; the image was built on {base.digest}"
    return Outcome(Status.FAILED, f"{base.reference} is outdated", (detail,), 1)
