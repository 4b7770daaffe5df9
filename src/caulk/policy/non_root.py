"""Docker Scout's "Default non-root user" (``default-non-root-user``).

reference/scout-grade-and-scanners.md §1.3: violated when the image config runs as root —
``User`` unset (implicit root) or set to root explicitly. caulk treats ``""``, ``root``, ``0``,
``root:*`` and ``0:*`` as root (:attr:`caulk.image.model.ImageFacts.runs_as_root`), and says
whether root was explicit, as Scout's results do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "default-non-root-user"
NAME = "Default non-root user"
WEIGHT = 5
DEFAULTS: dict[str, Any] = {}


def runs_as_root(user: str) -> bool:
    """``""``, ``root``, ``0``, ``root:*`` and ``0:*`` are root."""
    return user.split(":", 1)[0].strip() in ("", "root", "0")


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    del params
    if not runs_as_root(inp.user):
        return Outcome(Status.PASSED, f"user {inp.user}")
    if inp.user.strip():
        detail = f"runs as root (explicit: User is {inp.user!r})"
    else:
        detail = "runs as root (implicit: User is not set)"
    return Outcome(Status.FAILED, detail, (detail,), 1)
