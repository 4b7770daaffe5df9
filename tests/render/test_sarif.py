"""SARIF output follows the SARIF 2.1.0 subset that GitHub code scanning documents.

GitHub's "SARIF support for code scanning" lists what it reads: ``$schema`` and ``version``
2.1.0; per run a ``tool.driver`` with ``name`` and ``rules`` (``id``, ``name``,
``shortDescription.text``, ``fullDescription.text``, ``help.text``/``help.markdown``,
``helpUri``, ``defaultConfiguration.level``, ``properties.tags``/``precision``/
``security-severity``); per result ``ruleId``, ``ruleIndex``, ``level``, ``message.text``, at
least one ``physicalLocation`` with a relative ``artifactLocation.uri`` and a ``region``
starting at ``startLine``, and ``partialFingerprints``.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from caulk.findings import Location
from caulk.render import sarif
from caulk.results import AuditResult

from .conftest import sample


def _log(result: AuditResult, anchor: str | None = None) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(sarif.render_audit(result, anchor))
    return loaded


def _run(result: AuditResult, anchor: str | None = None) -> dict[str, Any]:
    runs = _log(result, anchor)["runs"]
    assert len(runs) == 1
    run: dict[str, Any] = runs[0]
    return run


def test_log_header(result: AuditResult) -> None:
    log = _log(result)
    assert log["version"] == "2.1.0"
    assert log["$schema"].startswith("https://") and "sarif" in log["$schema"]


def test_driver_identifies_caulk(result: AuditResult) -> None:
    from caulk import __version__

    driver = _run(result)["tool"]["driver"]
    assert driver["name"] == "caulk"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")


def test_every_rule_has_the_properties_github_displays(result: AuditResult) -> None:
    rules = _run(result)["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    for rule in rules:
        assert rule["name"] and re.fullmatch(r"[A-Za-z0-9]+", rule["name"])
        assert 0 < len(rule["shortDescription"]["text"]) <= 1024
        assert 0 < len(rule["fullDescription"]["text"]) <= 1024
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in {"error", "warning", "note"}
        props = rule["properties"]
        assert "security" in props["tags"] and len(props["tags"]) <= 10
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        # GitHub wants a string holding a number between 0.0 and 10.0.
        assert isinstance(props["security-severity"], str)
        assert 0.0 <= float(props["security-severity"]) <= 10.0


def test_security_severity_follows_githubs_bands(result: AuditResult) -> None:
    rules = {r["id"]: r for r in _run(result)["tool"]["driver"]["rules"]}
    assert float(rules["CK2004"]["properties"]["security-severity"]) > 9.0  # critical
    assert rules["CK1001"]["properties"]["security-severity"] == "8.0"  # high
    assert 4.0 <= float(rules["DL3007"]["properties"]["security-severity"]) < 7.0  # medium


def test_rule_help_carries_why_fix_and_aliases(result: AuditResult) -> None:
    rule = next(r for r in _run(result)["tool"]["driver"]["rules"] if r["id"] == "CK1001")
    assert rule["name"] == "FinalStageRunsAsRoot"
    assert "USER 10001:0" in rule["help"]["markdown"]
    assert "DS002" in rule["help"]["markdown"]
    assert rule["properties"]["aliases"] == ["DS002"]
    assert rule["properties"]["precision"] == "medium"  # its only finding has medium confidence


def test_results_point_at_their_rule(result: AuditResult) -> None:
    run = _run(result)
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == len(result.findings)
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        assert res["level"] in {"error", "warning", "note"}


def test_levels_follow_severity(result: AuditResult) -> None:
    levels = {r["ruleId"]: r["level"] for r in _run(result)["results"]}
    assert levels == {
        "CK2004": "error",
        "CK1001": "error",
        "DL3007": "warning",
        "CK3001": "warning",
    }


def test_located_result_has_relative_uri_and_exact_region(result: AuditResult) -> None:
    res = next(r for r in _run(result)["results"] if r["ruleId"] == "CK2004")
    (location,) = res["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"] == {
        "uri": ".github/workflows/triage.yml",
        "uriBaseId": "%SRCROOT%",
    }
    assert physical["region"] == {
        "startLine": 14,
        "startColumn": 22,
        "endLine": 14,
        "endColumn": 61,
    }


def test_region_without_an_end_omits_it(result: AuditResult) -> None:
    res = next(r for r in _run(result)["results"] if r["ruleId"] == "CK1001")
    assert res["locations"][0]["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 1}


def test_repository_wide_finding_is_anchored_at_the_readme(tmp_path: Path) -> None:
    # GitHub drops results without a location; a missing SECURITY.md is shown on the README.
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n")
    (tmp_path / "README.md").write_text("# app\n")
    res = next(r for r in _run(sample(root=str(tmp_path)))["results"] if r["ruleId"] == "CK3001")
    physical = res["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "README.md"
    assert physical["region"] == {"startLine": 1, "startColumn": 1}
    assert res["properties"]["repository-wide"] is True


def test_without_a_readme_the_anchor_is_a_root_level_file(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM python:latest\n")
    res = next(r for r in _run(sample(root=str(tmp_path)))["results"] if r["ruleId"] == "CK3001")
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "Dockerfile"


def test_explicit_anchor_wins(result: AuditResult) -> None:
    res = next(r for r in _run(result, "SECURITY.md")["results"] if r["ruleId"] == "CK3001")
    assert res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "SECURITY.md"


def test_fingerprints_survive_line_moves_but_not_path_changes(result: AuditResult) -> None:
    # An alert must stay the same alert when lines are added above it.
    before = _run(result)["results"]
    moved_findings = tuple(
        replace(f, location=replace(f.location, line=f.location.line + 7))
        if f.location is not None
        else f
        for f in result.findings
    )
    after = _run(sample(findings=moved_findings))["results"]
    assert [r["partialFingerprints"] for r in before] == [r["partialFingerprints"] for r in after]
    renamed = tuple(
        replace(f, location=Location("other/Dockerfile", 1, 6)) if f.rule_id == "DL3007" else f
        for f in result.findings
    )
    changed = {
        r["ruleId"]: r["partialFingerprints"] for r in _run(sample(findings=renamed))["results"]
    }
    original = {r["ruleId"]: r["partialFingerprints"] for r in before}
    assert changed["DL3007"] != original["DL3007"]
    assert changed["CK1001"] == original["CK1001"]


def test_fingerprints_are_distinct_per_result(result: AuditResult) -> None:
    prints = [json.dumps(r["partialFingerprints"]) for r in _run(result)["results"]]
    assert len(set(prints)) == len(prints)


def test_a_finding_without_registered_rule_still_gets_a_descriptor(result: AuditResult) -> None:
    run = _run(sample(rules={}))
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert set(rules) == {"CK1001", "CK2004", "CK3001", "DL3007"}
    assert rules["CK2004"]["defaultConfiguration"]["level"] == "error"


def test_empty_audit_is_a_valid_empty_run(empty: AuditResult) -> None:
    run = _run(empty)
    assert run["results"] == [] and run["tool"]["driver"]["rules"] == []


def test_deterministic(result: AuditResult) -> None:
    assert sarif.render_audit(result) == sarif.render_audit(sample())


def test_paths_are_percent_encoded_uri_references(result: AuditResult) -> None:
    spaced = tuple(
        replace(f, location=Location("my app/Dockerfile", 1, 6)) if f.rule_id == "DL3007" else f
        for f in result.findings
    )
    res = next(r for r in _run(sample(findings=spaced))["results"] if r["ruleId"] == "DL3007")
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20app/Dockerfile"
