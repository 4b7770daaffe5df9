"""``caulk scan``'s library side: image → packages → vulnerabilities → VEX → policies → grade.

:func:`scan_image` opens the vulnerability database first (so a missing one fails before any
layer is read), reads the image's layers once (keeping only what the catalogers want), matches
the packages (:mod:`caulk.vuln.matcher`), hides what OpenVEX says is ``not_affected``
(:mod:`caulk.vuln.vex`: ``--vex`` files and OpenVEX attestations attached to the image), runs the
policies (:mod:`caulk.policy`) and computes the grade (:mod:`caulk.policy.grade`). The result is
a :class:`ScanResult`, which every renderer and :mod:`caulk.compare` read; nothing here prints.

:func:`build_result` is the pure core (catalog, facts and advisories in, result out), used by
:func:`scan_image` and by tests and callers that already hold the pieces.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from caulk.catalog.models import OperatingSystem, Package
from caulk.errors import InputError
from caulk.policy import PolicySetting, evaluate_policies
from caulk.policy.base import find_base_image
from caulk.policy.grade import Grade, compute_grade
from caulk.policy.model import AttestationFacts, BaseImage, PolicyInput, PolicyResult
from caulk.vuln.matcher import AdvisorySource, Vulnerability, match_packages
from caulk.vuln.severity import LEVELS
from caulk.vuln.vex import (
    Suppression,
    VexError,
    VexStatement,
    apply_vex,
    is_vex_predicate,
    parse_vex,
)

if TYPE_CHECKING:
    from caulk.image.model import ImageFacts
    from caulk.image.open import Image
    from caulk.registry.options import RegistryOptions

__all__ = [
    "ImageSummary",
    "ScanOptions",
    "ScanResult",
    "build_result",
    "scan_image",
    "severity_counts",
]


@dataclass(frozen=True)
class ImageSummary:
    """What a scan says about the image itself (the compare overview's rows)."""

    reference: str
    transport: str = ""
    manifest_digest: str | None = None
    index_digest: str | None = None
    config_digest: str = ""
    platform: str | None = None
    tag: str | None = None
    created: str | None = None
    user: str = ""
    compressed_size: int = 0
    uncompressed_size: int | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    os: OperatingSystem | None = None
    base_image: BaseImage | None = None
    attestations: AttestationFacts = field(default_factory=AttestationFacts)

    @property
    def digest(self) -> str:
        """The manifest digest, else the config digest (a classic ``docker save``)."""
        return self.manifest_digest or self.config_digest

    @property
    def provenance(self) -> str | None:
        """``org.opencontainers.image.source`` (and ``@revision``), when labelled."""
        source = self.labels.get("org.opencontainers.image.source")
        revision = self.labels.get("org.opencontainers.image.revision")
        if source and revision:
            return f"{source}@{revision}"
        return source or None


@dataclass(frozen=True)
class ScanResult:
    """Everything ``caulk scan`` reports about one image."""

    image: ImageSummary
    packages: tuple[Package, ...]
    vulnerabilities: tuple[Vulnerability, ...]
    """After VEX, sorted by package type, package, version, ID."""
    suppressed: tuple[Suppression, ...]
    """What ``not_affected`` VEX statements hid."""
    policies: tuple[PolicyResult, ...]
    grade: Grade
    database: str = ""
    """The database file scanned against."""
    database_updated: datetime | None = None
    packages_checked: int = 0
    packages_skipped: int = 0
    advisories_matched: int = 0
    vex_sources: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def counts(self) -> dict[str, int]:
        """Distinct vulnerability IDs per severity level (see :func:`severity_counts`)."""
        return severity_counts(self.vulnerabilities)


def severity_counts(vulnerabilities: Iterable[Vulnerability]) -> dict[str, int]:
    """Distinct vulnerability IDs per level, every level present (worst rating of an ID).

    One CVE in glibc reported for ``libc6`` and ``libc-bin`` counts once.
    """
    from caulk.vuln.severity import LEVEL_RANK

    worst: dict[str, str] = {}
    for vuln in vulnerabilities:
        seen = worst.get(vuln.id)
        if seen is None or LEVEL_RANK[vuln.severity] > LEVEL_RANK[seen]:
            worst[vuln.id] = vuln.severity
    counts = dict.fromkeys(LEVELS, 0)
    for level in worst.values():
        counts[level] += 1
    return counts


@dataclass(frozen=True)
class ScanOptions:
    """How to scan."""

    db: Path | None = None
    """The database (default: :func:`caulk.vuln.store.default_db_path`)."""
    platform: str | None = None
    registry_options: RegistryOptions | None = None
    vex_files: tuple[Path, ...] = ()
    kev_file: Path | None = None
    max_db_age: timedelta | None = timedelta(days=7)
    policies: Mapping[str, PolicySetting] = field(default_factory=dict)
    offline: bool = False
    """Never ask a registry (the stale-base policy then has no data)."""
    now: datetime | None = None


def build_result(
    image: ImageSummary,
    packages: Sequence[Package],
    os: OperatingSystem | None,
    store: AdvisorySource,
    *,
    vex: Sequence[VexStatement] = (),
    vex_sources: Sequence[str] = (),
    kev: frozenset[str] | None = None,
    policies: Mapping[str, PolicySetting] | None = None,
    resolve_digest: Callable[[str], str] | None = None,
    now: datetime | None = None,
    warnings: Sequence[str] = (),
    database: str = "",
    database_updated: datetime | None = None,
) -> ScanResult:
    """Match, apply VEX, evaluate the policies and grade (no I/O beyond ``store``)."""
    report = match_packages(packages, os, store)
    digests = [d for d in (image.manifest_digest, image.index_digest, image.config_digest) if d]
    kept, suppressed = apply_vex(report.vulnerabilities, vex, digests)
    results = evaluate_policies(
        PolicyInput(
            vulnerabilities=kept,
            packages=tuple(packages),
            user=image.user,
            attestations=image.attestations,
            base_image=image.base_image,
            os=os,
            kev=kev,
            resolve_digest=resolve_digest,
            now=now,
        ),
        policies,
    )
    return ScanResult(
        image=dataclasses.replace(image, os=os),
        packages=tuple(sorted(packages, key=lambda p: p.sort_key)),
        vulnerabilities=kept,
        suppressed=suppressed,
        policies=results,
        grade=compute_grade(results),
        database=database,
        database_updated=database_updated,
        packages_checked=report.packages_checked,
        packages_skipped=report.packages_skipped,
        advisories_matched=report.advisories_matched,
        vex_sources=tuple(vex_sources),
        warnings=(*warnings, *report.warnings),
    )


def _tag(image: Image) -> str | None:
    ref = image.reference
    if ref.registry is not None:
        return ref.registry.tag
    if ref.transport == "docker-archive":
        name = ref.name or (image.repo_tags[0] if image.repo_tags else "")
        slash, colon = name.rfind("/"), name.rfind(":")
        return name[colon + 1 :] if colon > slash else None
    return ref.name


def summarize_image(image: Image, facts: ImageFacts) -> ImageSummary:
    """The :class:`ImageSummary` of an opened image."""
    att = facts.attestations
    return ImageSummary(
        reference=facts.reference,
        transport=facts.transport,
        manifest_digest=facts.manifest_digest,
        index_digest=facts.index_digest,
        config_digest=facts.config_digest,
        platform=str(facts.platform) if facts.platform else None,
        tag=_tag(image),
        created=facts.created,
        user=facts.user,
        compressed_size=facts.compressed_size,
        uncompressed_size=facts.uncompressed_size,
        labels=dict(facts.labels),
        base_image=find_base_image(att.base_images, facts.labels),
        attestations=AttestationFacts(att.sbom, att.provenance, att.provenance_mode),
    )


def attached_vex(
    image: Image, facts: ImageFacts
) -> tuple[list[VexStatement], list[str], list[str]]:
    """OpenVEX statements attached to the image: ``(statements, sources, warnings)``."""
    from caulk.image.errors import ImageError
    from caulk.image.streams import read_verified

    statements: list[VexStatement] = []
    sources: list[str] = []
    warnings: list[str] = []
    for att in facts.attestations.statements:
        if not is_vex_predicate(att.predicate_type):
            continue
        origin = f"attestation {att.digest}"
        try:
            with image.source.open_blob(att.digest, att.size) as reader:
                data = read_verified(
                    reader, att.digest, att.size, image.limits.max_statement_bytes, "VEX"
                )
            statement: Any = json.loads(data)
            predicate = statement.get("predicate") if isinstance(statement, dict) else None
            statements.extend(parse_vex(predicate, origin))
            sources.append(origin)
        except (ImageError, ValueError, VexError) as exc:
            warnings.append(f"{origin}: VEX statement ignored: {exc}")
    return statements, sources, warnings


def _resolver(options: ScanOptions) -> Callable[[str], str] | None:
    registry = options.registry_options
    if options.offline or (registry is not None and registry.offline):
        return None
    from caulk.registry.options import RegistryOptions

    quick = dataclasses.replace(registry or RegistryOptions(), timeout=10.0, retries=0)

    def resolve(reference: str) -> str:
        from caulk.registry.client import RegistryClient  # httpx only when a base is checked

        with RegistryClient(quick) as client:
            return client.resolve_digest(reference)

    return resolve


def scan_image(ref: str, options: ScanOptions | None = None) -> ScanResult:
    """Scan ``ref`` (any ``IMAGE`` form). Raises :class:`InputError` for a missing or unusable
    database, an unreadable image, or a bad VEX or KEV file."""
    from caulk.catalog import catalog, wanted_path
    from caulk.image.open import open_image
    from caulk.policy.high_profile import KevError, load_kev
    from caulk.vuln.store import Store, StoreError, default_db_path, staleness_warning
    from caulk.vuln.vex import load_vex_file

    options = options or ScanOptions()
    db_path = options.db or default_db_path()
    try:
        store = Store.open(db_path)
    except StoreError as exc:
        raise InputError(str(exc)) from None
    warnings: list[str] = []
    try:
        if options.max_db_age is not None:
            stale = staleness_warning(store, options.max_db_age, options.now)
            if stale:
                warnings.append(stale)
        vex: list[VexStatement] = []
        vex_sources: list[str] = []
        for path in options.vex_files:
            try:
                vex.extend(load_vex_file(path))
            except VexError as exc:
                raise InputError(str(exc)) from None
            vex_sources.append(str(path))
        kev: frozenset[str] | None = None
        if options.kev_file is not None:
            try:
                kev = load_kev(options.kev_file)
            except KevError as exc:
                raise InputError(str(exc)) from None
        with open_image(
            ref, platform=options.platform, registry_options=options.registry_options
        ) as image:
            fs = image.filesystem(wanted_path)
            found = catalog(fs)
            facts = image.facts
            summary = summarize_image(image, facts)
            attached, attached_sources, vex_warnings = attached_vex(image, facts)
            warnings.extend((*image.warnings, *fs.warnings, *found.warnings, *vex_warnings))
        try:
            return build_result(
                summary,
                found.packages,
                found.os,
                store,
                vex=[*vex, *attached],
                vex_sources=[*vex_sources, *attached_sources],
                kev=kev,
                policies=options.policies,
                resolve_digest=_resolver(options),
                now=options.now or datetime.now(UTC),
                warnings=list(dict.fromkeys(warnings)),
                database=str(db_path),
                database_updated=store.updated_at(),
            )
        except StoreError as exc:
            raise InputError(str(exc)) from None
    finally:
        store.close()
