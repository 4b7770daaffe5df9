"""The CK2xxx workflow rules: each with a failing and a passing fixture and exact locations."""

from __future__ import annotations

from pathlib import Path

from caulk.checks.registry import REGISTRY
from caulk.checks.workflow.rules import workflow_rules
from caulk.findings import Confidence, Finding
from tests.checks.workflow.wfrepo import repo_with, workflow_repo

SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"


def run(tmp_path: Path, *texts: str) -> list[Finding]:
    return list(workflow_rules(workflow_repo(tmp_path, *texts)))


def where(findings: list[Finding], rule: str) -> list[tuple[int, int]]:
    return [
        (f.location.line, f.location.column)
        for f in findings
        if f.rule_id == rule and f.location is not None
    ]


def ids(findings: list[Finding]) -> set[str]:
    return {f.rule_id for f in findings}


def test_rules_are_registered_with_metadata() -> None:
    rules = REGISTRY.rules  # caulk.checks.workflow.rules registered them on import
    for rule_id in [f"CK20{n:02d}" for n in range(1, 16)]:
        rule = rules[rule_id]
        assert rule.why and rule.fix and rule.phase in (1, 2, 3)
    assert rules["CK2001"].check == "Pinned-Dependencies" and rules["CK2001"].automatable
    assert rules["CK2005"].aliases == ("template-injection",)
    assert rules["CK2006"].aliases == ("artipacked",)


CK2001 = f"""\
on: push
permissions: {{}}
jobs:
  call:
    uses: org/repo/.github/workflows/x.yml@main
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@{SHA}
        with:
          persist-credentials: false
      - uses: docker/setup-buildx-action@v3
      - uses: ./local/action
"""


def test_ck2001_unpinned_actions_and_reusable_workflows(tmp_path: Path) -> None:
    findings = run(tmp_path, CK2001)
    assert where(findings, "CK2001") == [(5, 11), (12, 15)]
    message = next(f.message for f in findings if f.rule_id == "CK2001")
    assert message == (
        "third-party GitHubAction not pinned by hash: org/repo/.github/workflows/x.yml@main"
    )


def test_ck2002_missing_top_level_permissions(tmp_path: Path) -> None:
    text = "name: x\non: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n"
    assert where(run(tmp_path, text), "CK2002") == [(1, 1)]
    assert "CK2002" not in ids(run(tmp_path / "b", "permissions: {}\n" + text))


CK2003 = """\
on: push
permissions:
  contents: read
jobs:
  test:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      packages: write
      id-token: write
    steps:
      - run: make test
  release:
    runs-on: ubuntu-latest
    permissions:
      contents: write
      packages: write
      id-token: write
    steps:
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
      - uses: sigstore/cosign-installer@v3
      - run: git push origin HEAD:refs/heads/release
  admin:
    runs-on: ubuntu-latest
    permissions: write-all
    steps:
      - run: make
"""


def test_ck2003_job_writes_nobody_uses(tmp_path: Path) -> None:
    findings = [f for f in run(tmp_path, CK2003) if f.rule_id == "CK2003"]
    assert [(f.location.line, f.location.column) for f in findings if f.location] == [
        (8, 7),
        (9, 7),
        (10, 7),
        (27, 18),
    ]
    assert all(f.confidence is Confidence.MEDIUM for f in findings)


def test_ck2003_inherited_top_level_write(tmp_path: Path) -> None:
    text = (
        "on: push\npermissions:\n  packages: write\n"
        "jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: make\n"
    )
    assert where(run(tmp_path, text), "CK2003") == [(3, 3)]


CK2004 = """\
on:
  workflow_run:
    workflows: [ci]
    types: [completed]
permissions: {}
jobs:
  report:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          persist-credentials: false
          ref: ${{ github.event.workflow_run.head_branch }}
"""


def test_ck2004_untrusted_checkout(tmp_path: Path) -> None:
    assert where(run(tmp_path, CK2004), "CK2004") == [(13, 16)]
    safe = CK2004.replace("          ref: ${{ github.event.workflow_run.head_branch }}\n", "")
    assert "CK2004" not in ids(run(tmp_path / "b", safe))


CK2005 = """\
on: pull_request
permissions: {}
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - run: |
          echo "start"
          # a comment
          echo "${{ github.event.pull_request.title }}" > title.txt
          echo "${{ github.sha }}"
      - uses: actions/github-script@v7
        with:
          script: |
            const body = "${{ github.event.comment.body }}"
"""


def test_ck2005_injection_lines_in_run_and_github_script(tmp_path: Path) -> None:
    findings = run(tmp_path, CK2005)
    assert where(findings, "CK2005") == [(10, 17), (15, 27)]
    messages = [f.message for f in findings if f.rule_id == "CK2005"]
    assert "actions/github-script" in messages[1]


def test_ck2005_unclosed_expression_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    text = (
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - run: |\n          echo ok\n          echo ${{ github.head_ref\n"
    )
    repo = workflow_repo(tmp_path, text)
    list(workflow_rules(repo))
    assert [(p.line, p.column) for p in repo.problems] == [(9, 16)]


def test_ck2006_checkout_persists_credentials(tmp_path: Path) -> None:
    text = (
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n"
    )
    assert where(run(tmp_path, text), "CK2006") == [(7, 9)]


CK2007 = """\
on:
  push:
    tags: ['v*']
permissions: {}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/build-push-action@v6
        with:
          push: true
          provenance: true
      - uses: docker/build-push-action@v6
        with:
          push: ${{ github.event_name != 'pull_request' }}
          sbom: true
          provenance: mode=max
      - uses: docker/build-push-action@v6
        with:
          push: false
"""


def test_ck2007_publish_without_sbom_and_max_provenance(tmp_path: Path) -> None:
    findings = run(tmp_path, CK2007)
    assert where(findings, "CK2007") == [(9, 15)]
    (message,) = [f.message for f in findings if f.rule_id == "CK2007"]
    assert message.endswith("without sbom: true and provenance: mode=max")


CK2008 = """\
on: push
permissions: {}
jobs:
  sign:
    runs-on: ubuntu-latest
    steps:
      - run: |
          for tag in a b; do
            cosign sign --yes "img:$tag"
          done
          cat digests.txt | xargs -n1 cosign sign --yes
      - run: |
          set -euo pipefail
          for tag in a b; do cosign sign --yes "img:$tag"; done
      - shell: bash
        run: |
          cat digests | xargs cosign sign --yes
      - run: cosign sign --yes img@sha256:abc
"""


def test_ck2008_signing_that_can_fail_silently(tmp_path: Path) -> None:
    assert where(run(tmp_path, CK2008), "CK2008") == [(9, 13), (11, 39)]


CK2009 = """\
on:
  push:
    tags: ['v*']
permissions: {}
env:
  IMAGE: myorg/app
jobs:
  hub:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/login-action@v3
      - uses: actions/attest-build-provenance@v2
        with:
          subject-name: ${{ env.IMAGE }}
          subject-digest: sha256:abc
          push-to-registry: true
      - uses: actions/attest-build-provenance@v2
        with:
          subject-name: ghcr.io/myorg/app
          subject-digest: sha256:abc
          push-to-registry: true
      - uses: actions/attest-build-provenance@v2
        with:
          subject-name: ${{ steps.meta.outputs.image }}
          push-to-registry: true
"""


def test_ck2009_docker_hub_rejects_referrers(tmp_path: Path) -> None:
    # The first via env resolution, the third via docker/login-action without a registry.
    assert where(run(tmp_path, CK2009), "CK2009") == [(16, 29), (25, 29)]


CK2010 = """\
on:
  push:
    branches: [main]
permissions: {}
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/metadata-action@v5
        with:
          tags: |
            type=raw,value=edge
            type=raw,value=latest,enable={{is_default_branch}}
            type=sha
            type=sha,enable=${{ github.ref_type == 'tag' }}
            type=ref,event=branch
      - uses: docker/build-push-action@v6
        with:
          push: true
          sbom: true
          provenance: mode=max
          tags: ghcr.io/o/app:nightly,${{ steps.meta.outputs.tags }}
"""


def test_ck2010_tags_that_collide_with_immutability(tmp_path: Path) -> None:
    assert where(run(tmp_path, CK2010), "CK2010") == [(12, 13), (14, 13), (22, 17)]
    tags_only = CK2010.replace("    branches: [main]", "    tags: ['v*']")
    assert "CK2010" not in ids(run(tmp_path / "b", tags_only))


def test_ck2010_sha_tag_pushed_again_by_the_scheduled_rebuild(tmp_path: Path) -> None:
    """A weekly rebuild of an unchanged default branch re-pushes the same sha- tag."""
    scheduled = CK2010.replace(
        "    branches: [main]", "    branches: [main]\n  schedule:\n    - cron: '0 4 * * 1'"
    ).replace("type=sha\n", "type=sha,enable={{is_default_branch}}\n")
    found = [f for f in run(tmp_path, scheduled) if f.rule_id == "CK2010"]
    assert any("scheduled rebuild" in f.message for f in found)
    gated = scheduled.replace(
        "type=sha,enable={{is_default_branch}}",
        "type=sha,enable=${{ github.event_name == 'push' && github.ref_type == 'branch' }}",
    )
    again = [f for f in run(tmp_path / "b", gated) if f.rule_id == "CK2010"]
    assert not any("scheduled rebuild" in f.message for f in again)


def test_ck2008_accepts_every_spelling_of_pipefail(tmp_path: Path) -> None:
    for i, spelling in enumerate(
        ("set -euo pipefail", "set -eu -o pipefail", "set -e -o pipefail", "set -eo pipefail")
    ):
        text = (
            "on: push\npermissions: {}\njobs:\n  sign:\n    runs-on: x\n    steps:\n"
            "      - run: |\n"
            f"          {spelling}\n"
            '          for t in a b; do cosign sign --yes "$t"; done\n'
        )
        assert "CK2008" not in ids(run(tmp_path / str(i), text)), spelling


def test_ck2011_publish_without_schedule(tmp_path: Path) -> None:
    assert where(run(tmp_path, CK2007), "CK2011") == [(1, 1)]
    weekly = "on:\n  schedule:\n    - cron: '0 4 * * 1'\npermissions: {}\njobs: {}\n"
    assert "CK2011" not in ids(run(tmp_path / "b", CK2007, weekly))


def test_ck2012_no_scorecard_workflow(tmp_path: Path) -> None:
    (finding,) = [f for f in run(tmp_path, CK2006_FREE) if f.rule_id == "CK2012"]
    assert finding.location is None
    scorecard = CK2006_FREE.replace("actions/checkout@v4", f"ossf/scorecard-action@{SHA}")
    assert "CK2012" not in ids(run(tmp_path / "b", scorecard))


CK2006_FREE = (
    "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: x\n    steps:\n"
    "      - uses: actions/checkout@v4\n        with:\n          persist-credentials: false\n"
)


def test_ck2013_unparsable_workflow(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {".github/workflows/bad.yml": "on: push\njobs:\n  a: [\n"})
    findings = list(workflow_rules(repo))
    (bad,) = [f for f in findings if f.rule_id == "CK2013"]
    assert bad.location is not None and bad.location.path == ".github/workflows/bad.yml"
    assert bad.location.line == repo.problems[0].line
