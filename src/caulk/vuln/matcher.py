"""From installed packages to vulnerabilities: which OSV advisories affect which package.

One package is looked up in the store (:meth:`caulk.vuln.store.Store.lookup`) by the key its
ecosystem publishes advisories under (reference/osv.md "Record fields used for matching",
reference/scout-grade-and-scanners.md §4.2):

============ ========================= ============================== ======================
purl type    OSV ecosystem             name                           version
============ ========================= ============================== ======================
deb          the image's (``Debian:12``, source package (dpkg        source version
             ``Ubuntu:24.04:LTS``)     ``Source:``, else the binary)
apk          the image's (``Alpine:v3.20``, origin (``o:``)           package version
             ``Wolfi``, ``Chainguard``)
rpm          the image's (``AlmaLinux:9``, source rpm name            source version
             ``Rocky Linux:9``)
pypi         ``PyPI``                  PEP 503 name (the store        version
                                       normalises it)
npm          ``npm``                   name with ``@scope/``          version
golang       ``Go``                    module path; ``stdlib`` for    version
                                       the toolchain (``v1.22.3``)
maven        ``Maven``                 ``group:artifact``             version
cargo        ``crates.io``             crate name                     version
============ ========================= ============================== ======================

The OS ecosystem must match the advisory's exactly, so Freexian's ELTS records for
``Debian:9``/``Debian:10`` never touch a ``Debian:12`` image. A version is affected when the
OSV schema's evaluation says so (:meth:`AffectedPackage.affects`); withdrawn records never come
out of the store. Like Trivy's Debian detector, an OS package is matched only by its source
package (not also by binary name, as Grype does).

Advisories that matched one package are grouped by :func:`caulk.vuln.aliases.alias_groups`
(aliases, ``upstream``, and ELTS-style ``related`` CVEs), so a DSA and the CVE records it covers
are one :class:`Vulnerability`. Its ``fixed_version`` is the lowest ``fixed`` event of any
member above the installed version (in the ecosystem's ordering); its severity is the worst
member's :func:`caulk.vuln.severity.rate` (CVSS v3.x, then v4, then v2 base score computed by
the ``cvss`` package; else the distribution's own rating).

A language package that an OS package manager installed (``installed_by``,
:mod:`caulk.catalog.ownership`) is not matched at all: the OS package that owns its files is
matched instead, with the distribution's advisories, which is where its fixes are published
(Trivy's data-source selection).

Versions a comparator refuses (:class:`~caulk.vuln.versions.InvalidVersion`) and ecosystems
without an ordering are reported as warnings, never guessed either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from caulk.catalog.models import OS_TYPES, OperatingSystem, Package
from caulk.catalog.ownership import INSTALLED_BY
from caulk.vuln.aliases import alias_groups
from caulk.vuln.models import Advisory, AffectedPackage
from caulk.vuln.severity import Rating, rate, worst
from caulk.vuln.versions import (
    Comparator,
    InvalidVersion,
    UnsupportedEcosystem,
    comparator_for,
)

__all__ = [
    "LANGUAGE_ECOSYSTEMS",
    "OS_TYPES",
    "AdvisorySource",
    "MatchReport",
    "MatchTarget",
    "Vulnerability",
    "match_packages",
    "match_target",
]


LANGUAGE_ECOSYSTEMS = {
    "pypi": "PyPI",
    "npm": "npm",
    "golang": "Go",
    "maven": "Maven",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "hex": "Hex",
    "pub": "Pub",
}
"""Purl type → OSV ecosystem for language packages."""


class AdvisorySource(Protocol):
    """What the matcher needs from the store (``Store`` satisfies it)."""

    def lookup(self, ecosystem: str, name: str) -> list[tuple[Advisory, AffectedPackage]]:
        """Every live ``(advisory, affected entry)`` for one package."""
        ...


@dataclass(frozen=True, slots=True)
class MatchTarget:
    """The key a package is looked up by."""

    ecosystem: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerability of one installed package (advisories of one alias group merged)."""

    id: str
    """The group's representative ID (the CVE when there is exactly one)."""
    aliases: tuple[str, ...]
    """Every other ID of the group, sorted."""
    advisories: tuple[str, ...]
    """The advisory records that matched, sorted."""
    package: str
    """The installed package's name (the binary package for OS packages)."""
    installed_version: str
    package_type: str
    """purl type (``deb``, ``pypi`` …)."""
    purl: str
    source_package: str
    """The name the advisory names (source package for OS packages)."""
    source_version: str
    """The version that was evaluated (source version for OS packages)."""
    ecosystem: str
    """The OSV ecosystem matched (``Debian:12``, ``PyPI``)."""
    fixed_version: str | None
    """The lowest fixed version above the installed one, or None."""
    severity: str
    """``critical``, ``high``, ``medium``, ``low``, ``negligible`` or ``unknown``."""
    cvss_score: float | None = None
    cvss_vector: str | None = None
    severity_source: str = "none"
    summary: str = ""
    published: datetime | None = None
    """The earliest ``published`` time of the matched records, when any has one."""
    layer: str | None = None
    locations: tuple[str, ...] = ()

    @property
    def fixable(self) -> bool:
        """A fixed version exists above the installed one in this ecosystem."""
        return self.fixed_version is not None

    @property
    def ids(self) -> frozenset[str]:
        """The ID and every alias."""
        return frozenset((self.id, *self.aliases))

    @property
    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.package_type, self.package, self.installed_version, self.id)


@dataclass(frozen=True, slots=True)
class MatchReport:
    """What matching a package set found."""

    vulnerabilities: tuple[Vulnerability, ...]
    """Sorted by package type, package, version, ID."""
    packages_checked: int
    """Packages that had a lookup key."""
    packages_skipped: int
    """Packages with no ecosystem to match in (unknown OS, unsupported type, no version)."""
    advisories_matched: int
    """Distinct advisory records that matched some package."""
    warnings: tuple[str, ...] = field(default=())


def match_target(package: Package, os: OperatingSystem | None) -> MatchTarget | None:
    """The lookup key of ``package`` (see the module table), or None when it has none."""
    if package.type in OS_TYPES:
        if os is None or not os.osv_ecosystem:
            return None
        name = package.source_name or package.name
        version = package.source_version or package.version
        if package.type == "apk":  # apk: the origin shares the binary's version
            version = package.version
        return MatchTarget(os.osv_ecosystem, name, version) if version else None
    if package.meta(INSTALLED_BY):
        return None  # the OS package that installed it is matched instead (Trivy's rule)
    ecosystem = LANGUAGE_ECOSYSTEMS.get(package.type)
    if ecosystem is None or not package.version or package.version == "(devel)":
        return None
    return MatchTarget(ecosystem, package.name, package.version)


def _lowest_fix(
    installed: str, entries: Iterable[AffectedPackage], comparator: Comparator
) -> str | None:
    best: str | None = None
    for entry in entries:
        for fixed in entry.fixed_versions:
            try:
                if comparator.compare(fixed, installed) <= 0:
                    continue
                if best is None or comparator.compare(fixed, best) < 0:
                    best = fixed
            except InvalidVersion:
                continue
    return best


def match_packages(
    packages: Sequence[Package], os: OperatingSystem | None, store: AdvisorySource
) -> MatchReport:
    """Every vulnerability of ``packages`` according to ``store`` (see the module doc)."""
    warnings: dict[str, None] = {}
    lookups: dict[tuple[str, str], list[tuple[Advisory, AffectedPackage]]] = {}
    evaluated: dict[MatchTarget, list[tuple[Advisory, AffectedPackage]]] = {}
    out: list[Vulnerability] = []
    checked = skipped = 0
    advisory_ids: set[str] = set()
    unknown_os = 0
    for package in packages:
        target = match_target(package, os)
        if target is None:
            skipped += 1
            if package.type in OS_TYPES:
                unknown_os += 1
            continue
        try:
            comparator = comparator_for(target.ecosystem)
        except UnsupportedEcosystem as exc:
            warnings.setdefault(f"{exc}; {package.type} packages not matched", None)
            skipped += 1
            continue
        checked += 1
        matched = evaluated.get(target)
        if matched is None:
            key = (target.ecosystem, target.name)
            hits = lookups.get(key)
            if hits is None:
                hits = lookups[key] = store.lookup(target.ecosystem, target.name)
            matched = []
            for advisory, entry in hits:
                try:
                    if entry.affects(target.version):
                        matched.append((advisory, entry))
                except InvalidVersion as exc:
                    warnings.setdefault(f"{package.purl}: {advisory.id} not evaluated: {exc}", None)
                except UnsupportedEcosystem as exc:
                    warnings.setdefault(f"{advisory.id}: {exc}", None)
            evaluated[target] = matched
        if not matched:
            continue
        out.extend(_vulnerabilities(package, target, matched, comparator))
        advisory_ids.update(a.id for a, _ in matched)
    if unknown_os:
        warnings.setdefault(
            f"{unknown_os} operating-system package(s) not matched: the distribution is unknown "
            "or has no OSV ecosystem",
            None,
        )
    out.sort(key=lambda v: v.sort_key)
    return MatchReport(
        vulnerabilities=tuple(out),
        packages_checked=checked,
        packages_skipped=skipped,
        advisories_matched=len(advisory_ids),
        warnings=tuple(warnings),
    )


def _vulnerabilities(
    package: Package,
    target: MatchTarget,
    matched: list[tuple[Advisory, AffectedPackage]],
    comparator: Comparator,
) -> Iterable[Vulnerability]:
    by_id: dict[str, list[tuple[Advisory, AffectedPackage]]] = {}
    for advisory, entry in matched:
        by_id.setdefault(advisory.id, []).append((advisory, entry))
    for group in alias_groups(a for a, _ in matched):
        members = [pair for ident in group.members for pair in by_id[ident]]
        rating: Rating = worst(rate(a, e) for a, e in members)
        published = [a.published for a, _ in members if a.published is not None]
        summaries = sorted(
            ((a.id != group.id, a.id, a.summary) for a, _ in members if a.summary),
        )
        yield Vulnerability(
            id=group.id,
            aliases=group.aliases,
            advisories=group.members,
            package=package.name,
            installed_version=package.version,
            package_type=package.type,
            purl=package.purl,
            source_package=target.name,
            source_version=target.version,
            ecosystem=target.ecosystem,
            fixed_version=_lowest_fix(target.version, (e for _, e in members), comparator),
            severity=rating.level,
            cvss_score=rating.score,
            cvss_vector=rating.vector,
            severity_source=rating.source,
            summary=summaries[0][2] if summaries else "",
            published=min(published) if published else None,
            layer=package.layer,
            locations=package.locations,
        )
