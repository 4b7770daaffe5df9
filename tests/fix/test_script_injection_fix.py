"""CK2005 fix: attacker-controlled ``${{ … }}`` in ``run:`` moves into ``env:`` and the script
reads a shell variable (zizmor's template-injection remediation, GitHub's hardening guide).

Each case is a realistic workflow, the exact text expected after ``caulk fix``, and the checks
that make the fix trustworthy: the YAML still parses, the audit reports no CK2005, zizmor
reports no ``template-injection``, and a second run plans nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from caulk.audit import run_audit
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.project import project_info
from caulk.fix.run import FixContext, FixOptions
from caulk.fix.script_injection import base_name, expansion_blockers, nested_interpreter
from caulk.fix.workflow_fixes import fix
from caulk.repo.checkout import Repository

CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
ONLY_CK2005 = FixOptions(offline=True, select=("CK2005",))
PATH = ".github/workflows/wf.yml"


def _plan(root: Path, options: FixOptions) -> ChangeSet:
    repo = Repository(root)
    ctx = FixContext(
        repo=repo,
        audit=run_audit(root),
        options=options,
        changes=ChangeSet(repo.root),
        info=project_info(repo),
    )
    fix(ctx)
    return ctx.changes


def _fix(tmp_path: Path, text: str, options: FixOptions = ONLY_CK2005) -> tuple[str, ChangeSet]:
    """Write ``text`` as the repository's only workflow, fix it, return the new text."""
    path = tmp_path / PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode())
    changes = _plan(tmp_path, options)
    assert changes.write() == []
    return path.read_bytes().decode(), changes


def _notes(changes: ChangeSet, outcome: Outcome) -> list[tuple[str, int | None]]:
    return [(n.rule_id, n.line) for n in changes.notes if n.outcome is outcome]


def _ck2005(root: Path) -> list[int]:
    return [
        f.location.line for f in run_audit(root).findings if f.rule_id == "CK2005" and f.location
    ]


def _zizmor_template_injections(root: Path) -> list[str]:
    candidate = Path(sys.executable).parent / "zizmor"
    zizmor = str(candidate) if candidate.exists() else shutil.which("zizmor")
    if zizmor is None:
        pytest.skip("zizmor is not installed")
    proc = subprocess.run(
        [zizmor, "--offline", "--format", "json", "--no-progress", str(root / ".github")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout, proc.stderr
    return [
        f"{r['ident']} {r['locations'][0]['concrete']['location']['start_point']['row'] + 1}"
        for r in json.loads(proc.stdout)
        if r["ident"] == "template-injection"
    ]


def _assert_sound(root: Path, options: FixOptions = ONLY_CK2005) -> None:
    """Valid YAML, nothing left for CK2005 or zizmor, and a second run plans no edit."""
    YAML(typ="safe", pure=True).load((root / PATH).read_text())
    assert _ck2005(root) == []
    assert _zizmor_template_injections(root) == []
    again = _plan(root, options)
    assert not any(again.edits.values())
    assert again.notes == []


# -- realistic workflows ----------------------------------------------------------------------

TRIAGE = f"""\
name: triage

on:
  pull_request_target:
    types: [opened, edited]

permissions:
  contents: read

jobs:
  triage:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      # Greet, then label from the title.
      - run: |
          echo "Thanks for: ${{{{ github.event.pull_request.title }}}}"
          printf '%s\\n' "${{{{github.event.pull_request.body}}}}" > body.md
          gh pr edit "${{{{ github.event.number }}}}" --add-label triage  # number is safe
        env:
          GH_TOKEN: ${{{{ github.token }}}}
"""

TRIAGE_FIXED = f"""\
name: triage

on:
  pull_request_target:
    types: [opened, edited]

permissions:
  contents: read

jobs:
  triage:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      pull-requests: write
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      # Greet, then label from the title.
      - run: |
          echo "Thanks for: ${{PR_TITLE}}"
          printf '%s\\n' "${{PR_BODY}}" > body.md
          gh pr edit "${{{{ github.event.number }}}}" --add-label triage  # number is safe
        env:
          GH_TOKEN: ${{{{ github.token }}}}
          PR_TITLE: ${{{{ github.event.pull_request.title }}}}
          PR_BODY: ${{{{ github.event.pull_request.body }}}}
"""


def test_pull_request_target_triage_title_and_body_move_to_env(tmp_path: Path) -> None:
    assert len(_ck2005(_write_only(tmp_path, TRIAGE))) == 2
    new, changes = _fix(tmp_path, TRIAGE)
    assert new == TRIAGE_FIXED  # the existing env: block grows; the safe number stays
    assert _notes(changes, Outcome.FIXED) == [("CK2005", 22), ("CK2005", 23)]
    assert _notes(changes, Outcome.FAILED) == []
    _assert_sound(tmp_path)


def _write_only(root: Path, text: str) -> Path:
    path = root / PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return root


COMMENT_COMMAND = f"""\
name: chatops
on:
  issue_comment:
    types: [created]
permissions:
  contents: read
jobs:
  command:
    if: startsWith(github.event.comment.body, '/deploy')
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - name: Parse the command
        id: parse
        run: |
          # the comment decides the environment
          body=${{{{ github.event.comment.body }}}}
          target=$(echo "${{{{ github.event.comment.body }}}}" | awk '{{print $2}}')
          cat <<EOF >> "$GITHUB_STEP_SUMMARY"
          Requested on #${{{{ github.event.issue.number }}}} at ${{{{ github.sha }}}}:
          ${{{{ github.event.comment.body }}}}
          EOF
          echo "target=$target" >> "$GITHUB_OUTPUT"
"""

COMMENT_COMMAND_FIXED = f"""\
name: chatops
on:
  issue_comment:
    types: [created]
permissions:
  contents: read
jobs:
  command:
    if: startsWith(github.event.comment.body, '/deploy')
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - name: Parse the command
        id: parse
        env:
          COMMENT_BODY: ${{{{ github.event.comment.body }}}}
        run: |
          # the comment decides the environment
          body=${{COMMENT_BODY}}
          target=$(echo "${{COMMENT_BODY}}" | awk '{{print $2}}')
          cat <<EOF >> "$GITHUB_STEP_SUMMARY"
          Requested on #${{{{ github.event.issue.number }}}} at ${{{{ github.sha }}}}:
          ${{COMMENT_BODY}}
          EOF
          echo "target=$target" >> "$GITHUB_OUTPUT"
"""


def test_issue_comment_body_used_three_times_becomes_one_variable(tmp_path: Path) -> None:
    """A bare word, a double-quoted word inside ``$(…)`` and an unquoted here-document all
    expand ``${COMMENT_BODY}``; ``github.sha`` and the issue number are not attacker text and
    stay."""
    new, changes = _fix(tmp_path, COMMENT_COMMAND)
    assert new == COMMENT_COMMAND_FIXED
    assert _notes(changes, Outcome.FIXED) == [("CK2005", 19)]  # one note per expression
    assert _notes(changes, Outcome.FAILED) == []
    _assert_sound(tmp_path)


# Four-space indentation, flush sequences, comments, an env var already holding the title, a
# job-level name that the new variable must not shadow.
FOUR_SPACES = f"""\
# Label issues -- comments must survive
name: label
on:
    issues:
        types: [opened]   # new issues only
permissions:
    contents: read
jobs:
    label:
        runs-on: ubuntu-latest
        env:
            ISSUE_BODY: see the issue   # not the body itself
        steps:
        -   uses: {CHECKOUT}
            with:
                persist-credentials: false
        -   env:
                # already passed the safe way
                TITLE: ${{{{ github.event.issue.title }}}}
            run: |
                echo "$TITLE"
                echo "${{{{ github.event.issue.title }}}} / ${{{{ github.event.issue.body }}}}"
        -   run: echo "${{{{ github.event.issue.title }}}}"   # one-liner
"""

FOUR_SPACES_FIXED = f"""\
# Label issues -- comments must survive
name: label
on:
    issues:
        types: [opened]   # new issues only
permissions:
    contents: read
jobs:
    label:
        runs-on: ubuntu-latest
        env:
            ISSUE_BODY: see the issue   # not the body itself
        steps:
        -   uses: {CHECKOUT}
            with:
                persist-credentials: false
        -   env:
                # already passed the safe way
                TITLE: ${{{{ github.event.issue.title }}}}
                ISSUE_BODY_2: ${{{{ github.event.issue.body }}}}
            run: |
                echo "$TITLE"
                echo "${{TITLE}} / ${{ISSUE_BODY_2}}"
        -   env:
                ISSUE_TITLE: ${{{{ github.event.issue.title }}}}
            run: echo "${{ISSUE_TITLE}}"   # one-liner
"""


def test_four_spaces_existing_env_reused_and_names_never_shadow(tmp_path: Path) -> None:
    new, changes = _fix(tmp_path, FOUR_SPACES)
    assert new == FOUR_SPACES_FIXED
    assert _notes(changes, Outcome.FAILED) == []
    _assert_sound(tmp_path)


def test_together_with_the_other_fixes_of_the_same_steps(tmp_path: Path) -> None:
    """persist-credentials, pipefail at the top of the same block and the env before run:
    touch different spans of the same step."""
    text = f"""\
name: welcome
on: pull_request_target
permissions:
  contents: read
jobs:
  welcome:
    runs-on: ubuntu-latest
    steps:
      - uses: {CHECKOUT}
      - name: Welcome
        run: |
          echo "Thanks: ${{{{ github.event.pull_request.title }}}}" | tee -a welcome.txt
          ./scripts/label.sh "${{{{ github.head_ref }}}}"
"""
    new, changes = _fix(tmp_path, text, FixOptions(offline=True))
    assert new.endswith(
        f"""\
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - name: Welcome
        env:
          PR_TITLE: ${{{{ github.event.pull_request.title }}}}
          HEAD_REF: ${{{{ github.head_ref }}}}
        run: |
          set -euo pipefail
          echo "Thanks: ${{PR_TITLE}}" | tee -a welcome.txt
          ./scripts/label.sh "${{HEAD_REF}}"
"""
    )
    assert {rule for rule, _ in _notes(changes, Outcome.FIXED)} >= {"CK2005", "CK2006", "CK2008"}
    assert _notes(changes, Outcome.FAILED) == []
    _assert_sound(tmp_path, FixOptions(offline=True))


# -- what is left for a human -----------------------------------------------------------------


def _step(run: str, *, runs_on: str = "ubuntu-latest", extra: str = "") -> str:
    body = "".join(f"          {line}\n" for line in run.splitlines())
    return f"""\
on: issues
permissions:
  contents: read
jobs:
  job:
    runs-on: {runs_on}
    steps:
      - name: step
{extra}        run: |
{body}"""


@pytest.mark.parametrize(
    ("script", "why"),
    [
        ("echo '${{ github.event.issue.title }}'", "inside single quotes"),
        ("jq -n '{title: \"${{ github.event.issue.title }}\"}'", "inside single quotes"),
        ("echo $'${{ github.event.issue.title }}\\n'", "inside $'…' quotes"),
        ("cat <<'EOF'\n${{ github.event.issue.body }}\nEOF", "inside a quoted here-document"),
        ('bash -c "echo ${{ github.event.issue.title }}"', "evaluated again by 'bash -c'"),
        ('eval "echo ${{ github.event.issue.title }}"', "evaluated again by 'eval'"),
    ],
)
def test_contexts_where_a_variable_would_not_expand_fail_without_edits(
    tmp_path: Path, script: str, why: str
) -> None:
    text = _step(script)
    new, changes = _fix(tmp_path, text)
    assert new == text
    failed = [n for n in changes.notes if n.outcome is Outcome.FAILED]
    assert [(n.rule_id, n.line) for n in failed] == [("CK2005", 10 + script.count("\n") // 2)]
    assert why in failed[0].message and "edit by hand" in failed[0].message


def test_only_the_single_quoted_occurrence_is_left(tmp_path: Path) -> None:
    text = _step("echo \"${{ github.event.issue.title }}\"\necho '${{ github.event.issue.title }}'")
    new, changes = _fix(tmp_path, text)
    assert '  echo "${ISSUE_TITLE}"\n' in new
    assert "  echo '${{ github.event.issue.title }}'\n" in new
    assert "          ISSUE_TITLE: ${{ github.event.issue.title }}\n        run: |\n" in new
    assert _notes(changes, Outcome.FIXED) == [("CK2005", 10)]
    assert _notes(changes, Outcome.FAILED) == [("CK2005", 11)]


def test_pwsh_reads_env_and_fails_in_single_quotes(tmp_path: Path) -> None:
    text = _step(
        'Write-Host "Title: ${{ github.event.issue.title }}"\n'
        "Write-Host '${{ github.event.issue.body }}'",
        runs_on="windows-latest",
    )
    new, changes = _fix(tmp_path, text)
    assert '  Write-Host "Title: $env:ISSUE_TITLE"\n' in new
    assert "  Write-Host '${{ github.event.issue.body }}'\n" in new
    assert _notes(changes, Outcome.FAILED) == [("CK2005", 11)]


def test_explicit_shells(tmp_path: Path) -> None:
    sh = _step('echo "${{ github.event.issue.title }}"', extra="        shell: sh -e {0}\n")
    new, _ = _fix(tmp_path, sh)
    assert 'echo "${ISSUE_TITLE}"' in new
    python = _step("print('${{ github.event.issue.title }}')", extra="        shell: python\n")
    new, changes = _fix(tmp_path, python)
    assert new == python
    assert [n.message for n in changes.notes if n.outcome is Outcome.FAILED] == [
        "${{ github.event.issue.title }}: shell 'python': edit by hand"
    ]


def test_a_finding_silenced_in_the_script_is_not_fixed(tmp_path: Path) -> None:
    text = _step('echo "${{ github.event.issue.title }}"  # caulk: ignore[CK2005]')
    new, changes = _fix(tmp_path, text)
    assert new == text
    assert changes.notes == []


def test_github_script_is_reported_for_a_human(tmp_path: Path) -> None:
    text = """\
on: issues
permissions:
  contents: read
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1
        with:
          script: |
            console.log("${{ github.event.issue.title }}")
"""
    new, changes = _fix(tmp_path, text)
    assert new == text
    assert _notes(changes, Outcome.FAILED) == [("CK2005", 11)]


def test_step_in_flow_style_fails(tmp_path: Path) -> None:
    text = """\
on: issues
permissions:
  contents: read
jobs:
  job:
    runs-on: ubuntu-latest
    steps:
      - {run: 'echo "${{ github.event.issue.title }}"'}
"""
    new, changes = _fix(tmp_path, text)
    assert new == text
    assert _notes(changes, Outcome.FAILED) == [("CK2005", 8)]


# -- the pieces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "name"),
    [
        ("github.event.pull_request.title", "PR_TITLE"),
        ("github.event.pull_request.body", "PR_BODY"),
        ("github.head_ref", "HEAD_REF"),
        ("github.event.issue.body", "ISSUE_BODY"),
        ("github.event.comment.body", "COMMENT_BODY"),
        ("github.event.review_comment.body", "REVIEW_COMMENT_BODY"),
        ("github.event.pull_request.head.ref", "PR_HEAD_REF"),
        ("github.event.head_commit.message", "COMMIT_MESSAGE"),
        ("github.event.commits[0].author.email", "EMAIL"),
        ("github.event.pages[0].page_name", "PAGE_NAME"),
        ("toJSON(github.event)", "EVENT_JSON"),
        ("github.event.issue.title || 'untitled'", "ISSUE_TITLE"),
    ],
)
def test_variable_names_come_from_the_expression(expression: str, name: str) -> None:
    assert base_name(expression) == name


def test_bash_quoting_contexts() -> None:
    script = (
        'a=${{ 1 }} "${{ 2 }}" \'${{ 3 }}\' "$(echo \'${{ 4 }}\' "${{ 5 }}")"\n'
        "# ${{ 6 }} it's a comment\n"
        "cat <<-EOF\n\t${{ 7 }}\n\tEOF\n"
        'cat <<"END" | tee x\n${{ 8 }}\nEND\n'
        "echo `echo ${{ 9 }}` ${{ '10' }}\n"
        "read -r x <<< \"${{ 11 }}\"; echo '${{ 12 }}'"
    )
    blockers = expansion_blockers(script, "bash")
    assert [blockers[script.index("${{ " + n)] for n in "123456789"] == [
        None,
        None,
        "inside single quotes",
        "inside single quotes",
        None,
        None,
        None,
        "inside a quoted here-document",
        None,
    ]
    assert blockers[script.index("${{ '10'")] is None  # quotes inside ${{ }} are not shell's
    assert blockers[script.index("${{ 11")] is None
    assert blockers[script.index("${{ 12")] == "inside single quotes"


def test_pwsh_quoting_contexts() -> None:
    script = (
        "Write-Host \"${{ 1 }} $(Get-Item '${{ 2 }}')\" '${{ 3 }}' 'it''s ${{ 4 }}'\n"
        "$x = @'\n${{ 5 }}\n'@\n"
        '$y = @"\n${{ 6 }}\n"@\n'
        "# ${{ 7 }}"
    )
    blockers = expansion_blockers(script, "pwsh")
    assert [blockers[script.index("${{ " + n)] for n in "1234567"] == [
        None,
        "inside single quotes",
        "inside single quotes",
        "inside single quotes",
        "inside a single-quoted here-string",
        None,
        None,
    ]


def test_nested_interpreters() -> None:
    assert nested_interpreter('sh -ec "x ${{ 1 }}"', 10) == "sh -ec"
    assert nested_interpreter('git -c user.name=x commit -m "${{ 1 }}"', 30) is None
    assert nested_interpreter('./build.sh -c "${{ 1 }}"', 16) is None
