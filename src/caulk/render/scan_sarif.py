"""``caulk scan --format sarif``: vulnerabilities as SARIF 2.1.0 for GitHub code scanning.

The shape GitHub documents and Trivy/Grype use for image scans: one ``reportingDescriptor`` per
vulnerability ID (``shortDescription`` the ID and package, ``help`` in text and Markdown,
``properties.security-severity`` the CVSS score, or the band's middle when only a rating is
known, and ``tags``), and one result per (vulnerability, package) anchored at the package
database or manifest that evidences the package (``var/lib/dpkg/status``,
``…/METADATA``), since an image has no source line. ``partialFingerprints`` hash the ID,
package and installed version so an alert keeps its identity across scans. Policies that fail
are results too (rule IDs ``caulk-policy/<id>``) anchored at the image reference.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from caulk.policy.model import Status
from caulk.render.scan_common import osv_url, sorted_by_severity
from caulk.scan import ScanResult
from caulk.vuln.matcher import Vulnerability

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/caulk-dev/caulk"

LEVELS = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "note",
    "negligible": "note",
    "unknown": "note",
}
BAND_SCORE = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "2.0",
    "negligible": "0.0",
    "unknown": "0.0",
}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _uri(path: str) -> str:
    return quote(path, safe="/")


def _rule(v: Vulnerability) -> dict[str, Any]:
    score = f"{v.cvss_score:.1f}" if v.cvss_score is not None else BAND_SCORE[v.severity]
    text = v.summary or f"{v.id} in {v.source_package}"
    markdown = (
        f"**{v.id}** ({v.severity})\n\n{v.summary}\n\n"
        f"| Package | Installed | Fixed |\n|---|---|---|\n"
        f"| {v.package} | {v.installed_version} | {v.fixed_version or 'not fixed'} |\n\n"
        f"Aliases: {', '.join(v.aliases) or 'none'}. [{v.id} on OSV]({osv_url(v.id)})"
    )
    return {
        "id": v.id,
        "name": v.id.replace("-", ""),
        "shortDescription": {"text": f"{v.id}: {text}"[:1000]},
        "fullDescription": {"text": text},
        "helpUri": osv_url(v.id),
        "help": {"text": text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[v.severity]},
        "properties": {
            "tags": ["vulnerability", "security", v.severity],
            "precision": "very-high",
            "security-severity": score,
        },
    }


def render_scan_sarif(result: ScanResult) -> str:
    from caulk import __version__

    rules: dict[str, dict[str, Any]] = {}
    results: list[dict[str, Any]] = []
    image = result.image
    for v in sorted_by_severity(result.vulnerabilities):
        rules.setdefault(v.id, _rule(v))
    rule_ids = sorted(rules)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    for v in sorted_by_severity(result.vulnerabilities):
        where = v.locations[0] if v.locations else image.reference
        fixed = f"; fixed in {v.fixed_version}" if v.fixed_version else "; no fix yet"
        results.append(
            {
                "ruleId": v.id,
                "ruleIndex": index[v.id],
                "level": LEVELS[v.severity],
                "message": {
                    "text": f"{v.id} ({v.severity}) in {v.package} {v.installed_version} "
                    f"(source {v.source_package} {v.source_version}){fixed}. "
                    f"Image: {image.reference} {image.digest}"
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(where)},
                            "region": {"startLine": 1},
                        },
                        "message": {"text": f"{image.reference}: {v.purl}"},
                    }
                ],
                "partialFingerprints": {
                    "caulk/v1": _fingerprint(v.id, v.package, v.installed_version, v.purl)
                },
            }
        )
    policy_rules: list[dict[str, Any]] = []
    for policy in result.policies:
        if policy.status is Status.PASSED:
            continue
        rule_id = f"caulk-policy/{policy.id}"
        if rule_id not in index:
            index[rule_id] = len(rule_ids) + len(policy_rules)
            policy_rules.append(
                {
                    "id": rule_id,
                    "name": policy.id,
                    "shortDescription": {"text": policy.name},
                    "fullDescription": {"text": f"Docker Scout policy: {policy.name}"},
                    "help": {"text": policy.name, "markdown": f"**{policy.name}**"},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {"tags": ["policy"], "precision": "high"},
                }
            )
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": index[rule_id],
                "level": "warning" if policy.status is Status.FAILED else "note",
                "message": {
                    "text": f"{policy.name}: {policy.status.value}. "
                    + "; ".join(policy.details[:10] or (policy.summary,))
                },
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(image.reference.split(":", 1)[-1])},
                            "region": {"startLine": 1},
                        }
                    }
                ],
                "partialFingerprints": {"caulk/v1": _fingerprint(rule_id, image.reference)},
            }
        )
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "caulk",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [rules[r] for r in rule_ids] + policy_rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
                "properties": {
                    "image": image.reference,
                    "digest": image.digest,
                    "grade": result.grade.text,
                },
            }
        ],
    }
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
