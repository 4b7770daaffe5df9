"""Finding generators for the CK2xxx workflow rules, one function per rule.

Pure functions over :class:`~caulk.workflow.model.Workflow` objects; the rule pack
(:mod:`caulk.checks.workflow.rules`) and the Scorecard checks (Token-Permissions,
Dangerous-Workflow) call the same functions, so a finding reported by both is identical and
the audit's de-duplication keeps one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from caulk.checks.workflow import catalog
from caulk.findings import Confidence, Finding, Location, Rule
from caulk.workflow.expressions import UnclosedExpression, expressions, is_untrusted
from caulk.workflow.matchers import is_release_workflow, packaging_match
from caulk.workflow.model import Job, Permissions, PermissionsKind, Pos, Scalar, Step, Workflow
from caulk.workflow.pinning import action_dependencies

# Scorecard's permissions of interest and what a top-level write costs (reference §2.2).
TOP_WRITE_PENALTY: dict[str, float] = {
    "statuses": 0.5,
    "checks": 0.5,
    "deployments": 1.0,
    "security-events": 1.0,
    "contents": 10.0,
    "packages": 10.0,
    "actions": 10.0,
}


def _finding(
    rule: Rule,
    message: str,
    path: str,
    pos: Pos | None,
    *,
    end_column: int | None = None,
    confidence: Confidence = Confidence.HIGH,
) -> Finding:
    location = None
    if pos is not None:
        location = Location(
            path,
            pos.line,
            pos.column,
            pos.line if end_column is not None else None,
            end_column,
        )
    return Finding(
        rule_id=rule.id,
        severity=rule.severity,
        message=message,
        location=location,
        check=rule.check,
        confidence=confidence,
    )


def _at(rule: Rule, message: str, path: str, scalar: Scalar) -> Finding:
    return _finding(rule, message, path, scalar.pos, end_column=scalar.end_column)


# -- CK2001 -----------------------------------------------------------------------------------


def unpinned_actions(workflow: Workflow) -> list[Finding]:
    """CK2001: each unpinned ``uses:`` (Scorecard's GitHubAction dependencies)."""
    out = []
    for dep in action_dependencies(workflow):
        if dep.pinned:
            continue
        loc = dep.location
        out.append(
            Finding(
                rule_id=catalog.UNPINNED_ACTION.id,
                severity=catalog.UNPINNED_ACTION.severity,
                message=f"{dep.note}: {dep.name}",
                location=loc,
                check=catalog.UNPINNED_ACTION.check,
            )
        )
    return out


# -- CK2002 / CK2014 (Token-Permissions) -------------------------------------------------------


def missing_top_permissions(workflow: Workflow) -> list[Finding]:
    """CK2002: no top-level ``permissions`` key."""
    if workflow.permissions.declared:
        return []
    return [
        _finding(
            catalog.MISSING_TOP_PERMISSIONS,
            "no topLevel permission defined",
            workflow.path,
            workflow.root_pos,
        )
    ]


def top_write_permissions(workflow: Workflow) -> list[Finding]:
    """CK2014: top-level ``write-all`` or a write on a scope Scorecard penalises."""
    perms = workflow.permissions
    rule = catalog.TOP_WRITE_PERMISSIONS
    if perms.kind is PermissionsKind.WRITE_ALL and perms.value is not None:
        return [_at(rule, "topLevel permissions set to 'write-all'", workflow.path, perms.value)]
    out = []
    for scope, value, _key in perms.writes():
        if scope in TOP_WRITE_PENALTY:
            out.append(
                _at(
                    rule,
                    f"topLevel '{scope}' permission set to '{value.value}'",
                    workflow.path,
                    value,
                )
            )
    return out


# -- CK2003 ------------------------------------------------------------------------------------

_PUSH_ACTIONS = (
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "actions/create-release",
    "actions/upload-release-asset",
    "goreleaser/goreleaser-action",
    "peaceiris/actions-gh-pages",
    "JamesIves/github-pages-deploy-action",
    "stefanzweifel/git-auto-commit-action",
    "EndBug/add-and-commit",
    "peter-evans/create-pull-request",
    "googleapis/release-please-action",
    "google-github-actions/release-please-action",
    "changesets/action",
    "release-drafter/release-drafter",
    "ad-m/github-push-action",
    "svenstaro/upload-release-action",
    "actions/github-script",
    "cycjimmy/semantic-release-action",
    "relekang/python-semantic-release",
    "python-semantic-release/python-semantic-release",
    "anchore/sbom-action",
)
_PUSH_RUN = re.compile(
    r"\bgit\s+push\b|\bgh\s+(release|api|pr|workflow|repo)\b|semantic-release|release:prepare|"
    r"\bgoreleaser\b|\bmvn\b.*\bdeploy\b|GITHUB_TOKEN|github\.token",
)
_REGISTRY_ACTIONS = (
    "docker/build-push-action",
    "docker/login-action",
    "docker/bake-action",
    "redhat-actions/push-to-registry",
    "redhat-actions/podman-login",
    "goreleaser/goreleaser-action",
    "ko-build/setup-ko",
    "imjasonh/setup-ko",
    "sigstore/cosign-installer",
    "ossf/scorecard-action",  # publish_results: true signs the results with OIDC
    "actions/attest-build-provenance",
    "actions/attest",
    "actions/attest-sbom",
    "actions/delete-package-versions",
    "actions/setup-node",
    "actions/setup-java",
    "actions/setup-dotnet",
    "int128/docker-build-cache-config-action",
)
_REGISTRY_RUN = re.compile(
    r"\b(docker|podman|buildah|nerdctl)\b[^\n]*\b(push|--push)\b|\bbuildx\b|\bskopeo\b|\bcrane\b|"
    r"\boras\b|\bko\s+(build|publish|resolve|apply)\b|\bcosign\b|\bhelm\b[^\n]*\bpush\b|"
    r"\bnpm\b[^\n]*\bpublish\b|\bnuget\b|\bmvn\b|\bgradle\b|ghcr\.io|GITHUB_TOKEN|github\.token",
)
_OIDC_ACTIONS = (
    "sigstore/cosign-installer",
    "ossf/scorecard-action",  # publish_results: true signs the results with OIDC
    "sigstore/gh-action-sigstore-python",
    "actions/attest-build-provenance",
    "actions/attest",
    "actions/attest-sbom",
    "aws-actions/configure-aws-credentials",
    "google-github-actions/auth",
    "azure/login",
    "Azure/login",
    "hashicorp/vault-action",
    "pypa/gh-action-pypi-publish",
    "codecov/codecov-action",
    "goreleaser/goreleaser-action",
    "anchore/sbom-action",
    "docker/build-push-action",
    "ko-build/setup-ko",
    "slsa-framework/slsa-github-generator",
    "actions/deploy-pages",
    "octo-sts/action",
    "rust-lang/crates-io-auth-action",
)
_OIDC_RUN = re.compile(
    r"\bcosign\b|\bsigstore\b|ACTIONS_ID_TOKEN_REQUEST|id-token|\boidc\b|\battest|"
    r"--provenance|\bgh\s+attestation\b|\btwine\b|\bnpm\b[^\n]*\bpublish\b",
    re.IGNORECASE,
)


def _job_uses(job: Job, actions: Iterable[str]) -> bool:
    wanted = {a.lower() for a in actions}
    for step in job.steps:
        action = (step.action or "").lower()
        if any(action == w or action.startswith(w + "/") for w in wanted):
            return True
    return False


def _job_runs(job: Job, pattern: re.Pattern[str]) -> bool:
    for step in job.steps:
        texts = [step.run.value] if step.run is not None else []
        texts += [value.value for _, value, _ in step.with_]
        texts += [value.value for _, value in step.env]
        if any(pattern.search(text) for text in texts):
            return True
    return any(pattern.search(value.value) for _, value in job.env)


def _scope_needed(scope: str, job: Job, workflow: Workflow) -> bool:
    if scope == "contents":
        return (
            is_release_workflow(workflow)
            or _job_uses(job, _PUSH_ACTIONS)
            or _job_runs(job, _PUSH_RUN)
        )
    if scope == "packages":
        return (
            packaging_match(workflow) is not None
            or _job_uses(job, _REGISTRY_ACTIONS)
            or _job_runs(job, _REGISTRY_RUN)
            or job.container is not None
            or bool(job.services)
        )
    if scope == "id-token":
        return _job_uses(job, _OIDC_ACTIONS) or _job_runs(job, _OIDC_RUN)
    return True


_CHECKED_SCOPES = ("contents", "packages", "id-token")


def excessive_job_permissions(workflow: Workflow) -> list[Finding]:
    """CK2003 (medium confidence): job-level ``write-all``, or a write no step appears to use.

    Only ``contents``, ``packages`` and ``id-token`` are judged, from the actions and commands
    of the job; jobs calling a reusable workflow are skipped (their steps are not visible).
    """
    rule = catalog.EXCESSIVE_JOB_PERMISSIONS
    out: list[Finding] = []
    for job in workflow.jobs:
        if job.uses is not None:
            continue
        perms = job.permissions
        if perms.kind is PermissionsKind.WRITE_ALL and perms.value is not None:
            out.append(
                _finding(
                    rule,
                    f"job '{job.id}' is granted write-all; grant only the scopes it uses",
                    workflow.path,
                    perms.value.pos,
                    end_column=perms.value.end_column,
                    confidence=Confidence.MEDIUM,
                )
            )
            continue
        out.extend(_unneeded_writes(workflow, job, perms, f"job '{job.id}'"))
    # Top-level scope writes inherited by jobs that declare nothing themselves.
    inheriting = [j for j in workflow.jobs if not j.permissions.declared and j.uses is None]
    if inheriting and workflow.permissions.kind is PermissionsKind.SCOPES:
        for scope, _value, key in workflow.permissions.writes():
            if scope not in _CHECKED_SCOPES:
                continue
            if any(_scope_needed(scope, job, workflow) for job in inheriting):
                continue
            names = ", ".join(j.id for j in inheriting)
            out.append(
                _finding(
                    rule,
                    f"'{scope}: write' is inherited by job(s) {names}, and no step appears "
                    "to use it",
                    workflow.path,
                    key,
                    confidence=Confidence.MEDIUM,
                )
            )
    return out


def _unneeded_writes(
    workflow: Workflow, job: Job, perms: Permissions, who: str
) -> Iterator[Finding]:
    for scope, _value, key in perms.writes():
        if scope not in _CHECKED_SCOPES or _scope_needed(scope, job, workflow):
            continue
        yield _finding(
            catalog.EXCESSIVE_JOB_PERMISSIONS,
            f"{who} has '{scope}: write' but no step appears to use it",
            workflow.path,
            key,
            confidence=Confidence.MEDIUM,
        )


# -- CK2004 / CK2005 (Dangerous-Workflow) ------------------------------------------------------

UNTRUSTED_TRIGGERS = ("pull_request_target", "workflow_run")
_UNTRUSTED_REFS = ("github.event.pull_request", "github.event.workflow_run")


def untrusted_checkouts(workflow: Workflow) -> list[Finding]:
    """CK2004: Scorecard's untrusted checkout (``uses`` contains actions/checkout, ``ref``
    contains ``github.event.pull_request``/``github.event.workflow_run``)."""
    if not any(workflow.has_trigger(t) for t in UNTRUSTED_TRIGGERS):
        return []
    triggers = "/".join(t for t in UNTRUSTED_TRIGGERS if workflow.has_trigger(t))
    out = []
    for job, step in workflow.steps():
        if step.uses is None or step.run is not None or "actions/checkout" not in step.uses.value:
            continue
        ref = step.input("ref")
        if ref is None or not any(r in ref.value for r in _UNTRUSTED_REFS):
            continue
        out.append(
            _at(
                catalog.UNTRUSTED_CHECKOUT,
                f"{triggers} workflow checks out untrusted code in job '{job.id}' "
                f"(ref: {ref.value.strip()})",
                workflow.path,
                ref,
            )
        )
    return out


def script_injections(
    workflow: Workflow,
    *,
    github_script: bool = False,
    on_unclosed: Callable[[Scalar, UnclosedExpression], None] | None = None,
) -> list[Finding]:
    """CK2005: untrusted ``${{ … }}`` in ``run:`` (Scorecard), and with ``github_script`` also in
    ``actions/github-script``'s ``script:`` input (caulk only).

    A ``run:`` with a ``${{`` that is never closed raises
    :class:`~caulk.workflow.expressions.UnclosedExpression` (Scorecard: internal error) unless
    ``on_unclosed`` is given, which is then told about it and the step is skipped.
    """
    out: list[Finding] = []
    for job, step in workflow.steps():
        if step.run is not None and step.uses is None:
            value, where = step.run, "run"
        elif github_script and step.action == "actions/github-script":
            script = step.input("script")
            if script is None:
                continue
            value, where = script, "actions/github-script script"
        else:
            continue
        try:
            out.extend(list(_injections(workflow, job, value, where)))
        except UnclosedExpression as exc:
            if on_unclosed is None and where == "run":
                raise
            if on_unclosed is not None:
                on_unclosed(value, exc)
    return out


def _injections(workflow: Workflow, job: Job, value: Scalar, where: str) -> Iterator[Finding]:
    for expr in expressions(value.value):
        if not is_untrusted(expr.text):
            continue
        pos = value.position_of(expr.start, needle=expr.source)
        yield _finding(
            catalog.SCRIPT_INJECTION,
            f"script injection with untrusted input '{expr.text.strip()}' in {where} "
            f"of job '{job.id}'",
            workflow.path,
            pos,
            end_column=pos.column + len(expr.source) if "\n" not in expr.source else None,
        )


# -- CK2006 ------------------------------------------------------------------------------------


def persisted_credentials(workflow: Workflow) -> list[Finding]:
    """CK2006: actions/checkout without ``persist-credentials: false`` (zizmor artipacked)."""
    out = []
    for job, step in workflow.steps():
        if step.action != "actions/checkout" or step.run is not None:
            continue
        value = step.input("persist-credentials")
        if value is not None and value.value.strip().lower() == "false":
            continue
        out.append(
            _finding(
                catalog.PERSISTED_CREDENTIALS,
                f"actions/checkout in job '{job.id}' does not set persist-credentials: false",
                workflow.path,
                step.pos,
            )
        )
    return out


# -- CK2007 / CK2009 / CK2010 (image publishing) -----------------------------------------------


def _truthy_or_expression(value: Scalar | None) -> bool:
    if value is None:
        return False
    text = value.value.strip()
    return text.lower() == "true" or "${{" in text


def is_pushing_build(step: Step) -> bool:
    """A docker/build-push-action step whose ``push`` is true (or an expression)."""
    return step.action == "docker/build-push-action" and _truthy_or_expression(step.input("push"))


def image_without_attestations(workflow: Workflow) -> list[Finding]:
    """CK2007: pushing build-push-action without ``sbom: true`` and ``provenance: mode=max``."""
    out = []
    for job, step in workflow.steps():
        if not is_pushing_build(step) or step.uses is None:
            continue
        missing = []
        sbom = step.input("sbom")
        if sbom is None or sbom.value.strip().lower() != "true":
            missing.append("sbom: true")
        provenance = step.input("provenance")
        if provenance is None or provenance.value.strip().replace(" ", "") != "mode=max":
            missing.append("provenance: mode=max")
        if not missing:
            continue
        out.append(
            _at(
                catalog.IMAGE_WITHOUT_ATTESTATIONS,
                f"image pushed by job '{job.id}' without {' and '.join(missing)}",
                workflow.path,
                step.uses,
            )
        )
    return out


_ENV_REF = re.compile(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}")
_DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


def _resolve_env(text: str, workflow: Workflow, job: Job, step: Step) -> str:
    env = dict(workflow.env)
    env.update(dict(job.env))
    env.update(dict(step.env))

    def sub(match: re.Match[str]) -> str:
        value = env.get(match.group(1))
        return value.value if value is not None else match.group(0)

    for _ in range(3):
        text = _ENV_REF.sub(sub, text)
    return text


def registry_host(image: str) -> str:
    """The registry host of an image reference (``docker.io`` when it has none)."""
    first, _, rest = image.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        return first.lower()
    return "docker.io"


def _is_docker_hub_registry(value: str) -> bool:
    host = value.strip().lower().removeprefix("https://").removeprefix("http://").rstrip("/")
    host = host.split("/", 1)[0]
    return host in _DOCKER_HUB_HOSTS


def attestation_push_to_docker_hub(workflow: Workflow) -> list[Finding]:
    """CK2009: actions/attest* with ``push-to-registry: true`` for a Docker Hub image."""
    out = []
    for job, step in workflow.steps():
        if step.action not in (
            "actions/attest-build-provenance",
            "actions/attest",
            "actions/attest-sbom",
        ):
            continue
        push = step.input("push-to-registry")
        if push is None or push.value.strip().lower() != "true":
            continue
        subject = step.input("subject-name")
        hub: bool | None = None
        if subject is not None:
            name = _resolve_env(subject.value.strip(), workflow, job, step)
            if "${{" not in name:
                hub = registry_host(name) in _DOCKER_HUB_HOSTS
        if hub is None:
            hub = _job_logs_into_docker_hub(job)
        if hub:
            out.append(
                _at(
                    catalog.DOCKERHUB_REFERRERS,
                    f"{step.action} in job '{job.id}' pushes the attestation to Docker Hub, "
                    "which does not accept it",
                    workflow.path,
                    push,
                )
            )
    return out


def _job_logs_into_docker_hub(job: Job) -> bool:
    for step in job.steps:
        if step.action != "docker/login-action":
            continue
        registry = step.input("registry")
        if (
            registry is None
            or registry.value.strip() == ""
            or _is_docker_hub_registry(registry.value)
        ):
            return True
    return False


def _tag_entries(value: Scalar) -> Iterator[tuple[str, int]]:
    """Non-empty lines (or comma-less list items) of a ``tags:`` input with their offsets."""
    offset = 0
    for line in value.value.split("\n"):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield stripped, offset + line.index(stripped)
        offset += len(line) + 1


def _attrs(entry: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for part in entry.split(","):
        key, sep, val = part.partition("=")
        if sep:
            attrs.setdefault(key.strip().lower(), val.strip())
    return attrs


def sha_tags_gated_to_default_branch(workflow: Workflow) -> list[Finding]:
    """``type=sha`` tags gated only by ``{{is_default_branch}}`` (CK2010 once a schedule exists).

    The fixer uses this when it adds a weekly schedule: from then on such a tag would be
    pushed again by every scheduled rebuild.
    """
    out = []
    for job, step in workflow.steps():
        tags = step.input("tags")
        if tags is None or step.run is not None or step.action != "docker/metadata-action":
            continue
        for entry, offset in _tag_entries(tags):
            attrs = _attrs(entry)
            if attrs.get("type") != "sha" or attrs.get("enable") != "{{is_default_branch}}":
                continue
            pos = tags.position_of(offset, needle=entry)
            out.append(
                _finding(
                    catalog.MUTABLE_TAGS_ON_PUSH,
                    f"docker/metadata-action in job '{job.id}' generates a 'type=sha' tag that "
                    "a scheduled rebuild would push again",
                    workflow.path,
                    pos,
                )
            )
    return out


def mutable_tags_on_push(workflow: Workflow) -> list[Finding]:
    """CK2010: tags re-pushed by every branch push (metadata-action or fixed build-push tags)."""
    if not workflow.runs_on_branch_push:
        return []
    rule = catalog.MUTABLE_TAGS_ON_PUSH
    out = []
    for job, step in workflow.steps():
        tags = step.input("tags")
        if tags is None or step.run is not None:
            continue
        if step.action == "docker/metadata-action":
            for entry, offset in _tag_entries(tags):
                attrs = _attrs(entry)
                kind = attrs.get("type", "")
                problem = None
                if kind == "raw":
                    value = attrs.get("value", "")
                    enable = attrs.get("enable", "")
                    constant = value and "{{" not in value and "${{" not in value
                    # `latest` is mutable by convention; any enable= gate (default branch,
                    # release tags) keeps it off feature-branch pushes.
                    gated_latest = value == "latest" and enable.strip() not in {"", "true"}
                    if constant and not gated_latest:
                        problem = f"constant tag '{value}' on every branch push"
                elif kind == "sha" and "enable" not in attrs:
                    problem = "'type=sha' tag without an enable= condition on every branch push"
                elif (
                    kind == "sha"
                    and "schedule" in workflow.trigger_names
                    and attrs.get("enable", "").strip() in {"{{is_default_branch}}", "true"}
                ):
                    # A scheduled rebuild of an unchanged default branch re-pushes the same
                    # sha- tag with a new digest: an immutable-tag registry rejects it and the
                    # run aborts before signing.
                    problem = "'type=sha' tag that every scheduled rebuild pushes again"
                if problem is None:
                    continue
                pos = tags.position_of(offset, needle=entry)
                out.append(
                    _finding(
                        rule,
                        f"docker/metadata-action in job '{job.id}' generates {problem}",
                        workflow.path,
                        pos,
                    )
                )
        elif is_pushing_build(step):
            for entry, offset in _tag_entries(tags):
                for raw_item in entry.split(","):
                    item = raw_item.strip()
                    if (
                        not item
                        or "${{" in item
                        or "}}" in item
                        or ":" not in item.rsplit("/", 1)[-1]
                    ):
                        continue
                    pos = tags.position_of(offset + entry.index(item), needle=item)
                    out.append(
                        _finding(
                            rule,
                            f"docker/build-push-action in job '{job.id}' pushes the fixed tag "
                            f"'{item}' on every branch push",
                            workflow.path,
                            pos,
                        )
                    )
    return out


# -- CK2008 ------------------------------------------------------------------------------------

_COSIGN_SIGN = re.compile(r"\bcosign\s+sign\b")
_LOOP_START = re.compile(r"(^|[;&|(]\s*|\s)(for|while|until)\s")
_DO = re.compile(r"(^|[\s;])do(\s|$)")
_DONE = re.compile(r"(^|[\s;])done(\s|;|$|\))")
_SINGLE_PIPE = re.compile(r"(?<!\|)\|(?![|&])")
_SET_E = re.compile(r"\bset\s+(-[a-zA-Z]*e[a-zA-Z]*\b|-o\s+errexit\b)")
# `set -euo pipefail`, `set -eu -o pipefail`, `set -e -o pipefail`, `set -o pipefail`, ...
_PIPEFAIL = re.compile(r"\bset\b[^;&|\n]*?(?:-o\s*pipefail\b|\s-[a-zA-Z]*o[a-zA-Z]*\s+pipefail\b)")


def _strip_comment(line: str) -> str:
    stripped = line.lstrip()
    return "" if stripped.startswith("#") else line


def silent_signing_failures(workflow: Workflow) -> list[Finding]:
    """CK2008: ``cosign sign`` in a loop or pipeline without ``set -e`` and ``pipefail``.

    ``shell: bash`` given explicitly counts as safe: GitHub runs it with ``-eo pipefail``.
    """
    out = []
    for job, step in workflow.steps():
        run = step.run
        if run is None or step.uses is not None or not _COSIGN_SIGN.search(run.value):
            continue
        if step.shell is not None and step.shell.value.strip() == "bash":
            continue
        if (
            job.default_shell is not None
            and step.shell is None
            and job.default_shell.value.strip() == "bash"
        ):
            continue
        depth = 0
        set_e = pipefail = False
        continued_pipe = False
        offset = 0
        for raw in run.value.split("\n"):
            line = _strip_comment(raw)
            if _SET_E.search(line):
                set_e = True
            if _PIPEFAIL.search(line):
                pipefail = True
            starts_loop = bool(_LOOP_START.search(line))
            in_pipe = continued_pipe or bool(_SINGLE_PIPE.search(line)) or "xargs" in line
            match = _COSIGN_SIGN.search(line)
            if match and (depth > 0 or starts_loop or in_pipe) and not (set_e and pipefail):
                where = "loop" if depth > 0 or starts_loop else "pipeline"
                pos = run.position_of(offset + match.start(), needle=match.group(0))
                out.append(
                    _finding(
                        catalog.SILENT_SIGNING_FAILURE,
                        f"'cosign sign' inside a {where} in job '{job.id}' can fail without "
                        "failing the step (no 'set -euo pipefail')",
                        workflow.path,
                        pos,
                        end_column=pos.column + len(match.group(0)),
                    )
                )
            depth += len(_DO.findall(line)) - len(_DONE.findall(line))
            depth = max(depth, 0)
            continued_pipe = line.rstrip().endswith("|") or (
                line.rstrip().endswith("\\") and bool(_SINGLE_PIPE.search(line))
            )
            offset += len(raw) + 1
    return out


# -- repository-level rules --------------------------------------------------------------------

_PUSH_COMMAND = re.compile(
    r"\b(docker|podman|buildah|nerdctl)\s+(image\s+)?push\b|\bbuildx\s+(build|bake)\b[^\n]*--push\b|"
    r"\bko\s+(build|publish)\b|\bcrane\s+(push|copy)\b|\bskopeo\s+copy\b"
)


def publishes_images(workflow: Workflow) -> bool:
    """An image publish workflow: build-push-action with push, or a push command in ``run:``."""
    for _, step in workflow.steps():
        if is_pushing_build(step):
            return True
        if step.action in ("redhat-actions/push-to-registry",):
            return True
        if step.run is not None and _PUSH_COMMAND.search(step.run.value):
            return True
    return False


def no_scheduled_rebuild(flows: list[Workflow]) -> list[Finding]:
    """CK2011: image publish workflows exist but none is triggered by ``schedule``."""
    publishers = [w for w in flows if publishes_images(w)]
    if not publishers or any(w.has_trigger("schedule") for w in flows):
        return []
    first = publishers[0]
    return [
        _finding(
            catalog.NO_SCHEDULED_REBUILD,
            f"{first.path} publishes images but no workflow runs on a schedule to rebuild them",
            first.path,
            first.on_pos or first.root_pos,
        )
    ]


def no_scorecard_workflow(flows: list[Workflow]) -> list[Finding]:
    """CK2012: no workflow step uses ``ossf/scorecard-action``."""
    if any(step.action == "ossf/scorecard-action" for w in flows for _, step in w.steps()):
        return []
    return [
        _finding(
            catalog.NO_SCORECARD_WORKFLOW,
            "no workflow runs ossf/scorecard-action",
            ".github/workflows",
            None,
        )
    ]
