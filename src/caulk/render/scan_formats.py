"""Picks the renderer of a scan result by format name (``caulk scan --format``)."""

from __future__ import annotations

from caulk.scan import ScanResult

SCAN_FORMATS = ("table", "json", "sarif", "markdown", "cyclonedx")


def render_cyclonedx_scan(result: ScanResult) -> str:
    """CycloneDX 1.6 JSON: the SBOM of the scanned packages plus ``vulnerabilities``."""
    import json

    from caulk.catalog.models import Catalog
    from caulk.sbom.cyclonedx import add_vulnerabilities, build_cyclonedx
    from caulk.sbom.document import SbomSubject, document_time

    image = result.image
    subject = SbomSubject(name=image.reference, digest=image.digest, created=image.created)
    catalog = Catalog(packages=result.packages, os=image.os)
    document = build_cyclonedx(catalog, subject, document_time(False))
    document = add_vulnerabilities(document, result.vulnerabilities, result.suppressed)
    return json.dumps(document, indent=2) + "\n"


def render_scan(result: ScanResult, fmt: str) -> str:
    """``result`` in format ``fmt`` (one of :data:`SCAN_FORMATS`)."""
    if fmt == "json":
        from caulk.render.scan_json import render_scan_json

        return render_scan_json(result)
    if fmt == "sarif":
        from caulk.render.scan_sarif import render_scan_sarif

        return render_scan_sarif(result)
    if fmt == "markdown":
        from caulk.render.scan_markdown import render_scan_markdown

        return render_scan_markdown(result)
    if fmt == "cyclonedx":
        return render_cyclonedx_scan(result)
    if fmt == "table":
        from caulk.render.scan_table import render_scan_table

        return render_scan_table(result)
    raise ValueError(f"unknown scan format {fmt!r} (choose one of: {', '.join(SCAN_FORMATS)})")
