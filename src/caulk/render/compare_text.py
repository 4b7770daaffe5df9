"""``caulk compare --format text``: the layout of ``docker scout compare``'s text output.

``## Overview`` as a two-column table (Analyzed Image = B, Comparison Image = A) with deltas on
the analyzed side, then ``## Labels``, ``## Packages and Vulnerabilities`` (``+`` added, ``-``
removed, ``↑``/``↓``-less ``±`` updated, each with the vulnerabilities it adds or removes), the
vulnerabilities added and removed, and the policies with both statuses and the health scores
(``Health score  Analyzed B (83%)  Comparison C (65%)``; reference/scout-grade-and-scanners.md
§1.2 and §2.2).
"""

from __future__ import annotations

from collections.abc import Sequence

from caulk.compare import Comparison
from caulk.render.scan_common import (
    count_with_delta,
    counts_text,
    delta_text,
    human_size,
    short_digest,
    size_with_delta,
)
from caulk.scan import ScanResult


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        (indent + "  │  ".join(c.ljust(widths[i]) for i, c in enumerate(row))).rstrip()
        for row in rows
    ]


def _deltas(c: Comparison) -> str:
    delta = c.counts_delta
    parts = [delta_text(delta[level]) for level in ("critical", "high", "medium", "low")]
    return " ".join(p.rjust(4) for p in parts)


def overview_rows(c: Comparison) -> list[tuple[str, str, str]]:
    a, b = c.a.image, c.b.image

    def tagged(result: ScanResult) -> str:
        return result.image.tag or "—"

    size_b = size_with_delta(b.compressed_size, c.size_delta)
    packages_b = count_with_delta(len(c.b.packages), c.package_delta)
    rows = [
        ("", "Analyzed Image", "Comparison Image"),
        ("Target", b.reference, a.reference),
        ("  digest", short_digest(b.digest), short_digest(a.digest)),
        ("  tag", tagged(c.b), tagged(c.a)),
        ("  platform", b.platform or "unknown", a.platform or "unknown"),
    ]
    if a.provenance or b.provenance:
        rows.append(("  provenance", b.provenance or "—", a.provenance or "—"))
    rows += [
        ("  vulnerabilities", counts_text(c.counts_b), counts_text(c.counts_a)),
        ("", _deltas(c), ""),
        ("  size", size_b, human_size(a.compressed_size)),
        ("  packages", packages_b, str(len(c.a.packages))),
    ]
    if a.base_image or b.base_image:
        rows.append(
            (
                "Base image",
                b.base_image.reference if b.base_image else "—",
                a.base_image.reference if a.base_image else "—",
            )
        )
    return rows


def render_compare_text(c: Comparison) -> str:
    lines = ["## Overview", ""]
    lines += _table(overview_rows(c))
    lines += ["", "## Labels", ""]
    if not c.labels:
        lines.append(f"  no changes ({c.labels_unchanged} unchanged)")
    for label in c.labels:
        if label.kind in ("removed", "changed"):
            lines.append(f"  - {label.key}={label.a}")
        if label.kind in ("added", "changed"):
            lines.append(f"  + {label.key}={label.b}")
    added, removed, updated = (c.changes_of(k) for k in ("added", "removed", "updated"))
    lines += [
        "",
        "## Packages and Vulnerabilities",
        "",
        f"  {len(added)} packages added, {len(removed)} removed, {len(updated)} updated, "
        f"{c.packages_unchanged} unchanged",
        f"  {len(c.vulnerabilities_added)} vulnerabilities added, "
        f"{len(c.vulnerabilities_removed)} removed",
    ]
    for ptype in sorted({p.type for p in c.packages}):
        group = [p for p in c.packages if p.type == ptype]
        lines += ["", f"  {ptype} ({len(group)} changes)"]
        for change in group:
            mark = {"added": "+", "removed": "-", "updated": "±"}[change.kind]
            va = ", ".join(change.versions_a) or "—"
            vb = ", ".join(change.versions_b) or "—"
            version = (
                vb
                if change.kind == "added"
                else va
                if change.kind == "removed"
                else (f"{va} → {vb}")
            )
            lines.append(f"    {mark} {change.name} {version}")
            for v in change.vulnerabilities_added:
                lines.append(f"        + {v.id} ({v.severity})")
            for v in change.vulnerabilities_removed:
                lines.append(f"        - {v.id} ({v.severity})")
    if c.vulnerabilities_added or c.vulnerabilities_removed:
        lines += ["", "## Vulnerabilities", ""]
        for v in c.vulnerabilities_added:
            fixed = f", fixed in {v.fixed_version}" if v.fixed_version else ""
            lines.append(f"  + {v.id} ({v.severity}) in {v.package} {v.installed_version}{fixed}")
        for v in c.vulnerabilities_removed:
            lines.append(f"  - {v.id} ({v.severity}) in {v.package} {v.installed_version}")
    lines += ["", "## Policies", ""]
    rows = [("Status", "Policy", "Analyzed", "Comparison")]
    for p in c.policies:
        glyph = p.b.glyph if p.b else " "
        note = "" if not p.changed else "  (changed)"
        rows.append(
            (
                glyph,
                p.name,
                (p.b.value if p.b else "—") + note,
                p.a.value if p.a else "—",
            )
        )
    lines += _table(rows)
    lines += [
        "",
        f"Health score  Analyzed {c.b.grade.text}  Comparison {c.a.grade.text}",
    ]
    return "\n".join(lines) + "\n"
