"""``caulk compare --format json``: the documented contract (docs/compare.md, schema_version 1)."""

from __future__ import annotations

import json
from typing import Any

from caulk.compare import Comparison, PackageChange
from caulk.render.scan_json import grade_document, image_document, vulnerability_document
from caulk.scan import ScanResult

SCHEMA_VERSION = 1


def _side(result: ScanResult) -> dict[str, Any]:
    return {
        "image": image_document(result.image),
        "packages": len(result.packages),
        "vulnerabilities": result.counts,
        "grade": grade_document(result.grade, result.policies),
    }


def _package(change: PackageChange) -> dict[str, Any]:
    return {
        "type": change.type,
        "name": change.name,
        "change": change.kind,
        "versions_a": list(change.versions_a),
        "versions_b": list(change.versions_b),
        "vulnerabilities_a": change.counts_a,
        "vulnerabilities_b": change.counts_b,
        "vulnerabilities_added": [v.id for v in change.vulnerabilities_added],
        "vulnerabilities_removed": [v.id for v in change.vulnerabilities_removed],
    }


def compare_document(c: Comparison) -> dict[str, Any]:
    from caulk import __version__

    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "caulk", "version": __version__},
        "a": _side(c.a),
        "b": _side(c.b),
        "delta": {
            "size": c.size_delta,
            "packages": c.package_delta,
            "vulnerabilities": c.counts_delta,
        },
        "labels": [{"key": ch.key, "change": ch.kind, "a": ch.a, "b": ch.b} for ch in c.labels],
        "labels_unchanged": c.labels_unchanged,
        "packages": [_package(p) for p in c.packages],
        "packages_unchanged": c.packages_unchanged,
        "vulnerabilities_added": [vulnerability_document(v) for v in c.vulnerabilities_added],
        "vulnerabilities_removed": [vulnerability_document(v) for v in c.vulnerabilities_removed],
        "policies": [
            {
                "id": p.id,
                "name": p.name,
                "a": p.a.value if p.a else None,
                "b": p.b.value if p.b else None,
                "weight_a": p.weight_a,
                "weight_b": p.weight_b,
                "changed": p.changed,
                "worse": p.worse,
            }
            for p in c.policies
        ],
        "worse": {
            "vulnerabilities": c.worse_vulnerabilities,
            "policies": c.worse_policies,
        },
    }


def render_compare_json(c: Comparison) -> str:
    return json.dumps(compare_document(c), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
