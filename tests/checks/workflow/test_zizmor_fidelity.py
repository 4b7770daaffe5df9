"""Fidelity with zizmor: CK2001/CK2005/CK2006 land on the lines zizmor reports.

Runs the real ``zizmor --offline`` (installed in the virtualenv) on the same fixture and
compares the primary locations of ``unpinned-uses``, ``template-injection`` and
``artipacked`` with caulk's findings of the aliased rules.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caulk.checks.workflow.rules import workflow_rules
from tests.checks.workflow.wfrepo import workflow_repo

FIXTURE = """\
name: ci
on:
  pull_request:
  issue_comment:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@master
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          persist-credentials: false
      - name: greet
        run: |
          echo "building"
          echo "${{ github.event.pull_request.title }}"
          echo "done"
      - uses: actions/github-script@60a0d83039c74a4aee543508d2ffcb1c3799cdea
        with:
          script: |
            console.log("${{ github.event.comment.body }}")
  reuse:
    uses: org/shared/.github/workflows/build.yml@v1
"""

AUDITS = {"unpinned-uses": "CK2001", "template-injection": "CK2005", "artipacked": "CK2006"}


def _zizmor() -> str | None:
    candidate = Path(sys.executable).parent / "zizmor"
    if candidate.exists():
        return str(candidate)
    return shutil.which("zizmor")


def test_caulk_reports_zizmor_lines(tmp_path: Path) -> None:
    zizmor = _zizmor()
    if zizmor is None:
        pytest.skip("zizmor is not installed (pip install zizmor)")
    repo = workflow_repo(tmp_path, FIXTURE)
    path = tmp_path / ".github/workflows/w1.yml"
    proc = subprocess.run(
        [zizmor, "--offline", "--format", "json", "--no-progress", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.stdout, proc.stderr
    zizmor_lines: dict[str, set[int]] = {rule: set() for rule in AUDITS.values()}
    for result in json.loads(proc.stdout):
        rule = AUDITS.get(result["ident"])
        if rule is None:
            continue
        for location in result["locations"]:
            if location["symbolic"].get("kind") == "Primary":
                row = location["concrete"]["location"]["start_point"]["row"]
                zizmor_lines[rule].add(row + 1)
    caulk_lines: dict[str, set[int]] = {rule: set() for rule in AUDITS.values()}
    for finding in workflow_rules(repo):
        if finding.rule_id in caulk_lines and finding.location is not None:
            caulk_lines[finding.rule_id].add(finding.location.line)
    assert zizmor_lines["CK2001"], "zizmor found no unpinned-uses: fixture or version changed"
    assert caulk_lines == zizmor_lines
    assert all(zizmor_lines.values())
