"""Audit results built by hand, so the renderers are specified without running any check."""

from __future__ import annotations

import pytest

from caulk.checks.registry import CheckResult, Risk
from caulk.findings import Confidence, Finding, Location, Problem, Rule, Severity, TextEdit
from caulk.results import AuditResult, PlanStep, Score

ROOT_RULE = Rule(
    id="CK1001",
    name="final-stage-runs-as-root",
    severity=Severity.HIGH,
    summary="The final stage runs as root",
    why="A process running as root in the container is root on the host if it escapes.",
    fix="Add `USER 10001:0` after the last package installation.",
    check=None,
    phase=3,
    effort_hours=2.0,
    aliases=("DS002",),
    reference="https://github.com/aquasecurity/trivy-checks (DS002)",
)
LATEST_RULE = Rule(
    id="DL3007",
    name="no-latest-tag",
    severity=Severity.MEDIUM,
    summary="Using latest is prone to errors if the image will ever update",
    why="`latest` moves; two builds of the same commit get different bases.",
    fix="Pin the tag and the digest: `FROM python:3.12-slim@sha256:...`.",
    check="Pinned-Dependencies",
    phase=1,
    effort_hours=0.25,
    aliases=("DS001",),
    reference="hadolint DL3007",
    automatable=True,
)
INJECTION_RULE = Rule(
    id="CK2004",
    name="template-injection",
    severity=Severity.CRITICAL,
    summary="Untrusted input expanded into a run: script",
    why="A pull request title is attacker-controlled; `${{ }}` pastes it into the shell.",
    fix="Pass it through `env:` and quote the variable.",
    check="Dangerous-Workflow",
    phase=1,
    effort_hours=0.5,
)
POLICY_RULE = Rule(
    id="CK3001",
    name="no-security-policy",
    severity=Severity.MEDIUM,
    summary="No SECURITY.md",
    why="Reporters need to know where to send a vulnerability privately.",
    fix="Add SECURITY.md with a contact URL or address.",
    check="Security-Policy",
    phase=1,
    effort_hours=0.25,
    automatable=True,
)

_UNSORTED_FINDINGS = (
    Finding(
        rule_id="CK2004",
        severity=Severity.CRITICAL,
        message="${{ github.event.pull_request.title }} in run: <script>alert(1)</script> | x",
        location=Location(".github/workflows/triage.yml", 14, 22, 14, 61),
        check="Dangerous-Workflow",
    ),
    Finding(
        rule_id="DL3007",
        severity=Severity.MEDIUM,
        message="Using latest is prone to errors if the image will ever update",
        location=Location("Dockerfile", 1, 6, 1, 19),
        check="Pinned-Dependencies",
        edits=(TextEdit("Dockerfile", 5, 18, "python:3.12"),),
    ),
    Finding(
        rule_id="CK1001",
        severity=Severity.HIGH,
        message="final stage runs as root (no USER; base python:latest runs as root)",
        location=Location("Dockerfile", 9, 1),
        confidence=Confidence.MEDIUM,
    ),
    Finding(
        rule_id="CK3001",
        severity=Severity.MEDIUM,
        message="no security policy file (SECURITY.md)",
        location=None,
        check="Security-Policy",
    ),
)

FINDINGS = tuple(sorted(_UNSORTED_FINDINGS, key=lambda f: f.sort_key))
"""In the audit's order: by location, repository-wide first."""

CHECKS = (
    CheckResult(
        "Dangerous-Workflow",
        0,
        Risk.CRITICAL,
        "dangerous workflow patterns detected",
        details=("Warn: script injection: .github/workflows/triage.yml:14",),
    ),
    CheckResult("Pinned-Dependencies", 3, Risk.MEDIUM, "dependency not pinned by hash detected"),
    CheckResult("Security-Policy", 0, Risk.MEDIUM, "security policy file not detected"),
    CheckResult("License", 9, Risk.LOW, "license file detected"),
    CheckResult("Packaging", -1, Risk.MEDIUM, "packaging workflow not detected"),
    CheckResult(
        "Code-Review", -1, Risk.HIGH, "needs GitHub API; not computed offline", local=False
    ),
    CheckResult(
        "Maintained",
        7,
        Risk.HIGH,
        "estimated from 30 commits in 90 days",
        local=False,
        estimated=True,
    ),
)

PLAN = (
    PlanStep(
        1,
        "CK2004",
        "Untrusted input expanded into a run: script",
        1,
        4.55,
        0.5,
        False,
        "Dangerous-Workflow",
    ),
    PlanStep(
        1,
        "DL3007",
        "Using latest is prone to errors if the image will ever update",
        1,
        1.59,
        0.25,
        True,
        "Pinned-Dependencies",
    ),
    PlanStep(1, "CK3001", "No SECURITY.md", 1, 2.27, 0.25, True, "Security-Policy"),
    PlanStep(3, "CK1001", "The final stage runs as root", 1, 0.0, 2.0, False, None),
)


def sample(root: str = "repo", **changes: object) -> AuditResult:
    """A realistic audit: four findings (one repository-wide), seven checks, a plan, a problem."""
    fields: dict[str, object] = {
        "root": root,
        "score": Score(local=3.2727272, estimated=3.95),
        "checks": CHECKS,
        "findings": FINDINGS,
        "plan": PLAN,
        "problems": (
            Problem(
                ".github/workflows/broken.yml",
                "invalid YAML: mapping values are not allowed here",
                line=3,
                column=9,
            ),
            Problem("big.bin", "file is larger than 4 MiB; not analysed"),
        ),
        "rules": {r.id: r for r in (ROOT_RULE, LATEST_RULE, INJECTION_RULE, POLICY_RULE)},
        "suppressed": 2,
    }
    fields.update(changes)
    return AuditResult(**fields)  # type: ignore[arg-type]


@pytest.fixture
def result() -> AuditResult:
    return sample()


@pytest.fixture
def empty() -> AuditResult:
    """No checks could score, nothing found: every renderer must still produce a valid report."""
    return AuditResult(
        root="empty", score=Score(None, None), checks=(), findings=(), plan=(), problems=()
    )
