"""Scorecard's SAST check, as ``scorecard --local`` computes it.

Mirrors ``checks/raw/sast.go`` and ``checks/evaluation/sast.go``
(../shared/reference/scorecard-checks.md §2.9). A step ``uses:`` (``actions://`` prefix and
``@ref`` removed) matching ``^github/codeql-action/analyze$`` is CodeQL; ``^snyk/actions/.*``,
``^facebook/pysa-action$``, ``^JetBrains/qodana-action$``, ``^hadolint/hadolint-action$`` or a
``pom.xml`` (outside ``testdata/`` and ``src/test/``) with ``<sonar.host.url>…</sonar.host.url>``
are other tools. Another tool gives 10; otherwise CodeQL gives 10; otherwise 0. The part that
counts merged pull requests with SAST check runs needs GitHub's API and is unknown locally,
exactly as with ``--local``. A workflow that fails to parse is a runtime error (-1).
"""

from __future__ import annotations

import posixpath
import re

from caulk.checks.registry import CheckResult, Risk, scorecard_check
from caulk.checks.scorecard._workflows import invalid_workflow_result
from caulk.checks.workflow import catalog
from caulk.findings import Finding
from caulk.repo.checkout import Repository
from caulk.workflow.load import workflow_set

NAME = "SAST"
_CODEQL = re.compile(r"^github/codeql-action/analyze$")
_OTHER_TOOLS = (
    ("Snyk", re.compile(r"^snyk/actions/.*")),
    ("Pysa", re.compile(r"^facebook/pysa-action$")),
    ("Qodana", re.compile(r"^JetBrains/qodana-action$")),
    ("Hadolint", re.compile(r"^hadolint/hadolint-action$")),
)
_SONAR = re.compile(rb"<sonar\.host\.url>\s*(\S+)\s*</sonar\.host\.url>")


def _is_testdata(path: str) -> bool:
    return (
        path.startswith(("testdata/", "src/test/")) or "/testdata/" in path or "/src/test/" in path
    )


def _sonar_configs(repo: Repository) -> list[tuple[str, int]]:
    found = []
    for path in repo.files:
        if posixpath.basename(path).lower() != "pom.xml" or _is_testdata(path):
            continue
        data = repo.read_bytes(path)
        if data is None or not _SONAR.search(data):
            continue
        line = next(
            (n for n, text in enumerate(data.split(b"\n"), 1) if b"<sonar.host.url>" in text), 0
        )
        found.append((path, line))
    return found


@scorecard_check(NAME, Risk.MEDIUM)
def sast(repo: Repository) -> CheckResult:
    """CodeQL or another SAST tool in the workflows (or SonarQube configured in pom.xml)."""
    wset = workflow_set(repo)
    invalid = invalid_workflow_result(wset, NAME, Risk.MEDIUM)
    if invalid is not None:
        return invalid
    details: list[str] = []
    codeql = False
    other = False
    for workflow in wset.workflows:
        for _, step in workflow.steps():
            if step.uses is None or step.run is not None:
                continue
            action = step.uses.value.removeprefix("actions://").split("@", 1)[0]
            if _CODEQL.search(action):
                codeql = True
                details.append(f"Info: SAST tool detected: CodeQL: {workflow.path}")
            for tool, pattern in _OTHER_TOOLS:
                if pattern.search(action):
                    other = True
                    details.append(f"Info: SAST tool detected: {tool}: {workflow.path}")
    for path, line in _sonar_configs(repo):
        other = True
        details.append(f"Info: SAST tool detected: Sonar: {path}:{line}")
    if other:
        return CheckResult(NAME, 10, Risk.MEDIUM, "SAST tool detected", details=tuple(details))
    if codeql:
        return CheckResult(
            NAME, 10, Risk.MEDIUM, "SAST tool detected: CodeQL", details=tuple(details)
        )
    finding = Finding(
        rule_id=catalog.NO_SAST.id,
        severity=catalog.NO_SAST.severity,
        message="no SAST tool detected (CodeQL, Snyk, Pysa, Qodana, hadolint or Sonar)",
        location=None,
        check=NAME,
    )
    return CheckResult(
        NAME,
        0,
        Risk.MEDIUM,
        "no SAST tool detected",
        details=("Warn: no SAST tool detected",),
        findings=(finding,),
    )
