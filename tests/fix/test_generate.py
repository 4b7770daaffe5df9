"""Generated files are pinned, least-privileged, and clean to zizmor."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from caulk.fix.generate import (
    ACTION_PINS,
    ProjectInfo,
    dependabot_config,
    hadolint_config,
    lint_workflow,
    publish_workflow,
    scorecard_workflow,
    security_policy,
)

GHCR = ProjectInfo(repository="acme/widget", image="ghcr.io/acme/widget")
HUB = ProjectInfo(repository="acme/widget", image="docker.io/acme/widget", default_branch="trunk")

_USES = re.compile(r"uses:\s*([^\s#]+)(?:\s*#\s*(\S+))?")


def _load(text: str) -> dict[str, object]:
    data = YAML(typ="safe").load(text)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("info", [GHCR, HUB], ids=["ghcr", "docker-hub"])
def test_every_action_is_pinned_to_a_full_sha_with_its_version(info: ProjectInfo) -> None:
    for text in (publish_workflow(info), scorecard_workflow(info), lint_workflow(info)):
        uses = _USES.findall(text)
        assert uses
        for ref, comment in uses:
            action, _, sha = ref.partition("@")
            assert re.fullmatch(r"[0-9a-f]{40}", sha), ref
            assert comment.startswith("v"), ref
            repo = "/".join(action.split("/")[:2])
            assert ACTION_PINS[repo] == (sha, comment)


def test_docker_hub_never_gets_attestations_pushed_to_the_registry() -> None:
    hub = publish_workflow(HUB)
    ghcr = publish_workflow(GHCR)
    assert "push-to-registry: false" in hub
    assert "push-to-registry: true" in ghcr
    assert "registry: ghcr.io" in ghcr
    assert "DOCKERHUB_TOKEN" in hub


def test_publish_workflow_has_sbom_max_provenance_schedule_and_strict_signing() -> None:
    text = publish_workflow(HUB)
    data = _load(text)
    assert "schedule" in data["on"]  # type: ignore[operator]
    assert data["permissions"] == {"contents": "read"}
    assert "sbom: true" in text
    assert "provenance: mode=max" in text
    assert "set -euo pipefail" in text
    # sha- tags only on branch pushes and a dated tag on the weekly rebuild: no tag is pushed
    # twice, so tag immutability never aborts the run before signing.
    branch_pushes = "${{ github.event_name == 'push' && github.ref_type == 'branch' }}"
    assert f"type=sha,format=long,enable={branch_pushes}" in text
    assert "type=schedule,pattern={{date 'YYYYMMDD'}}" in text
    assert "branches: [trunk]" in text


def test_scorecard_workflow_publishes_results_and_uploads_sarif() -> None:
    data = _load(scorecard_workflow(GHCR))
    assert data["permissions"] == "read-all"
    steps = data["jobs"]["analysis"]["steps"]  # type: ignore[index]
    scorecard = next(s for s in steps if "scorecard-action" in s["uses"])
    assert scorecard["with"]["publish_results"] is True


def test_dependabot_covers_docker_and_github_actions_weekly_grouped() -> None:
    data = _load(dependabot_config())
    updates = data["updates"]
    assert isinstance(updates, list)
    assert {u["package-ecosystem"] for u in updates} == {"docker", "github-actions"}
    assert all(u["schedule"]["interval"] == "weekly" and u["groups"] for u in updates)


def test_security_policy_points_at_private_reporting() -> None:
    text = security_policy(GHCR)
    assert "https://github.com/acme/widget/security/advisories/new" in text
    assert re.search(r"@[A-Z_]+@", text) is None  # every placeholder filled
    assert "cosign verify ghcr.io/acme/widget:latest" in text


def test_hadolint_config_is_valid_yaml_with_an_ignored_list() -> None:
    assert _load(hadolint_config())["ignored"] == []


@pytest.mark.skipif(shutil.which("zizmor") is None, reason="zizmor is not installed")
@pytest.mark.parametrize("info", [GHCR, HUB], ids=["ghcr", "docker-hub"])
def test_zizmor_offline_reports_nothing_above_low_on_generated_files(
    info: ProjectInfo, tmp_path: Path
) -> None:
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "publish.yml").write_text(publish_workflow(info))
    (workflows / "scorecard.yml").write_text(scorecard_workflow(info))
    (workflows / "lint.yml").write_text(lint_workflow(info))
    (tmp_path / ".github" / "dependabot.yml").write_text(dependabot_config())
    proc = subprocess.run(
        ["zizmor", "--offline", "--format", "json", "--no-progress", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(proc.stdout or "[]")
    serious = [
        f for f in findings if f["determinations"]["severity"] not in {"Informational", "Low"}
    ]
    assert serious == [], serious


def test_lint_workflow_runs_hadolint_on_the_image_dockerfile() -> None:
    info = ProjectInfo(
        repository="acme/widget", image="ghcr.io/acme/widget", dockerfile="app/Dockerfile"
    )
    data = _load(lint_workflow(info))
    steps = data["jobs"]["hadolint"]["steps"]  # type: ignore[index]
    lint = next(s for s in steps if "hadolint-action" in s["uses"])
    assert lint["with"]["dockerfile"] == "app/Dockerfile"
    assert data["permissions"] == {"contents": "read"}


def test_without_a_github_remote_nothing_is_invented(tmp_path: Path) -> None:
    """No `OWNER/...` placeholders: the policy names the Security tab and the workflow names
    the image from its repository at run time."""
    from caulk.fix.project import project_info
    from caulk.repo.checkout import Repository

    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    info = project_info(Repository(tmp_path))
    assert info.repository is None
    policy = security_policy(info)
    assert "Security tab" in policy and "https://github.com/" not in policy
    assert "Verifying our images" not in policy
    publish = publish_workflow(info)
    assert "IMAGE: ghcr.io/${{ github.repository }}" in publish
    assert "OWNER" not in policy + publish
