"""A plain-text table of a catalog, for people (``caulk sbom --format table``).

Columns: name, version, type, source (``name version`` when it differs from the package) and
the first 12 hex digits of the layer's diff_id. Rows in the catalog's order; a header line names
the operating system and the counts. No colours, so it pipes and diffs cleanly.
"""

from __future__ import annotations

from collections import Counter

from caulk.catalog.models import Catalog, Package
from caulk.sbom.document import SbomSubject

HEADERS = ("NAME", "VERSION", "TYPE", "SOURCE", "LAYER")


def _source(package: Package) -> str:
    if (package.source_name, package.source_version) in (
        ("", ""),
        (package.name, package.version),
    ):
        return ""
    if package.source_version and package.source_version != package.version:
        return f"{package.source_name} {package.source_version}"
    return package.source_name if package.source_name != package.name else ""


def _layer(layer: str | None) -> str:
    if not layer:
        return ""
    return layer.split(":", 1)[-1][:12]


def render_table(catalog: Catalog, subject: SbomSubject) -> str:
    """The table as text with a trailing newline."""
    counts = Counter(p.type for p in catalog.packages)
    summary = ", ".join(f"{n} {t}" for t, n in sorted(counts.items())) or "no packages"
    lines = [f"{subject.name}" + (f" ({subject.digest})" if subject.digest else "")]
    if catalog.os is not None:
        ecosystem = f" [{catalog.os.osv_ecosystem}]" if catalog.os.osv_ecosystem else ""
        lines.append(f"OS: {catalog.os.pretty_name or catalog.os.id}{ecosystem}")
    lines.append(f"Packages: {len(catalog.packages)} ({summary})")
    lines.append("")
    rows = [HEADERS] + [
        (p.name, p.version, p.type, _source(p), _layer(p.layer)) for p in catalog.packages
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(lines) + "\n"
