"""The image model: descriptors, platforms, layers, attestations and the facts ``inspect`` prints.

Everything here is a frozen value built at the boundary (``caulk.image.open``) from JSON that
was already checked against its digest; nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

# Media types (OCI image-spec and Docker's distribution schema 2).
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
MANIFEST_TYPES = (OCI_MANIFEST, DOCKER_MANIFEST)
INDEX_TYPES = (OCI_INDEX, DOCKER_MANIFEST_LIST)
IN_TOTO = "application/vnd.in-toto+json"

# BuildKit attestation storage (moby/buildkit docs/attestations/attestation-storage.md).
REFERENCE_TYPE = "vnd.docker.reference.type"
REFERENCE_DIGEST = "vnd.docker.reference.digest"
ATTESTATION_MANIFEST = "attestation-manifest"
PREDICATE_TYPE = "in-toto.io/predicate-type"

Compression = Literal["gzip", "zstd", "none"]


@dataclasses.dataclass(frozen=True, order=True)
class Platform:
    """``os/architecture[/variant]``, e.g. ``linux/arm64/v8``."""

    os: str
    architecture: str
    variant: str | None = None

    @classmethod
    def parse(cls, text: str) -> Platform:
        """Parse ``os/arch[/variant]``; ``ValueError`` on anything else."""
        parts = text.strip().lower().split("/")
        if len(parts) not in (2, 3) or not all(parts):
            raise ValueError(f"invalid platform {text!r} (want os/arch[/variant])")
        return cls(parts[0], parts[1], parts[2] if len(parts) == 3 else None)

    @classmethod
    def from_json(cls, data: Any) -> Platform | None:
        if not isinstance(data, Mapping):
            return None
        os_name, arch = data.get("os"), data.get("architecture")
        if not isinstance(os_name, str) or not isinstance(arch, str):
            return None
        variant = data.get("variant")
        return cls(os_name, arch, variant if isinstance(variant, str) and variant else None)

    def normalized(self) -> Platform:
        """containerd's normalization: arm64 defaults to v8, arm to v7, amd64 has no v1."""
        variant = self.variant
        if self.architecture == "arm64" and variant in (None, "v8"):
            variant = None
        elif self.architecture == "arm" and variant is None:
            variant = "v7"
        elif self.architecture == "amd64" and variant == "v1":
            variant = None
        return Platform(self.os, self.architecture, variant)

    def matches(self, other: Platform) -> bool:
        """Same platform after normalization (a wanted platform without variant takes any)."""
        a, b = self.normalized(), other.normalized()
        if (a.os, a.architecture) != (b.os, b.architecture):
            return False
        return a.variant is None or a.variant == b.variant

    def __str__(self) -> str:
        return "/".join(p for p in (self.os, self.architecture, self.variant) if p)


@dataclasses.dataclass(frozen=True)
class Descriptor:
    """An OCI content descriptor: what a manifest or index points at."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    annotations: Mapping[str, str] = dataclasses.field(default_factory=dict)
    artifact_type: str | None = None

    @property
    def is_attestation_manifest(self) -> bool:
        return self.annotations.get(REFERENCE_TYPE) == ATTESTATION_MANIFEST


@dataclasses.dataclass(frozen=True)
class LayerInfo:
    """One layer of the selected image manifest, bottom first."""

    index: int
    digest: str
    """Digest of the blob as stored (compressed, for gzip/zstd layers)."""
    diff_id: str | None
    """Digest of the uncompressed tar, from the config's ``rootfs.diff_ids``."""
    media_type: str
    size: int
    """Stored (compressed) size in bytes."""
    created_by: str | None = None
    uncompressed_size: int | None = None
    """Known once the layer was read (or when stored uncompressed)."""


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
