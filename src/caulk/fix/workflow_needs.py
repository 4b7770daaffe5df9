"""What a job's GITHUB_TOKEN must be allowed to do, judged from what its steps run.

The least-privilege ``permissions:`` block that ``caulk fix`` writes for a job: always
``contents: read`` (checkout of a private repository needs it), plus exactly the scopes its
steps are known to use:

* ``packages: write`` when the job pushes to GitHub's registry: a ``docker/login-action`` or
  ``docker login`` to ghcr.io, or a push (build-push-action with ``push``, ``docker push``,
  ``cosign sign``, ``push-to-registry: true``…) whose registry is not known to be another one;
* ``id-token: write`` for keyless signing and OIDC (``cosign sign``/``attest`` without
  ``--key``, sigstore actions, ``actions/attest*``, PyPI trusted publishing, ``deploy-pages``,
  cloud logins through OIDC, ``npm publish --provenance``, Scorecard's ``publish_results``);
* ``attestations: write`` for ``actions/attest*``;
* ``security-events: write`` (and ``actions: read``) for SARIF uploads;
* ``contents: write`` only for steps that create releases or push commits.

This is the narrow counterpart of CK2003's judgement (:mod:`caulk.checks.workflow.analysis`),
which asks whether a granted write *could* be used and is deliberately permissive: every scope
granted here is one CK2003 accepts. A step that receives the token and is not one of the known
actions or commands (``actions/github-script``, ``gh api``, an unknown action given
``${{ secrets.GITHUB_TOKEN }}``) makes the needs *unknown*: the fixer then leaves the job to
the maintainer instead of guessing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from caulk.workflow.model import Job, Scalar, Step, Workflow

_W = "write"
_R = "read"
_ATTEST = {"id-token": _W, "attestations": _W}
_SARIF = {"security-events": _W, "actions": _R}

ACTION_SCOPES: dict[str, dict[str, str]] = {
    "actions/attest-build-provenance": _ATTEST,
    "actions/attest": _ATTEST,
    "actions/attest-sbom": _ATTEST,
    "sigstore/gh-action-sigstore-python": {"id-token": _W},
    "pypa/gh-action-pypi-publish": {"id-token": _W},
    "actions/deploy-pages": {"pages": _W, "id-token": _W},
    "github/codeql-action/upload-sarif": _SARIF,
    "github/codeql-action/analyze": _SARIF,
    "softprops/action-gh-release": {"contents": _W},
    "ncipollo/release-action": {"contents": _W},
    "actions/create-release": {"contents": _W},
    "actions/upload-release-asset": {"contents": _W},
    "svenstaro/upload-release-action": {"contents": _W},
    "goreleaser/goreleaser-action": {"contents": _W},
    "stefanzweifel/git-auto-commit-action": {"contents": _W},
    "endbug/add-and-commit": {"contents": _W},
    "ad-m/github-push-action": {"contents": _W},
    "peaceiris/actions-gh-pages": {"contents": _W},
    "jamesives/github-pages-deploy-action": {"contents": _W},
    "peter-evans/create-pull-request": {"contents": _W, "pull-requests": _W},
    "googleapis/release-please-action": {"contents": _W, "pull-requests": _W},
    "google-github-actions/release-please-action": {"contents": _W, "pull-requests": _W},
    "changesets/action": {"contents": _W, "pull-requests": _W},
    "release-drafter/release-drafter": {"contents": _W, "pull-requests": _R},
    "relekang/python-semantic-release": {"contents": _W},
    "python-semantic-release/python-semantic-release": {"contents": _W},
    "cycjimmy/semantic-release-action": {"contents": _W, "issues": _W, "pull-requests": _W},
    "actions/labeler": {"pull-requests": _W},
    "actions/stale": {"issues": _W, "pull-requests": _W},
    "marocchino/sticky-pull-request-comment": {"pull-requests": _W},
    "thollander/actions-comment-pull-request": {"pull-requests": _W},
}
"""Scopes a well-known action needs beyond ``contents: read`` (action lower-cased)."""

_READ_ONLY_PREFIXES = (
    "actions/checkout",
    "actions/setup-",
    "actions/cache",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/dependency-review-action",
    "docker/",
    "sigstore/cosign-installer",
    "aquasecurity/",
    "anchore/",
    "hadolint/",
    "github/codeql-action/",
    "codecov/",
    "ossf/scorecard-action",
    "zizmorcore/zizmor-action",
    "dependabot/fetch-metadata",
    "redhat-actions/",
    "ko-build/",
    "imjasonh/setup-ko",
    "aws-actions/",
    "google-github-actions/auth",
    "azure/login",
    "astral-sh/setup-uv",
    "golangci/golangci-lint-action",
)
"""Actions that use the token, if at all, for what ``contents: read`` and the scopes computed
here allow (reading the repository, the registry login's password, a SARIF upload)."""

_PUSHING_ACTIONS = ("redhat-actions/push-to-registry", "docker/bake-action")
_TOKEN = re.compile(r"secrets\.github_token|github\.token", re.IGNORECASE)
_COSIGN = re.compile(r"\bcosign\s+(sign|attest|sign-blob|attest-blob)\b(?P<args>[^\n]*)")
_PUSH_RUN = re.compile(
    r"\b(docker|podman|buildah|nerdctl)\s+(image\s+)?push\b|\bbuildx\s+(build|bake)\b[^\n]*--push\b|"
    r"\bko\s+(build|publish|resolve|apply)\b|\bcrane\s+(push|copy|cp|tag|mutate)\b|"
    r"\bskopeo\s+copy\b|\boras\s+(push|attach)\b|\bhelm\s+push\b"
)
_LOGIN_RUN = re.compile(r"\b(docker|podman|buildah|helm\s+registry|oras|crane\s+auth)\s+login\b")
_GHCR = re.compile(r"\bghcr\.io\b", re.IGNORECASE)
_GIT_PUSH = re.compile(r"\bgit\b[^\n|;&]*\bpush\b|\brelease:(prepare|perform)\b|semantic-release")
_NPM_PROVENANCE = re.compile(r"\bnpm\b[^\n]*\bpublish\b[^\n]*--provenance")
_GH = re.compile(r"(?:^|[\s;&|(`$])gh\s+(?P<group>[a-z-]+)(?:\s+(?P<verb>[a-z-]+))?")
_GH_NEEDS: dict[str, dict[str, str]] = {
    "release create": {"contents": _W},
    "release upload": {"contents": _W},
    "release edit": {"contents": _W},
    "release delete": {"contents": _W},
    "release delete-asset": {"contents": _W},
    "pr create": {"pull-requests": _W},
    "pr edit": {"pull-requests": _W},
    "pr comment": {"pull-requests": _W},
    "pr review": {"pull-requests": _W},
    "pr close": {"pull-requests": _W},
    "pr reopen": {"pull-requests": _W},
    "pr ready": {"pull-requests": _W},
    "pr merge": {"contents": _W, "pull-requests": _W},
    "issue create": {"issues": _W},
    "issue comment": {"issues": _W},
    "issue edit": {"issues": _W},
    "issue close": {"issues": _W},
    "issue reopen": {"issues": _W},
}
_GH_READ = frozenset(
    {
        "release view",
        "release download",
        "release list",
        "pr view",
        "pr list",
        "pr diff",
        "pr checks",
        "pr checkout",
        "issue view",
        "issue list",
        "attestation verify",
        "attestation download",
        "auth status",
        "auth setup-git",
        "run view",
        "run list",
        "run download",
        "repo view",
    }
)
_GIT_PUSHING_ACTIONS = (
    "stefanzweifel/git-auto-commit-action",
    "endbug/add-and-commit",
    "ad-m/github-push-action",
    "changesets/action",
    "relekang/python-semantic-release",
    "python-semantic-release/python-semantic-release",
    "cycjimmy/semantic-release-action",
)
"""Actions that push commits or tags with the credentials actions/checkout persisted."""

SCOPE_ORDER = (
    "contents",
    "actions",
    "attestations",
    "checks",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "packages",
    "pages",
    "pull-requests",
    "security-events",
    "statuses",
)


@dataclass(frozen=True)
class JobNeeds:
    """The permissions one job needs, or why they cannot be told."""

    scopes: tuple[tuple[str, str], ...]
    """``(scope, "read"|"write")`` starting with ``contents``, then in :data:`SCOPE_ORDER`."""
    unknown: tuple[str, ...] = ()
    """Why the needs cannot be determined (steps whose use of the token is unknown)."""

    def level(self, scope: str) -> str | None:
        for name, level in self.scopes:
            if name == scope:
                return level
        return None

    def lines(self) -> list[str]:
        """``scope: level`` lines for a ``permissions:`` block."""
        return [f"{scope}: {level}" for scope, level in self.scopes]


class _Scopes:
    def __init__(self) -> None:
        self.levels: dict[str, str] = {"contents": _R}

    def grant(self, scopes: dict[str, str]) -> None:
        for scope, level in scopes.items():
            if self.levels.get(scope) != _W:
                self.levels[scope] = level

    def result(self, unknown: Iterable[str]) -> JobNeeds:
        ordered = sorted(
            self.levels.items(),
            key=lambda item: SCOPE_ORDER.index(item[0]) if item[0] in SCOPE_ORDER else 99,
        )
        return JobNeeds(tuple(ordered), tuple(dict.fromkeys(unknown)))


def _action(step: Step) -> str:
    return (step.action or "").lower()


def _starts(action: str, prefixes: Iterable[str]) -> bool:
    return any(
        action == p or action.startswith(p if p.endswith(("/", "-")) else p + "/") for p in prefixes
    )


def _texts(step: Step) -> list[Scalar]:
    out = [value for _, value, _ in step.with_]
    out += [value for _, value in step.env]
    if step.run is not None:
        out.append(step.run)
    return out


def _truthy(value: Scalar | None) -> bool:
    return value is not None and (value.value.strip().lower() == "true" or "${{" in value.value)


_ENV_REF = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")


def _resolve_env(text: str, workflow: Workflow, job: Job, step: Step) -> str:
    env = {name: value.value for name, value in (*workflow.env, *job.env, *step.env)}
    for _ in range(3):
        text = _ENV_REF.sub(lambda m: env.get(m.group(1), m.group(0)), text)
    return text


def _registry_hosts(workflow: Workflow, job: Job) -> set[str] | None:
    """Hosts the job logs in to; None when a login's registry cannot be told."""
    hosts: set[str] = set()
    for step in job.steps:
        if _action(step) == "docker/login-action":
            registry = step.input("registry")
            value = _resolve_env(registry.value, workflow, job, step) if registry else ""
            if not value.strip():
                hosts.add("docker.io")
            elif "${{" in value:
                return None
            else:
                hosts.add(value.strip().lower().split("://")[-1].split("/")[0])
        if step.run is not None:
            for line in step.run.value.splitlines():
                if _LOGIN_RUN.search(line):
                    hosts.add("ghcr.io" if _GHCR.search(line) else "?")
    return hosts


def _pushes(job: Job) -> bool:
    for step in job.steps:
        action = _action(step)
        if action == "docker/build-push-action" and _truthy(step.input("push")):
            return True
        if _starts(action, _PUSHING_ACTIONS):
            return True
        if action.startswith("actions/attest") and _truthy(step.input("push-to-registry")):
            return True
        if step.run is not None and (
            _PUSH_RUN.search(step.run.value) or _COSIGN.search(step.run.value)
        ):
            return True
    return False


def _keyless(run: str) -> bool:
    return any("--key" not in m.group("args") for m in _COSIGN.finditer(run))


def pushes_with_git(job: Job) -> str | None:
    """What in the job pushes with git using checkout's persisted credentials, if anything."""
    for step in job.steps:
        action = _action(step)
        if _starts(action, _GIT_PUSHING_ACTIONS):
            return step.action
        if step.run is not None and _GIT_PUSH.search(step.run.value):
            return f"the run step '{step.label}'"
    return None


def _run_needs(step: Step, scopes: _Scopes, unknown: list[str]) -> None:
    assert step.run is not None
    run = step.run.value
    if _keyless(run) or _NPM_PROVENANCE.search(run):
        scopes.grant({"id-token": _W})
    if _GIT_PUSH.search(run):
        scopes.grant({"contents": _W})
    for match in _GH.finditer(run):
        command = f"{match.group('group')} {match.group('verb') or ''}".strip()
        if command in _GH_NEEDS:
            scopes.grant(_GH_NEEDS[command])
        elif command not in _GH_READ:
            unknown.append(f"'gh {command}' in step '{step.label}'")


def _action_needs(step: Step, scopes: _Scopes, unknown: list[str]) -> None:
    action = _action(step)
    if action in ACTION_SCOPES:
        scopes.grant(ACTION_SCOPES[action])
    elif action == "ossf/scorecard-action":
        if _truthy(step.input("publish_results")):
            scopes.grant({"id-token": _W})
    elif action == "zizmorcore/zizmor-action":
        advanced = step.input("advanced-security")
        if advanced is None or advanced.value.strip().lower() != "false":
            scopes.grant(_SARIF)
    elif action.startswith("aws-actions/configure-aws-credentials"):
        if step.input("role-to-assume") is not None:
            scopes.grant({"id-token": _W})
    elif action.startswith("google-github-actions/auth"):
        if step.input("workload_identity_provider") is not None:
            scopes.grant({"id-token": _W})
    elif action == "azure/login":
        if step.input("creds") is None:
            scopes.grant({"id-token": _W})
    elif action == "actions/github-script":
        unknown.append(f"actions/github-script in step '{step.label}'")
    elif not _starts(action, _READ_ONLY_PREFIXES) and any(
        _TOKEN.search(value.value) for value in _texts(step)
    ):
        unknown.append(f"{step.action} receives the token in step '{step.label}'")


def job_needs(workflow: Workflow, job: Job) -> JobNeeds:
    """The least-privilege permissions of ``job`` (``workflow`` gives its env context)."""
    scopes = _Scopes()
    unknown: list[str] = []
    for step in job.steps:
        if step.run is not None and step.uses is None:
            _run_needs(step, scopes, unknown)
        elif step.uses is not None:
            _action_needs(step, scopes, unknown)
    hosts = _registry_hosts(workflow, job)
    if hosts is None or "ghcr.io" in hosts:
        scopes.grant({"packages": _W})
    elif _pushes(job) and not hosts - {"ghcr.io", "?"}:
        # A push whose registry is unknown: GitHub's registry needs packages: write.
        scopes.grant({"packages": _W})
    if job.uses is None and not job.steps:
        unknown.append(f"job '{job.id}' has no steps caulk can read")
    return scopes.result(unknown)
