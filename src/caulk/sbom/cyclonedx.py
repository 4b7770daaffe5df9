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
import uuid
from typing import Any

from caulk.catalog.licenses import is_spdx_id
from caulk.catalog.models import Catalog, Package
from caulk.sbom.document import OS_TYPES, SbomSubject, package_refs, tool_version

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
    serial = uuid.uuid5(uuid.NAMESPACE_URL, "caulk:cyclonedx:" + fingerprint)
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
