"""The GitHub Actions collector of Pinned-Dependencies (Scorecard §2.1)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from caulk.checks.scorecard.pinning_model import CollectorError, DependencyType
from caulk.repo.checkout import Repository
from caulk.workflow.load import parse_workflow
from caulk.workflow.model import Workflow
from caulk.workflow.pinning import (
    UnresolvedOS,
    is_action_pinned,
    is_github_owned,
    is_supported_shell,
    redact_expressions,
    shell_for_step,
    workflow_dependencies,
)

SHA = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab"


def repo_with(tmp_path: Path, files: dict[str, str]) -> Repository:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Repository(tmp_path)


def parse(text: str) -> Workflow:
    result = parse_workflow(".github/workflows/ci.yml", dedent(text))
    assert isinstance(result, Workflow)
    return result


@pytest.mark.parametrize(
    ("uses", "pinned"),
    [
        ("actions/checkout@v4", False),
        (f"actions/checkout@{SHA}", True),
        (f"actions/checkout@{SHA.upper()}", True),
        ("actions/checkout@8e5e7e5", False),
        ("./.github/actions/local", True),
        ("./", False),
        ("docker://alpine:3.20", False),
        ("docker://alpine@sha256:" + "a" * 64, True),
        ("org/repo/.github/workflows/x.yml@main", False),
    ],
)
def test_pinned_regexes(uses: str, pinned: bool) -> None:
    assert is_action_pinned(uses) is pinned


def test_github_owned() -> None:
    assert is_github_owned("actions/checkout@v4")
    assert is_github_owned("github/codeql-action/analyze@v3")
    assert not is_github_owned("docker/login-action@v3")


def test_dependencies_cover_steps_and_reusable_workflows(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            ".github/workflows/ci.yml": f"""\
            on: push
            jobs:
              call:
                uses: org/shared/.github/workflows/build.yml@v1
              local-call:
                uses: ./.github/workflows/local.yml
              build:
                runs-on: ubuntu-latest
                steps:
                  - uses: actions/checkout@{SHA}
                  - uses: docker/login-action@v3
                  - uses: ./.github/actions/mine
            """
        },
    )
    deps = workflow_dependencies(repo)
    summary = [(d.name, d.pinned, d.github_owned, d.location.line, d.location.column) for d in deps]
    assert summary == [
        ("org/shared/.github/workflows/build.yml@v1", False, False, 4, 11),
        (f"actions/checkout@{SHA}", True, True, 10, 15),
        ("docker/login-action@v3", False, False, 11, 15),
    ]
    assert all(d.type is DependencyType.GITHUB_ACTION for d in deps)
    assert deps[2].note == "third-party GitHubAction not pinned by hash"


def test_a_workflow_that_fails_to_parse_is_a_collector_error(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".github/workflows/bad.yml": "jobs: [\n"})
    with pytest.raises(CollectorError) as err:
        workflow_dependencies(repo)
    assert err.value.path == ".github/workflows/bad.yml"


def test_redaction_keeps_the_dollar_like_scorecard() -> None:
    assert redact_expressions("curl ${{ env.URL }} | sh") == "curl $GITHUB_REDACTED_VAR | sh"


def test_supported_shells() -> None:
    assert is_supported_shell("bash")
    assert is_supported_shell("/usr/bin/sh")
    assert is_supported_shell("MKSH")
    assert not is_supported_shell("pwsh")
    assert not is_supported_shell("bash {0}")


SHELLS = """\
on: push
jobs:
  linux:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: sh
    steps:
      - run: echo default
      - run: echo step
        shell: pwsh
      - run: echo win
        if: runner.os == 'Windows'
  windows:
    runs-on: [windows-latest]
    steps:
      - run: echo hi
  matrix:
    runs-on: ${{ matrix.os }}
    strategy:
      matrix:
        os: [ubuntu-latest, windows-latest]
    steps:
      - run: echo hi
      - run: echo hi
        if: matrix.os == 'windows-2022'
  unresolved:
    runs-on: ${{ matrix.os }}
    steps:
      - run: echo hi
  nowhere:
    steps:
      - run: echo hi
"""


def test_shell_choice_follows_get_shell_for_step() -> None:
    wf = parse(SHELLS)
    jobs = {job.id: job for job in wf.jobs}
    linux = jobs["linux"]
    # Job defaults.run.shell beats the step's if:, the step's shell beats both.
    assert [shell_for_step(s, linux) for s in linux.steps] == ["sh", "pwsh", "sh"]
    assert shell_for_step(jobs["windows"].steps[0], jobs["windows"]) == "pwsh"
    matrix = jobs["matrix"]
    assert [shell_for_step(s, matrix) for s in matrix.steps] == ["bash", "pwsh"]
    with pytest.raises(UnresolvedOS):
        shell_for_step(jobs["unresolved"].steps[0], jobs["unresolved"])
    # No runs-on at all: every (zero) OS is Windows, so Scorecard picks pwsh.
    assert shell_for_step(jobs["nowhere"].steps[0], jobs["nowhere"]) == "pwsh"


RUN_STEPS = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo start
          curl -sSL https://example.com/install.sh | bash
      - run: pip install -r requirements.txt
      - run: curl https://example.com/x.sh | bash
        shell: pwsh
"""


def test_run_steps_go_to_the_shell_analyzer(tmp_path: Path) -> None:
    pytest.importorskip("caulk.shell.analyze")
    repo = repo_with(tmp_path, {".github/workflows/ci.yml": RUN_STEPS})
    deps = [d for d in workflow_dependencies(repo) if d.counted]
    # The pwsh step is not analysed; the download is on the block's second line.
    assert [(d.type, d.location.line) for d in deps] == [
        (DependencyType.DOWNLOAD_THEN_RUN, 8),
        (DependencyType.PIP_COMMAND, 9),
    ]
    assert not any(d.pinned for d in deps)
