"""The workflow loader: which files are workflows, the model's fields and exact positions."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from caulk.repo.checkout import Repository
from caulk.workflow.load import (
    contains_commands,
    is_workflow_path,
    parse_workflow,
    workflow_set,
    workflows,
)
from caulk.workflow.model import PermissionsKind, Pos, Workflow


def repo_with(tmp_path: Path, files: dict[str, str]) -> Repository:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Repository(tmp_path)


def parse(text: str) -> Workflow:
    result = parse_workflow(".github/workflows/ci.yml", dedent(text))
    assert isinstance(result, Workflow), result
    return result


CI = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
permissions:
  contents: read
jobs:
  build:
    name: Build it
    runs-on: ubuntu-latest
    permissions:
      Contents: write
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
      - name: test
        shell: bash
        run: |
          make
          echo "${{ github.head_ref }}"
"""


def test_workflow_paths_follow_scorecard() -> None:
    assert is_workflow_path(".github/workflows/ci.yml")
    assert is_workflow_path(".github/workflows/ci.yaml")
    # Scorecard lower-cases the directory but not the extension.
    assert is_workflow_path(".GitHub/Workflows/ci.yml")
    assert not is_workflow_path(".github/workflows/ci.YML")
    assert not is_workflow_path(".github/workflows/sub/ci.yml")
    assert not is_workflow_path(".github/ci.yml")


def test_comment_only_files_have_no_commands() -> None:
    assert not contains_commands("# just a comment\n\n   # another\n")
    assert contains_commands("# c\non: push\n")


def test_model_fields_and_positions() -> None:
    wf = parse(CI)
    assert wf.trigger_names == {"push", "pull_request"}
    assert wf.runs_on_branch_push
    assert wf.permissions.kind is PermissionsKind.SCOPES
    job = wf.jobs[0]
    assert (job.id, job.name, job.pos) == ("build", "Build it", Pos(9, 3))
    # Scope names are compared lower-cased, as actionlint does.
    assert [s for s, _, _ in job.permissions.scopes] == ["contents"]
    checkout, test = job.steps
    assert checkout.uses is not None and checkout.uses.pos == Pos(15, 15)
    assert checkout.uses.end_column == 15 + len("actions/checkout@v4")
    assert checkout.input("persist-credentials") is not None
    assert checkout.input("Persist-Credentials").value == "false"  # type: ignore[union-attr]
    assert test.shell is not None and test.shell.value == "bash"
    assert test.run is not None and test.run.style == "|"
    # The expression is on the second line of the block: file line 22, column 17.
    offset = test.run.value.index("${{")
    assert test.run.position_of(offset) == Pos(22, 17)


def test_trigger_forms() -> None:
    assert parse("on: push\njobs: {}\n").trigger_names == {"push"}
    assert parse("on: [push, pull_request_target]\n").trigger_names == {
        "push",
        "pull_request_target",
    }
    wf = parse("on:\n  schedule:\n    - cron: '0 4 * * 1'\n  workflow_dispatch:\n")
    assert wf.trigger_names == {"schedule", "workflow_dispatch"}
    assert [c.value for c in wf.schedule_crons] == ["0 4 * * 1"]


def test_tags_only_push_is_not_a_branch_push() -> None:
    assert not parse("on:\n  push:\n    tags: ['v*']\n").runs_on_branch_push
    assert parse("on:\n  push:\n    paths: ['src/**']\n").runs_on_branch_push


def test_permissions_classification() -> None:
    def kind(text: str) -> PermissionsKind:
        return parse(text + "jobs: {}\n").permissions.kind

    assert kind("") is PermissionsKind.UNDECLARED
    assert kind("permissions: {}\n") is PermissionsKind.NONE
    assert kind("permissions:\n") is PermissionsKind.NONE
    assert kind("permissions: read-all\n") is PermissionsKind.READ_ALL
    assert kind("permissions: write-all\n") is PermissionsKind.WRITE_ALL
    # Scorecard only acts on the exact string write-all.
    assert kind("permissions: WRITE-ALL\n") is PermissionsKind.OTHER
    assert kind("permissions:\n  contents: read\n") is PermissionsKind.SCOPES


def test_quoted_and_folded_positions_search_the_source() -> None:
    wf = parse(
        """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps:
              - run: "echo ${{ github.head_ref }}"
              - run: >
                  echo one
                  ${{ github.event.issue.title }}
        """
    )
    quoted, folded = wf.jobs[0].steps
    assert quoted.run is not None and folded.run is not None
    expr = "${{ github.head_ref }}"
    assert quoted.run.position_of(quoted.run.value.index(expr), needle=expr) == Pos(6, 20)
    expr = "${{ github.event.issue.title }}"
    assert folded.run.position_of(folded.run.value.index(expr), needle=expr) == Pos(9, 11)


def test_loader_skips_comment_only_and_memoizes(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            ".github/workflows/a.yml": "# nothing here\n",
            ".github/workflows/b.yaml": CI,
            ".github/workflows/notes.txt": "on: push\n",
        },
    )
    wset = workflow_set(repo)
    assert wset.paths == (".github/workflows/a.yml", ".github/workflows/b.yaml")
    assert wset.skipped == (".github/workflows/a.yml",)
    assert [w.path for w in workflows(repo)] == [".github/workflows/b.yaml"]
    assert workflow_set(repo) is wset


def test_invalid_yaml_is_a_problem_and_a_failure(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n    runs-on: x\n"},
    )
    wset = workflow_set(repo)
    assert wset.workflows == ()
    (failure,) = wset.failures
    assert failure.path == ".github/workflows/bad.yml"
    assert failure.message.startswith("invalid YAML: ")
    assert failure.line is not None
    assert [p.path for p in repo.problems] == [".github/workflows/bad.yml"]


def test_duplicate_keys_are_invalid_like_go_yaml() -> None:
    result = parse_workflow("w.yml", "on: push\non: pull_request\n")
    assert not isinstance(result, Workflow)
    assert result.line == 2


def test_non_mapping_document_is_an_empty_workflow() -> None:
    wf = parse("- just\n- a list\n")
    assert wf.jobs == () and not wf.permissions.declared


def test_aliases_are_resolved_by_ruamel() -> None:
    wf = parse(
        """\
        on: push
        jobs:
          a:
            runs-on: ubuntu-latest
            steps: &steps
              - uses: actions/checkout@v4
          b:
            runs-on: ubuntu-latest
            steps: *steps
        """
    )
    # Deviation from Scorecard (actionlint ignores aliases): job b's step is visible.
    assert [len(j.steps) for j in wf.jobs] == [1, 1]


def test_matrix_os_and_runs_on_forms() -> None:
    wf = parse(
        """\
        on: push
        jobs:
          a:
            runs-on: ${{ matrix.os }}
            strategy:
              matrix:
                os: [windows-latest, "windows-2022"]
                include:
                  - os: windows-2019
            steps: []
          b:
            runs-on:
              group: big
              labels: [self-hosted, linux]
            steps: []
        """
    )
    a, b = wf.jobs
    assert a.matrix_os == ("windows-latest", "windows-2022", "windows-2019")
    assert [label.value for label in a.runs_on] == ["${{ matrix.os }}"]
    assert [label.value for label in b.runs_on] == ["self-hosted", "linux"]


def test_ruamel_warnings_about_the_users_yaml_stay_off_stderr() -> None:
    """A reused anchor is the user's business; it must not print a Python warning."""
    import warnings

    from caulk.workflow.load import parse_workflow

    text = "a: &x 1\nb: &x 2\njobs:\n  j:\n    runs-on: x\n    steps: []\n"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parse_workflow(".github/workflows/w.yml", text)
    assert [str(w.message) for w in caught] == []
