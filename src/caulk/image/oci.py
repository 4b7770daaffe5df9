"""OCI data types a layer pass needs: media types, platforms, descriptors and layers.

Frozen values built at the boundary (``caulk.image.open``) from JSON that was already checked
against its digest; nothing here does I/O. What ``inspect`` reports about an image (history,
attestations, facts) is in :mod:`caulk.image.model`, which ``caulk sbom`` never loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Literal

from caulk.records import record

_NO_ANNOTATIONS: Mapping[str, str] = MappingProxyType({})

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


@record(order=True)
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


@record
class Descriptor:
    """An OCI content descriptor: what a manifest or index points at."""

    media_type: str
    digest: str
    size: int
    platform: Platform | None = None
    annotations: Mapping[str, str] = _NO_ANNOTATIONS
    artifact_type: str | None = None

    @property
    def is_attestation_manifest(self) -> bool:
        return self.annotations.get(REFERENCE_TYPE) == ATTESTATION_MANIFEST


@record
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
