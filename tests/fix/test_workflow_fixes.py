"""Workflow fixes: least-privilege tokens, no persisted credentials, strict scripts, safer
publishing; every edit a text edit, so comments and untouched lines keep their bytes."""

from __future__ import annotations

import difflib
import json
import shutil
import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest
from ruamel.yaml import YAML

from caulk.audit import run_audit
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.project import project_info
from caulk.fix.run import FixContext, FixOptions, run_fix
from caulk.fix.workflow_fixes import fix
from caulk.repo.checkout import Repository

CHECKOUT = "actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2"
LOGIN = "docker/login-action@74a5d142397b4f367a81961eba4e8cd7edddf772 # v3.4.0"
META = "docker/metadata-action@902fa8ec7d6ecbf8d84d538b9b233a880e428804 # v5.7.0"
BUILD = "docker/build-push-action@263435318d21b8e681c14492fe198d362a7d2c83 # v6.18.0"
ATTEST = "actions/attest-build-provenance@e8998f949152b193b063cb0ec769d69d929409be # v2.4.0"
COSIGN = "sigstore/cosign-installer@398d4b0eeef1380460a10c8013a76f728fb906ac # v3.9.1"
RELEASE = "softprops/action-gh-release@da05d552573ad5aba039eaac05058a918a7bf631 # v2.2.2"
SCRIPT = "actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea # v7.0.1"

PUBLISH = f"""\
# Publish the image to GHCR.
name: publish

on:
  push:
    branches: [main]
    tags: ["v*"]

env:
  IMAGE: ghcr.io/acme/widget

# One job builds, attests and signs.
jobs:
  image:
    runs-on: ubuntu-24.04
    steps:
      - uses: {CHECKOUT}
      - uses: {LOGIN}
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ secrets.GITHUB_TOKEN }}}}
      - id: meta
        uses: {META}
        with:
          images: ${{{{ env.IMAGE }}}}
          tags: |
            type=semver,pattern={{{{version}}}}
            type=sha
      - id: build
        uses: {BUILD}
        with:
          push: true  # always publish
          tags: ${{{{ steps.meta.outputs.tags }}}}
      - uses: {ATTEST}
        with:
          subject-name: ${{{{ env.IMAGE }}}}
          subject-digest: ${{{{ steps.build.outputs.digest }}}}
          push-to-registry: true
      - uses: {COSIGN}
      - name: Sign every tag
        env:
          TAGS: ${{{{ steps.meta.outputs.tags }}}}
          DIGEST: ${{{{ steps.build.outputs.digest }}}}
        run: |
          echo "$TAGS" | while read -r tag; do
            cosign sign --yes "${{tag}}@${{DIGEST}}"
          done
"""

PUBLISH_FIXED = f"""\
# Publish the image to GHCR.
name: publish

on:
  push:
    branches: [main]
    tags: ["v*"]
  schedule:
    - cron: "17 5 * * 2"

env:
  IMAGE: ghcr.io/acme/widget

permissions:
  contents: read

# One job builds, attests and signs.
jobs:
  image:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
      attestations: write
      id-token: write
      packages: write
    steps:
      - uses: {CHECKOUT}
        with:
          persist-credentials: false
      - uses: {LOGIN}
        with:
          registry: ghcr.io
          username: ${{{{ github.actor }}}}
          password: ${{{{ secrets.GITHUB_TOKEN }}}}
      - id: meta
        uses: {META}
        with:
          images: ${{{{ env.IMAGE }}}}
          tags: |
            type=semver,pattern={{{{version}}}}
            type=sha,enable=${{{{ github.event_name == 'push' && github.ref_type == 'branch' }}}}
      - id: build
        uses: {BUILD}
        with:
          push: true  # always publish
          tags: ${{{{ steps.meta.outputs.tags }}}}
          sbom: true
          provenance: mode=max
      - uses: {ATTEST}
        with:
          subject-name: ${{{{ env.IMAGE }}}}
          subject-digest: ${{{{ steps.build.outputs.digest }}}}
          push-to-registry: true
      - uses: {COSIGN}
      - name: Sign every tag
        env:
          TAGS: ${{{{ steps.meta.outputs.tags }}}}
          DIGEST: ${{{{ steps.build.outputs.digest }}}}
        run: |
          set -euo pipefail
          echo "$TAGS" | while read -r tag; do
            cosign sign --yes "${{tag}}@${{DIGEST}}"
          done
"""

# Four-space indentation, flush block sequences, quoted keys, comments everywhere, write-all.
CI = f"""\
# CI for the widget -- comments must survive
"name": "ci"
"on":
    pull_request:   # every PR
    push:
        branches: [main]
permissions: write-all   # legacy default
jobs:
    # Unit tests on Linux.
    test:
        "runs-on": "ubuntu-latest"   # the runner
        steps:
        -   uses: {CHECKOUT}
            with:
                # full history for versioning
                fetch-depth: 0
        -   name: Test
            run: |
                # run the suite
                make deps
                make test | tee test.log
        -   name: one-liner
            run: make lint
        -   name: explicit bash already has -eo pipefail
            shell: bash
            run: |
                make a
                make b
    windows:
        runs-on: windows-latest
        steps:
        -   run: |
                dir
                echo done
"""

CI_FIXED = f"""\
# CI for the widget -- comments must survive
"name": "ci"
"on":
    pull_request:   # every PR
    push:
        branches: [main]
permissions:   # legacy default
    contents: read
jobs:
    # Unit tests on Linux.
    test:
        "runs-on": "ubuntu-latest"   # the runner
        permissions:
            contents: read
        steps:
        -   uses: {CHECKOUT}
            with:
                # full history for versioning
                fetch-depth: 0
                persist-credentials: false
        -   name: Test
            run: |
                set -euo pipefail
                # run the suite
                make deps
                make test | tee test.log
        -   name: one-liner
            run: make lint
        -   name: explicit bash already has -eo pipefail
            shell: bash
            run: |
                make a
                make b
    windows:
        runs-on: windows-latest
        permissions:
            contents: read
        steps:
        -   run: |
                dir
                echo done
"""


# -- helpers ----------------------------------------------------------------------------------


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())


def _workflows(root: Path, **texts: str) -> None:
    _write(root, {f".github/workflows/{name}.yml": text for name, text in texts.items()})


def _plan(root: Path, options: FixOptions | None = None) -> ChangeSet:
    repo = Repository(root)
    ctx = FixContext(
        repo=repo,
        audit=run_audit(root),
        options=options or FixOptions(offline=True),
        changes=ChangeSet(repo.root),
        info=project_info(repo),
    )
    fix(ctx)
    return ctx.changes


def _fixed(root: Path, name: str, options: FixOptions | None = None) -> tuple[str, ChangeSet]:
    changes = _plan(root, options)
    assert changes.write() == []
    return (root / f".github/workflows/{name}.yml").read_text(), changes


def _notes(changes: ChangeSet, outcome: Outcome) -> list[tuple[str, int | None]]:
    return [(n.rule_id, n.line) for n in changes.notes if n.outcome is outcome]


def _findings(root: Path, path: str) -> set[str]:
    audit = run_audit(root)
    return {f.rule_id for f in audit.findings if f.location and f.location.path == path}


def _token_permissions(root: Path) -> int:
    audit = run_audit(root)
    return next(c.score for c in audit.checks if c.name == "Token-Permissions")


def _only_insertions(old: str, new: str, replaced: int = 0) -> None:
    """Every original line survives byte for byte, except ``replaced`` lines."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(True), b=new.splitlines(True))
    changed = [op for op in matcher.get_opcodes() if op[0] in ("replace", "delete")]
    assert sum(i2 - i1 for _, i1, i2, _, _ in changed) == replaced, changed


WORKFLOWS = ".github/workflows"


def _zizmor() -> str | None:
    candidate = Path(sys.executable).parent / "zizmor"
    return str(candidate) if candidate.exists() else shutil.which("zizmor")


def _zizmor_above_low(root: Path) -> list[str]:
    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed")
    proc = subprocess.run(
        [zizmor, "--offline", "--format", "json", "--no-progress", str(root / WORKFLOWS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout, proc.stderr
    return [
        f"{r['ident']} {r['determinations']['severity']}"
        for r in json.loads(proc.stdout)
        if r["determinations"]["severity"] not in ("Informational", "Low", "Unknown")
    ]


# -- realistic workflows, end to end ----------------------------------------------------------


def test_publish_workflow_gets_least_privilege_and_safer_publishing(tmp_path: Path) -> None:
    _workflows(tmp_path, publish=PUBLISH)
    path = ".github/workflows/publish.yml"
    before = _findings(tmp_path, path)
    assert {"CK2002", "CK2006", "CK2007", "CK2008", "CK2010", "CK2011"} <= before
    assert _zizmor_above_low(tmp_path)

    new, changes = _fixed(tmp_path, "publish")

    assert new == PUBLISH_FIXED
    YAML(typ="safe").load(new)
    _only_insertions(PUBLISH, new, replaced=1)  # the type=sha line
    assert _findings(tmp_path, path) & before == set()
    assert _token_permissions(tmp_path) == 10
    assert _zizmor_above_low(tmp_path) == []
    assert _notes(changes, Outcome.FAILED) == []
    assert _plan(tmp_path).results() == {}  # idempotent


def test_four_space_quoted_keys_and_comments(tmp_path: Path) -> None:
    _workflows(tmp_path, ci=CI)
    path = ".github/workflows/ci.yml"
    assert {"CK2006", "CK2014"} <= _findings(tmp_path, path)

    new, changes = _fixed(tmp_path, "ci")

    assert new == CI_FIXED
    _only_insertions(CI, new, replaced=1)  # the write-all line
    assert {"CK2002", "CK2003", "CK2006", "CK2008", "CK2014"} & _findings(tmp_path, path) == set()
    assert _token_permissions(tmp_path) == 10
    assert _zizmor_above_low(tmp_path) == []
    assert sorted(_notes(changes, Outcome.FIXED)) == [
        ("CK2006", 13),
        ("CK2008", 19),
        ("CK2014", 7),
        ("CK2014", 10),
        ("CK2014", 29),
    ]
    assert _plan(tmp_path).results() == {}


def test_caulk_fix_end_to_end_with_every_fixer(tmp_path: Path) -> None:
    _workflows(tmp_path, publish=PUBLISH, ci=CI)
    report = run_fix(tmp_path, FixOptions(offline=True), dry_run=False)
    assert ".github/workflows/publish.yml" in report.written
    audit = run_audit(tmp_path)
    workflow_rules = {f.rule_id for f in audit.findings if f.rule_id.startswith("CK20")}
    assert workflow_rules <= {"CK2015"}  # SAST needs a new workflow, not an edit
    assert _token_permissions(tmp_path) == 10
    assert _zizmor_above_low(tmp_path) == []
    assert run_fix(tmp_path, FixOptions(offline=True), dry_run=True).diff == ""


# -- permissions ------------------------------------------------------------------------------


def test_top_level_write_scopes_move_to_the_jobs_that_use_them(tmp_path: Path) -> None:
    _workflows(
        tmp_path,
        release=dedent(f"""\
        on:
          push:
            tags: ["v*"]
        permissions:
          packages: write
          contents: write
          issues: write
        jobs:
          lint:
            runs-on: ubuntu-latest
            steps:
              - run: make lint
          release:
            runs-on: ubuntu-latest
            steps:
              - uses: {RELEASE}
        """),
    )
    new, _ = _fixed(tmp_path, "release")
    assert new == (
        "on:\n"
        "  push:\n"
        '    tags: ["v*"]\n'
        "permissions:\n"
        "  contents: read\n"
        "jobs:\n"
        "  lint:\n"
        "    runs-on: ubuntu-latest\n"
        "    permissions:\n"
        "      contents: read\n"
        "      issues: write\n"
        "    steps:\n"
        "      - run: make lint\n"
        "  release:\n"
        "    runs-on: ubuntu-latest\n"
        "    permissions:\n"
        "      contents: write\n"
        "      issues: write\n"
        "    steps:\n"
        f"      - uses: {RELEASE}\n"
    )
    assert _token_permissions(tmp_path) == 10
    assert _plan(tmp_path).results() == {}


def test_job_write_all_and_unused_writes_are_narrowed(tmp_path: Path) -> None:
    _workflows(
        tmp_path,
        jobs="""\
permissions: {}
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - run: make
  docs:
    runs-on: ubuntu-latest
    permissions:
      contents: write   # not used
      id-token: write
    steps:
      - run: make docs
""",
    )
    new, changes = _fixed(tmp_path, "jobs")
    assert "    permissions:\n      contents: read\n    steps:\n      - run: make\n" in new
    assert "      contents: read   # not used\n      id-token: none\n" in new
    assert "CK2003" not in _findings(tmp_path, ".github/workflows/jobs.yml")
    assert len(_notes(changes, Outcome.FIXED)) == 3
    assert _plan(tmp_path).results() == {}


def test_a_job_whose_token_use_is_unknown_is_left_to_the_maintainer(tmp_path: Path) -> None:
    text = f"""\
on: issues
jobs:
  triage:
    runs-on: ubuntu-latest
    steps:
      - uses: {SCRIPT}
        with:
          script: |
            await github.rest.issues.addLabels({{...context.issue, labels: ["triage"]}})
"""
    _workflows(tmp_path, triage=text)
    changes = _plan(tmp_path)
    assert changes.results() == {}  # a narrower token could break the script
    failed = [n for n in changes.notes if n.outcome is Outcome.FAILED]
    assert [(n.rule_id, n.line) for n in failed] == [("CK2003", 3), ("CK2002", 1)]
    assert "actions/github-script" in failed[0].message


def test_local_reusable_workflow_gets_what_the_called_jobs_use(tmp_path: Path) -> None:
    _workflows(
        tmp_path,
        caller="""\
on: push
jobs:
  publish:
    uses: ./.github/workflows/called.yml
  remote:
    uses: acme/shared/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567
    permissions:
      contents: read
""",
        called="""\
on: workflow_call
permissions:
  contents: read
jobs:
  sign:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - run: cosign sign --yes "$IMAGE"
""",
    )
    new, _ = _fixed(tmp_path, "caller")
    assert new.startswith(
        "on: push\npermissions:\n  contents: read\njobs:\n  publish:\n"
        "    permissions:\n      contents: read\n      id-token: write\n"
        "    uses: ./.github/workflows/called.yml\n"
    )


def test_remote_reusable_workflow_without_permissions_fails(tmp_path: Path) -> None:
    _workflows(
        tmp_path,
        caller="""\
on: push
jobs:
  remote:
    uses: acme/shared/.github/workflows/x.yml@0123456789abcdef0123456789abcdef01234567
""",
    )
    changes = _plan(tmp_path)
    assert changes.results() == {}
    messages = [n.message for n in changes.notes if n.outcome is Outcome.FAILED]
    assert any("reusable workflow acme/shared" in m for m in messages)


# -- checkout, scripts, publishing ------------------------------------------------------------


def test_checkout_of_a_job_that_pushes_with_git_keeps_its_credentials(tmp_path: Path) -> None:
    _workflows(
        tmp_path,
        bump=f"""\
permissions:
  contents: read
on: workflow_dispatch
jobs:
  bump:
    runs-on: ubuntu-latest
    permissions:
      contents: write
    steps:
      - uses: {CHECKOUT}
      - run: |
          make bump
          git commit -am bump && git push
""",
    )
    new, changes = _fixed(tmp_path, "bump")
    assert "persist-credentials" not in new
    assert "          set -euo pipefail\n          make bump\n" in new
    (note,) = [n for n in changes.notes if n.outcome is Outcome.FAILED]
    assert (note.rule_id, note.line) == ("CK2006", 10)
    assert "pushes with git" in note.message


def test_flow_style_constructs_fail_without_edits(tmp_path: Path) -> None:
    text = f"""\
on: push
permissions: {{contents: write}}
jobs:
  a:
    runs-on: ubuntu-latest
    permissions: {{contents: read}}
    steps:
      - uses: {CHECKOUT}
        with: {{fetch-depth: 0}}
      - {{uses: "{CHECKOUT.partition(" ")[0]}"}}
"""
    _workflows(tmp_path, flow=text)
    changes = _plan(tmp_path)
    assert changes.results() == {}
    assert sorted(_notes(changes, Outcome.FAILED)) == [
        ("CK2006", 9),
        ("CK2006", 10),
        ("CK2014", 2),
    ]


def test_strict_shell_only_for_default_bash_multi_command_scripts(tmp_path: Path) -> None:
    text = """\
permissions: {}
on: push
defaults:
  run:
    shell: sh
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: |
          make a
          make b
  b:
    runs-on: ubuntu-latest
    defaults:
      run:
        shell: bash
    steps:
      - run: |
          make a | tee log
"""
    _workflows(tmp_path, shells=text)
    assert _plan(tmp_path).results() == {}
    single = """\
permissions: {}
on: push
jobs:
  a:
    runs-on: [self-hosted, linux]
    steps:
      - run: |
          make a
      - run: >
          make a
          && make b
      - run: |
          set -eu -o pipefail
          make a | tee log
      - run: |2
           make a
           make b
"""
    _workflows(tmp_path, shells=single)
    changes = _plan(tmp_path)
    assert changes.results() == {}
    assert _notes(changes, Outcome.FAILED) == [("CK2008", 15)]  # the explicit indentation


def test_docker_hub_attestation_is_not_pushed_to_the_registry(tmp_path: Path) -> None:
    text = f"""\
permissions:
  contents: read
on:
  push:
    tags: ["v*"]
jobs:
  image:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      id-token: write
      attestations: write
    steps:
      - uses: {ATTEST}
        with:
          subject-name: docker.io/acme/widget
          subject-digest: ${{{{ steps.build.outputs.digest }}}}
          push-to-registry: true   # referrers
"""
    _workflows(tmp_path, hub=text)
    new, _ = _fixed(tmp_path, "hub")
    assert new == text.replace("push-to-registry: true", "push-to-registry: false")
    assert "CK2009" not in _findings(tmp_path, ".github/workflows/hub.yml")


def test_schedule_and_permissions_at_the_same_offset_stay_in_order(tmp_path: Path) -> None:
    text = f"""\
on:
  push:
    branches: [main]
# the jobs
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: {BUILD}
        with:
          push: true
          sbom: true
          provenance: mode=max
"""
    _workflows(tmp_path, publish=text)
    new, _ = _fixed(tmp_path, "publish")
    assert new.startswith(
        "on:\n  push:\n    branches: [main]\n"
        '  schedule:\n    - cron: "17 5 * * 2"\n'
        "permissions:\n  contents: read\n# the jobs\njobs:\n"
    )
    YAML(typ="safe").load(new)
    assert _plan(tmp_path).results() == {}


def test_crlf_and_no_final_newline_are_kept(tmp_path: Path) -> None:
    text = (
        "permissions: {}\r\non: push\r\njobs:\r\n  a:\r\n    runs-on: ubuntu-latest\r\n"
        f"    steps:\r\n      - uses: {CHECKOUT}"
    )
    _workflows(tmp_path, crlf=text)
    changes = _plan(tmp_path)
    assert changes.results()[".github/workflows/crlf.yml"] == (
        text + "\r\n        with:\r\n          persist-credentials: false\r\n"
    )


def test_select_limits_the_fixes(tmp_path: Path) -> None:
    _workflows(tmp_path, publish=PUBLISH)
    new, changes = _fixed(tmp_path, "publish", FixOptions(offline=True, select=("CK2006",)))
    assert {n.rule_id for n in changes.notes} == {"CK2006"}
    _only_insertions(PUBLISH, new)
    assert new.count("\n") == PUBLISH.count("\n") + 2


def test_invalid_yaml_is_reported_and_not_touched(tmp_path: Path) -> None:
    _workflows(tmp_path, bad="on: push\njobs:\n  a: [\n")
    changes = _plan(tmp_path)
    assert changes.results() == {}
    assert [(n.rule_id, n.outcome) for n in changes.notes] == [("CK2013", Outcome.FAILED)]


def test_docker_hub_publisher_gets_no_packages_write_and_latest_is_gated(tmp_path: Path) -> None:
    text = f"""\
on:
  push:
    branches: [main]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: {LOGIN}
        with:
          username: ${{{{ vars.DOCKERHUB_USERNAME }}}}
          password: ${{{{ secrets.DOCKERHUB_TOKEN }}}}
      - id: meta
        uses: {META}
        with:
          images: acme/widget
          tags: |
            type=raw,value=latest
            type=raw,value=edge
      - uses: {BUILD}
        with:
          push: true
          tags: ${{{{ steps.meta.outputs.tags }}}}
          sbom: true
          provenance: mode=max
"""
    _workflows(tmp_path, hub=text)
    new, changes = _fixed(tmp_path, "hub")
    assert "    permissions:\n      contents: read\n    steps:\n" in new
    assert "            type=raw,value=latest,enable={{is_default_branch}}\n" in new
    assert "            type=raw,value=edge\n" in new  # a constant tag needs a human
    assert _notes(changes, Outcome.FAILED) == [("CK2010", 18)]
