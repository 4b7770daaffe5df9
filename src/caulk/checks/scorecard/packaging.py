"""Scorecard's Packaging check, as ``scorecard --local`` computes it.

Mirrors ``checks/raw/github/packaging.go``, the probe ``packagedWithAutomatedWorkflow`` and
``checks/evaluation/packaging.go`` (../shared/reference/scorecard-checks.md §2.10). Workflow
files are read in lexical order, comment-only ones included; the first packaging workflow
(:data:`caulk.workflow.matchers.PACKAGING_MATCHERS`) ends the walk with 10, because ``--local``
assumes it has run. No packaging workflow gives -1 (inconclusive, never 0). A workflow that
fails to parse *before* the first packaging workflow is a runtime error (-1); one after it is
never read, as in Scorecard.
"""

from __future__ import annotations

from caulk.checks.registry import INCONCLUSIVE, CheckResult, Risk, scorecard_check
from caulk.repo.checkout import Repository
from caulk.workflow.load import workflow_set
from caulk.workflow.matchers import packaging_match

NAME = "Packaging"


@scorecard_check(NAME, Risk.MEDIUM)
def packaging(repo: Repository) -> CheckResult:
    """A workflow that publishes a package (npm, Maven, PyPI, container image, …)."""
    wset = workflow_set(repo)
    details: list[str] = []
    for path in wset.paths:
        failure = wset.failure(path)
        if failure is not None:
            return CheckResult(
                NAME,
                INCONCLUSIVE,
                Risk.MEDIUM,
                f"internal error: invalid GitHub workflow: {path}: {failure.message}",
            )
        workflow = wset.workflow(path)
        match = packaging_match(workflow) if workflow is not None else None
        if match is None:
            details.append(f"Debug: not a publishing workflow: {path}")
            continue
        details.append(f"Info: {match.matcher.log_text}: {path}:{match.job.pos.line}")
        details.append(f"Info: Project packages its releases by way of GitHub Actions.: {path}")
        return CheckResult(
            NAME, 10, Risk.MEDIUM, "packaging workflow detected", details=tuple(details)
        )
    details.append("Warn: no GitHub/GitLab publishing workflow detected.")
    return CheckResult(
        NAME, INCONCLUSIVE, Risk.MEDIUM, "packaging workflow not detected", details=tuple(details)
    )
