"""``caulk compare --format markdown``: a pull-request comment in docker/scout-action's format.

Follows the conventions users know from scout-action's compare comment
(reference/scout-grade-and-scanners.md §2.3): a ``## Overview`` table (baseline A, then B with
its deltas), collapsible ``<details>`` sections **Labels** (a ``diff`` block) and **Packages
and Vulnerabilities** (``:heavy_plus_sign:`` added, ``:heavy_minus_sign:`` removed,
``:arrow_up:`` updated; one collapsible table per package type with the versions in A and B,
per-package severity badges and the added/removed vulnerability badges), then **Policies**
with both statuses and the health scores. Badges: shields.io, scout-action's colours
(critical ``8b1924``, high ``e25d68``, medium ``fbb552``, low ``fce1a9``, zero ``lightgrey``),
``-`` doubled in CVE badges.
"""

from __future__ import annotations

import html

from caulk.compare import Comparison, PackageChange
from caulk.policy.model import Status
from caulk.render.scan_common import (
    count_badges,
    count_with_delta,
    delta_text,
    human_size,
    short_digest,
    size_with_delta,
    vulnerability_badge,
)

_STATUS = {
    Status.PASSED: ":white_check_mark: passed",
    Status.FAILED: ":x: failed",
    Status.NO_DATA: ":grey_question: no data",
}
_MARK = {"added": ":heavy_plus_sign:", "removed": ":heavy_minus_sign:", "updated": ":arrow_up:"}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _code(text: str | None) -> str:
    return f"`{text}`" if text else "—"


def _overview(c: Comparison) -> list[str]:
    a, b = c.a.image, c.b.image
    deltas = " ".join(
        f"{level[0].upper()}{delta_text(c.counts_delta[level])}"
        for level in ("critical", "high", "medium", "low")
        if c.counts_delta[level]
    )
    size_b = size_with_delta(b.compressed_size, c.size_delta)
    packages_b = count_with_delta(len(c.b.packages), c.package_delta)
    rows = [
        "| Image reference | " + f"{_code(a.reference)} | {_code(b.reference)} |",
        "|-----------------|---------------------------|---------------------------|",
        f"| - digest | {_code(short_digest(a.digest))} | {_code(short_digest(b.digest))} |",
        f"| - tag | {_code(a.tag)} | {_code(b.tag)} |",
    ]
    if a.provenance or b.provenance:
        rows.append(f"| - provenance | {a.provenance or '—'} | {b.provenance or '—'} |")
    rows += [
        f"| - vulnerabilities | {count_badges(c.counts_a)} | {count_badges(c.counts_b)}"
        + (f"<br/>{deltas}" if deltas else "")
        + " |",
        f"| - platform | {a.platform or 'unknown'} | {b.platform or 'unknown'} |",
        f"| - size | {human_size(a.compressed_size)} | {size_b} |",
        f"| - packages | {len(c.a.packages)} | {packages_b} |",
    ]
    if a.base_image or b.base_image:
        rows.append(
            "| **Base Image** | "
            f"{_code(a.base_image.reference if a.base_image else None)} | "
            f"{_code(b.base_image.reference if b.base_image else None)} |"
        )
    rows.append(f"| **Health score** | {c.a.grade.text} | {c.b.grade.text} |")
    return ["## Overview", "", *rows, ""]


def _labels(c: Comparison) -> list[str]:
    counts = {k: sum(1 for ch in c.labels if ch.kind == k) for k in ("added", "removed", "changed")}
    lines = [
        f"<details><summary><strong>Labels</strong> ({len(c.labels)} changes)</summary>",
        "",
    ]
    if counts["added"]:
        lines.append(f"> * `+` {counts['added']} added")
    if counts["removed"]:
        lines.append(f"> * `-` {counts['removed']} removed")
    if counts["changed"]:
        lines.append(f"> * `±` {counts['changed']} changed")
    lines += [f"> * _{c.labels_unchanged} unchanged_", ""]
    if c.labels:
        lines.append("```diff")
        for change in c.labels:
            if change.a is not None:
                lines.append(f"-{change.key}={change.a}")
            if change.b is not None:
                lines.append(f"+{change.key}={change.b}")
        lines.append("```")
    lines += ["</details>", ""]
    return lines


def _vuln_list(title: str, vulns: tuple[object, ...]) -> str:
    from caulk.vuln.matcher import Vulnerability

    items = "".join(
        f"<li>{vulnerability_badge(v.id, v.severity)}</li>"
        for v in vulns
        if isinstance(v, Vulnerability)
    )
    return f"<strong>{title} ({len(vulns)}):</strong><br/><ul>{items}</ul>"


def _package_rows(change: PackageChange) -> list[str]:
    va = "<br/>".join(f"<code>{_e(v)}</code>" for v in change.versions_a)
    vb = "<br/>".join(f"<code>{_e(v)}</code>" for v in change.versions_b)
    rows = [
        f' <tr><td valign="top">{_MARK[change.kind]}</td><td valign="top"><strong>'
        f'{_e(change.name)}</strong></td><td valign="top">{va}</td><td valign="top">{vb}</td></tr>'
    ]
    if any(change.counts_a.values()) or any(change.counts_b.values()):
        rows.append(
            f' <tr><td colspan="2"></td><td valign="top">{count_badges(change.counts_a, True)}'
            f'</td><td valign="top">{count_badges(change.counts_b, True)}</td></tr>'
        )
    if change.vulnerabilities_removed or change.vulnerabilities_added:
        removed = (
            _vuln_list("Removed vulnerabilities", change.vulnerabilities_removed)
            if change.vulnerabilities_removed
            else ""
        )
        added = (
            _vuln_list("Added vulnerabilities", change.vulnerabilities_added)
            if change.vulnerabilities_added
            else ""
        )
        rows.append(
            f' <tr><td colspan="2"></td><td valign="top">{removed}</td>'
            f'<td valign="top">{added}</td></tr>'
        )
    return rows


def _packages(c: Comparison) -> list[str]:
    vuln_changes = len(c.vulnerabilities_added) + len(c.vulnerabilities_removed)
    lines = [
        "<details><summary><strong>Packages and Vulnerabilities</strong> "
        f"({len(c.packages)} package changes and {vuln_changes} vulnerability changes)</summary>",
        "",
    ]
    for kind, word in (("added", "added"), ("removed", "removed"), ("updated", "updated")):
        count = len(c.changes_of(kind))
        if count:
            lines.append(f"> * {_MARK[kind]} {count} packages {word}")
    lines += [f"> * {c.packages_unchanged} packages unchanged", ""]
    if c.vulnerabilities_added:
        lines.append(
            f"> * :heavy_exclamation_mark: {len(c.vulnerabilities_added)} vulnerabilities added"
        )
    if c.vulnerabilities_removed:
        lines.append(
            f"> * :heavy_check_mark: {len(c.vulnerabilities_removed)} vulnerabilities removed"
        )
    header = (
        ' <tr><th></th><th valign="top">Package</th>'
        f'<th valign="top">Version<br/><code>{_e(c.a.image.reference)}</code></th>'
        f'<th valign="top">Version<br/><code>{_e(c.b.image.reference)}</code></th></tr>'
    )
    for ptype in sorted({p.type for p in c.packages}):
        group = [p for p in c.packages if p.type == ptype]
        lines += [
            f"<details><summary>Changes for packages of type <code>{_e(ptype)}</code> "
            f"({len(group)} changes)</summary>",
            "<table>",
            header,
        ]
        for change in group:
            lines += _package_rows(change)
        lines += ["</table>", "</details>"]
    lines += ["</details>", ""]
    if c.vulnerabilities_added or c.vulnerabilities_removed:
        lines += [
            "<details><summary><strong>Vulnerabilities</strong> "
            f"({len(c.vulnerabilities_added)} added, {len(c.vulnerabilities_removed)} removed)"
            "</summary>",
            "",
            "| | Vulnerability | Package | Fixed version |",
            "|---|---|---|---|",
        ]
        for mark, vulns in (("+", c.vulnerabilities_added), ("-", c.vulnerabilities_removed)):
            for v in vulns:
                lines.append(
                    f"| {mark} | {vulnerability_badge(v.id, v.severity)} | "
                    f"`{v.package} {v.installed_version}` | {_code(v.fixed_version)} |"
                )
        lines += ["", "</details>", ""]
    return lines


def _policies(c: Comparison) -> list[str]:
    changed = sum(1 for p in c.policies if p.changed)
    lines = [
        f"<details><summary><strong>Policies</strong> ({changed} changes)</summary>",
        "",
        f"| Policy | {_code(c.a.image.reference)} | {_code(c.b.image.reference)} |",
        "|---|---|---|",
    ]
    for p in c.policies:
        name = f"**{_e(p.name)}**" if p.changed else _e(p.name)
        sa = _STATUS[p.a] if p.a else "—"
        sb = _STATUS[p.b] if p.b else "—"
        lines.append(f"| {name} | {sa} | {sb} |")
    lines += [
        f"| **Health score** | {c.a.grade.text} | {c.b.grade.text} |",
        "",
        "</details>",
    ]
    return lines


def render_compare_markdown(c: Comparison) -> str:
    lines = _overview(c) + _labels(c) + _packages(c) + _policies(c)
    return "\n".join(lines) + "\n"
