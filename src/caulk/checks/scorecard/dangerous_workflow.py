"""Scorecard's Dangerous-Workflow check, computed locally.

Mirrors ``checks/raw/dangerous_workflow.go``, the probes
``hasDangerousWorkflowUntrustedCheckout`` and ``hasDangerousWorkflowScriptInjection``, and
``checks/evaluation/dangerous_workflow.go`` (../shared/reference/scorecard-checks.md §2.3):
no workflow with commands gives -1; any finding gives 0, none gives 10; a workflow that fails
to parse, or a ``run:`` with a ``${{`` never closed, is a runtime error (-1).

Untrusted checkout: only in workflows triggered by ``pull_request_target`` or ``workflow_run``,
a step whose ``uses`` contains ``actions/checkout`` with a ``ref`` containing
``github.event.pull_request`` or ``github.event.workflow_run``. Script injection: in every
workflow, each untrusted ``${{ … }}`` of a ``run:`` step (not ``env:`` nor
``actions/github-script``, which caulk's CK2005 rule pack also covers).

Deviation in presentation only: Scorecard reports an injection on the line of the ``run:`` key
(a block's indicator); caulk's findings point at the expression's own line and column.
"""

from __future__ import annotations

from caulk.checks.registry import INCONCLUSIVE, CheckResult, Risk, scorecard_check
from caulk.checks.scorecard._workflows import invalid_workflow_result
from caulk.checks.workflow import analysis
from caulk.findings import Finding
from caulk.repo.checkout import Repository
from caulk.workflow.expressions import UnclosedExpression
from caulk.workflow.load import workflow_set

NAME = "Dangerous-Workflow"


@scorecard_check(NAME, Risk.CRITICAL)
def dangerous_workflow(repo: Repository) -> CheckResult:
    """Untrusted checkouts in privileged triggers and script injection in ``run:`` steps."""
    wset = workflow_set(repo)
    invalid = invalid_workflow_result(wset, NAME, Risk.CRITICAL)
    if invalid is not None:
        return invalid
    if wset.with_commands == 0:
        return CheckResult(NAME, INCONCLUSIVE, Risk.CRITICAL, "no workflows found")
    findings: list[Finding] = []
    for workflow in wset.workflows:
        findings.extend(analysis.untrusted_checkouts(workflow))
        try:
            findings.extend(analysis.script_injections(workflow))
        except UnclosedExpression as exc:
            return CheckResult(
                NAME,
                INCONCLUSIVE,
                Risk.CRITICAL,
                f"internal error: invalid GitHub workflow: {workflow.path}: {exc}",
            )
    details = tuple(
        f"Warn: {f.message}: {f.location.path}:{f.location.line}"
        for f in findings
        if f.location is not None
    )
    if findings:
        return CheckResult(
            NAME,
            0,
            Risk.CRITICAL,
            "dangerous workflow patterns detected",
            details=details,
            findings=tuple(findings),
        )
    return CheckResult(NAME, 10, Risk.CRITICAL, "no dangerous workflow patterns detected")
