"""SBOM writers: CycloneDX 1.6 JSON, SPDX 2.3 JSON and a plain table, from a catalog.

:mod:`.document` holds what they share (subject, timestamp policy, stable identifiers);
:func:`render` picks the writer by format name.
"""

from __future__ import annotations

from caulk.catalog.models import Catalog
from caulk.sbom.document import SbomSubject

FORMATS = ("cyclonedx-json", "spdx-json", "table")


def render(catalog: Catalog, subject: SbomSubject, fmt: str, timestamp: str | None = None) -> str:
    """The SBOM of ``catalog`` in format ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "cyclonedx-json":
        from caulk.sbom.cyclonedx import render_cyclonedx

        return render_cyclonedx(catalog, subject, timestamp)
    if fmt == "spdx-json":
        from caulk.sbom.spdx import render_spdx

        return render_spdx(catalog, subject, timestamp)
    if fmt == "table":
        from caulk.sbom.table import render_table

        return render_table(catalog, subject)
    raise ValueError(f"unknown SBOM format {fmt!r} (choose one of: {', '.join(FORMATS)})")


__all__ = ["FORMATS", "SbomSubject", "render"]
