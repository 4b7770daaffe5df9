"""Scorecard's job matchers: is a workflow a packaging, releasing or Pages workflow?

Mirrors ``checks/fileparser/github_workflow.go`` (``JobMatcher``, ``AnyJobsMatch``,
``IsPackagingWorkflow``) and ``checks/raw/permissions.go`` (``isReleasingWorkflow``,
``isGitHubPagesDeploymentWorkflow``, ``isAllowedWorkflow``); reference §2.2 and §2.10.
A job matches a matcher when every matcher step matches some step of the job; a ``uses``
matcher is a prefix match on ``name@``; a ``run`` matcher is a regex search after removing
backslash-newline continuations; a job-level reusable workflow whose ``uses`` starts with a
matcher step's ``name@`` matches the whole matcher. Quirk kept: the ko matcher needs both
``imjasonh/setup-ko`` and ``ko-build/setup-ko``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.workflow.model import Job, Step, Workflow

_CONTINUATION = re.compile(r"\\(\n|\r|\r\n)")


@dataclass(frozen=True)
class MatcherStep:
    uses: str = ""
    with_: tuple[tuple[str, str], ...] = ()
    run: str = ""


@dataclass(frozen=True)
class JobMatcher:
    steps: tuple[MatcherStep, ...]
    log_text: str


@dataclass(frozen=True)
class JobMatch:
    """The first job that matched, and the matcher's log text."""

    job: Job
    matcher: JobMatcher


def _step_matches(wanted: MatcherStep, step: Step) -> bool:
    if wanted.uses:
        if step.uses is None or step.run is not None:
            return False
        if not step.uses.value.startswith(wanted.uses + "@"):
            return False
    if wanted.with_:
        if step.uses is None:
            return False
        for key, value in wanted.with_:
            got = step.input(key)
            if got is None or got.value != value:
                return False
    if wanted.run:
        if step.run is None or step.uses is not None:
            return False
        script = _CONTINUATION.sub("", step.run.value)
        if not re.search(wanted.run, script):
            return False
    return True


def job_matches(matcher: JobMatcher, job: Job) -> bool:
    """Scorecard ``JobMatcher.matches``."""
    for wanted in matcher.steps:
        if job.uses is not None and job.uses.value.startswith(wanted.uses + "@"):
            return True
        if not any(_step_matches(wanted, step) for step in job.steps):
            return False
    return True


def any_job_matches(workflow: Workflow, matchers: tuple[JobMatcher, ...]) -> JobMatch | None:
    """Scorecard ``AnyJobsMatch``: jobs in order, matchers in order, first match wins."""
    for job in workflow.jobs:
        for matcher in matchers:
            if job_matches(matcher, job):
                return JobMatch(job, matcher)
    return None


def _m(log_text: str, *steps: MatcherStep) -> JobMatcher:
    return JobMatcher(tuple(steps), log_text)


PACKAGING_MATCHERS: tuple[JobMatcher, ...] = (
    _m(
        "candidate node publishing workflow using npm",
        MatcherStep(
            uses="actions/setup-node", with_=(("registry-url", "https://registry.npmjs.org"),)
        ),
        MatcherStep(run="npm.*publish"),
    ),
    _m(
        "candidate java publishing workflow using maven",
        MatcherStep(uses="actions/setup-java"),
        MatcherStep(run="mvn.*deploy"),
    ),
    _m(
        "candidate java publishing workflow using gradle",
        MatcherStep(uses="actions/setup-java"),
        MatcherStep(run="gradle.*publish"),
    ),
    _m(
        "candidate Scala publishing workflow using sbt-ci-release",
        MatcherStep(run="sbt.*ci-release"),
    ),
    _m("candidate ruby publishing workflow using gem", MatcherStep(run="gem.*push")),
    _m("candidate nuget publishing workflow", MatcherStep(run="nuget.*push")),
    _m("candidate docker publishing workflow", MatcherStep(run="docker.*push")),
    _m("candidate docker publishing workflow", MatcherStep(uses="docker/build-push-action")),
    _m(
        "candidate python publishing workflow using pypi",
        MatcherStep(uses="pypa/gh-action-pypi-publish"),
    ),
    _m(
        "candidate python publishing workflow using python-semantic-release",
        MatcherStep(uses="relekang/python-semantic-release"),
    ),
    _m("candidate golang publishing workflow", MatcherStep(uses="goreleaser/goreleaser-action")),
    _m("candidate rust publishing workflow using cargo", MatcherStep(run="cargo.*publish")),
    _m(
        "candidate container publishing workflow using ko",
        MatcherStep(uses="imjasonh/setup-ko"),
        MatcherStep(uses="ko-build/setup-ko"),
    ),
    _m(
        "candidate publishing workflow using semantic-release",
        MatcherStep(run="npx.*semantic-release"),
    ),
    _m(
        "candidate publishing workflow using elixir",
        MatcherStep(uses="erlef/setup-elixir"),
        MatcherStep(run=".*hex.publish.*"),
    ),
)

RELEASE_MATCHERS: tuple[JobMatcher, ...] = (
    _m(
        "candidate python publishing workflow using python-semantic-release",
        MatcherStep(uses="relekang/python-semantic-release"),
    ),
    _m(
        "candidate publishing workflow using semantic-release",
        MatcherStep(run="(npx|pnpm|yarn).*semantic-release"),
    ),
    _m(
        "candidate golang publishing workflow",
        MatcherStep(uses="actions/setup-go"),
        MatcherStep(uses="goreleaser/goreleaser-action"),
    ),
    _m(
        "candidate SLSA publishing workflow using slsa-github-generator",
        MatcherStep(
            uses="slsa-framework/slsa-github-generator/.github/workflows/builder_go_slsa3.yml"
        ),
    ),
    _m(
        "candidate SLSA publishing workflow using slsa-github-generator",
        MatcherStep(
            uses="slsa-framework/slsa-github-generator/.github/workflows/generator_generic_slsa3.yml"
        ),
    ),
    _m("candidate mvn release workflow", MatcherStep(run=".*mvn.*release:prepare.*")),
)

PAGES_MATCHERS: tuple[JobMatcher, ...] = (
    _m(
        "candidate GitHub page deployment workflow using peaceiris/actions-gh-pages",
        MatcherStep(uses="peaceiris/actions-gh-pages"),
    ),
)

SARIF_ACTIONS = frozenset(
    {
        "github/codeql-action/analyze",
        "github/codeql-action/upload-sarif",
        "ossf/scorecard-action",
        "haskell-actions/hlint-scan",
        "zizmorcore/zizmor-action",
    }
)


def packaging_match(workflow: Workflow) -> JobMatch | None:
    """Scorecard ``IsPackagingWorkflow``."""
    return any_job_matches(workflow, PACKAGING_MATCHERS)


def is_release_workflow(workflow: Workflow) -> bool:
    """``contents: write`` is expected: a releasing or GitHub Pages workflow."""
    return (
        any_job_matches(workflow, RELEASE_MATCHERS) is not None
        or any_job_matches(workflow, PAGES_MATCHERS) is not None
    )


def is_sarif_workflow(workflow: Workflow) -> bool:
    """Scorecard ``isAllowedWorkflow``: a step uses a SARIF-uploading action."""
    return any(step.action in SARIF_ACTIONS for _, step in workflow.steps() if step.run is None)
