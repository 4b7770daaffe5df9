"""Results of an audit: what renderers receive. Pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from caulk.checks.registry import CheckResult
from caulk.findings import Finding, Problem, Rule

SCHEMA_VERSION = "1.0"
"""Version of the audit JSON contract (docs/json-schema.md)."""


@dataclass(frozen=True)
class Score:
    """The aggregate scores."""

    local: float | None
    """Scorecard aggregate over the checks computable from the checkout (None: all inconclusive)."""
    estimated: float | None
    """Aggregate with caulk's git-history estimates of API checks added (None: no history)."""


@dataclass(frozen=True)
class PlanStep:
    """One step of the hardening plan: fix every finding of one rule."""

    phase: int
    """1 build hygiene and lint, 2 attestations and scanning, 3 non-root (breaking)."""
    rule_id: str
    title: str
    findings: int
    """How many findings the step resolves."""
    gain: float
    """Points of ``score.local`` this step gains (0 for rules outside Scorecard)."""
    effort_hours: float
    automatable: bool
    check: str | None

    @property
    def gain_per_hour(self) -> float:
        return self.gain / self.effort_hours if self.effort_hours > 0 else self.gain


PHASE_TITLES = {
    1: "Phase 1 - build hygiene: multi-stage build, pinning, labels, lint in CI",
    2: "Phase 2 - attestations: signing, SBOM, provenance, vulnerability scanning",
    3: "Phase 3 - non-root (a breaking release for the image's users)",
}


@dataclass(frozen=True)
class AuditResult:
    """Everything an audit found about one repository."""

    root: str
    """The audited directory as the user gave it."""
    score: Score
    checks: tuple[CheckResult, ...]
    findings: tuple[Finding, ...]
    """caulk findings (rule packs and Scorecard check explanations), sorted by location."""
    plan: tuple[PlanStep, ...]
    problems: tuple[Problem, ...]
    """Input that could not be read or parsed."""
    rules: dict[str, Rule] = field(default_factory=dict)
    """Metadata of every rule that has a finding (for SARIF and help text)."""
    suppressed: int = 0
    """Findings hidden by configuration or inline ignore comments."""
