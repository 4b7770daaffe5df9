"""The audit as SARIF 2.1.0, in the subset GitHub code scanning accepts.

Follows GitHub's "SARIF support for code scanning": one run whose ``tool.driver`` lists a
``reportingDescriptor`` per rule (short and full descriptions, ``help`` as text and Markdown,
``helpUri``, ``defaultConfiguration.level`` and ``properties`` with ``tags``, ``precision`` and
``security-severity`` as a string number), and one result per finding with ``ruleId`` and
``ruleIndex``, ``level``, ``message.text``, one ``physicalLocation`` relative to ``%SRCROOT%``
and ``partialFingerprints``.

Deliberate choices:

* **Fingerprints** hash rule, path and message, not the line, so an alert keeps its identity
  when lines are added above it (key ``caulk/v1``).
* **Repository-wide findings** (a missing ``SECURITY.md``, no Dependabot configuration) have no
  place in a file, but GitHub drops results without a location. They are anchored at line 1 of
  the repository's README (or the first root-level file, or the first file another finding
  names), which is where a reader of the alert looks first.
* Columns count Unicode code points (``run.columnKind``), as caulk's locations do.
* Paths become URI references: relative, ``/``-separated, percent-encoded (``my app/Dockerfile``
  is ``my%20app/Dockerfile``), as SARIF's ``artifactLocation.uri`` requires.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from caulk.findings import Confidence, Finding, Rule, Severity
from caulk.render.common import one_line
from caulk.results import AuditResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
INFORMATION_URI = "https://github.com/caulk-dev/caulk"
FINGERPRINT_KEY = "caulk/v1"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""SARIF ``level`` per severity (GitHub shows error/warning/note)."""

SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
"""GitHub's bands: over 9.0 critical, 7.0 to 8.9 high, 4.0 to 6.9 medium, 3.9 or less low."""

_README_NAMES = ("README.md", "README", "README.rst", "README.txt", "readme.md", "Readme.md")


def render_audit(result: AuditResult, anchor: str | None = None) -> str:
    """The SARIF log as indented JSON with sorted keys, ending in a newline.

    ``anchor`` is the file repository-wide findings point at; by default it is chosen from the
    audited directory (see the module docstring).
    """
    return (
        json.dumps(sarif_log(result, anchor), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def sarif_log(result: AuditResult, anchor: str | None = None) -> dict[str, Any]:
    """The SARIF log as Python data."""
    from caulk import __version__

    rule_ids = sorted({f.rule_id for f in result.findings} | set(result.rules))
    index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
    by_rule: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_rule.setdefault(finding.rule_id, []).append(finding)
    if anchor is None and any(f.location is None for f in result.findings):
        anchor = choose_anchor(result)
    descriptors = [
        _descriptor(rule_id, result.rules.get(rule_id), by_rule.get(rule_id, []))
        for rule_id in rule_ids
    ]
    results = [_result(f, index[f.rule_id], anchor or "README.md") for f in result.findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "caulk",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def choose_anchor(result: AuditResult) -> str:
    """The file that repository-wide findings point at (README, else a root file, else any)."""
    root = Path(result.root)
    try:
        names = sorted(p.name for p in root.iterdir() if p.is_file() and not p.is_symlink())
    except OSError:
        names = []
    for candidate in _README_NAMES:
        if candidate in names:
            return candidate
    located = sorted({f.location.path for f in result.findings if f.location is not None})
    root_level = [p for p in located if "/" not in p]
    if root_level:
        return root_level[0]
    if names:
        return names[0]
    if located:
        return located[0]
    return "README.md"


def fingerprint(finding: Finding, path: str) -> str:
    """A stable identity for an alert: rule, path and message, never the line."""
    material = "\0".join((finding.rule_id, path, one_line(finding.message)))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


def _tags(rule_id: str, rule: Rule | None, check: str | None) -> list[str]:
    tags = ["security"]
    if rule_id.startswith(("DL", "CK1")):
        tags.append("dockerfile")
    elif rule_id.startswith("CK2"):
        tags.append("github-actions")
    elif rule_id.startswith("CK3"):
        tags.append("repository")
    if check:
        tags.append(f"scorecard/{check}")
    if rule is not None:
        tags.append(f"phase-{rule.phase}")
    return tags


def _precision(findings: list[Finding]) -> str:
    if not findings:
        return "high"
    ranks = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}
    return max((f.confidence for f in findings), key=ranks.__getitem__).value


def _descriptor(rule_id: str, rule: Rule | None, findings: list[Finding]) -> dict[str, Any]:
    if rule is None:
        # A finding whose rule is not registered (a Scorecard check explanation, say): describe
        # it from its own fields so GitHub still has a rule to show.
        first = findings[0] if findings else None
        severity = first.severity if first else Severity.MEDIUM
        check = first.check if first else None
        summary = one_line(first.message) if first else rule_id
        name = rule_id
        full = summary
        help_text = summary
        help_md = summary
        help_uri = f"{INFORMATION_URI}/blob/main/docs/rules.md#{rule_id.lower()}"
    else:
        severity = rule.severity
        check = rule.check
        summary = rule.summary
        name = rule.name
        full = rule.why
        help_text = f"{rule.summary}\n\nWhy: {rule.why}\n\nFix: {rule.fix}"
        help_md = f"**{rule.summary}**\n\n{rule.why}\n\n### Fix\n\n{rule.fix}"
        if rule.check:
            help_md += f"\n\nAffects the OpenSSF Scorecard check `{rule.check}`."
        if rule.aliases:
            help_md += f"\n\nAlso known as: {', '.join(rule.aliases)}."
        if rule.reference:
            help_md += f"\n\nReference: {rule.reference}"
        help_uri = rule.help_uri
    properties: dict[str, Any] = {
        "tags": _tags(rule_id, rule, check),
        "precision": _precision(findings),
        "security-severity": SECURITY_SEVERITY[severity],
    }
    if rule is not None and rule.aliases:
        properties["aliases"] = list(rule.aliases)
    return {
        "id": rule_id,
        "name": _pascal(name),
        "shortDescription": {"text": _clip(summary)},
        "fullDescription": {"text": _clip(full)},
        "help": {"text": help_text, "markdown": help_md},
        "helpUri": help_uri,
        "defaultConfiguration": {"level": LEVELS[severity]},
        "properties": properties,
    }


def _result(finding: Finding, rule_index: int, anchor: str) -> dict[str, Any]:
    loc = finding.location
    if loc is not None:
        path = loc.path
        region: dict[str, int] = {"startLine": loc.line, "startColumn": loc.column}
        if loc.end_line is not None:
            region["endLine"] = loc.end_line
            if loc.end_column is not None:
                region["endColumn"] = loc.end_column
    else:
        path = anchor
        region = {"startLine": 1, "startColumn": 1}
    uri = quote(path, safe="/")
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }
            }
        ],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint(finding, path)},
        "properties": {
            "severity": finding.severity.value,
            "confidence": finding.confidence.value,
        },
    }
    if finding.check:
        result["properties"]["scorecard-check"] = finding.check
    if loc is None:
        result["properties"]["repository-wide"] = True
    return result


def _pascal(name: str) -> str:
    """``final-stage-runs-as-root`` -> ``FinalStageRunsAsRoot`` (SARIF names are identifiers)."""
    parts = [p for p in name.replace("_", "-").split("-") if p]
    return "".join(p[:1].upper() + p[1:] for p in parts) or name


def _clip(text: str, limit: int = 1024) -> str:
    """GitHub truncates descriptions at 1024 characters; do it ourselves, on a word."""
    text = one_line(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
