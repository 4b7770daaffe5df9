"""Generate the files a hardened image repository needs and does not have yet.

Templates live in ``caulk/fix/templates``; every action in them is pinned to a full commit
SHA (the peeled commit of the release tag) with its version as a comment, and every job has
least-privilege permissions, so a generated file passes ``caulk audit``, ``zizmor --offline``
and ``actionlint`` as it is (tests/fix/test_generate.py runs all three).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

# Peeled commits of the release tags, verified with `git ls-remote` against the actions'
# repositories when this table was last updated. Dependabot's github-actions updates keep
# the generated files current after that.
ACTION_PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("3d3c42e5aac5ba805825da76410c181273ba90b1", "v7.0.1"),
    "actions/upload-artifact": ("bbbca2ddaa5d8feaa63e36b76fdaad77386f024f", "v7.0.0"),
    "actions/attest-build-provenance": ("a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", "v4.1.0"),
    "aquasecurity/trivy-action": ("ed142fd0673e97e23eac54620cfb913e5ce36c25", "v0.36.0"),
    "docker/build-push-action": ("53b7df96c91f9c12dcc8a07bcb9ccacbed38856a", "v7.3.0"),
    "docker/login-action": ("4907a6ddec9925e35a0a9e82d7399ccc52663121", "v4.1.0"),
    "docker/metadata-action": ("dc802804100637a589fabce1cb79ff13a1411302", "v6.2.0"),
    "docker/setup-buildx-action": ("37fe631027851001ddb9b187196cc803df7f5f0e", "v4.3.0"),
    "docker/setup-qemu-action": ("96fe6ef7f33517b61c61be40b68a1882f3264fb8", "v4.2.0"),
    "github/codeql-action": ("8aad20d150bbac5944a9f9d289da16a4b0d87c1e", "v4.36.2"),
    "hadolint/hadolint-action": ("2332a7b74a6de0dda2e2221d575162eba76ba5e5", "v3.3.0"),
    "ossf/scorecard-action": ("2d1146689b8cda280b9bc96326124645441f03bc", "v2.4.4"),
    "sigstore/cosign-installer": ("6f9f17788090df1f26f669e9d70d6ae9567deba6", "v4.1.2"),
}

_PIN = re.compile(r"@PIN:([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)@")
_DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True)
class ProjectInfo:
    """What the templates need to know about the repository."""

    repository: str | None
    """``owner/name`` on GitHub (from the git remote), or None when the remote is not GitHub."""
    image: str
    """The image name without tag, e.g. ``ghcr.io/owner/name`` or ``docker.io/owner/name``."""
    default_branch: str = "main"
    dockerfile: str = "Dockerfile"
    context: str = "."
    platforms: str = "linux/amd64,linux/arm64"

    @property
    def registry(self) -> str:
        first = self.image.split("/", 1)[0]
        if "." in first or ":" in first or first == "localhost":
            return first
        return "docker.io"

    @property
    def docker_hub(self) -> bool:
        return self.registry in _DOCKER_HUB_HOSTS


def _template(name: str) -> str:
    return resources.files("caulk.fix").joinpath("templates", name).read_text(encoding="utf-8")


def _pin(match: re.Match[str]) -> str:
    action = match.group(1)
    sha, version = ACTION_PINS[action]
    return f"{sha} # {version}"


def _fill(text: str, values: dict[str, str]) -> str:
    text = _PIN.sub(_pin, text)
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.search(r"@[A-Z_]+@", text)
    if leftover:
        raise KeyError(f"template placeholder {leftover.group(0)} has no value")
    return text


def dependabot_config() -> str:
    """``.github/dependabot.yml`` covering the docker and github-actions ecosystems."""
    return _template("dependabot.yml")


def scorecard_workflow(info: ProjectInfo) -> str:
    """``.github/workflows/scorecard.yml`` publishing results and uploading SARIF."""
    return _fill(_template("scorecard.yml"), {"DEFAULT_BRANCH": info.default_branch})


def publish_workflow(info: ProjectInfo) -> str:
    """``.github/workflows/publish.yml``: build, attest, sign, scan."""
    if info.docker_hub:
        login = (
            "          username: ${{ vars.DOCKERHUB_USERNAME }}\n"
            "          password: ${{ secrets.DOCKERHUB_TOKEN }}"
        )
    else:
        login = (
            f"          registry: {info.registry}\n"
            "          username: ${{ github.actor }}\n"
            "          password: ${{ secrets.GITHUB_TOKEN }}"
        )
    return _fill(
        _template("publish.yml"),
        {
            "DEFAULT_BRANCH": info.default_branch,
            "IMAGE": info.image,
            "LOGIN": login,
            "CONTEXT": info.context,
            "DOCKERFILE": info.dockerfile,
            "PLATFORMS": info.platforms,
            "PUSH_ATTESTATION": "false" if info.docker_hub else "true",
        },
    )


def lint_workflow(info: ProjectInfo) -> str:
    """``.github/workflows/lint.yml``: hadolint on the image's Dockerfile (a SAST tool to
    Scorecard, and phase 1's "lint in CI")."""
    return _fill(
        _template("lint.yml"),
        {"DEFAULT_BRANCH": info.default_branch, "DOCKERFILE": info.dockerfile},
    )


def security_policy(info: ProjectInfo) -> str:
    """``SECURITY.md`` pointing at GitHub's private vulnerability reporting.

    Without a known GitHub repository the policy names the Security tab instead of a URL (so
    Scorecard's Security-Policy check will still ask for a contact) rather than inventing one.
    """
    if info.repository:
        advisory = f"https://github.com/{info.repository}/security/advisories/new"
    else:
        advisory = "the **Report a vulnerability** button on this repository's Security tab."
    verify = ""
    if info.repository and "${{" not in info.image:
        verify = (
            "## Verifying our images\n\n"
            "Every published tag is signed with cosign keyless signing and carries an SBOM and "
            "SLSA\nprovenance attestation:\n\n"
            "```sh\n"
            f"cosign verify {info.image}:latest \\\n"
            f"  --certificate-identity-regexp '^https://github.com/{info.repository}/' \\\n"
            "  --certificate-oidc-issuer https://token.actions.githubusercontent.com\n"
            "```\n"
        )
    text = _fill(_template("SECURITY.md"), {"ADVISORY": advisory, "VERIFY": verify})
    return text.rstrip("\n") + "\n"


def hadolint_config() -> str:
    """``.hadolint.yaml``."""
    return _template("hadolint.yaml")
