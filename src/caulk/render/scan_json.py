"""``caulk scan --format json``: the documented contract (docs/scan.md, ``schema_version`` 1).

Deterministic: keys sorted, lists in the result's order (packages by type/name/version,
vulnerabilities by package then ID), no timestamps except the database's own update time.
Keys are only ever added within a schema version.
"""

from __future__ import annotations

import json
from typing import Any

from caulk.catalog.models import OperatingSystem, Package
from caulk.catalog.ownership import INSTALLED_BY
from caulk.policy.grade import Grade
from caulk.policy.model import BaseImage, PolicyResult
from caulk.render.scan_common import osv_url
from caulk.scan import ImageSummary, ScanResult
from caulk.vuln.matcher import Vulnerability
from caulk.vuln.models import format_time
from caulk.vuln.vex import Suppression

SCHEMA_VERSION = 1


def os_document(os: OperatingSystem | None) -> dict[str, Any] | None:
    if os is None:
        return None
    return {
        "id": os.id,
        "version_id": os.version_id,
        "version": os.version,
        "pretty_name": os.pretty_name,
        "codename": os.codename,
        "osv_ecosystem": os.osv_ecosystem,
    }


def base_document(base: BaseImage | None) -> dict[str, Any] | None:
    if base is None:
        return None
    return {
        "name": base.name,
        "tag": base.tag,
        "digest": base.digest,
        "reference": base.reference,
        "source": base.source,
    }


def image_document(image: ImageSummary) -> dict[str, Any]:
    att = image.attestations
    return {
        "reference": image.reference,
        "transport": image.transport,
        "digest": image.digest,
        "manifest_digest": image.manifest_digest,
        "index_digest": image.index_digest,
        "config_digest": image.config_digest,
        "platform": image.platform,
        "tag": image.tag,
        "created": image.created,
        "user": image.user,
        "size": {"compressed": image.compressed_size, "uncompressed": image.uncompressed_size},
        "labels": dict(image.labels),
        "os": os_document(image.os),
        "base_image": base_document(image.base_image),
        "attestations": {
            "sbom": att.sbom,
            "provenance": att.provenance,
            "provenance_mode": att.provenance_mode,
        },
    }


def package_document(package: Package) -> dict[str, Any]:
    return {
        "name": package.name,
        "version": package.version,
        "type": package.type,
        "purl": package.purl,
        "source_name": package.source_name,
        "source_version": package.source_version,
        "licenses": list(package.licenses),
        "locations": list(package.locations),
        "layer": package.layer,
        "installed_by": package.meta(INSTALLED_BY),
    }


def vulnerability_document(vuln: Vulnerability) -> dict[str, Any]:
    return {
        "id": vuln.id,
        "aliases": list(vuln.aliases),
        "advisories": list(vuln.advisories),
        "package": vuln.package,
        "installed_version": vuln.installed_version,
        "package_type": vuln.package_type,
        "purl": vuln.purl,
        "source_package": vuln.source_package,
        "source_version": vuln.source_version,
        "ecosystem": vuln.ecosystem,
        "fixed_version": vuln.fixed_version,
        "fixable": vuln.fixable,
        "severity": vuln.severity,
        "cvss": None
        if vuln.cvss_score is None
        else {"score": vuln.cvss_score, "vector": vuln.cvss_vector},
        "severity_source": vuln.severity_source,
        "summary": vuln.summary,
        "published": format_time(vuln.published) if vuln.published else None,
        "layer": vuln.layer,
        "locations": list(vuln.locations),
        "url": osv_url(vuln.id),
    }


def suppression_document(item: Suppression) -> dict[str, Any]:
    doc = vulnerability_document(item.vulnerability)
    st = item.statement
    doc["vex"] = {
        "status": st.status,
        "justification": st.justification,
        "impact_statement": st.impact_statement,
        "statement_vulnerability": st.vulnerability,
        "source": st.origin,
    }
    return doc


def policy_document(policy: PolicyResult) -> dict[str, Any]:
    return {
        "id": policy.id,
        "name": policy.name,
        "status": policy.status.value,
        "weight": policy.weight,
        "summary": policy.summary,
        "details": list(policy.details),
        "violations": policy.violations,
        "parameters": dict(policy.parameters),
    }


def grade_document(grade: Grade, policies: tuple[PolicyResult, ...]) -> dict[str, Any]:
    return {
        "letter": grade.letter,
        "percent": grade.percent,
        "points": grade.points,
        "total": grade.total,
        "text": grade.text,
        "policies": [policy_document(p) for p in policies],
    }


def scan_document(result: ScanResult) -> dict[str, Any]:
    """The JSON-ready document (docs/scan.md)."""
    from caulk import __version__

    counts = result.counts
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "caulk", "version": __version__},
        "image": image_document(result.image),
        "database": {
            "path": result.database,
            "updated": format_time(result.database_updated) if result.database_updated else None,
        },
        "summary": {
            "packages": len(result.packages),
            "packages_checked": result.packages_checked,
            "packages_skipped": result.packages_skipped,
            "advisories_matched": result.advisories_matched,
            "findings": len(result.vulnerabilities),
            "vulnerabilities": sum(counts.values()),
            "fixable": len({v.id for v in result.vulnerabilities if v.fixable}),
            "by_severity": counts,
            "suppressed": len(result.suppressed),
        },
        "packages": [package_document(p) for p in result.packages],
        "vulnerabilities": [vulnerability_document(v) for v in result.vulnerabilities],
        "suppressed": [suppression_document(s) for s in result.suppressed],
        "grade": grade_document(result.grade, result.policies),
        "vex_sources": list(result.vex_sources),
        "warnings": list(result.warnings),
    }


def render_scan_json(result: ScanResult) -> str:
    """Two-space indented, sorted keys, trailing newline."""
    return json.dumps(scan_document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
