"""Scorecard's Dependency-Update-Tool check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/dependency_update_tool.go`` and ``checks/evaluation/
dependency_update_tool.go`` (ossf/scorecard @ 40c1e359): every listed file (testdata
included) whose lowercased full path is a Dependabot, Renovate or Scala Steward
configuration name counts; any one gives 10, none gives 0. The content is not read.

Deviation: without ``--local`` Scorecard also gives 10 when a commit search finds commits
authored by ``dependabot[bot]``; that needs the GitHub API and is not done.

Whether the configuration also covers the image's ecosystems (``docker``,
``github-actions``) is caulk's own rule CK3002 (``caulk.checks.repository.rules``).
"""

from __future__ import annotations

from caulk.checks.registry import MAX_SCORE, CheckResult, Risk, scorecard_check
from caulk.checks.repository.rules import NO_DEPENDENCY_UPDATES, update_configs
from caulk.findings import Finding
from caulk.repo.checkout import Repository

NAME = "Dependency-Update-Tool"


@scorecard_check(NAME, Risk.HIGH)
def dependency_update_tool(repo: Repository) -> CheckResult:
    """Dependency-Update-Tool: a Dependabot, Renovate or Scala Steward configuration."""
    configs = update_configs(repo)
    if configs:
        return CheckResult(
            name=NAME,
            score=MAX_SCORE,
            risk=Risk.HIGH,
            reason="update tool detected",
            details=tuple(f"Info: detected update tool: {c.tool}: {c.path}" for c in configs),
        )
    return CheckResult(
        name=NAME,
        score=0,
        risk=Risk.HIGH,
        reason="no update tool detected",
        details=("Warn: no dependency update tool configurations found",),
        findings=(
            Finding(
                rule_id=NO_DEPENDENCY_UPDATES.id,
                severity=NO_DEPENDENCY_UPDATES.severity,
                message=(
                    "no dependency-update configuration: add .github/dependabot.yml covering "
                    "the docker and github-actions ecosystems"
                ),
                location=None,
                check=NAME,
            ),
        ),
    )
