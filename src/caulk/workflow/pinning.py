"""The GitHub Actions collector of Scorecard's Pinned-Dependencies check.

Mirrors ``checks/raw/pinned_dependencies.go`` (``validateGitHubActionWorkflow`` and
``validateGitHubWorkflowIsFreeOfInsecureDownloads``) and ``checks/fileparser/github_workflow.go``
(``GetShellForStep``); ../shared/reference/scorecard-checks.md §2.1:

* every step ``uses:`` and job-level ``jobs.<id>.uses`` is a ``GitHubAction`` dependency, except
  local ``./…`` references; pinned iff it matches ``^\\..+[^/]``, ``.*@[a-fA-F\\d]{40,}`` or
  ``docker://.*@sha256:[a-fA-F\\d]{64}``; GitHub-owned iff it starts with ``actions/``/``github/``;
* every ``run:`` step whose shell is sh, bash or mksh goes to the shell analyzer
  (:func:`caulk.shell.analyze.analyze_script`) after Scorecard's ``{{[^{}]*}}`` →
  ``GITHUB_REDACTED_VAR`` replacement (the ``$`` before it stays, as in Scorecard), with one
  analyzer state (downloaded-file taint) per job;
* a ``matrix.os`` ``runs-on`` that cannot be resolved is a ProcessingError (not counted) and the
  step is skipped.

A workflow that failed to parse raises :class:`CollectorError` (Scorecard: runtime error -1).
Deviation from the brief: an unclosed ``${{`` is not an error here, because Scorecard's
Pinned-Dependencies does not treat it as one (only Dangerous-Workflow does).
"""

from __future__ import annotations

import importlib
import re
from typing import Any

from caulk.checks.scorecard.pinning_model import CollectorError, Dependency, DependencyType
from caulk.findings import Location
from caulk.repo.checkout import Repository
from caulk.workflow.load import workflow_set
from caulk.workflow.model import Job, Step, Workflow

_LOCAL_ACTION = re.compile(r"^\..+[^/]", re.ASCII)
_HASH_PINNED = re.compile(r".*@[a-fA-F\d]{40,}", re.ASCII)
_DOCKER_DIGEST = re.compile(r"docker://.*@sha256:[a-fA-F\d]{64}", re.ASCII)
_GITHUB_VAR = re.compile(r"{{[^{}]*}}")

_WINDOWS_IF = (
    re.compile(r"(?i)runner\.os\s*==\s*['\"]windows['\"]"),
    re.compile(r"(?i)\$\{\{\s*startsWith\(runner\.os,\s*['\"]windows['\"]\)"),
    re.compile(r"(?i)matrix\.os\s*==\s*['\"]windows-"),
)
SUPPORTED_SHELLS = ("sh", "bash", "mksh")


def is_action_pinned(uses: str) -> bool:
    """Scorecard ``isActionDependencyPinned``."""
    return bool(
        _LOCAL_ACTION.match(uses) or _HASH_PINNED.match(uses) or _DOCKER_DIGEST.search(uses)
    )


def is_github_owned(uses: str) -> bool:
    """Scorecard ``IsGitHubOwnedAction``."""
    return uses.startswith(("actions/", "github/"))


def redact_expressions(script: str) -> str:
    """Scorecard's ``{{[^{}]*}}`` → ``GITHUB_REDACTED_VAR`` (so ``${{ x }}`` → ``$GITHUB_…``)."""
    return _GITHUB_VAR.sub("GITHUB_REDACTED_VAR", script)


class UnresolvedOS(Exception):
    """``runs-on: ${{ matrix.os }}`` with no ``os`` in the matrix (Scorecard ErrJobOSParsing)."""


def job_oses(job: Job) -> list[str]:
    """Scorecard ``GetOSesForJob``: the runs-on labels, or the matrix ``os`` values."""
    labels = [label.value for label in job.runs_on]
    if len(labels) == 1 and "matrix.os" in labels[0]:
        oses = list(job.matrix_os or ())
        if not oses:
            raise UnresolvedOS(job.label)
        return oses
    return labels


def shell_for_step(step: Step, job: Job) -> str:
    """Scorecard ``GetShellForStep``; raises :class:`UnresolvedOS`.

    Step ``shell`` > job ``defaults.run.shell`` (the workflow-level default is ignored) >
    ``pwsh`` if the step's ``if:`` tests for Windows > ``pwsh`` if every runs-on OS starts with
    ``windows`` (vacuously true with no ``runs-on``) > ``bash``.
    """
    if step.shell is not None and step.shell.value:
        return step.shell.value
    if job.default_shell is not None and job.default_shell.value:
        return job.default_shell.value
    if step.if_ is not None and any(r.search(step.if_.value) for r in _WINDOWS_IF):
        return "pwsh"
    if all(os.lower().startswith("windows") for os in job_oses(job)):
        return "pwsh"
    return "bash"


def is_supported_shell(shell: str) -> bool:
    """Scorecard ``isSupportedShell``: the basename is sh, bash or mksh (any case)."""
    base = shell.rsplit("/", 1)[-1].lower()
    return base in SUPPORTED_SHELLS


def script_start(step: Step) -> tuple[int, int]:
    """The file line and column of a ``run:`` script's first character.

    Exact for ``run: |`` blocks (the line after the indicator, at the block's indentation) and
    one-line scalars; a folded ``>`` block gives the line after its indicator, column 1.
    """
    assert step.run is not None
    if step.run.style == ">":
        return step.run.pos.line + 1, 1
    start = step.run.position_of(0)
    return start.line, start.column


def action_dependencies(workflow: Workflow) -> list[Dependency]:
    """``uses:`` dependencies of one workflow, in file order."""
    deps: list[Dependency] = []
    for job in workflow.jobs:
        if job.uses is not None and not job.uses.value.startswith("./"):
            deps.append(_action_dependency(workflow.path, job.uses.value, job.uses))
        for step in job.steps:
            if step.uses is None or step.uses.value == "" or step.run is not None:
                continue
            if step.uses.value.startswith("./"):
                continue
            deps.append(_action_dependency(workflow.path, step.uses.value, step.uses))
    return deps


def _action_dependency(path: str, uses: str, scalar: Any) -> Dependency:
    pinned = is_action_pinned(uses)
    owned = is_github_owned(uses)
    kind = "GitHub-owned GitHubAction" if owned else "third-party GitHubAction"
    return Dependency(
        type=DependencyType.GITHUB_ACTION,
        pinned=pinned,
        location=Location(
            path, scalar.pos.line, scalar.pos.column, scalar.pos.line, scalar.end_column
        ),
        name=uses,
        github_owned=owned,
        note="" if pinned else f"{kind} not pinned by hash",
    )


def run_dependencies(workflow: Workflow) -> list[Dependency]:
    """Dependencies found by the shell analyzer in ``run:`` steps (empty if it is missing)."""
    try:
        shell: Any = importlib.import_module("caulk.shell.analyze")
    except ImportError:
        return []
    analyze_script = shell.analyze_script
    new_state = shell.ShellState
    deps: list[Dependency] = []
    for job in workflow.jobs:
        state = new_state()
        for step in job.steps:
            if step.run is None or step.uses is not None:
                continue
            try:
                shell_name = shell_for_step(step, job)
            except UnresolvedOS:
                deps.append(
                    Dependency(
                        type=DependencyType.DOWNLOAD_THEN_RUN,
                        pinned=False,
                        location=Location(workflow.path, step.pos.line, step.pos.column),
                        name=job.label,
                        counted=False,
                        note=f"unable to determine the OS of job '{job.label}' from matrix.os",
                    )
                )
                continue
            if not is_supported_shell(shell_name):
                continue
            script = redact_expressions(step.run.value)
            line, column = script_start(step)
            deps.extend(
                analyze_script(script, path=workflow.path, line=line, column=column, state=state)
            )
    return deps


def workflow_dependencies(repo: Repository) -> list[Dependency]:
    """Every GitHub Actions dependency (``uses:`` first, then ``run:`` findings) of ``repo``.

    Raises :class:`CollectorError` for the first workflow that failed to parse, as Scorecard's
    walk stops with an error there.
    """
    wset = workflow_set(repo)
    failure = wset.failures[0] if wset.failures else None
    if failure is not None:
        raise CollectorError(failure.path, failure.message, failure.line)
    deps: list[Dependency] = []
    for workflow in wset.workflows:
        deps.extend(action_dependencies(workflow))
    for workflow in wset.workflows:
        deps.extend(run_dependencies(workflow))
    return deps
