"""``caulk scan --format markdown``: a report in the shape of Docker Scout's ``cves`` markdown.

reference/scout-grade-and-scanners.md §2.3: an
``<h2>:mag: Vulnerabilities of <code>IMG</code></h2>`` heading, an "Image Reference" table with
severity badges (scout-action's colours), then one collapsible section per vulnerable package
listing its vulnerabilities as badges with the installed and fixed versions, the policy results
and the health score with its points.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from caulk.policy.model import Status
from caulk.render.scan_common import (
    count_badges,
    human_size,
    osv_url,
    short_digest,
    sorted_by_severity,
    vulnerability_badge,
)
from caulk.scan import ScanResult, severity_counts
from caulk.vuln.matcher import Vulnerability

_STATUS = {
    Status.PASSED: ":white_check_mark:",
    Status.FAILED: ":x:",
    Status.NO_DATA: ":grey_question:",
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def policy_table(result: ScanResult) -> list[str]:
    """A Markdown table of the policies and the health-score line."""
    lines = [
        f"**Health score: {result.grade.text}** — {result.grade.points} of "
        f"{result.grade.total} points",
        "",
        "| Status | Policy | Weight | Results |",
        "|:------:|--------|-------:|---------|",
    ]
    for p in result.policies:
        details = "<br/>".join(_e(d) for d in p.details[:5])
        results = _e(p.summary or p.status.value) + (f"<br/>{details}" if details else "")
        lines.append(f"| {_STATUS[p.status]} | {_e(p.name)} | {p.weight} | {results} |")
    return lines


def _package_sections(vulns: Iterable[Vulnerability]) -> list[str]:
    by_package: dict[tuple[str, str, str], list[Vulnerability]] = {}
    for v in vulns:
        by_package.setdefault((v.package_type, v.package, v.installed_version), []).append(v)
    order = sorted(
        by_package.items(),
        key=lambda item: (
            tuple(-c for c in severity_counts(item[1]).values()),
            item[0],
        ),
    )
    lines: list[str] = []
    for (ptype, name, version), items in order:
        counts = severity_counts(items)
        lines += [
            "<table>",
            '<tr><td valign="top">',
            f'<details><summary><img alt="{ptype}" '
            f'src="https://img.shields.io/badge/{ptype}-lightgrey"/> '
            f"<strong>{_e(name)}</strong> <code>{_e(version)}</code> "
            f"{count_badges(counts, short=True)}</summary>",
            "<table>",
            "<tr><th>Vulnerability</th><th>Affected (source)</th><th>Fixed version</th></tr>",
        ]
        for v in sorted_by_severity(items):
            score = f" {v.cvss_score:.1f}" if v.cvss_score is not None else ""
            fixed = f"<code>{_e(v.fixed_version)}</code>" if v.fixed_version else "not fixed"
            lines.append(
                f'<tr><td><a href="{osv_url(v.id)}">{vulnerability_badge(v.id, v.severity)}</a>'
                f"{_e(score)}</td><td><code>{_e(v.source_package)} {_e(v.source_version)}</code>"
                f"</td><td>{fixed}</td></tr>"
            )
        lines += ["</table>", "</details></td></tr>", "</table>", ""]
    return lines


def render_scan_markdown(result: ScanResult) -> str:
    image = result.image
    counts = result.counts
    lines = [
        f"<h2>:mag: Vulnerabilities of <code>{_e(image.reference)}</code></h2>",
        "",
        '<details open="true"><summary>:package: Image Reference</strong> '
        f"<code>{_e(image.reference)}</code></summary>",
        "<table>",
        f"<tr><td>digest</td><td><code>{_e(short_digest(image.digest))}</code></td></tr>",
        f"<tr><td>vulnerabilities</td><td>{count_badges(counts)}</td></tr>",
        f"<tr><td>platform</td><td>{_e(image.platform or 'unknown')}</td></tr>",
        f"<tr><td>size</td><td>{_e(human_size(image.compressed_size))}</td></tr>",
        f"<tr><td>packages</td><td>{len(result.packages)}</td></tr>",
    ]
    if image.base_image is not None:
        lines.append(
            f"<tr><td>base image</td><td><code>{_e(image.base_image.reference)}</code></td></tr>"
        )
    lines += ["</table>", "</details>", ""]
    lines += _package_sections(result.vulnerabilities)
    if result.suppressed:
        lines += [
            f"<details><summary><strong>Suppressed by VEX</strong> ({len(result.suppressed)})"
            "</summary>",
            "",
            "| Vulnerability | Package | Status | Justification | Source |",
            "|---|---|---|---|---|",
        ]
        for item in result.suppressed:
            v, st = item.vulnerability, item.statement
            lines.append(
                f"| {_e(v.id)} | {_e(v.package)} {_e(v.installed_version)} | {st.status} | "
                f"{_e(st.justification or st.impact_statement or '—')} | {_e(st.origin)} |"
            )
        lines += ["", "</details>", ""]
    lines += policy_table(result)
    if result.warnings:
        lines += ["", "<details><summary>Warnings</summary>", ""]
        lines += [f"- {_e(w)}" for w in result.warnings]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
