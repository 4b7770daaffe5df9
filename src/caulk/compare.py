"""``caulk compare A B``: what changed from image A (the baseline, e.g. ``main``) to image B.

What ``docker scout compare`` shows (reference/scout-grade-and-scanners.md §2.2): an overview
(digest, tag, platform, size and package count with deltas, vulnerabilities by severity with
deltas, health score), label changes, package changes grouped by type (added, removed, updated)
with the vulnerabilities each change brings or removes, the vulnerabilities added and removed
overall, and the policies whose status changed. Deltas are B − A ("B has 3 more").

Identities: a package is ``(type, name)`` (several installed versions of one name count as one
package whose versions changed); a vulnerability is ``(ID, package type, package name)`` for the
per-package view and its ID for the image-wide added/removed lists and the exit decision.

:attr:`Comparison.worse_vulnerabilities` — B has a vulnerability ID that A has not.
:attr:`Comparison.worse_policies` — some policy's status is lower in B (passed > no data >
failed), or B's grade has fewer points out of the same total (``--exit-on policy``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caulk.catalog.models import Package
from caulk.policy.model import PolicyResult, Status
from caulk.scan import ScanResult, severity_counts
from caulk.vuln.matcher import Vulnerability

__all__ = [
    "Comparison",
    "LabelChange",
    "PackageChange",
    "PolicyChange",
    "compare_results",
]

_STATUS_RANK = {Status.PASSED: 2, Status.NO_DATA: 1, Status.FAILED: 0}


@dataclass(frozen=True, slots=True)
class LabelChange:
    """A config label that differs."""

    key: str
    kind: str
    """``added``, ``removed`` or ``changed``."""
    a: str | None
    b: str | None


@dataclass(frozen=True, slots=True)
class PackageChange:
    """A package that was added, removed or whose version changed."""

    type: str
    name: str
    kind: str
    """``added``, ``removed`` or ``updated`` (any version change, downgrades included)."""
    versions_a: tuple[str, ...]
    versions_b: tuple[str, ...]
    vulnerabilities_added: tuple[Vulnerability, ...]
    """Vulnerabilities of this package in B whose ID it did not have in A."""
    vulnerabilities_removed: tuple[Vulnerability, ...]
    counts_a: dict[str, int]
    counts_b: dict[str, int]


@dataclass(frozen=True, slots=True)
class PolicyChange:
    """One policy's status in A and in B (None where the policy did not run)."""

    id: str
    name: str
    a: Status | None
    b: Status | None
    weight_a: int
    weight_b: int

    @property
    def changed(self) -> bool:
        return self.a != self.b

    @property
    def worse(self) -> bool:
        if self.a is None or self.b is None:
            return False
        return _STATUS_RANK[self.b] < _STATUS_RANK[self.a]


@dataclass(frozen=True)
class Comparison:
    """Everything ``caulk compare`` reports."""

    a: ScanResult
    b: ScanResult
    labels: tuple[LabelChange, ...]
    labels_unchanged: int
    packages: tuple[PackageChange, ...]
    """Sorted by type, then name."""
    packages_unchanged: int
    vulnerabilities_added: tuple[Vulnerability, ...]
    """One per ID present in B and not in A (worst first)."""
    vulnerabilities_removed: tuple[Vulnerability, ...]
    policies: tuple[PolicyChange, ...]

    @property
    def counts_a(self) -> dict[str, int]:
        return self.a.counts

    @property
    def counts_b(self) -> dict[str, int]:
        return self.b.counts

    @property
    def counts_delta(self) -> dict[str, int]:
        a, b = self.counts_a, self.counts_b
        return {level: b[level] - a[level] for level in b}

    @property
    def size_delta(self) -> int:
        return self.b.image.compressed_size - self.a.image.compressed_size

    @property
    def package_delta(self) -> int:
        return len(self.b.packages) - len(self.a.packages)

    @property
    def worse_vulnerabilities(self) -> bool:
        return bool(self.vulnerabilities_added)

    @property
    def worse_policies(self) -> bool:
        if any(p.worse for p in self.policies):
            return True
        ga, gb = self.a.grade, self.b.grade
        if ga.total and gb.total:
            return gb.points * ga.total < ga.points * gb.total
        return False

    def changes_of(self, kind: str) -> tuple[PackageChange, ...]:
        return tuple(p for p in self.packages if p.kind == kind)


def sorted_by_severity(vulns: Iterable[Vulnerability]) -> list[Vulnerability]:
    """Worst first, then ID, package, version."""
    from caulk.vuln.severity import LEVEL_RANK

    return sorted(
        vulns, key=lambda v: (-LEVEL_RANK[v.severity], v.id, v.package, v.installed_version)
    )


def _label_changes(a: dict[str, str], b: dict[str, str]) -> tuple[list[LabelChange], int]:
    changes: list[LabelChange] = []
    unchanged = 0
    for key in sorted(set(a) | set(b)):
        if key not in b:
            changes.append(LabelChange(key, "removed", a[key], None))
        elif key not in a:
            changes.append(LabelChange(key, "added", None, b[key]))
        elif a[key] != b[key]:
            changes.append(LabelChange(key, "changed", a[key], b[key]))
        else:
            unchanged += 1
    return changes, unchanged


def _by_package(packages: Iterable[Package]) -> dict[tuple[str, str], tuple[str, ...]]:
    out: dict[tuple[str, str], list[str]] = {}
    for p in packages:
        out.setdefault((p.type, p.name), []).append(p.version)
    return {k: tuple(sorted(set(v))) for k, v in out.items()}


def _vulns_by_package(
    vulns: Iterable[Vulnerability],
) -> dict[tuple[str, str], dict[str, Vulnerability]]:
    out: dict[tuple[str, str], dict[str, Vulnerability]] = {}
    for v in vulns:
        out.setdefault((v.package_type, v.package), {}).setdefault(v.id, v)
    return out


def _unique(vulns: Iterable[Vulnerability]) -> dict[str, Vulnerability]:
    from caulk.vuln.severity import LEVEL_RANK

    out: dict[str, Vulnerability] = {}
    for v in vulns:
        seen = out.get(v.id)
        if seen is None or LEVEL_RANK[v.severity] > LEVEL_RANK[seen.severity]:
            out[v.id] = v
    return out


def _policy_changes(
    a: tuple[PolicyResult, ...], b: tuple[PolicyResult, ...]
) -> tuple[PolicyChange, ...]:
    by_a = {p.id: p for p in a}
    by_b = {p.id: p for p in b}
    order = [p.id for p in b] + [p.id for p in a if p.id not in by_b]
    out = []
    for pid in order:
        pa, pb = by_a.get(pid), by_b.get(pid)
        ref = pb or pa
        assert ref is not None
        out.append(
            PolicyChange(
                pid,
                ref.name,
                pa.status if pa else None,
                pb.status if pb else None,
                pa.weight if pa else 0,
                pb.weight if pb else 0,
            )
        )
    return tuple(out)


def compare_results(a: ScanResult, b: ScanResult) -> Comparison:
    """The :class:`Comparison` of baseline ``a`` and candidate ``b``."""
    labels, labels_unchanged = _label_changes(dict(a.image.labels), dict(b.image.labels))
    pkgs_a, pkgs_b = _by_package(a.packages), _by_package(b.packages)
    vulns_a, vulns_b = _vulns_by_package(a.vulnerabilities), _vulns_by_package(b.vulnerabilities)
    changes: list[PackageChange] = []
    unchanged = 0
    for key in sorted(set(pkgs_a) | set(pkgs_b)):
        va, vb = pkgs_a.get(key, ()), pkgs_b.get(key, ())
        if va == vb:
            unchanged += 1
            continue
        kind = "added" if not va else "removed" if not vb else "updated"
        in_a, in_b = vulns_a.get(key, {}), vulns_b.get(key, {})
        changes.append(
            PackageChange(
                type=key[0],
                name=key[1],
                kind=kind,
                versions_a=va,
                versions_b=vb,
                vulnerabilities_added=tuple(
                    sorted_by_severity(v for i, v in in_b.items() if i not in in_a)
                ),
                vulnerabilities_removed=tuple(
                    sorted_by_severity(v for i, v in in_a.items() if i not in in_b)
                ),
                counts_a=severity_counts(in_a.values()),
                counts_b=severity_counts(in_b.values()),
            )
        )
    unique_a, unique_b = _unique(a.vulnerabilities), _unique(b.vulnerabilities)
    return Comparison(
        a=a,
        b=b,
        labels=tuple(labels),
        labels_unchanged=labels_unchanged,
        packages=tuple(changes),
        packages_unchanged=unchanged,
        vulnerabilities_added=tuple(
            sorted_by_severity(v for i, v in unique_b.items() if i not in unique_a)
        ),
        vulnerabilities_removed=tuple(
            sorted_by_severity(v for i, v in unique_a.items() if i not in unique_b)
        ),
        policies=_policy_changes(a.policies, b.policies),
    )
