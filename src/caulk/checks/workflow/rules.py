"""The GitHub Actions workflow rule pack: CK2001-CK2015 with exact locations.

Rules are declared in :mod:`caulk.checks.workflow.catalog` and computed by
:mod:`caulk.checks.workflow.analysis`; docs/rules-workflow.md documents each one. A workflow
that cannot be parsed gives CK2013 (and its Problem) and is otherwise skipped.
"""

from __future__ import annotations

from collections.abc import Iterable

from caulk.checks.registry import rule_pack
from caulk.checks.workflow import analysis, catalog
from caulk.findings import Finding, Location
from caulk.repo.checkout import Repository
from caulk.workflow.expressions import UnclosedExpression
from caulk.workflow.load import workflow_set
from caulk.workflow.model import Scalar

PER_WORKFLOW = (
    analysis.unpinned_actions,
    analysis.missing_top_permissions,
    analysis.top_write_permissions,
    analysis.excessive_job_permissions,
    analysis.untrusted_checkouts,
    analysis.persisted_credentials,
    analysis.image_without_attestations,
    analysis.silent_signing_failures,
    analysis.attestation_push_to_docker_hub,
    analysis.mutable_tags_on_push,
)


@rule_pack("workflow")
def workflow_rules(repo: Repository) -> Iterable[Finding]:
    """Every CK2xxx finding of the repository's workflows."""
    wset = workflow_set(repo)
    findings: list[Finding] = []
    for failure in wset.failures:
        findings.append(
            Finding(
                rule_id=catalog.UNPARSABLE_WORKFLOW.id,
                severity=catalog.UNPARSABLE_WORKFLOW.severity,
                message=f"{failure.message}; GitHub and Scorecard cannot read this workflow",
                location=Location(failure.path, failure.line or 1, failure.column or 1),
            )
        )
    flows = list(wset.workflows)
    for workflow in flows:
        for rule in PER_WORKFLOW:
            findings.extend(rule(workflow))

        def unclosed(value: Scalar, exc: UnclosedExpression, path: str = workflow.path) -> None:
            pos = value.position_of(exc.offset, needle="${{")
            repo.add_problem(path, f"unclosed expression: {exc}", pos.line, pos.column)

        findings.extend(
            analysis.script_injections(workflow, github_script=True, on_unclosed=unclosed)
        )
    findings.extend(analysis.no_scheduled_rebuild(flows))
    findings.extend(analysis.no_scorecard_workflow(flows))
    return sorted(findings, key=lambda f: f.sort_key)
