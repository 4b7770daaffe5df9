"""What the workflow-based Scorecard checks share: a workflow that fails to parse."""

from __future__ import annotations

from caulk.checks.registry import INCONCLUSIVE, CheckResult, Risk
from caulk.workflow.model import WorkflowSet


def invalid_workflow_result(wset: WorkflowSet, name: str, risk: Risk) -> CheckResult | None:
    """Scorecard's runtime error (-1) when a workflow could not be parsed, else None.

    actionlint returning errors with a nil workflow makes Scorecard's check fail as a whole
    (../shared/reference/scorecard-checks.md §1).
    """
    if not wset.failures:
        return None
    failure = wset.failures[0]
    return CheckResult(
        name,
        INCONCLUSIVE,
        risk,
        f"internal error: invalid GitHub workflow: {failure.path}: {failure.message}",
    )
