"""What an image says about itself: history, attestations, base-image hints, ``ImageFacts``.

Frozen values built from documents already checked against their digests; nothing here does
I/O. The OCI types a layer pass needs (media types, :class:`Platform`, :class:`Descriptor`,
:class:`LayerInfo`) live in :mod:`caulk.image.oci` and are re-exported here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Literal

from caulk.image.oci import (
    ATTESTATION_MANIFEST,
    DOCKER_MANIFEST,
    DOCKER_MANIFEST_LIST,
    IN_TOTO,
    INDEX_TYPES,
    MANIFEST_TYPES,
    OCI_INDEX,
    OCI_MANIFEST,
    PREDICATE_TYPE,
    REFERENCE_DIGEST,
    REFERENCE_TYPE,
    Compression,
    Descriptor,
    LayerInfo,
    Platform,
)

__all__ = [
    "ATTESTATION_MANIFEST",
    "DOCKER_MANIFEST",
    "DOCKER_MANIFEST_LIST",
    "INDEX_TYPES",
    "IN_TOTO",
    "MANIFEST_TYPES",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "PREDICATE_TYPE",
    "REFERENCE_DIGEST",
    "REFERENCE_TYPE",
    "Attestations",
    "BaseImageHint",
    "Compression",
    "Descriptor",
    "HistoryEntry",
    "ImageFacts",
    "LayerInfo",
    "OsRelease",
    "Platform",
    "Statement",
]


@dataclasses.dataclass(frozen=True)
class Statement:
    """One in-toto statement layer of an attestation manifest."""

    predicate_type: str
    digest: str
    size: int


@dataclasses.dataclass(frozen=True)
class Attestations:
    """BuildKit attestations attached to the selected manifest in its index (Scout §1.4)."""

    manifest_digest: str | None = None
    """The attestation manifest (``vnd.docker.reference.type=attestation-manifest``)."""
    statements: tuple[Statement, ...] = ()
    sbom: bool = False
    """An SPDX or CycloneDX predicate is attached."""
    provenance: bool = False
    """A SLSA provenance predicate (v0.2 or v1) is attached."""
    provenance_predicate_type: str | None = None
    provenance_mode: Literal["max", "min"] | None = None
    """``max`` when ``buildConfig`` is present or BuildKit's completeness flags are true."""
    base_images: tuple[str, ...] = ()
    """``pkg:docker/…`` materials / resolved dependencies named by the provenance."""


@dataclasses.dataclass(frozen=True)
class OsRelease:
    """The fields of ``/etc/os-release`` (or ``/usr/lib/os-release``) caulk uses."""

    id: str | None = None
    version_id: str | None = None
    name: str | None = None
    pretty_name: str | None = None
    version_codename: str | None = None

    @classmethod
    def parse(cls, text: str) -> OsRelease:
        from caulk.osrelease import parse_os_release

        values = parse_os_release(text)
        return cls(
            id=values.get("ID"),
            version_id=values.get("VERSION_ID"),
            name=values.get("NAME"),
            pretty_name=values.get("PRETTY_NAME"),
            version_codename=values.get("VERSION_CODENAME"),
        )


@dataclasses.dataclass(frozen=True)
class BaseImageHint:
    """One clue about the base image, and where it came from."""

    kind: str
    """``label`` (org.opencontainers.image.base.*), ``dhi`` (com.docker.dhi.*), ``os-release``,
    ``distroless`` (dpkg status.d without status), ``provenance``."""
    value: str


@dataclasses.dataclass(frozen=True)
class HistoryEntry:
    created: str | None
    created_by: str | None
    comment: str | None
    empty_layer: bool


@dataclasses.dataclass(frozen=True)
class ImageFacts:
    """What an image says about itself: config, sizes, base-image hints, attestations."""

    reference: str
    transport: str
    manifest_digest: str | None
    """Digest of the image manifest; None for a classic ``docker save`` archive, which has none."""
    index_digest: str | None
    config_digest: str
    media_type: str
    platform: Platform | None
    platforms: tuple[Platform, ...]
    """Every image platform in the index (attestation manifests excluded)."""
    created: str | None
    author: str | None
    user: str
    working_dir: str | None
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    env: tuple[tuple[str, str], ...]
    exposed_ports: tuple[str, ...]
    volumes: tuple[str, ...]
    stop_signal: str | None
    labels: Mapping[str, str]
    history: tuple[HistoryEntry, ...]
    layers: tuple[LayerInfo, ...]
    compressed_size: int
    uncompressed_size: int | None
    os_release: OsRelease | None
    base_image_hints: tuple[BaseImageHint, ...]
    attestations: Attestations
    repo_tags: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def runs_as_root(self) -> bool:
        """Scout's non-root policy: ``""``, ``root``, ``0``, ``root:*``, ``0:*`` are root."""
        user = self.user.split(":", 1)[0].strip()
        return user in ("", "root", "0")

    @property
    def env_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.env)
