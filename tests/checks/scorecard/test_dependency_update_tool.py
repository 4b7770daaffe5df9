"""Dependency-Update-Tool: 10 with any known config file name, else 0 (Scorecard --local)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.dependency_update_tool import dependency_update_tool
from caulk.repo.checkout import Repository


def repo_with(tmp_path: Path, *names: str) -> Repository:
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    return Repository(tmp_path)


@pytest.mark.parametrize(
    "name",
    [
        ".github/dependabot.yml",
        ".github/dependabot.yaml",
        ".GitHub/Dependabot.YML",  # the lowercased full path is compared
        "renovate.json",
        "renovate.json5",
        ".github/renovate.json",
        ".gitlab/renovate.json5",
        ".renovaterc",
        ".renovaterc.json",
        ".renovaterc.json5",
        ".scala-steward.conf",
        ".github/scala-steward.conf",
        ".config/.scala-steward.conf",
    ],
)
def test_config_file_scores_10(tmp_path: Path, name: str) -> None:
    result = dependency_update_tool(repo_with(tmp_path, name))
    assert (result.score, result.reason) == (10, "update tool detected")
    assert result.findings == ()


@pytest.mark.parametrize(
    "name", ["config/renovate.json", "dependabot.yml", ".github/renovate.yaml", "docs/.renovaterc"]
)
def test_other_locations_score_0(tmp_path: Path, name: str) -> None:
    assert dependency_update_tool(repo_with(tmp_path, name)).score == 0


def test_no_config_scores_0_with_ck3002(tmp_path: Path) -> None:
    result = dependency_update_tool(repo_with(tmp_path, "Dockerfile"))
    assert (result.score, result.reason) == (0, "no update tool detected")
    assert [(f.rule_id, f.check, f.location) for f in result.findings] == [
        ("CK3002", "Dependency-Update-Tool", None)
    ]


def test_content_is_not_read(tmp_path: Path) -> None:
    # Scorecard only looks at the name: even an invalid dependabot.yml scores 10.
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github/dependabot.yml").write_text("updates: [\n")
    assert dependency_update_tool(Repository(tmp_path)).score == 10


def test_dangling_symlink_is_not_a_config(tmp_path: Path) -> None:
    (tmp_path / "renovate.json").symlink_to(tmp_path / "missing.json")
    assert dependency_update_tool(Repository(tmp_path)).score == 0
