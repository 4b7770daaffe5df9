"""Image policies and the health grade, after Docker Scout (reference/scout-grade-and-scanners
§1).

One module per policy, each with ``ID`` (Scout's stable CLI ID), ``NAME`` (the Hub's name),
``WEIGHT`` (the Hub's points), ``DEFAULTS`` (parameters) and ``evaluate(input, params)``:

=============================== ====== =====================================================
ID                              weight module
=============================== ====== =====================================================
``fixable-vulnerabilities``     20     :mod:`.fixable_vulnerabilities`
``high-profile-vulnerabilities`` 20    :mod:`.high_profile`
``supply-chain-attestations``   15     :mod:`.attestations`
``approved-base-images``        15     :mod:`.approved_base`
``no-stale-base-images``        10     :mod:`.stale_base`
``default-non-root-user``       5      :mod:`.non_root`
``copyleft-license``            5      :mod:`.licenses` (Hub: "No AGPL v3 licenses")
=============================== ====== =====================================================

:func:`load_settings` reads the ``policies`` table of the audit configuration
(``[tool.caulk.policies]`` in ``pyproject.toml`` or ``[policies]`` in ``.caulk.toml``)::

    [policies.fixable-vulnerabilities]
    severities = ["critical", "high", "medium"]
    grace_period_days = 7

    [policies.approved-base-images]
    allowed_base_images = ["docker.io/library/debian:*", "gcr.io/distroless/*"]

    [policies.copyleft-license]
    enabled = false          # or weight = 0: removed from the grade

Every policy accepts ``enabled`` and ``weight`` (an integer ≥ 0); other keys must be among its
parameters. :func:`evaluate_policies` runs the enabled ones;
:func:`caulk.policy.grade.compute_grade` turns their results into the grade.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from caulk.errors import InputError
from caulk.policy import (
    approved_base,
    attestations,
    fixable_vulnerabilities,
    high_profile,
    licenses,
    non_root,
    stale_base,
)
from caulk.policy.model import Outcome, PolicyInput, PolicyResult, Status

__all__ = [
    "POLICIES",
    "PolicyConfigError",
    "PolicySetting",
    "evaluate_policies",
    "load_settings",
]

_MODULES: tuple[ModuleType, ...] = (
    fixable_vulnerabilities,
    high_profile,
    attestations,
    approved_base,
    stale_base,
    non_root,
    licenses,
)


@dataclass(frozen=True)
class PolicyDefinition:
    """One policy: identity, default weight and parameters, and its evaluation."""

    id: str
    name: str
    weight: int
    defaults: Mapping[str, Any]
    evaluate: Callable[[PolicyInput, Mapping[str, Any]], Outcome]


POLICIES: tuple[PolicyDefinition, ...] = tuple(
    PolicyDefinition(m.ID, m.NAME, m.WEIGHT, m.DEFAULTS, m.evaluate) for m in _MODULES
)
"""Every policy, in the order reports list them (the Hub's points table order)."""


class PolicyConfigError(InputError):
    """A ``policies`` table caulk cannot use; the message names the key."""


@dataclass(frozen=True)
class PolicySetting:
    """The effective configuration of one policy."""

    enabled: bool = True
    weight: int | None = None
    """None: the policy's default weight."""
    params: Mapping[str, Any] = field(default_factory=dict)


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(default, list):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, type(default))


def load_settings(
    raw: Mapping[str, Any] | None, source: str = "policies"
) -> dict[str, PolicySetting]:
    """Validate a ``policies`` table; raises :class:`PolicyConfigError` naming the bad key."""
    known = {p.id: p for p in POLICIES}
    out: dict[str, PolicySetting] = {}
    for policy_id, table in (raw or {}).items():
        where = f"{source}.{policy_id}"
        definition = known.get(policy_id)
        if definition is None:
            raise PolicyConfigError(f"{where}: unknown policy (known: {', '.join(sorted(known))})")
        if not isinstance(table, Mapping):
            raise PolicyConfigError(f"{where}: must be a table")
        enabled = table.get("enabled", True)
        if not isinstance(enabled, bool):
            raise PolicyConfigError(f"{where}.enabled: must be true or false")
        weight = table.get("weight")
        if weight is not None and (
            not isinstance(weight, int) or isinstance(weight, bool) or weight < 0
        ):
            raise PolicyConfigError(f"{where}.weight: must be an integer >= 0")
        params: dict[str, Any] = {}
        for key, value in table.items():
            if key in ("enabled", "weight"):
                continue
            if key not in definition.defaults:
                allowed = ", ".join(["enabled", "weight", *definition.defaults]) or "none"
                raise PolicyConfigError(f"{where}.{key}: unknown parameter (allowed: {allowed})")
            if not _same_type(definition.defaults[key], value):
                raise PolicyConfigError(
                    f"{where}.{key}: expected {type(definition.defaults[key]).__name__}"
                )
            params[key] = value
        out[policy_id] = PolicySetting(enabled, weight, params)
    return out


def evaluate_policies(
    inp: PolicyInput, settings: Mapping[str, PolicySetting] | None = None
) -> tuple[PolicyResult, ...]:
    """Run every enabled policy; results in :data:`POLICIES` order."""
    settings = settings or {}
    results: list[PolicyResult] = []
    for definition in POLICIES:
        setting = settings.get(definition.id, PolicySetting())
        if not setting.enabled:
            continue
        params = {**definition.defaults, **setting.params}
        outcome = definition.evaluate(inp, params)
        results.append(
            PolicyResult(
                id=definition.id,
                name=definition.name,
                status=outcome.status,
                weight=definition.weight if setting.weight is None else setting.weight,
                summary=outcome.summary,
                details=outcome.details,
                violations=outcome.violations,
                parameters=params,
            )
        )
    return tuple(results)


__all__ += ["PolicyDefinition", "Status"]
