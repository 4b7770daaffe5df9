"""Parsing the ``IMAGE`` argument: ``oci:``, ``docker-archive:``, ``oci-archive:``, registry.

The forms are skopeo's (DESIGN.md "IMAGE forms"), so users already know them:

- ``oci:PATH[:TAG]`` — an OCI image layout directory; ``TAG`` matches the
  ``org.opencontainers.image.ref.name`` annotation in ``index.json``.
- ``docker-archive:FILE[:NAME:TAG]`` — a ``docker save`` tarball (classic or Docker ≥ 25).
- ``oci-archive:FILE[:TAG]`` — a tar of an OCI image layout.
- ``[docker://][REGISTRY/]NAME[:TAG][@DIGEST]`` — a registry reference, normalized like Docker's
  ``reference.ParseNormalizedNamed`` (``debian`` → ``docker.io/library/debian:latest``).

skopeo splits ``PATH:TAG`` at the first colon; caulk first checks whether the whole remainder
names an existing path, so a path that itself contains a colon still works.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from caulk.image.errors import ImageError
from caulk.records import record, replace

Transport = Literal["oci", "docker-archive", "oci-archive", "registry"]

DOCKER_HUB = "docker.io"
_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY_RE = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST_RE = re.compile(r"^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$")
_HOST_RE = re.compile(r"^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::[0-9]{1,5})?$")


def is_digest(value: str) -> bool:
    """``sha256:<64 hex>`` or ``sha512:<128 hex>``."""
    return bool(_DIGEST_RE.match(value))


@record
class RegistryRef:
    """A normalized registry reference: ``registry/repository[:tag][@digest]``."""

    registry: str
    """Host[:port] as written, with Docker Hub spelled ``docker.io``."""
    repository: str
    """Path inside the registry (``library/debian`` on Docker Hub)."""
    tag: str | None = None
    digest: str | None = None

    @property
    def reference(self) -> str:
        """What to put after ``/manifests/``: the digest when pinned, else the tag."""
        return self.digest or self.tag or "latest"

    def with_digest(self, digest: str) -> RegistryRef:
        return replace(self, digest=digest)

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        if self.digest:
            text += f"@{self.digest}"
        return text


def parse_registry_ref(text: str) -> RegistryRef:
    """Parse ``[REGISTRY/]NAME[:TAG][@DIGEST]`` (Docker's normalization rules)."""
    original = text
    text = text.removeprefix("docker://")
    if not text:
        raise ImageError("empty image reference")
    digest: str | None = None
    if "@" in text:
        text, digest = text.split("@", 1)
        if not is_digest(digest):
            raise ImageError(f"{original}: invalid digest {digest!r} (want sha256:<64 hex>)")
    tag: str | None = None
    slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > slash:
        text, tag = text[:colon], text[colon + 1 :]
        if not _TAG_RE.match(tag):
            raise ImageError(f"{original}: invalid tag {tag!r}")
    first, _, rest = text.partition("/")
    if rest and (any(c in first for c in ".:") or first == "localhost" or first != first.lower()):
        registry, repository = first, rest
        if not _HOST_RE.match(registry):
            raise ImageError(f"{original}: invalid registry host {registry!r}")
    else:
        registry, repository = DOCKER_HUB, text
    if registry in ("index.docker.io", "registry-1.docker.io"):
        registry = DOCKER_HUB
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if not _REPOSITORY_RE.match(repository):
        raise ImageError(
            f"{original}: invalid repository name {repository!r} "
            "(lowercase letters, digits and . _ - separators)"
        )
    if tag is None and digest is None:
        tag = "latest"
    return RegistryRef(registry, repository, tag, digest)


@record
class ImageReference:
    """A parsed ``IMAGE`` argument."""

    transport: Transport
    text: str
    """The argument as the user wrote it (for messages and reports)."""
    path: Path | None = None
    """The directory or archive, for the local transports."""
    name: str | None = None
    """The tag (``oci``, ``oci-archive``) or ``NAME:TAG`` (``docker-archive``) inside it."""
    registry: RegistryRef | None = None


def _split_path(rest: str) -> tuple[str, str | None]:
    if Path(rest).exists() or ":" not in rest:
        return rest, None
    path, name = rest.split(":", 1)
    return path, name or None


def parse_reference(text: str) -> ImageReference:
    """Parse the ``IMAGE`` argument; raise :class:`ImageError` naming what is wrong."""
    if not text or text.isspace():
        raise ImageError("empty image reference")
    local: tuple[Transport, ...] = ("oci", "docker-archive", "oci-archive")
    for transport in local:
        prefix = f"{transport}:"
        if text.startswith(prefix):
            rest = text[len(prefix) :]
            if not rest:
                raise ImageError(f"{text}: missing path after {prefix!r}")
            path, name = _split_path(rest)
            if name is not None and transport != "docker-archive" and not _TAG_RE.match(name):
                raise ImageError(f"{text}: invalid tag {name!r}")
            return ImageReference(transport, text, Path(path), name)
    if text.startswith(("docker-daemon:", "containers-storage:", "dir:")):
        unsupported = text.split(":", 1)[0]
        raise ImageError(
            f"{text}: the {unsupported}: transport is not supported; use oci:, docker-archive:, "
            "oci-archive: or a registry reference"
        )
    return ImageReference("registry", text, registry=parse_registry_ref(text))
