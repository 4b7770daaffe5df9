"""Repository rules (CK3xxx): metadata, and CK3002's ecosystem coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.registry import REGISTRY
from caulk.checks.repository.rules import repository_rules, unpublished_image, update_configs
from caulk.findings import Location
from caulk.repo.checkout import Repository

DEPENDABOT_BOTH = """\
version: 2
updates:
  - package-ecosystem: docker
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: "github-actions"
    directory: /
    schedule: {interval: weekly}
"""

DEPENDABOT_PIP = """\
# keep Python deps fresh
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule: {interval: weekly}
"""

WORKFLOW = "on: push\njobs: {}\n"


def repo_with(tmp_path: Path, files: dict[str, str]) -> Repository:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return Repository(tmp_path)


@pytest.mark.parametrize(
    ("rule_id", "check", "phase"),
    [
        ("CK3001", "Security-Policy", 1),
        ("CK3002", "Dependency-Update-Tool", 1),
        ("CK3003", "License", 1),
        ("CK3004", "Binary-Artifacts", 1),
        ("CK3005", "Security-Policy", 1),
        ("CK3006", "Fuzzing", 2),
    ],
)
def test_rules_are_registered_with_their_check(rule_id: str, check: str, phase: int) -> None:
    rule = REGISTRY.rules[rule_id]
    assert (rule.check, rule.phase) == (check, phase)
    assert rule.why and rule.fix and rule.summary


def test_security_policy_rule_is_automatable() -> None:
    assert REGISTRY.rules["CK3001"].automatable is True


def test_dependabot_covering_docker_and_actions_passes(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            ".github/dependabot.yml": DEPENDABOT_BOTH,
            "Dockerfile": "FROM scratch\n",
            ".github/workflows/ci.yml": WORKFLOW,
        },
    )
    assert list(repository_rules(repo)) == []


def test_dependabot_missing_both_ecosystems(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            ".github/dependabot.yml": DEPENDABOT_PIP,
            "Dockerfile": "FROM scratch\n",
            ".github/workflows/ci.yml": WORKFLOW,
        },
    )
    [finding] = repository_rules(repo)
    assert finding.rule_id == "CK3002"
    assert finding.check is None  # Dependency-Update-Tool is already 10
    assert finding.location == Location(".github/dependabot.yml", 3)  # the `updates:` key
    assert "`docker` and `github-actions` ecosystems" in finding.message


def test_only_ecosystems_the_repository_uses_are_required(tmp_path: Path) -> None:
    # No Dockerfile: github-actions alone is enough.
    config = "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"
    repo = repo_with(
        tmp_path, {".github/dependabot.yml": config, ".github/workflows/ci.yaml": WORKFLOW}
    )
    assert list(repository_rules(repo)) == []


def test_containerfile_needs_docker(tmp_path: Path) -> None:
    config = "version: 2\nupdates:\n  - package-ecosystem: github-actions\n    directory: /\n"
    repo = repo_with(tmp_path, {".github/dependabot.yaml": config, "images/Containerfile": "x"})
    [finding] = repository_rules(repo)
    assert "`docker` ecosystem;" in finding.message


@pytest.mark.parametrize(
    ("config", "missing"),
    [
        ("{}", []),
        ('{"extends": ["config:recommended"]}', []),
        ('{"enabledManagers": ["npm"]}', ["docker", "github-actions"]),
        ('{"enabledManagers": ["dockerfile"]}', ["github-actions"]),
        ('{"github-actions": {"enabled": false}}', ["github-actions"]),
        ('{"docker": {"enabled": false}}', ["docker"]),
        ("{\n  // JSON5 comment\n  extends: ['config:base'],\n}", []),
    ],
)
def test_renovate_covers_both_unless_disabled(
    tmp_path: Path, config: str, missing: list[str]
) -> None:
    repo = repo_with(
        tmp_path,
        {"renovate.json": config, "Dockerfile": "FROM x\n", ".github/workflows/a.yml": WORKFLOW},
    )
    found = list(repository_rules(repo))
    if not missing:
        assert found == []
    else:
        [finding] = found
        assert all(f"`{m}`" in finding.message for m in missing)
        assert finding.location == Location("renovate.json", 1)


def test_no_configuration_is_left_to_the_scorecard_check(tmp_path: Path) -> None:
    # Dependency-Update-Tool scores 0 and carries CK3002 itself; no duplicate here.
    repo = repo_with(tmp_path, {"Dockerfile": "FROM x\n"})
    assert list(repository_rules(repo)) == []


def test_invalid_dependabot_yaml_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path, {".github/dependabot.yml": "updates: [\n  - a\n", "Dockerfile": "FROM x\n"}
    )
    [finding] = repository_rules(repo)
    assert finding.rule_id == "CK3002"
    [problem] = repo.problems
    assert problem.path == ".github/dependabot.yml"
    assert problem.message.startswith("invalid YAML")


def test_scala_steward_counts_as_a_tool_covering_neither(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".scala-steward.conf": "", "Dockerfile": "FROM x\n"})
    assert [c.tool for c in update_configs(repo)] == ["scala-steward"]
    [finding] = repository_rules(repo)
    assert finding.location == Location(".scala-steward.conf", 1)


PUBLISH = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
"""


def test_image_built_but_never_published_from_ci(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path, {"Dockerfile": "FROM scratch\n", ".github/workflows/ci.yml": WORKFLOW}
    )
    (finding,) = [f for f in unpublished_image(repo)]
    assert finding.location is not None and finding.location.path == "Dockerfile"
    assert finding.check == "Packaging"


def test_publishing_workflow_or_test_only_dockerfiles_pass(tmp_path: Path) -> None:
    published = repo_with(
        tmp_path / "a", {"Dockerfile": "FROM scratch\n", ".github/workflows/p.yml": PUBLISH}
    )
    assert not unpublished_image(published)
    tests_only = repo_with(tmp_path / "b", {"tests/e2e/Dockerfile": "FROM scratch\n"})
    assert not unpublished_image(tests_only)
