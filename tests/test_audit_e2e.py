"""``caulk audit`` end to end on the fixture repositories (tests/testdata/repos/).

Each fixture is copied into ``tmp_path`` first, so a test can add what must not be committed
(a symlink out of the repository, a 50 MB file, a configuration file) without touching the
tree. The CLI runs in-process through typer's CliRunner, and once as a real
``python -m caulk`` subprocess to prove the installed entry point and the exit codes.

* ``before``: the insecure starting point; the findings below by rule ID and a low score.
* ``after``: the same service hardened; nothing at medium or above and ``score.local >= 9``.
* ``dhi``: distroless ``:nonroot`` and Docker Hardened Images runtime bases without a ``USER``
  line must not be reported as running as root (trivy#1620, DS002 false positives).
* ``bad-input``: unreadable and unparsable files are named on stderr, the checks that needed
  them are inconclusive, everything else still runs, and there is no traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

import caulk
from caulk.cli import app
from tests.render.jsonschema_subset import validate

FIXTURES = Path(__file__).parent / "testdata" / "repos"
SCHEMA = Path(caulk.__file__).parent / "data" / "audit.schema.json"

runner = CliRunner()


def copy_repo(name: str, tmp_path: Path) -> Path:
    """A private copy of fixture repository ``name``."""
    target = tmp_path / name
    shutil.copytree(FIXTURES / name, target, symlinks=True)
    return target


def audit(*args: str) -> Result:
    return runner.invoke(app, ["audit", *args])


def audit_json(repo: Path, *args: str) -> dict[str, Any]:
    """Run ``caulk audit REPO --format json`` and return the document (exit 0 or 1 only)."""
    result = audit(str(repo), "--format", "json", *args)
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def rule_ids(doc: dict[str, Any]) -> set[str]:
    return {f["rule_id"] for f in doc["findings"]}


def checks(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in doc["checks"]}


def one_error_line(result: Result) -> str:
    """Usage and input errors are exactly one line on stderr, and nothing on stdout."""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stdout == ""
    assert lines[0].startswith("caulk: error: ")
    return lines[0]


# -- before: the insecure starting point ----------------------------------------------------


@pytest.fixture
def before(tmp_path: Path) -> Path:
    return copy_repo("before", tmp_path)


def test_before_has_the_expected_findings(before: Path) -> None:
    found = rule_ids(audit_json(before))
    # root at run time, single-stage build, unpinned/latest base image
    assert {"CK1001", "CK1002"} <= found
    assert found & {"DL3007", "DL3006"}
    # unpinned actions; pull_request_target checking out the PR head / PR title in run:
    assert "CK2001" in found
    assert found & {"CK2004", "CK2005"}
    # no SECURITY.md, no Dependabot, no LICENSE
    assert {"CK3001", "CK3002", "CK3003"} <= found


def test_before_root_finding_points_at_the_dockerfile(before: Path) -> None:
    doc = audit_json(before)
    root = [f for f in doc["findings"] if f["rule_id"] == "CK1001"]
    assert root and all(f["path"] == "Dockerfile" and f["line"] >= 1 for f in root)


def test_before_scores_low(before: Path) -> None:
    doc = audit_json(before)
    assert doc["score"]["local"] is not None
    assert doc["score"]["local"] < 4.0
    assert checks(doc)["Dangerous-Workflow"]["score"] == 0


def test_before_plan_is_ordered_by_phase(before: Path) -> None:
    plan = audit_json(before)["plan"]
    assert plan
    assert [s["phase"] for s in plan] == sorted(s["phase"] for s in plan)
    assert any(s["rule_id"] == "CK1001" and s["phase"] == 3 for s in plan)


def test_json_output_validates_against_the_schema(before: Path) -> None:
    doc = audit_json(before)
    assert validate(doc, json.loads(SCHEMA.read_text("utf-8"))) == []


def test_json_output_is_deterministic(before: Path) -> None:
    first = audit(str(before), "--format", "json")
    second = audit(str(before), "--format", "json")
    assert first.stdout == second.stdout


# -- after: the hardened repository ------------------------------------------------------------


def test_after_has_nothing_at_medium_or_above_and_scores_high(tmp_path: Path) -> None:
    doc = audit_json(copy_repo("after", tmp_path))
    serious = [f for f in doc["findings"] if f["severity"] in {"critical", "high", "medium"}]
    assert serious == []
    assert doc["score"]["local"] is not None and doc["score"]["local"] >= 9.0


# -- dhi: non-root by inheritance --------------------------------------------------------------


def test_hardened_bases_without_user_are_not_root(tmp_path: Path) -> None:
    doc = audit_json(copy_repo("dhi", tmp_path))
    assert not rule_ids(doc) & {"CK1001", "DL3002"}


# -- bad input -------------------------------------------------------------------------------------


def test_bad_input_is_reported_and_the_rest_still_runs(tmp_path: Path) -> None:
    repo = copy_repo("bad-input", tmp_path)
    outside = tmp_path / "outside.yml"
    outside.write_text("name: not yours\non: push\njobs: {}\n")
    (repo / ".github" / "workflows" / "escape.yml").symlink_to(outside)
    huge = repo / "deploy" / "Dockerfile"
    huge.parent.mkdir()
    with huge.open("w") as fh:
        fh.write("FROM debian:bookworm-slim\n")
        line = "RUN echo 'a 50 MB Dockerfile is not something caulk will parse'\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))

    result = audit(str(repo), "--format", "json")

    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    warned = result.stderr.splitlines()
    for bad in (
        ".github/workflows/broken.yml",  # not YAML
        ".github/workflows/binary.yml",  # NUL bytes
        ".github/workflows/escape.yml",  # symlink out of the repository
        "Dockerfile",  # unterminated heredoc
        "deploy/Dockerfile",  # 50 MB
    ):
        pattern = re.compile(rf"^caulk: warning: {re.escape(bad)}(:\d+)*: ")
        assert any(pattern.match(line) for line in warned), (bad, result.stderr)

    doc = json.loads(result.stdout)
    assert {p["path"] for p in doc["problems"]} >= {
        ".github/workflows/broken.yml",
        ".github/workflows/binary.yml",
        ".github/workflows/escape.yml",
        "Dockerfile",
        "deploy/Dockerfile",
    }
    by_name = checks(doc)
    # Scorecard makes a check a runtime error (-1) when a Dockerfile or workflow cannot be parsed.
    assert by_name["Pinned-Dependencies"]["score"] == -1
    assert by_name["Dangerous-Workflow"]["score"] == -1
    assert by_name["Token-Permissions"]["score"] == -1
    # Checks that do not need those files still score.
    assert by_name["Security-Policy"]["score"] == 0
    assert by_name["License"]["score"] == 0
    assert "CK3001" in rule_ids(doc)


# -- exit codes and options ---------------------------------------------------------------------


def test_fail_on_high_exits_1_when_there_is_a_high_finding(before: Path) -> None:
    assert audit(str(before), "--format", "json", "--fail-on", "high").exit_code == 1


def test_fail_on_high_exits_0_on_the_hardened_repository(tmp_path: Path) -> None:
    result = audit(str(copy_repo("after", tmp_path)), "--format", "json", "--fail-on", "high")
    assert result.exit_code == 0, result.output


def test_without_fail_on_findings_do_not_fail_the_run(before: Path) -> None:
    assert audit(str(before), "--format", "json").exit_code == 0


def test_bad_fail_on_value_is_a_usage_error(before: Path) -> None:
    result = audit(str(before), "--fail-on", "severe")
    assert result.exit_code == 2
    assert "--fail-on" in one_error_line(result)


def test_nonexistent_path_is_an_input_error(tmp_path: Path) -> None:
    result = audit(str(tmp_path / "nope"))
    assert result.exit_code == 2
    assert "nope" in one_error_line(result)


def test_broken_config_is_an_input_error(before: Path) -> None:
    (before / ".caulk.toml").write_text('ignore = ["DL3007"\n')
    result = audit(str(before))
    assert result.exit_code == 2
    assert ".caulk.toml" in one_error_line(result)


def test_sarif_format(before: Path) -> None:
    result = audit(str(before), "--format", "sarif")
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "caulk"
    assert {r["ruleId"] for r in run["results"]} >= {"CK1001", "CK3001"}
    for res in run["results"]:
        assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "/"
        )


def test_markdown_format(before: Path) -> None:
    out = audit(str(before), "--format", "markdown").stdout
    assert out.startswith("## caulk audit: ")
    assert "<details" in out and "### Plan" in out


def test_text_format_is_the_default_off_a_terminal(before: Path) -> None:
    explicit = audit(str(before), "--format", "text").stdout
    assert audit(str(before)).stdout == explicit
    assert re.search(r"^Dockerfile:\d+:\d+: CK1001 \[\w+\] ", explicit, re.MULTILINE)
    assert re.search(r"^score \S+ / 10 from \d+ local checks", explicit, re.MULTILINE)


def test_output_file_is_written_atomically(before: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "reports"
    out_dir.mkdir()
    target = out_dir / "audit.json"
    target.write_text("stale")
    result = audit(str(before), "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    doc = json.loads(target.read_text("utf-8"))
    assert doc["schema_version"]
    # No temporary file is left next to the report.
    assert sorted(p.name for p in out_dir.iterdir()) == ["audit.json"]


# -- suppression ----------------------------------------------------------------------------------


def test_caulk_toml_ignore_suppresses_a_rule(before: Path) -> None:
    baseline = audit_json(before)
    (before / ".caulk.toml").write_text('ignore = ["DL3007"]\n')
    doc = audit_json(before)
    assert "DL3007" in rule_ids(baseline)
    assert "DL3007" not in rule_ids(doc)
    assert doc["suppressed"] >= baseline["suppressed"] + 1


def test_pyproject_tool_caulk_ignore_takes_a_prefix(before: Path) -> None:
    (before / "pyproject.toml").write_text(
        '[project]\nname = "greeter"\n\n[tool.caulk]\nignore = ["CK3"]\n'
    )
    found = rule_ids(audit_json(before))
    assert not {r for r in found if r.startswith("CK3")}
    assert "CK1001" in found


def test_per_path_ignores(before: Path) -> None:
    (before / ".caulk.toml").write_text('[per-path-ignores]\n".github/workflows/*" = ["CK2"]\n')
    doc = audit_json(before)
    in_workflows = [
        f
        for f in doc["findings"]
        if (f["path"] or "").startswith(".github/workflows/") and f["rule_id"].startswith("CK2")
    ]
    assert in_workflows == []
    assert "CK1001" in rule_ids(doc)


def test_inline_ignore_comment(before: Path) -> None:
    dockerfile = before / "Dockerfile"
    dockerfile.write_text("# caulk: ignore[DL3007]\n" + dockerfile.read_text())
    doc = audit_json(before)
    assert "DL3007" not in rule_ids(doc)
    assert "CK1001" in rule_ids(doc)  # only the named rule is silenced
    assert doc["suppressed"] >= 1


def test_command_line_ignore(before: Path) -> None:
    found = rule_ids(audit_json(before, "--ignore", "CK1"))
    assert not {r for r in found if r.startswith("CK1")}


# -- a real process ---------------------------------------------------------------------------


def test_python_dash_m_caulk_subprocess(before: Path) -> None:
    env = dict(os.environ)
    src = str(Path(caulk.__file__).resolve().parent.parent)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (src, env.get("PYTHONPATH")) if p)
    env.pop("NO_COLOR", None)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "caulk",
            "audit",
            str(before),
            "--format",
            "json",
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert "CK1001" in rule_ids(doc)

    usage = subprocess.run(
        [sys.executable, "-m", "caulk", "audit", str(before), "--fail-on", "nope"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert usage.returncode == 2
    assert len(usage.stderr.splitlines()) == 1


def test_download_then_run_is_reported_once_per_line(tmp_path: Path) -> None:
    """CK1010 (Scorecard's downloadThenRun) supersedes CK1005 on the same RUN line."""
    (tmp_path / "Dockerfile").write_text(
        "FROM debian:12\nRUN wget -O /tmp/i.sh https://example.com/i.sh && bash /tmp/i.sh\n"
    )
    from caulk.audit import run_audit

    result = run_audit(tmp_path)
    on_line_2 = {f.rule_id for f in result.findings if f.location and f.location.line == 2}
    assert "CK1010" in on_line_2
    assert "CK1005" not in on_line_2


def test_a_committed_binary_is_a_finding_not_a_warning(tmp_path: Path) -> None:
    """Looking for inline ignore comments must not read a binary artifact as text."""
    from caulk.audit import run_audit

    (tmp_path / "tool").write_bytes(b"\x7fELF\x02\x01\x01" + b"\x00" * 64)
    result = run_audit(tmp_path)
    assert [f.rule_id for f in result.findings if f.location and f.location.path == "tool"] == [
        "CK3004"
    ]
    assert result.problems == ()
