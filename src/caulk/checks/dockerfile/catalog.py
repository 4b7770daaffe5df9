"""The Dockerfile rules, declared once: caulk's CK1xxx rules and the hadolint rules caulk keeps.

hadolint rules keep their ``DLxxxx`` ID and semantics (hadolint ``src/Hadolint/Rule/DL*.hs``
at ../shared/reference/scout-grade-and-scanners.md §4.6); Trivy ``DSxxx`` IDs are aliases.
Severity follows hadolint's level: error → high, warning → medium, info → low, style → info.
Each rule's documentation lives in docs/rules-dockerfile.md (anchor = lower-case ID).
"""

from __future__ import annotations

from caulk.checks.registry import register_rule
from caulk.findings import Rule, Severity

_HADOLINT = "https://github.com/hadolint/hadolint/wiki/"


def _hadolint(
    id_: str,
    name: str,
    severity: Severity,
    summary: str,
    why: str,
    fix: str,
    *,
    aliases: tuple[str, ...] = (),
    phase: int = 1,
    effort: float = 0.1,
    automatable: bool = False,
) -> Rule:
    return register_rule(
        Rule(
            id=id_,
            name=name,
            severity=severity,
            summary=summary,
            why=why,
            fix=fix,
            phase=phase,
            effort_hours=effort,
            aliases=aliases,
            reference=f"hadolint {id_} ({_HADOLINT}{id_})",
            automatable=automatable,
        )
    )


FINAL_STAGE_ROOT = register_rule(
    Rule(
        id="CK1001",
        name="final-stage-runs-as-root",
        severity=Severity.HIGH,
        summary="The final image runs as root",
        why=(
            "A process running as root inside a container is root on the container's "
            "filesystem and, through any kernel or runtime escape, much closer to root on the "
            "host. Most services need no privilege; Docker Scout's 'Default non-root user' policy "
            "and Kubernetes' restricted Pod Security Standard both reject root images. caulk "
            "resolves the effective user: the final stage's last USER, a USER inherited from an "
            "earlier stage it is built FROM, or the default user of a well-known hardened base "
            "(Docker Hardened Images, distroless :nonroot, Chainguard), so such bases pass "
            "without a USER line."
        ),
        fix=(
            "Add a non-root user and switch to it at the end of the final stage "
            "(`RUN useradd --system --uid 10001 app` then `USER 10001`), or build on a non-root "
            "base such as `gcr.io/distroless/static-debian12:nonroot` or a Docker Hardened Image "
            "runtime variant. Make files the process writes owned by that user."
        ),
        phase=3,
        effort_hours=2.0,
        aliases=("DS002",),
        reference="Docker Scout 'Default non-root user'; Trivy DS002 (without its multi-stage "
        "and distroless false positives)",
        automatable=True,
    )
)

UNPINNED_BASE = register_rule(
    Rule(
        id="CK1002",
        name="base-image-not-pinned",
        severity=Severity.MEDIUM,
        summary="A FROM image is not pinned by digest",
        why=(
            "A tag is a mutable pointer: the registry can serve different content under the same "
            "tag tomorrow (a new patch release, or a compromised push), so builds are neither "
            "reproducible nor reviewable. Scorecard's Pinned-Dependencies counts every FROM not "
            "pinned by `@sha256:`. caulk also reports what Scorecard misses (a `Containerfile`, "
            "a lower-case `from`), since the risk is the same."
        ),
        fix=(
            "Pin the image by digest and keep the tag for readability: "
            "`FROM python:3.13-slim@sha256:<digest>`; `caulk fix` resolves the digest. Let "
            "Dependabot or Renovate keep the digest current."
        ),
        check="Pinned-Dependencies",
        phase=1,
        effort_hours=0.25,
        reference="Scorecard Pinned-Dependencies (containerImage)",
        automatable=True,
    )
)

MISSING_OCI_LABELS = register_rule(
    Rule(
        id="CK1003",
        name="missing-oci-labels",
        severity=Severity.LOW,
        summary="The final image lacks standard OCI labels",
        why=(
            "The `org.opencontainers.image.*` labels tie an image back to its source: "
            "`source` links the repository (GitHub uses it to connect a package to its repo, "
            "Scout and Renovate use it for release notes), `revision` names the commit, "
            "`created` the build time, `licenses` and `description` what it is. Without them a "
            "consumer cannot trace an image to the code that built it."
        ),
        fix=(
            "Set the labels at build time with `docker/metadata-action` and pass its `labels` "
            "output to `docker/build-push-action`, or add `LABEL "
            "org.opencontainers.image.source=https://github.com/OWNER/REPO` etc. to the final "
            "stage (revision and created need build arguments)."
        ),
        phase=1,
        effort_hours=0.5,
        reference="OCI image-spec annotations (opencontainers/image-spec annotations.md)",
        automatable=True,
    )
)

BUILD_TOOLS_IN_FINAL = register_rule(
    Rule(
        id="CK1004",
        name="build-tools-in-final-image",
        severity=Severity.MEDIUM,
        summary="A single-stage build leaves compilers or download tools in the final image",
        why=(
            "Compilers, `make`, `git`, `curl` and `wget` are what an attacker who gets code "
            "execution in the container needs next: to fetch a payload, build an exploit, pivot. "
            "They also add packages and so vulnerabilities to every scan. A single-stage build "
            "ships whatever it needed to build."
        ),
        fix=(
            "Split the Dockerfile into a build stage and a runtime stage: build in "
            "`FROM ... AS build`, then `COPY --from=build` only the artifacts into a slim or "
            "distroless runtime stage. Or remove the tools in the same RUN that installed them "
            "(`apk add --virtual .build-deps ... && ... && apk del .build-deps`)."
        ),
        phase=1,
        effort_hours=2.0,
        reference="caulk; Docker 'multi-stage builds' best practice",
    )
)

UNVERIFIED_DOWNLOAD = register_rule(
    Rule(
        id="CK1005",
        name="download-without-checksum",
        severity=Severity.HIGH,
        summary="A downloaded file is executed or installed without checksum verification",
        why=(
            "`curl`/`wget` of a URL followed by `chmod +x`, `tar -x`, `install` or a shell runs "
            "whatever the server returned. A compromised release page, CDN or DNS answer then "
            "becomes code in the image. A checksum or signature checked in the same RUN pins "
            "the exact bytes the author reviewed."
        ),
        fix=(
            'Verify before use: `echo "<sha256>  tool.tgz" | sha256sum -c -`, or `gpg '
            "--verify`, or `cosign verify-blob`; or use `ADD --checksum=sha256:<hex> <url> "
            "<dest>`, or install from a package manager."
        ),
        phase=1,
        effort_hours=0.5,
        reference="caulk; Scorecard Pinned-Dependencies (downloadThenRun) covers the pipe form",
    )
)

ADD_REMOTE_URL = register_rule(
    Rule(
        id="CK1006",
        name="add-remote-url",
        severity=Severity.MEDIUM,
        summary="ADD fetches a remote URL without a checksum",
        why=(
            "`ADD <url>` downloads at build time with no integrity check, so the image contains "
            "whatever the server returns that day. BuildKit can check the bytes: "
            "`ADD --checksum=sha256:<hex>`; a git source can be pinned to a commit."
        ),
        fix=(
            "Add `--checksum=sha256:<hex>` (Dockerfile syntax 1.6+), or for git sources pin "
            "`#<commit-sha>`; or download in a RUN and verify with `sha256sum -c`."
        ),
        phase=1,
        effort_hours=0.25,
        reference="BuildKit `ADD --checksum`; hadolint DL3020 treats URLs as fine",
    )
)

SECRET_IN_ARG_ENV = register_rule(
    Rule(
        id="CK1007",
        name="secret-in-arg-or-env",
        severity=Severity.CRITICAL,
        summary="A secret is set with ARG or ENV",
        why=(
            "ENV values are stored in the image config and ARG values in the build history "
            "(`docker history`, provenance attestations): anyone who can pull the image can read "
            "them. A literal value in the Dockerfile is also in the repository's history. "
            "BuildKit's SecretsUsedInArgOrEnv check warns about the same names."
        ),
        fix=(
            "Pass secrets with BuildKit secret mounts: `RUN --mount=type=secret,id=token "
            "TOKEN=$(cat /run/secrets/token) ...` and `docker build --secret id=token,env=TOKEN`; "
            "give runtime secrets to the container at run time. Rotate any secret that was "
            "committed."
        ),
        phase=1,
        effort_hours=1.0,
        aliases=("SecretsUsedInArgOrEnv", "DS031", "DL3064"),
        reference="BuildKit check SecretsUsedInArgOrEnv "
        "(frontend/dockerfile/dockerfile2llb/validations.go)",
    )
)

UNPARSABLE = register_rule(
    Rule(
        id="CK1008",
        name="dockerfile-parse-error",
        severity=Severity.MEDIUM,
        summary="The Dockerfile cannot be parsed as BuildKit parses it",
        why=(
            "BuildKit refuses to build a Dockerfile with a syntax error (an unterminated "
            "heredoc, an unknown instruction, a FROM with the wrong number of words), and "
            "Scorecard's Pinned-Dependencies check fails as a whole (score -1) on a file "
            "BuildKit's parser rejects. No other rule can judge the unparsed part."
        ),
        fix="Fix the syntax error at the reported line; `docker build --check` shows it too.",
        phase=1,
        effort_hours=0.25,
        reference="BuildKit frontend/dockerfile/parser and instructions",
    )
)

DL3000 = _hadolint(
    "DL3000",
    "absolute-workdir",
    Severity.HIGH,
    "Use absolute WORKDIR",
    "A relative WORKDIR depends on every earlier WORKDIR (and on the base image's), so the "
    "directory a command runs in is hard to see and changes when the base image changes.",
    "Write the full path: `WORKDIR /app`.",
    aliases=("DS009",),
)
DL3002 = _hadolint(
    "DL3002",
    "last-user-root",
    Severity.MEDIUM,
    "Last USER should not be root",
    "Switching to root as the last USER of a stage makes its image (or the stages built from "
    "it) run as root. See CK1001 for the final image's effective user.",
    "Switch back to an unprivileged user after the steps that need root: `USER 10001`.",
    aliases=("DS002",),
    phase=3,
    effort=1.0,
    automatable=True,
)
DL3003 = _hadolint(
    "DL3003",
    "use-workdir",
    Severity.MEDIUM,
    "Use WORKDIR to switch to a directory",
    "`cd` in a RUN only lasts for that RUN; WORKDIR makes the directory explicit for every "
    "later instruction and creates it if needed.",
    "Replace `RUN cd /src && make` with `WORKDIR /src` followed by `RUN make`.",
    aliases=("DS013",),
)
DL3004 = _hadolint(
    "DL3004",
    "no-sudo",
    Severity.HIGH,
    "Do not use sudo",
    "sudo has unpredictable TTY and signal behaviour in containers and is a setuid binary an "
    "attacker can use; build steps already run as the USER you choose.",
    "Run the step as root (`USER root` ... `USER app`), or use `gosu`/`su-exec` at run time.",
    aliases=("DS010",),
)
DL3006 = _hadolint(
    "DL3006",
    "untagged-image",
    Severity.MEDIUM,
    "Always tag the version of an image explicitly",
    "An untagged FROM means `:latest`, whatever that is on the day of the build.",
    "Name a version tag (and pin its digest, CK1002): `FROM debian:12-slim@sha256:<digest>`.",
    automatable=True,
)
DL3007 = _hadolint(
    "DL3007",
    "latest-tag",
    Severity.MEDIUM,
    "Do not use the `latest` tag",
    "`latest` moves with every release, so two builds of the same commit can differ and a major "
    "version bump arrives unreviewed.",
    "Pin a release tag and its digest: `FROM node:22-slim@sha256:<digest>`.",
    aliases=("DS001",),
    automatable=True,
)
DL3009 = _hadolint(
    "DL3009",
    "apt-lists-not-deleted",
    Severity.LOW,
    "Delete the apt lists (/var/lib/apt/lists) after installing something",
    "The package index fetched by `apt-get update` stays in the layer: tens of megabytes that "
    "are stale the day after the build.",
    "End the RUN with `&& rm -rf /var/lib/apt/lists/*`, or mount a cache: "
    "`RUN --mount=type=cache,target=/var/lib/apt/lists ...`.",
    automatable=True,
)
DL3015 = _hadolint(
    "DL3015",
    "apt-no-install-recommends",
    Severity.LOW,
    "Avoid additional packages by specifying `--no-install-recommends`",
    "Recommended packages are installed by default and often double an image's size and "
    "vulnerability count with software nothing uses.",
    "`apt-get install -y --no-install-recommends <packages>`.",
    aliases=("DS029",),
    automatable=True,
)
DL3019 = _hadolint(
    "DL3019",
    "apk-no-cache",
    Severity.LOW,
    "Use the `--no-cache` switch with `apk add`",
    "Without `--no-cache` the apk index stays in the layer.",
    "`apk add --no-cache <packages>`, or mount a cache at /var/cache/apk.",
    aliases=("DS025",),
    automatable=True,
)
DL3020 = _hadolint(
    "DL3020",
    "copy-not-add",
    Severity.HIGH,
    "Use COPY instead of ADD for files and folders",
    "ADD also extracts archives and fetches URLs, so a plain file copy with ADD hides what "
    "the instruction may do; COPY does exactly one thing.",
    "Replace `ADD` with `COPY` for local files and folders.",
    aliases=("DS005",),
    automatable=True,
)
DL3025 = _hadolint(
    "DL3025",
    "json-cmd",
    Severity.MEDIUM,
    "Use arguments JSON notation for CMD and ENTRYPOINT arguments",
    "The shell form runs the command under `/bin/sh -c`, so the process is not PID 1 and does "
    "not receive SIGTERM: containers are killed after the stop timeout instead of shutting "
    "down cleanly. It also needs a shell in the image.",
    'Use the exec form: `CMD ["gunicorn", "app:app"]`.',
    automatable=True,
)
DL3042 = _hadolint(
    "DL3042",
    "pip-no-cache-dir",
    Severity.MEDIUM,
    "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
    "pip keeps every downloaded wheel and sdist in ~/.cache/pip; in a RUN that cache is "
    "written into the layer and shipped with the image, often tens of megabytes that nothing "
    "at run time reads.",
    "`pip install --no-cache-dir <packages>`, or `ENV PIP_NO_CACHE_DIR=1` in the stage, or a "
    "BuildKit cache mount (`RUN --mount=type=cache,target=/root/.cache/pip pip install ...`).",
    automatable=True,
)
DL4000 = _hadolint(
    "DL4000",
    "maintainer-deprecated",
    Severity.HIGH,
    "MAINTAINER is deprecated",
    "MAINTAINER has been deprecated since Docker 1.13; tools read the author from labels.",
    'Replace it with `LABEL org.opencontainers.image.authors="name <email>"`.',
    aliases=("DS022",),
    automatable=True,
)
DL4006 = _hadolint(
    "DL4006",
    "pipefail",
    Severity.MEDIUM,
    "Set the SHELL option -o pipefail before RUN with a pipe in it",
    "`/bin/sh -c 'curl ... | tar -x'` succeeds when curl fails, because a pipeline's status is "
    "its last command's: the build goes on with a truncated download.",
    'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN (or start the RUN with '
    "`set -o pipefail &&` under bash).",
    automatable=True,
)

ALL_RULES = (
    FINAL_STAGE_ROOT,
    UNPINNED_BASE,
    MISSING_OCI_LABELS,
    BUILD_TOOLS_IN_FINAL,
    UNVERIFIED_DOWNLOAD,
    ADD_REMOTE_URL,
    SECRET_IN_ARG_ENV,
    UNPARSABLE,
    DL3000,
    DL3002,
    DL3003,
    DL3004,
    DL3006,
    DL3007,
    DL3009,
    DL3015,
    DL3019,
    DL3020,
    DL3025,
    DL3042,
    DL4000,
    DL4006,
)
