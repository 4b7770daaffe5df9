"""caulk's repository and policy-file rules (CK3xxx).

The rules that explain a lowered Scorecard check are attached to that check's result by the
check itself (``caulk.checks.scorecard.*``) so that each problem is reported once:

* CK3001 no security policy, CK3005 security policy without contact or text (Security-Policy);
* CK3002 no dependency-update configuration (Dependency-Update-Tool);
* CK3003 no license file (License);
* CK3004 one finding per binary artifact (Binary-Artifacts);
* CK3006 no fuzzing (Fuzzing).

The ``repository`` rule pack below adds what Scorecard does not score: a dependency-update
configuration that exists (so Dependency-Update-Tool is already 10) but does not keep the
image's base images (``docker``) or its workflow actions (``github-actions``) up to date.

Which configurations cover what (kept deliberately simple):

* ``.github/dependabot.yml|yaml``: the ``package-ecosystem`` values of ``updates[]``;
  ``docker`` covers Dockerfiles, ``github-actions`` covers workflows.
* Renovate (``renovate.json[5]``, ``.github/``/``.gitlab/renovate.json[5]``, ``.renovaterc``,
  ``.renovaterc.json[5]``): covers both ecosystems unless the configuration disables one
  (``"enabled": false`` under ``docker``/``dockerfile``/``github-actions``, or an
  ``enabledManagers`` list without ``dockerfile``/``github-actions``). JSON5 that plain JSON
  cannot read counts as covering both.
* Scala Steward covers neither.

An ecosystem is only required when the repository has something of that kind: a Dockerfile
or Containerfile for ``docker``, a workflow under ``.github/workflows/`` for
``github-actions``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from caulk.checks.registry import register_rule, rule_pack
from caulk.findings import Confidence, Finding, Location, Rule, Severity
from caulk.repo.checkout import Repository
from caulk.yamlwarnings import quiet_yaml

_SCORECARD_DOCS = "https://github.com/ossf/scorecard/blob/main/docs/checks.md"

NO_SECURITY_POLICY = register_rule(
    Rule(
        id="CK3001",
        name="no-security-policy",
        severity=Severity.MEDIUM,
        summary="The repository has no security policy (SECURITY.md).",
        why=(
            "A security policy tells people who find a vulnerability in the image how to "
            "report it privately. Without one, reports arrive as public issues, or not at "
            "all. Scorecard's Security-Policy check scores 0 without SECURITY.md (in the root, "
            ".github/ or docs/)."
        ),
        fix=(
            "Add SECURITY.md with a private reporting channel (an email address or the URL of "
            "GitHub's private vulnerability reporting form), a few sentences on how reports are "
            "handled, and the disclosure timeline (e.g. 90 days)."
        ),
        check="Security-Policy",
        phase=1,
        effort_hours=0.25,
        reference=f"{_SCORECARD_DOCS}#security-policy",
        automatable=True,
    )
)

NO_DEPENDENCY_UPDATES = register_rule(
    Rule(
        id="CK3002",
        name="no-dependency-update-config",
        severity=Severity.MEDIUM,
        summary=(
            "No dependency-update configuration keeps base images (docker) and workflow "
            "actions (github-actions) up to date."
        ),
        why=(
            "Pinned base images and actions are only safe if something proposes updates when "
            "they get security fixes. Dependabot or Renovate opens those pull requests. "
            "Scorecard's Dependency-Update-Tool check scores 0 without any configuration; a "
            "configuration that skips the docker or github-actions ecosystem scores 10 there "
            "but leaves the image's own supply chain stale."
        ),
        fix=(
            "Add .github/dependabot.yml with an `updates` entry for `package-ecosystem: "
            "docker` and one for `package-ecosystem: github-actions` (directory `/`, a weekly "
            "schedule), or enable the dockerfile and github-actions managers in Renovate."
        ),
        check="Dependency-Update-Tool",
        phase=1,
        effort_hours=0.25,
        reference=f"{_SCORECARD_DOCS}#dependency-update-tool",
        automatable=True,
    )
)

NO_LICENSE = register_rule(
    Rule(
        id="CK3003",
        name="no-license",
        severity=Severity.LOW,
        summary="The repository has no license file at its top level.",
        why=(
            "Without a license nobody may legally reuse, redistribute or even run the image's "
            "code, and automated license review of the image fails. Scorecard's License check "
            "scores 0 without a top-level LICENSE, COPYING or similar file."
        ),
        fix=(
            "Add a LICENSE file at the top level with the text of an OSI-approved license; "
            "naming it after its SPDX id (e.g. LICENSE-MIT, or LICENSES/Apache-2.0.txt) also "
            "earns the last point of Scorecard's License check in --local mode."
        ),
        check="License",
        phase=1,
        effort_hours=0.25,
        reference=f"{_SCORECARD_DOCS}#license",
    )
)

BINARY_ARTIFACT = register_rule(
    Rule(
        id="CK3004",
        name="binary-artifact",
        severity=Severity.MEDIUM,
        summary="A binary artifact (executable, library, archive of compiled code) is checked in.",
        why=(
            "A checked-in binary cannot be reviewed; it may differ from the source it claims "
            "to come from and can carry malicious code into the image. Scorecard's "
            "Binary-Artifacts check loses one point per binary file."
        ),
        fix=(
            "Delete the file and build it from source in the Dockerfile or the workflow (or "
            "download it there with a pinned checksum). Test fixtures can move under a "
            "testdata/ directory, which Scorecard ignores."
        ),
        check="Binary-Artifacts",
        phase=1,
        effort_hours=0.5,
        reference=f"{_SCORECARD_DOCS}#binary-artifacts",
    )
)

INCOMPLETE_SECURITY_POLICY = register_rule(
    Rule(
        id="CK3005",
        name="security-policy-incomplete",
        severity=Severity.LOW,
        summary=(
            "The security policy lacks a contact (URL or email), explanatory text, or "
            "disclosure details."
        ),
        why=(
            "A policy that does not say where to report, or how reports are handled, leaves a "
            "reporter guessing. Scorecard gives 6 points for a URL or email, 3 for text beyond "
            "the links and 1 for mentions of disclosure, vulnerabilities or timelines."
        ),
        fix=(
            "Give a private reporting channel (email address or URL), a paragraph on how "
            "reports are handled, and the disclosure timeline."
        ),
        check="Security-Policy",
        phase=1,
        effort_hours=0.25,
        reference=f"{_SCORECARD_DOCS}#security-policy",
    )
)

NO_FUZZING = register_rule(
    Rule(
        id="CK3006",
        name="no-fuzzing",
        severity=Severity.LOW,
        summary="No fuzzing integration was found.",
        why=(
            "Fuzzing finds memory-safety and parsing bugs that tests miss. Scorecard's Fuzzing "
            "check scores 10 for ClusterFuzzLite, OSS-Fuzz or a language fuzz harness, else 0. "
            "For an image that only packages other software this is often out of reach; the "
            "check still weighs 5 in the aggregate."
        ),
        fix=(
            "Add fuzz targets for the code that parses untrusted input (Go `func FuzzX(f "
            "*testing.F)`, libFuzzer `LLVMFuzzerTestOneInput`, atheris, cargo-fuzz) and run "
            "them with ClusterFuzzLite (.clusterfuzzlite/Dockerfile) or OSS-Fuzz."
        ),
        check="Fuzzing",
        phase=2,
        effort_hours=8.0,
        reference=f"{_SCORECARD_DOCS}#fuzzing",
    )
)


# -- dependency-update coverage -----------------------------------------------------------

DEPENDABOT_FILES = (".github/dependabot.yml", ".github/dependabot.yaml")
RENOVATE_FILES = (
    "renovate.json",
    "renovate.json5",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
    ".gitlab/renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".renovaterc.json5",
)
SCALA_STEWARD_FILES = (
    ".scala-steward.conf",
    "scala-steward.conf",
    ".github/.scala-steward.conf",
    ".github/scala-steward.conf",
    ".config/.scala-steward.conf",
    ".config/scala-steward.conf",
)
"""Scorecard's Dependency-Update-Tool file names (``checks/raw/dependency_update_tool.go``),
compared with the lowercased full path."""

_CONFIG_FILES = frozenset(DEPENDABOT_FILES + RENOVATE_FILES + SCALA_STEWARD_FILES)

DOCKER = "docker"
GITHUB_ACTIONS = "github-actions"


@dataclass(frozen=True)
class UpdateConfig:
    """One dependency-update configuration file and the ecosystems it keeps up to date."""

    tool: str
    """``Dependabot``, ``RenovateBot`` or ``scala-steward`` (Scorecard's tool names)."""
    path: str
    ecosystems: frozenset[str]
    line: int = 1
    """Line of the ``updates:`` key for Dependabot, else 1."""


def update_configs(repo: Repository) -> tuple[UpdateConfig, ...]:
    """Every dependency-update configuration, in walk order (memoized)."""
    return repo.memo("repository.update-configs", lambda: tuple(_find_update_configs(repo)))


def _find_update_configs(repo: Repository) -> Iterator[UpdateConfig]:
    for path in repo.files:
        lowered = path.lower()
        if lowered not in _CONFIG_FILES:
            continue
        full = repo.root / path
        if full.is_symlink() and not full.exists():
            continue  # Scorecard's listing skips dangling symlinks
        if lowered in DEPENDABOT_FILES:
            yield _dependabot(repo, path)
        elif lowered in RENOVATE_FILES:
            yield _renovate(repo, path)
        else:
            yield UpdateConfig("scala-steward", path, frozenset())


def _dependabot(repo: Repository, path: str) -> UpdateConfig:
    text = repo.read_text(path)
    if text is None:
        return UpdateConfig("Dependabot", path, frozenset())
    yaml = YAML(typ="rt", pure=True)
    try:
        with quiet_yaml():
            document = yaml.load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        repo.add_problem(path, f"invalid YAML: {_first_line(exc)}", line=line)
        return UpdateConfig("Dependabot", path, frozenset())
    if not isinstance(document, dict):
        return UpdateConfig("Dependabot", path, frozenset())
    updates = document.get("updates")
    line = _key_line(document, "updates")
    ecosystems: set[str] = set()
    if isinstance(updates, list):
        for entry in updates:
            if isinstance(entry, dict):
                ecosystem = entry.get("package-ecosystem")
                if isinstance(ecosystem, str):
                    ecosystems.add(ecosystem.strip().lower())
    return UpdateConfig("Dependabot", path, frozenset(ecosystems), line)


def _key_line(mapping: Any, key: str) -> int:
    lc = getattr(mapping, "lc", None)
    if lc is None:
        return 1
    try:
        position = lc.key(key)
    except (KeyError, TypeError):
        return 1
    return int(position[0]) + 1


def _renovate(repo: Repository, path: str) -> UpdateConfig:
    both = frozenset({DOCKER, GITHUB_ACTIONS})
    text = repo.read_text(path)
    if text is None:
        return UpdateConfig("RenovateBot", path, both)
    try:
        config = json.loads(text)
    except ValueError:
        return UpdateConfig("RenovateBot", path, both)  # JSON5: assume the defaults
    if not isinstance(config, dict):
        return UpdateConfig("RenovateBot", path, both)
    covered = set(both)
    managers = config.get("enabledManagers")
    if isinstance(managers, list):
        names = {m for m in managers if isinstance(m, str)}
        if "dockerfile" not in names:
            covered.discard(DOCKER)
        if "github-actions" not in names:
            covered.discard(GITHUB_ACTIONS)
    for key, ecosystem in (
        ("docker", DOCKER),
        ("dockerfile", DOCKER),
        ("github-actions", GITHUB_ACTIONS),
    ):
        section = config.get(key)
        if isinstance(section, dict) and section.get("enabled") is False:
            covered.discard(ecosystem)
    return UpdateConfig("RenovateBot", path, frozenset(covered))


def needed_ecosystems(repo: Repository) -> frozenset[str]:
    """The ecosystems this repository has something of: Dockerfiles, workflows."""
    needed: set[str] = set()
    for path in repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        if "dockerfile" in base or "containerfile" in base:
            needed.add(DOCKER)
        in_workflows = path.startswith(".github/workflows/") and path.count("/") == 2
        if in_workflows and base.endswith((".yml", ".yaml")):
            needed.add(GITHUB_ACTIONS)
    return frozenset(needed)


NO_PUBLISH_WORKFLOW = register_rule(
    Rule(
        id="CK3007",
        name="no-image-publish-workflow",
        severity=Severity.LOW,
        summary="The repository builds a container image but no workflow publishes it.",
        why=(
            "An image pushed from a laptop has no provenance: nobody can tell which commit and "
            "which build produced it, and it is neither signed nor rebuilt when its base image "
            "gets security fixes. Scorecard's Packaging check stays inconclusive without a "
            "publishing workflow."
        ),
        fix=(
            "Publish from CI: a workflow with docker/build-push-action (multi-platform, "
            "`sbom: true`, `provenance: mode=max`), keyless cosign signing of every tag at the "
            "pushed digest, an attestation, a vulnerability scan and a weekly rebuild. "
            "`caulk fix` generates one (.github/workflows/publish.yml)."
        ),
        check="Packaging",
        phase=2,
        effort_hours=1.0,
        reference=f"{_SCORECARD_DOCS}#packaging",
        automatable=True,
    )
)


def image_dockerfiles(repo: Repository) -> list[str]:
    """Dockerfiles that build the repository's image (not tests, examples or dev containers)."""
    skipped = ("test/", "tests/", "testdata/", "examples/", "example/", ".devcontainer/")
    found = []
    for path in repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        if base not in {"dockerfile", "containerfile"}:
            continue
        if any(f"/{part}" in f"/{path}" for part in skipped):
            continue
        found.append(path)
    return sorted(found, key=lambda f: (f.count("/"), f))


@rule_pack("publishing")
def unpublished_image(repo: Repository) -> list[Finding]:
    """CK3007: an image Dockerfile, and no workflow that pushes an image."""
    from caulk.checks.workflow.analysis import publishes_images
    from caulk.workflow.load import workflow_set

    dockerfiles = image_dockerfiles(repo)
    if not dockerfiles:
        return []
    wset = workflow_set(repo)
    if wset.failures or any(publishes_images(w) for w in wset.workflows):
        return []  # an unreadable workflow may be the publisher: do not guess
    return [
        Finding(
            rule_id=NO_PUBLISH_WORKFLOW.id,
            severity=NO_PUBLISH_WORKFLOW.severity,
            message=(
                f"{dockerfiles[0]} builds an image, but no workflow under .github/workflows "
                "pushes it (docker/build-push-action with push, or docker push)"
            ),
            location=Location(dockerfiles[0], 1),
            check=NO_PUBLISH_WORKFLOW.check,
        )
    ]


@rule_pack("repository")
def repository_rules(repo: Repository) -> Iterable[Finding]:
    """CK3002 for a configuration that misses an ecosystem (Scorecard already gives 10)."""
    configs = update_configs(repo)
    if not configs:
        return []  # the Dependency-Update-Tool check reports CK3002 against its score
    covered = frozenset().union(*(c.ecosystems for c in configs))
    missing = sorted(needed_ecosystems(repo) - covered)
    if not missing:
        return []
    first = configs[0]
    names = " and ".join(f"`{m}`" for m in missing)
    return [
        Finding(
            rule_id=NO_DEPENDENCY_UPDATES.id,
            severity=Severity.LOW,
            message=(
                f"{first.tool} is configured but does not update the {names} ecosystem"
                f"{'s' if len(missing) > 1 else ''}; "
                + ", ".join(_missing_hint(m) for m in missing)
            ),
            location=Location(first.path, first.line),
            check=None,
            confidence=Confidence.MEDIUM if first.tool == "RenovateBot" else Confidence.HIGH,
        ),
    ]


def _missing_hint(ecosystem: str) -> str:
    if ecosystem == DOCKER:
        return "base images in the Dockerfile will not get update pull requests"
    return "actions used by workflows will not get update pull requests"


def _first_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__
