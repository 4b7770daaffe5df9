"""Scorecard's Token-Permissions check, computed locally.

Mirrors ``checks/raw/permissions.go``, the probes ``topLevelPermissions``,
``jobLevelPermissions`` and ``hasNoGitHubWorkflowPermissionUnknown``, and
``checks/evaluation/permissions.go`` (../shared/reference/scorecard-checks.md §2.2):

* Files: workflows with commands; none gives -1 ("No tokens found"); a workflow that fails to
  parse is a runtime error (-1).
* The score starts at 10.0 (float32) and the result is ``int(max(score, 0))`` (truncated).
* Probe order puts every job-level finding before every top-level finding, so job-level writes
  never lower the score; they only decide two top-level cases of the same file:
  - top-level undeclared: 0 if a job of that file has no ``permissions`` (later deductions can
    only keep it at 0), else -0.5;
  - top-level ``write-all`` (exactly that string): the result is 0 at once if a job of that
    file has no ``permissions`` or writes a scope of interest (not ignored), else -0.5;
  - top-level scope writes: statuses/checks -0.5, deployments/security-events -1,
    contents/packages/actions -10 each.
* ``{}`` or an empty value is "none" (fine); other strings (``read``, ``WRITE-ALL``) count for
  nothing; job-level ``write-all`` is not reported at all.
* Job-level exceptions (packages in a packaging workflow, contents in a release or Pages
  workflow, security-events in a SARIF workflow) only change logging, as in Scorecard.
"""

from __future__ import annotations

from caulk.checks.registry import INCONCLUSIVE, CheckResult, Risk, scorecard_check
from caulk.checks.scorecard._workflows import invalid_workflow_result
from caulk.checks.workflow import analysis
from caulk.findings import Finding
from caulk.repo.checkout import Repository
from caulk.workflow.load import workflow_set
from caulk.workflow.matchers import is_release_workflow, is_sarif_workflow, packaging_match
from caulk.workflow.model import PermissionsKind, Workflow

NAME = "Token-Permissions"
_OF_INTEREST = tuple(analysis.TOP_WRITE_PENALTY)
_REASON_BAD = "detected GitHub workflow tokens with excessive permissions"
_REASON_GOOD = "GitHub workflow tokens follow principle of least privilege"


def _ignored_scopes(workflow: Workflow) -> frozenset[str]:
    ignored = set()
    if packaging_match(workflow) is not None:
        ignored.add("packages")
    if is_release_workflow(workflow):
        ignored.add("contents")
    if is_sarif_workflow(workflow):
        ignored.add("security-events")
    return frozenset(ignored)


def _job_state(workflow: Workflow, details: list[str]) -> tuple[bool, bool]:
    """(a job lacks ``permissions``, a job writes a scope of interest that is not ignored)."""
    ignored = _ignored_scopes(workflow)
    undeclared = False
    writes = False
    for job in workflow.jobs:
        perms = job.permissions
        if not perms.declared:
            undeclared = True
            continue
        for scope, value, _ in perms.writes():
            if scope in _OF_INTEREST and scope not in ignored:
                writes = True
                details.append(
                    f"Warn: jobLevel '{scope}' permission set to '{value.value}': "
                    f"{workflow.path}:{value.pos.line}"
                )
    return undeclared, writes


@scorecard_check(NAME, Risk.HIGH)
def token_permissions(repo: Repository) -> CheckResult:
    """Top-level and job-level ``permissions`` of the workflows' GITHUB_TOKEN."""
    wset = workflow_set(repo)
    invalid = invalid_workflow_result(wset, NAME, Risk.HIGH)
    if invalid is not None:
        return invalid
    if wset.with_commands == 0:
        return CheckResult(NAME, INCONCLUSIVE, Risk.HIGH, "No tokens found")

    details: list[str] = []
    findings: list[Finding] = []
    job_state = {w.path: _job_state(w, details) for w in wset.workflows}
    score = 10.0
    for workflow in wset.workflows:
        job_undeclared, job_writes = job_state[workflow.path]
        perms = workflow.permissions
        path = workflow.path
        if perms.kind is PermissionsKind.UNDECLARED:
            details.append(f"Warn: no topLevel permission defined: {path}:1")
            findings.extend(analysis.missing_top_permissions(workflow))
            score = 0.0 if job_undeclared else score - 0.5
        elif perms.kind is PermissionsKind.WRITE_ALL:
            assert perms.value is not None
            details.append(
                f"Warn: topLevel permissions set to 'write-all': {path}:{perms.value.pos.line}"
            )
            findings.extend(analysis.top_write_permissions(workflow))
            if job_undeclared or job_writes:
                return CheckResult(
                    NAME,
                    0,
                    Risk.HIGH,
                    _REASON_BAD,
                    details=tuple(details),
                    findings=tuple(findings),
                )
            score -= 0.5
        elif perms.kind is PermissionsKind.SCOPES:
            for scope, value, _ in perms.writes():
                penalty = analysis.TOP_WRITE_PENALTY.get(scope)
                if penalty is None:
                    continue
                details.append(
                    f"Warn: topLevel '{scope}' permission set to '{value.value}': "
                    f"{path}:{value.pos.line}"
                )
                score -= penalty
            findings.extend(analysis.top_write_permissions(workflow))
        elif perms.kind in (PermissionsKind.READ_ALL, PermissionsKind.NONE):
            what = (
                "found token with 'none' permissions"
                if perms.kind is PermissionsKind.NONE
                else ("topLevel permissions set to 'read-all'")
            )
            line = perms.key_pos.line if perms.key_pos else 1
            details.append(f"Info: {what}: {path}:{line}")
    if not any(writes for _, writes in job_state.values()):
        details.append("Info: no jobLevel write permissions found")
    result = int(max(score, 0.0))
    return CheckResult(
        NAME,
        result,
        Risk.HIGH,
        _REASON_GOOD if result == 10 and score == 10.0 else _REASON_BAD,
        details=tuple(details),
        findings=tuple(findings),
    )
