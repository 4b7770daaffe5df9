"""The JSON report is a contract: it validates against the shipped schema and is deterministic."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import pytest

from caulk.render import json as render_json
from caulk.results import SCHEMA_VERSION, AuditResult, Score

from .conftest import sample
from .jsonschema_subset import validate


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = resources.files("caulk").joinpath("data/audit.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def test_sample_report_validates_against_the_schema(
    result: AuditResult, schema: dict[str, Any]
) -> None:
    assert validate(json.loads(render_json.render_audit(result)), schema) == []


def test_empty_report_validates_and_scores_are_null(
    empty: AuditResult, schema: dict[str, Any]
) -> None:
    doc = json.loads(render_json.render_audit(empty))
    assert validate(doc, schema) == []
    assert doc["score"] == {"local": None, "estimated": None}
    assert doc["findings"] == [] and doc["checks"] == [] and doc["plan"] == []


def test_the_validator_rejects_what_the_schema_forbids(
    result: AuditResult, schema: dict[str, Any]
) -> None:
    # The validator is ours, so prove it bites: each mutation below breaks the contract.
    doc = json.loads(render_json.render_audit(result))
    doc["findings"][0]["severity"] = "severe"
    doc["checks"][0]["score"] = 11
    doc["findings"][1]["path"] = "/etc/passwd"
    del doc["plan"][0]["gain"]
    doc["surprise"] = True
    errors = validate(doc, schema)
    assert any("/findings/0/severity" in e for e in errors)
    assert any("/checks/0/score" in e for e in errors)
    assert any("/findings/1/path" in e for e in errors)
    assert any("/plan/0" in e and "gain" in e for e in errors)
    assert any("surprise" in e for e in errors)


def test_top_level_fields_and_schema_version(result: AuditResult) -> None:
    doc = json.loads(render_json.render_audit(result))
    assert doc["schema_version"] == SCHEMA_VERSION
    assert set(doc) >= {
        "schema_version",
        "score",
        "checks",
        "findings",
        "plan",
        "problems",
        "suppressed",
    }
    assert doc["suppressed"] == 2


def test_scores_are_rounded_to_one_decimal(result: AuditResult) -> None:
    doc = json.loads(render_json.render_audit(result))
    assert doc["score"] == {"local": 3.3, "estimated": 4.0}


def test_checks_keep_registry_order_and_inconclusive_is_minus_one(result: AuditResult) -> None:
    checks = json.loads(render_json.render_audit(result))["checks"]
    assert [c["name"] for c in checks] == [c.name for c in result.checks]
    packaging = next(c for c in checks if c["name"] == "Packaging")
    assert packaging["score"] == -1
    maintained = next(c for c in checks if c["name"] == "Maintained")
    assert maintained == {
        "name": "Maintained",
        "score": 7,
        "risk": "High",
        "reason": "estimated from 30 commits in 90 days",
        "local": False,
        "estimated": True,
        "details": [],
    }


def test_a_finding_carries_its_exact_span_and_check(result: AuditResult) -> None:
    findings = json.loads(render_json.render_audit(result))["findings"]
    latest = next(f for f in findings if f["rule_id"] == "DL3007")
    assert latest == {
        "rule_id": "DL3007",
        "severity": "medium",
        "message": "Using latest is prone to errors if the image will ever update",
        "path": "Dockerfile",
        "line": 1,
        "column": 6,
        "end_line": 1,
        "end_column": 19,
        "check": "Pinned-Dependencies",
        "confidence": "high",
        "fixable": True,
    }


def test_a_repository_wide_finding_has_null_location(result: AuditResult) -> None:
    findings = json.loads(render_json.render_audit(result))["findings"]
    policy = next(f for f in findings if f["rule_id"] == "CK3001")
    assert (policy["path"], policy["line"], policy["column"]) == (None, None, None)


def test_findings_keep_the_audit_order(result: AuditResult) -> None:
    findings = json.loads(render_json.render_audit(result))["findings"]
    assert [f["rule_id"] for f in findings] == [f.rule_id for f in result.findings]


def test_plan_and_problems(result: AuditResult) -> None:
    doc = json.loads(render_json.render_audit(result))
    assert doc["plan"][1] == {
        "phase": 1,
        "rule_id": "DL3007",
        "title": "Using latest is prone to errors if the image will ever update",
        "findings": 1,
        "gain": 1.59,
        "effort_hours": 0.25,
        "automatable": True,
        "check": "Pinned-Dependencies",
    }
    assert doc["problems"][0] == {
        "path": ".github/workflows/broken.yml",
        "line": 3,
        "column": 9,
        "message": "invalid YAML: mapping values are not allowed here",
    }


def test_summary_counts_explain_the_score(result: AuditResult) -> None:
    summary = json.loads(render_json.render_audit(result))["summary"]
    assert summary["checks"] == {"local": 4, "inconclusive": 1, "api": 2, "estimated": 1}
    assert summary["findings"] == {"critical": 1, "high": 1, "medium": 2, "low": 0, "info": 0}


def test_output_is_byte_for_byte_deterministic_with_sorted_keys(result: AuditResult) -> None:
    first = render_json.render_audit(result)
    assert first == render_json.render_audit(sample())
    assert first.endswith("\n")
    doc = json.loads(first)
    assert first == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value).union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value))
    return set()


def test_no_timestamp_anywhere(result: AuditResult) -> None:
    keys = _keys(json.loads(render_json.render_audit(result)))
    assert not {k for k in keys if any(w in k for w in ("time", "date", "created", "generated"))}


def test_score_of_exactly_ten_stays_a_number() -> None:
    doc = json.loads(render_json.render_audit(sample(score=Score(10.0, None))))
    assert doc["score"]["local"] == 10.0
