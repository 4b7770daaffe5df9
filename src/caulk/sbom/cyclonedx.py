"""CycloneDX 1.6 JSON (https://cyclonedx.org/docs/1.6/json/) for a catalog.

**Written as plain JSON, not through cyclonedx-python-lib's model** — a deliberate deviation
from the first plan: building and serialising a 150-component BOM through the library costs
about 0.35 s (0.2 s import, 0.08 s model, 0.08 s output) on this machine, more than Trivy's
whole run on the same image, and ``caulk sbom`` aims at 0.7× Trivy. The tests validate every
output with the library's ``JsonStrictValidator(SchemaVersion.V1_6)``, so the library stays the
judge of the format.

Shape (close to Trivy's so users can diff the two): ``metadata.component`` is the image
(``type: container``); the operating system is a component (``type: operating-system``) on
which the OS packages depend; language packages hang off the image. Each package component
has ``bom-ref`` (its purl, ``#n`` for repeats), ``name`` (Maven: ``group`` + artifact),
``version``, ``purl``, ``licenses`` (licence objects when every entry is a single SPDX id or
``LicenseRef``, else one ``expression``), ``evidence.occurrences`` (the files that evidence it)
and ``caulk:*`` properties (source name/version, layer diff_id, metadata). No timestamp unless
asked; ``serialNumber`` is a UUIDv5 of the content.
"""

from __future__ import annotations

import json
from typing import Any

from caulk.catalog.licenses import is_spdx_id
from caulk.catalog.models import OS_TYPES, Catalog, Package
from caulk.sbom.document import SbomSubject, package_refs, tool_version, url_uuid5

SCHEMA = "http://cyclonedx.org/schema/bom-1.6.schema.json"
IMAGE_REF = "caulk:image"


def _licenses(expressions: tuple[str, ...]) -> list[dict[str, Any]]:
    if not expressions:
        return []
    if all(is_spdx_id(e) for e in expressions):
        return [{"license": {"id": e}} for e in expressions]
    if all(" " not in e for e in expressions):  # single ids, some LicenseRef-…
        return [
            {"license": {"id": e}} if is_spdx_id(e) else {"license": {"name": e}}
            for e in expressions
        ]
    if len(expressions) == 1:
        return [{"expression": expressions[0]}]
    joined = " AND ".join(f"({e})" if " " in e else e for e in expressions)
    return [{"expression": joined}]


def _component(package: Package, ref: str) -> dict[str, Any]:
    component: dict[str, Any] = {"bom-ref": ref, "type": "library"}
    if package.type == "maven" and ":" in package.name:
        group, artifact = package.name.split(":", 1)
        component["group"] = group
        component["name"] = artifact
    else:
        component["name"] = package.name
    if package.version:
        component["version"] = package.version
    licenses = _licenses(package.licenses)
    if licenses:
        component["licenses"] = licenses
    component["purl"] = package.purl
    properties = [
        {"name": "caulk:package:type", "value": package.type},
        *(
            {"name": f"caulk:package:{key}", "value": value}
            for key, value in package.metadata
            if value
        ),
    ]
    if package.source_name:
        properties.append({"name": "caulk:package:source_name", "value": package.source_name})
    if package.source_version:
        properties.append({"name": "caulk:package:source_version", "value": package.source_version})
    if package.layer:
        properties.append({"name": "caulk:layer:diff_id", "value": package.layer})
    component["properties"] = sorted(properties, key=lambda p: (p["name"], p["value"]))
    if package.locations:
        component["evidence"] = {"occurrences": [{"location": loc} for loc in package.locations]}
    return component


def build_cyclonedx(
    catalog: Catalog, subject: SbomSubject, timestamp: str | None = None
) -> dict[str, Any]:
    """The CycloneDX document as a JSON-ready dict."""
    refs = package_refs(catalog)
    image: dict[str, Any] = {"bom-ref": IMAGE_REF, "type": "container", "name": subject.name}
    if subject.digest:
        image["version"] = subject.digest
    metadata: dict[str, Any] = {}
    if timestamp:
        metadata["timestamp"] = timestamp
    metadata["tools"] = {
        "components": [{"type": "application", "name": "caulk", "version": tool_version()}]
    }
    metadata["component"] = image

    components: list[dict[str, Any]] = []
    os_refs: list[str] = []
    other_refs: list[str] = []
    os_ref: str | None = None
    if catalog.os is not None:
        os = catalog.os
        os_ref = f"caulk:os:{os.id}@{os.version or os.version_id}"
        os_component: dict[str, Any] = {
            "bom-ref": os_ref,
            "type": "operating-system",
            "name": os.id,
        }
        if os.version or os.version_id:
            os_component["version"] = os.version or os.version_id
        if os.pretty_name:
            os_component["description"] = os.pretty_name
        if os.osv_ecosystem:
            os_component["properties"] = [
                {"name": "caulk:os:osv_ecosystem", "value": os.osv_ecosystem}
            ]
        components.append(os_component)
    for package, ref in zip(catalog.packages, refs, strict=True):
        components.append(_component(package, ref))
        (os_refs if package.type in OS_TYPES and os_ref else other_refs).append(ref)

    dependencies: list[dict[str, Any]] = []
    image_deps = ([os_ref] if os_ref else []) + other_refs
    dependencies.append({"ref": IMAGE_REF, "dependsOn": image_deps})
    if os_ref:
        dependencies.append({"ref": os_ref, "dependsOn": os_refs})

    body: dict[str, Any] = {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies,
    }
    fingerprint = json.dumps(body, sort_keys=True, separators=(",", ":"))
    serial = url_uuid5("caulk:cyclonedx:" + fingerprint)
    return {
        "$schema": SCHEMA,
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{serial}",
        "version": 1,
        "metadata": metadata,
        "components": components,
        "dependencies": dependencies,
    }


def render_cyclonedx(catalog: Catalog, subject: SbomSubject, timestamp: str | None = None) -> str:
    """CycloneDX 1.6 JSON text (two-space indent, trailing newline)."""
    return json.dumps(build_cyclonedx(catalog, subject, timestamp), indent=2) + "\n"


# --- vulnerabilities (``caulk scan --format cyclonedx``) -------------------------------------

_CDX_SEVERITY = {
    "critical": "critical",
    "high": "high",
    "medium": "medium",
    "low": "low",
    "negligible": "none",
    "unknown": "unknown",
}
_CDX_METHOD = {"CVSS_V2": "CVSSv2", "CVSS_V4": "CVSSv4"}
_VEX_JUSTIFICATION = {
    "component_not_present": "code_not_present",
    "vulnerable_code_not_present": "code_not_present",
    "vulnerable_code_not_in_execute_path": "code_not_reachable",
    "vulnerable_code_cannot_be_controlled_by_adversary": "requires_environment",
    "inline_mitigations_already_exist": "protected_by_mitigating_control",
}


def _cdx_vulnerability(vuln: Any, refs: list[str]) -> dict[str, Any]:
    """One ``vulnerabilities[]`` object for a :class:`caulk.vuln.matcher.Vulnerability`."""
    entry: dict[str, Any] = {
        "bom-ref": f"caulk:vulnerability:{vuln.id}",
        "id": vuln.id,
        "source": {"name": "OSV", "url": f"https://osv.dev/vulnerability/{vuln.id}"},
    }
    if vuln.aliases:
        entry["references"] = [
            {
                "id": alias,
                "source": {"name": "OSV", "url": f"https://osv.dev/vulnerability/{alias}"},
            }
            for alias in vuln.aliases
        ]
    rating: dict[str, Any] = {"severity": _CDX_SEVERITY.get(vuln.severity, "unknown")}
    if vuln.cvss_score is not None:
        rating["score"] = vuln.cvss_score
        vector = vuln.cvss_vector or ""
        if vuln.severity_source == "CVSS_V3":
            rating["method"] = "CVSSv31" if vector.startswith("CVSS:3.1") else "CVSSv3"
        else:
            rating["method"] = _CDX_METHOD.get(vuln.severity_source, "other")
        if vector:
            rating["vector"] = vector
    entry["ratings"] = [rating]
    if vuln.summary:
        entry["description"] = vuln.summary
    if vuln.fixed_version:
        entry["recommendation"] = f"Upgrade {vuln.source_package} to {vuln.fixed_version}"
    entry["affects"] = [
        {"ref": ref, "versions": [{"version": vuln.installed_version, "status": "affected"}]}
        for ref in refs
    ]
    return entry


def add_vulnerabilities(
    document: dict[str, Any], vulnerabilities: Any, suppressed: Any = ()
) -> dict[str, Any]:
    """``document`` (from :func:`build_cyclonedx`) with a CycloneDX ``vulnerabilities`` section.

    ``vulnerabilities`` are :class:`caulk.vuln.matcher.Vulnerability` values (one entry per
    ID, affecting every package it was found in); ``suppressed`` are
    :class:`caulk.vuln.vex.Suppression` values, written with ``analysis.state: not_affected``
    and the OpenVEX justification mapped to CycloneDX's. The serial number is recomputed.
    """
    by_purl: dict[str, str] = {}
    for component in document.get("components", []):
        purl = component.get("purl")
        if isinstance(purl, str):
            by_purl.setdefault(purl, component["bom-ref"])
    grouped: dict[str, tuple[Any, list[str]]] = {}
    for vuln in vulnerabilities:
        _, refs = grouped.setdefault(vuln.id, (vuln, []))
        ref = by_purl.get(vuln.purl, vuln.purl)
        if ref not in refs:
            refs.append(ref)
    entries = [_cdx_vulnerability(v, refs) for _, (v, refs) in sorted(grouped.items())]
    for item in suppressed:
        vuln, statement = item.vulnerability, item.statement
        entry = _cdx_vulnerability(vuln, [by_purl.get(vuln.purl, vuln.purl)])
        entry["bom-ref"] += f":vex:{vuln.package}"
        entry["affects"][0]["versions"][0]["status"] = "unaffected"
        analysis: dict[str, Any] = {"state": "not_affected"}
        justification = _VEX_JUSTIFICATION.get(statement.justification)
        if justification:
            analysis["justification"] = justification
        detail = statement.impact_statement or statement.justification
        analysis["detail"] = (
            f"{detail} (OpenVEX: {statement.origin})"
            if detail
            else (f"OpenVEX: {statement.origin}")
        )
        entry["analysis"] = analysis
        entries.append(entry)
    body = {k: v for k, v in document.items() if k != "serialNumber"}
    body["vulnerabilities"] = entries
    fingerprint = json.dumps(body, sort_keys=True, separators=(",", ":"))
    serial = url_uuid5("caulk:cyclonedx:" + fingerprint)
    out = {"$schema": body.pop("$schema"), "bomFormat": body.pop("bomFormat")}
    out["specVersion"] = body.pop("specVersion")
    out["serialNumber"] = f"urn:uuid:{serial}"
    out.update(body)
    return out
