"""``caulk scan`` default output: a plain-text report shaped like ``docker scout quickview``.

Overview (target, digest, platform, OS, base, packages, vulnerability counts), the
vulnerabilities worst first, what VEX suppressed and why, the policy block with Scout's glyphs
(``✓`` passed, ``!`` failed, ``?`` no data) and the health score with the points behind it
(reference/scout-grade-and-scanners.md §2.1). Plain text, stable, no colour: it is read in CI
logs as often as in terminals.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from caulk.policy.model import Status
from caulk.render.scan_common import counts_text, human_size, short_digest, sorted_by_severity
from caulk.scan import ScanResult


def _table(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def policy_block(result: ScanResult) -> list[str]:
    """``Policy status  FAILED  (4/7 policies met, 1 missing data)`` and the policy table."""
    policies = result.policies
    if not policies:
        return ["Policy status  no policies enabled"]
    met = sum(1 for p in policies if p.status is Status.PASSED)
    missing = sum(1 for p in policies if p.status is Status.NO_DATA)
    overall = "PASSED" if met == len(policies) else "FAILED"
    head = f"Policy status  {overall}  ({met}/{len(policies)} policies met"
    head += f", {missing} missing data)" if missing else ")"
    rows = [("Status", "Policy", "Weight", "Results")]
    rows.extend(
        (p.status.glyph, p.name, str(p.weight), p.summary or p.status.value) for p in policies
    )
    lines = [head, *_table(rows)]
    for policy in policies:
        if policy.status is not Status.PASSED:
            lines.extend(f"    {policy.name}: {detail}" for detail in policy.details[:10])
            if len(policy.details) > 10:
                lines.append(f"    {policy.name}: … {len(policy.details) - 10} more")
    return lines


def grade_lines(result: ScanResult) -> list[str]:
    """``Health score  B (83.3%)`` and the arithmetic that gives it."""
    grade = result.grade
    lines = [f"Health score  {grade.text}"]
    if grade.total:
        lines.append(
            f"  {grade.points} of {grade.total} points: {grade.passed} passed, "
            f"{grade.failed} failed, {grade.no_data} no data "
            "(A > 90% > B > 70% > C > 50% > D > 30% > E > 10% ≥ F)"
        )
    counts = result.counts
    lines.append(
        f"  vulnerabilities {counts_text(counts)}; "
        f"fixable {len({v.id for v in result.vulnerabilities if v.fixable})}"
    )
    return lines


def render_scan_table(result: ScanResult) -> str:
    image = result.image
    types = Counter(p.type for p in result.packages)
    package_text = f"{len(result.packages)}"
    if types:
        package_text += " (" + ", ".join(f"{n} {t}" for t, n in sorted(types.items())) + ")"
    overview = [
        ("Target", image.reference),
        ("digest", short_digest(image.digest)),
        ("platform", image.platform or "unknown"),
    ]
    if image.os is not None:
        os_text = image.os.pretty_name or image.os.id
        if image.os.osv_ecosystem:
            os_text += f" ({image.os.osv_ecosystem})"
        overview.append(("os", os_text))
    if image.base_image is not None:
        overview.append(("base image", f"{image.base_image.reference} ({image.base_image.source})"))
    overview += [
        ("size", human_size(image.compressed_size)),
        ("packages", package_text),
        ("vulnerabilities", counts_text(result.counts)),
    ]
    database = result.database or "—"
    if result.database_updated is not None:
        database += f" (updated {result.database_updated:%Y-%m-%d %H:%M} UTC)"
    overview.append(("database", database))
    lines = _table(overview, indent="")
    lines.append("")

    if result.vulnerabilities:
        lines.append(f"Vulnerabilities ({len(result.vulnerabilities)} findings)")
        rows = [("SEVERITY", "ID", "PACKAGE", "INSTALLED", "FIXED", "SOURCE")]
        for v in sorted_by_severity(result.vulnerabilities):
            severity = v.severity.upper()
            if v.cvss_score is not None:
                severity += f" {v.cvss_score:.1f}"
            rows.append(
                (
                    severity,
                    v.id,
                    v.package,
                    v.installed_version,
                    v.fixed_version or "(not fixed)",
                    f"{v.source_package} ({v.ecosystem})",
                )
            )
        lines.extend(_table(rows))
    else:
        lines.append("Vulnerabilities: none found")
    if result.suppressed:
        lines.append("")
        lines.append(f"Suppressed by VEX ({len(result.suppressed)})")
        for item in result.suppressed:
            v, st = item.vulnerability, item.statement
            why = st.justification or st.impact_statement or "no justification given"
            lines.append(f"  {v.id}  {v.package} {v.installed_version}: {st.status}, {why}")
            lines.append(f"      from {st.origin}")
    lines.append("")
    lines.extend(policy_block(result))
    lines.append("")
    lines.extend(grade_lines(result))
    for warning in result.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"
