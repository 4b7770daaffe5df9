"""The registry of Scorecard-compatible checks, caulk rules and rule packs.

Two kinds of analysis run in an audit:

* **Scorecard checks** (``@scorecard_check``) return a :class:`CheckResult` whose score feeds
  the 0-10 aggregate exactly as OpenSSF Scorecard computes it
  (``pkg/scorecard/scorecard_result.go``; ../shared/reference/scorecard-checks.md §1).
* **Rule packs** (``@rule_pack``) return :class:`~caulk.findings.Finding` objects for caulk's
  container-hardening rules; each rule is declared once with :func:`register_rule`.

Modules register themselves on import; :func:`load_all` imports every module listed in
``caulk.checks.MODULES``.
"""

from __future__ import annotations

import enum
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from caulk.findings import Finding, Rule
from caulk.repo.checkout import Repository

INCONCLUSIVE = -1
"""Scorecard's ``checker.InconclusiveResultScore``: left out of the aggregate."""

MAX_SCORE = 10


class Risk(enum.Enum):
    """Scorecard's risk levels (``docs/checks/internal/checks.yaml``) and their weights."""

    CRITICAL = "Critical"
    HIGH = "High"
    MEDIUM = "Medium"
    LOW = "Low"

    @property
    def weight(self) -> float:
        return _RISK_WEIGHT[self]


_RISK_WEIGHT = {Risk.CRITICAL: 10.0, Risk.HIGH: 7.5, Risk.MEDIUM: 5.0, Risk.LOW: 2.5}


@dataclass(frozen=True)
class CheckResult:
    """One Scorecard check's outcome."""

    name: str
    """Scorecard's check name, e.g. ``Pinned-Dependencies``."""
    score: int
    """0..10, or -1 (:data:`INCONCLUSIVE`)."""
    risk: Risk
    reason: str
    """One line, as Scorecard's ``reason``."""
    local: bool = True
    """False for checks that need GitHub's API."""
    estimated: bool = False
    """True when the score is caulk's estimate from git history, not Scorecard's number."""
    details: tuple[str, ...] = ()
    """Scorecard-style detail lines (``Warn: …``, ``Info: …``)."""
    findings: tuple[Finding, ...] = ()
    """Findings with exact locations that explain a lowered score."""

    @property
    def inconclusive(self) -> bool:
        return self.score < 0


CheckFn = Callable[[Repository], CheckResult]
RulePackFn = Callable[[Repository], Iterable[Finding]]


@dataclass(frozen=True)
class CheckSpec:
    """A registered Scorecard check."""

    name: str
    risk: Risk
    run: CheckFn | None
    """None for checks that need GitHub's API and have no local estimate."""
    local: bool = True
    doc: str = ""


@dataclass
class Registry:
    """Everything registered by the modules in ``caulk.checks.MODULES``."""

    checks: dict[str, CheckSpec] = field(default_factory=dict)
    rule_packs: dict[str, RulePackFn] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)


REGISTRY = Registry()


def scorecard_check(name: str, risk: Risk, *, local: bool = True) -> Callable[[CheckFn], CheckFn]:
    """Register ``fn`` as the implementation of Scorecard check ``name``."""

    def decorate(fn: CheckFn) -> CheckFn:
        if name in REGISTRY.checks and REGISTRY.checks[name].run is not fn:
            raise RuntimeError(f"Scorecard check {name} registered twice")
        REGISTRY.checks[name] = CheckSpec(name, risk, fn, local, (fn.__doc__ or "").strip())
        return fn

    return decorate


def api_only_check(name: str, risk: Risk, doc: str) -> None:
    """Declare a Scorecard check that needs GitHub's API (listed, never scored locally)."""
    REGISTRY.checks.setdefault(name, CheckSpec(name, risk, None, local=False, doc=doc))


def rule_pack(name: str) -> Callable[[RulePackFn], RulePackFn]:
    """Register ``fn`` as a pack of caulk rules (its findings use registered rule IDs)."""

    def decorate(fn: RulePackFn) -> RulePackFn:
        REGISTRY.rule_packs[name] = fn
        return fn

    return decorate


def register_rule(rule: Rule) -> Rule:
    """Declare a rule once; a second, different declaration of the same ID is a bug."""
    existing = REGISTRY.rules.get(rule.id)
    if existing is not None and existing != rule:
        raise RuntimeError(f"rule {rule.id} declared twice with different metadata")
    REGISTRY.rules[rule.id] = rule
    return rule


_loaded = False


def load_all() -> Registry:
    """Import every check module once and return the registry."""
    global _loaded  # noqa: PLW0603 - a process-wide, import-once registry
    if not _loaded:
        from caulk.checks import MODULES

        for module in MODULES:
            importlib.import_module(module)
        _loaded = True
    return REGISTRY


def proportional_score(success: int, total: int) -> int:
    """Scorecard ``CreateProportionalScore``: ``min(floor(10*s/t), 10)``, 0 when t is 0."""
    if total == 0:
        return 0
    return min((MAX_SCORE * success) // total, MAX_SCORE)


@dataclass(frozen=True)
class ScoreGroup:
    """One group of ``CreateProportionalScoreWeighted``."""

    success: int
    total: int
    weight: int


def proportional_score_weighted(groups: Iterable[ScoreGroup]) -> int:
    """Scorecard ``CreateProportionalScoreWeighted``.

    Groups with no items are skipped; -1 when none is left; 10 when every weight is 0; else
    ``min(floor(10 * Σ s·w / Σ t·w), 10)`` — it weights counts, not per-group ratios.
    """
    weighted_success = 0
    weighted_total = 0
    any_group = False
    all_zero_weight = True
    for group in groups:
        if group.total == 0:
            continue
        if group.success > group.total:
            raise ValueError("a group cannot have more successes than items")
        any_group = True
        if group.weight != 0:
            all_zero_weight = False
        weighted_success += group.success * group.weight
        weighted_total += group.total * group.weight
    if not any_group:
        return INCONCLUSIVE
    if all_zero_weight:
        return MAX_SCORE
    return min((MAX_SCORE * weighted_success) // weighted_total, MAX_SCORE)


def aggregate(results: Iterable[CheckResult]) -> float | None:
    """Scorecard's aggregate ``Σ w·s / Σ w`` over conclusive checks; None when none is."""
    total_weight = 0.0
    weighted = 0.0
    for result in results:
        if result.score < 0:
            continue
        total_weight += result.risk.weight
        weighted += result.risk.weight * result.score
    if total_weight == 0:
        return None
    return weighted / total_weight
