"""SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/) for a catalog.

**Written directly as JSON rather than through spdx-tools:** spdx-tools is a development
dependency only (its import alone costs ~0.2 s and it pulls in several libraries), while the
2.3 JSON document caulk needs is a small, fixed shape. The tests parse and validate every
output with spdx-tools 0.8.5 (0 validation messages), so the library is the judge of the
format.

Shape (close to Trivy's): the image is a package (``primaryPackagePurpose: CONTAINER``) that
the document ``DESCRIBES``; it ``CONTAINS`` the operating system (``OPERATING-SYSTEM``), which
``CONTAINS`` the OS packages; language packages are ``CONTAINS``-ed by the image. Each package
has its purl as a ``PACKAGE-MANAGER`` external reference, ``licenseDeclared`` (the AND of its
expressions, else ``NOASSERTION``), ``sourceInfo`` naming the source package, and annotations
for its layer and evidence files. Every ``LicenseRef-…`` used is declared in
``hasExtractedLicensingInfos`` as SPDX requires. ``created`` follows
:mod:`caulk.sbom.document`'s timestamp policy; ``documentNamespace`` is a UUIDv5 of the content.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from caulk.catalog.licenses import license_refs
from caulk.catalog.models import OS_TYPES, Catalog, Package
from caulk.sbom.document import (
    EPOCH,
    SbomSubject,
    normalize_time,
    spdx_id,
    tool_version,
    url_uuid5,
)

NAMESPACE_BASE = "https://github.com/caulk-dev/caulk/spdx"
IMAGE_ID = "SPDXRef-Image"
NOASSERTION = "NOASSERTION"


def _declared(expressions: tuple[str, ...]) -> str:
    if not expressions:
        return NOASSERTION
    if len(expressions) == 1:
        return expressions[0]
    return " AND ".join(f"({e})" if " " in e else e for e in expressions)


def _annotation(comment: str, created: str, tool: str) -> dict[str, str]:
    return {
        "annotationDate": created,
        "annotationType": "OTHER",
        "annotator": f"Tool: {tool}",
        "comment": comment,
    }


def _package(package: Package, created: str, tool: str) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "SPDXID": spdx_id(package),
        "name": package.name,
    }
    if package.version:
        entry["versionInfo"] = package.version
    entry["downloadLocation"] = NOASSERTION
    entry["filesAnalyzed"] = False
    if package.type in OS_TYPES and package.source_name:
        entry["sourceInfo"] = (
            f"built package from: {package.source_name} {package.source_version}".rstrip()
        )
    entry["licenseConcluded"] = NOASSERTION
    entry["licenseDeclared"] = _declared(package.licenses)
    entry["copyrightText"] = NOASSERTION
    entry["externalRefs"] = [
        {
            "referenceCategory": "PACKAGE-MANAGER",
            "referenceType": "purl",
            "referenceLocator": package.purl,
        }
    ]
    entry["primaryPackagePurpose"] = "LIBRARY"
    notes = [f"caulk:location: {location}" for location in package.locations]
    if package.layer:
        notes.append(f"caulk:layer:diff_id: {package.layer}")
    if notes:
        entry["annotations"] = [_annotation(note, created, tool) for note in notes]
    return entry


def build_spdx(
    catalog: Catalog, subject: SbomSubject, timestamp: str | None = None
) -> dict[str, Any]:
    """The SPDX document as a JSON-ready dict."""
    created = timestamp or normalize_time(subject.created) or EPOCH
    tool = f"caulk-{tool_version()}"
    image: dict[str, Any] = {"SPDXID": IMAGE_ID, "name": subject.name}
    if subject.digest:
        image["versionInfo"] = subject.digest
    image.update(
        {
            "downloadLocation": NOASSERTION,
            "filesAnalyzed": False,
            "licenseConcluded": NOASSERTION,
            "licenseDeclared": NOASSERTION,
            "copyrightText": NOASSERTION,
            "primaryPackagePurpose": "CONTAINER",
        }
    )
    packages: list[dict[str, Any]] = [image]
    relationships: list[dict[str, str]] = [
        {
            "spdxElementId": "SPDXRef-DOCUMENT",
            "relationshipType": "DESCRIBES",
            "relatedSpdxElement": IMAGE_ID,
        }
    ]
    os_id: str | None = None
    if catalog.os is not None:
        os = catalog.os
        os_id = "SPDXRef-OperatingSystem-" + re.sub(r"[^A-Za-z0-9.\-]+", "-", os.id)
        os_package: dict[str, Any] = {"SPDXID": os_id, "name": os.id}
        if os.version or os.version_id:
            os_package["versionInfo"] = os.version or os.version_id
        os_package.update(
            {
                "downloadLocation": NOASSERTION,
                "filesAnalyzed": False,
                "licenseConcluded": NOASSERTION,
                "licenseDeclared": NOASSERTION,
                "copyrightText": NOASSERTION,
                "primaryPackagePurpose": "OPERATING-SYSTEM",
            }
        )
        if os.pretty_name:
            os_package["description"] = os.pretty_name
        packages.append(os_package)
        relationships.append(
            {"spdxElementId": IMAGE_ID, "relationshipType": "CONTAINS", "relatedSpdxElement": os_id}
        )
    refs: list[str] = []
    used: dict[str, int] = {}
    for package in catalog.packages:
        entry = _package(package, created, tool)
        count = used.get(entry["SPDXID"], 0) + 1
        used[entry["SPDXID"]] = count
        if count > 1:  # the same purl at the same location twice (a repeated stanza)
            entry["SPDXID"] = f"{entry['SPDXID']}-{count}"
        packages.append(entry)
        parent = os_id if (os_id and package.type in OS_TYPES) else IMAGE_ID
        relationships.append(
            {
                "spdxElementId": parent,
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": entry["SPDXID"],
            }
        )
        for expression in package.licenses:
            refs.extend(license_refs(expression))
    extracted = [
        {
            "licenseId": ref,
            "name": ref.removeprefix("LicenseRef-"),
            "extractedText": (
                f'The package metadata names the licence "{ref.removeprefix("LicenseRef-")}", '
                "which is not on the SPDX License List; its text is not included."
            ),
        }
        for ref in sorted(set(refs))
    ]
    body: dict[str, Any] = {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": subject.name,
        "creationInfo": {"created": created, "creators": [f"Tool: {tool}"]},
        "packages": packages,
        "relationships": relationships,
    }
    if extracted:
        body["hasExtractedLicensingInfos"] = extracted
    fingerprint = hashlib.sha256(
        json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")
    ).hexdigest()
    name = re.sub(r"[^A-Za-z0-9._\-]+", "-", subject.name).strip("-") or "image"
    unique = url_uuid5("caulk:spdx:" + fingerprint)
    document: dict[str, Any] = {
        "spdxVersion": body["spdxVersion"],
        "dataLicense": body["dataLicense"],
        "SPDXID": body["SPDXID"],
        "name": body["name"],
        "documentNamespace": f"{NAMESPACE_BASE}/{name}-{unique}",
        "creationInfo": body["creationInfo"],
        "packages": packages,
        "relationships": relationships,
    }
    if extracted:
        document["hasExtractedLicensingInfos"] = extracted
    return document


def render_spdx(catalog: Catalog, subject: SbomSubject, timestamp: str | None = None) -> str:
    """SPDX 2.3 JSON text (two-space indent, trailing newline)."""
    return json.dumps(build_spdx(catalog, subject, timestamp), indent=2) + "\n"
