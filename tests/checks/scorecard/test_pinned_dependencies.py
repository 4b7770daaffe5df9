"""Pinned-Dependencies: Scorecard's weighted score, its details, and caulk's findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.registry import INCONCLUSIVE, REGISTRY, Risk
from caulk.checks.scorecard.pinned_dependencies import (
    NAME,
    apply_nuget_locking,
    findings_for,
    pinned_dependencies,
    score_dependencies,
)
from caulk.checks.scorecard.pinning_model import Dependency, DependencyType
from caulk.findings import Location, Severity
from caulk.repo.checkout import Repository

GHA = DependencyType.GITHUB_ACTION
IMAGE = DependencyType.CONTAINER_IMAGE
DTR = DependencyType.DOWNLOAD_THEN_RUN
PIP = DependencyType.PIP_COMMAND
NUGET = DependencyType.NUGET_COMMAND


def dep(
    dep_type: DependencyType,
    pinned: bool,
    *,
    owned: bool = False,
    counted: bool = True,
    line: int = 1,
    note: str = "",
) -> Dependency:
    return Dependency(
        type=dep_type,
        pinned=pinned,
        location=Location("f", line),
        name=f"{dep_type.value}-{line}",
        github_owned=owned,
        counted=counted,
        note=note,
    )


# -- the formula --------------------------------------------------------------------------------


def test_reference_example_scores_four() -> None:
    # 1 owned unpinned (w=2) + 1 third-party pinned (w=8) + 1 image unpinned (w=10): 80/20 -> 4.
    deps = [dep(GHA, False, owned=True), dep(GHA, True), dep(IMAGE, False)]
    score, _ = score_dependencies(deps)
    assert score == 4


@pytest.mark.parametrize(
    ("deps", "expected"),
    [
        # One kind of action alone weighs 10.
        ([dep(GHA, False, owned=True), dep(GHA, True, owned=True), dep(IMAGE, True)], 6),
        ([dep(GHA, True), dep(GHA, False), dep(GHA, False), dep(DTR, True)], 5),
        # Both kinds: counts are weighted, not ratios: (1*2 + 0*8) / (1*2 + 3*8) = 2/26.
        ([dep(GHA, True, owned=True), dep(GHA, False), dep(GHA, False), dep(GHA, False)], 0),
        # Every non-GHA type is a group of weight 10, whatever its size.
        ([dep(PIP, False), dep(DTR, True), dep(DTR, True), dep(DTR, True)], 7),
        ([dep(PIP, True), dep(IMAGE, True)], 10),
        ([dep(PIP, False)], 0),
    ],
)
def test_weighted_groups(deps: list[Dependency], expected: int) -> None:
    assert score_dependencies(deps)[0] == expected


def test_no_counted_dependency_is_inconclusive() -> None:
    assert score_dependencies([])[0] == INCONCLUSIVE
    error = dep(DTR, False, counted=False, note="processing error: error parsing shell code: x")
    score, details = score_dependencies([error])
    assert score == INCONCLUSIVE
    assert details == ("Info: Possibly incomplete results: error parsing shell code: x: f:1",)


def test_uncounted_entries_do_not_change_the_score() -> None:
    deps = [dep(PIP, True), dep(DTR, False, counted=False, note="processing error: boom")]
    assert score_dependencies(deps)[0] == 10


def test_details_follow_scorecard_text() -> None:
    deps = [
        dep(GHA, False, owned=True, line=3),
        dep(GHA, True, line=4),
        dep(IMAGE, False, line=5),
        dep(NUGET, False, line=6, note="pin them"),
        dep(DTR, False, counted=False, line=7, note="processing error: oops"),
    ]
    _, details = score_dependencies(deps)
    assert details == (
        "Info: Possibly incomplete results: oops: f:7",
        "Warn: GitHub-owned GitHubAction not pinned by hash: f:3",
        "Warn: containerImage not pinned by hash: f:5",
        "Warn: nugetCommand not pinned by hash: f:6: pin them",
        "Info:   0 out of   1 GitHub-owned GitHubAction dependencies pinned",
        "Info:   1 out of   1 third-party GitHubAction dependencies pinned",
        "Info:   0 out of   1 containerImage dependencies pinned",
        "Info:   0 out of   1 nugetCommand dependencies pinned",
    )


# -- findings -----------------------------------------------------------------------------------


def test_findings_only_for_types_this_check_owns() -> None:
    deps = [
        dep(GHA, False),  # CK2001 belongs to the workflow rules
        dep(IMAGE, False),  # CK1002 belongs to the Dockerfile rules
        dep(DTR, False, line=2),
        dep(PIP, True, line=3),
        dep(PIP, False, line=4),
        dep(DTR, False, counted=False, line=5, note="processing error: x"),
        dep(DependencyType.NPM_COMMAND, False, line=6),
        dep(DependencyType.GO_COMMAND, False, line=7),
        dep(DependencyType.CHOCO_COMMAND, False, line=8),
        dep(NUGET, False, line=9),
    ]
    findings = findings_for(deps)
    assert [(f.rule_id, f.location.line if f.location else 0) for f in findings] == [
        ("CK1010", 2),
        ("CK1011", 4),
        ("CK1012", 6),
        ("CK1013", 7),
        ("CK1014", 8),
        ("CK1014", 9),
    ]
    assert all(f.check == NAME for f in findings)
    assert findings[0].severity is Severity.HIGH


def test_rules_are_registered_against_the_check() -> None:
    for rule_id in ("CK1010", "CK1011", "CK1012", "CK1013", "CK1014"):
        rule = REGISTRY.rules[rule_id]
        assert rule.check == NAME
        assert rule.why
        assert rule.fix
    assert REGISTRY.checks[NAME].risk is Risk.MEDIUM


# -- the check on real checkouts ----------------------------------------------------------------


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_empty_repository_is_inconclusive(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "hello\n")
    result = pinned_dependencies(Repository(tmp_path))
    assert result.score == INCONCLUSIVE
    assert result.reason == "no dependencies found"


def test_shell_scripts_lower_the_score(tmp_path: Path) -> None:
    write(tmp_path, "build.sh", "#!/bin/sh\npip install --require-hashes -r r.txt\nnpm ci\n")
    write(tmp_path, "ci/install.sh", "curl -fsSL https://example.com/i.sh | sh\n")
    result = pinned_dependencies(Repository(tmp_path))
    # downloadThenRun 0/1, pipCommand 1/1, npmCommand 1/1 -> 20/30.
    assert result.score == 6
    assert result.reason == "dependency not pinned by hash detected -- score normalized to 6"
    assert "Warn: downloadThenRun not pinned by hash: ci/install.sh:1" in result.details
    (finding,) = result.findings
    assert finding.rule_id == "CK1010"
    assert finding.location == Location("ci/install.sh", 1, 1, 1, 41)
    assert finding.message.endswith("curl -fsSL https://example.com/i.sh | sh")


def test_all_pinned_scores_ten(tmp_path: Path) -> None:
    write(tmp_path, "build.sh", "npm ci\ngo install golang.org/x/tools/cmd/stringer@v0.20.0\n")
    result = pinned_dependencies(Repository(tmp_path))
    assert (result.score, result.reason) == (10, "all dependencies are pinned")
    assert result.findings == ()


def test_only_processing_errors_is_inconclusive(tmp_path: Path) -> None:
    write(tmp_path, "broken.sh", "echo 'unterminated\n")
    result = pinned_dependencies(Repository(tmp_path))
    assert result.score == INCONCLUSIVE
    assert result.reason == "no dependencies found"
    assert result.details[0].startswith("Info: Possibly incomplete results: error parsing")


def test_a_collector_error_makes_the_check_inconclusive(tmp_path: Path) -> None:
    write(tmp_path, ".github/workflows/ci.yml", "on: push\njobs: [\n")
    write(tmp_path, "build.sh", "npm install\n")
    result = pinned_dependencies(Repository(tmp_path))
    assert result.score == INCONCLUSIVE
    assert ".github/workflows/ci.yml" in result.reason
    assert result.details == ()


# -- nuget locking (postProcessNugetDependencies) -----------------------------------------------

CPM = """<Project>
  <PropertyGroup><ManagePackageVersionsCentrally>true</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageVersion Include="A" Version="[1.2.3]" />
    <PackageVersion Include="B" Version="{b}" />
  </ItemGroup>
</Project>
"""

LOCKED = """<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><RestoreLockedMode>{mode}</RestoreLockedMode></PropertyGroup>
</Project>
"""


def nuget_result(root: Path) -> list[Dependency]:
    return apply_nuget_locking(Repository(root), [dep(NUGET, False), dep(PIP, False)])


def test_cpm_with_every_version_fixed_pins_nuget(tmp_path: Path) -> None:
    write(tmp_path, "Directory.Packages.props", CPM.format(b="[2.0.0]"))
    nuget, pip = nuget_result(tmp_path)
    assert nuget.pinned
    assert not pip.pinned


def test_cpm_with_a_floating_version_keeps_nuget_unpinned(tmp_path: Path) -> None:
    write(tmp_path, "Directory.Packages.props", CPM.format(b="2.0.0"))
    nuget, _ = nuget_result(tmp_path)
    assert not nuget.pinned
    assert nuget.note.endswith("not fixes to specific versions: 2.0.0")


def test_every_csproj_in_locked_mode_pins_nuget(tmp_path: Path) -> None:
    write(tmp_path, "src/A/A.csproj", LOCKED.format(mode="true"))
    write(tmp_path, "src/B/B.csproj", LOCKED.format(mode=" True "))
    nuget, _ = nuget_result(tmp_path)
    assert nuget.pinned


def test_some_csproj_unlocked_keeps_nuget_unpinned(tmp_path: Path) -> None:
    write(tmp_path, "src/A/A.csproj", LOCKED.format(mode="true"))
    write(tmp_path, "src/B/B.csproj", LOCKED.format(mode="false"))
    nuget, _ = nuget_result(tmp_path)
    assert not nuget.pinned
    assert nuget.note.endswith("while other do not set it: src/B/B.csproj")


def test_malformed_project_files_are_skipped_with_a_problem(tmp_path: Path) -> None:
    write(tmp_path, "A.csproj", "<Project><PropertyGroup>")
    write(tmp_path, "B.csproj", LOCKED.format(mode="maybe"))
    write(tmp_path, "C.csproj", LOCKED.format(mode="true"))
    repo = Repository(tmp_path)
    nuget, _ = apply_nuget_locking(repo, [dep(NUGET, False), dep(PIP, False)])
    assert nuget.pinned  # the only well-formed project is locked
    assert {p.path for p in repo.problems} == {"A.csproj", "B.csproj"}


def test_no_project_files_keep_nuget_unpinned(tmp_path: Path) -> None:
    nuget, _ = nuget_result(tmp_path)
    assert not nuget.pinned
