"""Image references in ``FROM`` and the default user of well-known base images.

The table of hardened bases follows ../shared/reference/scout-grade-and-scanners.md §3:

* Docker Hardened Images (``dhi.io/<name>:<tag>``, and mirrors named ``<org>/dhi-<name>``):
  runtime variants run as ``nonroot`` (65532); ``-dev``/``-sdk`` variants run as root.
* Google distroless (``gcr.io/distroless/*``): ``:nonroot`` and ``*-nonroot`` tags run as
  65532; every other tag (``latest``, ``debug``...) runs as root.
* Chainguard (``cgr.dev/<org>/<image>``): non-``-dev`` variants run as ``nonroot`` (65532);
  ``wolfi-base`` runs as root; ``-dev`` variants are usually non-root but not reliably, so
  caulk does not decide for them. caulk accepts any ``cgr.dev`` organisation, not only
  ``chainguard``, since private Chainguard registries serve the same images.

A reference pinned only by digest carries no tag to decide the variant, so it is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")


@dataclass(frozen=True)
class ImageRef:
    """A parsed ``[registry/]repository[:tag][@digest]`` reference."""

    raw: str
    registry: str | None
    """Host when the first component looks like one (has ``.`` or ``:``, or is
    ``localhost``); None for Docker Hub."""
    repository: str
    """The path without the registry (``library/`` removed for Docker Hub)."""
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """Registry and repository as one string, as written without tag or digest."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def pinned(self) -> bool:
        """Pinned by a well-formed sha256 digest (lower-case hex, as the OCI spec requires)."""
        return self.digest is not None and bool(_DIGEST.match(self.digest))


def parse_image(ref: str) -> ImageRef:
    """Split an image reference; never raises."""
    rest, _, digest = ref.partition("@")
    tag: str | None = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    registry: str | None = None
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first.lower(), remainder
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = None
    if registry is None and rest.startswith("library/"):
        rest = rest[len("library/") :]
    return ImageRef(ref, registry, rest, tag, digest or None)


UserKind = Literal["nonroot", "root", "unknown"]


@dataclass(frozen=True)
class BaseUser:
    """What caulk knows about a base image's default user."""

    kind: UserKind
    user: str | None
    reason: str


def _tag_parts(tag: str) -> list[str]:
    return tag.lower().split("-")


def base_default_user(ref: str) -> BaseUser:
    """The default user of base image ``ref`` from the table of well-known bases."""
    if ref.lower() == "scratch":
        return BaseUser("root", "0", "scratch has no user database; processes run as UID 0")
    image = parse_image(ref)
    repo = image.repository.lower()
    last = repo.rsplit("/", 1)[-1]
    tag = image.tag
    if image.registry == "dhi.io" or last.startswith("dhi-"):
        if tag is None:
            if image.digest is not None:
                return BaseUser("unknown", None, "a Docker Hardened Image pinned only by digest")
            return BaseUser(
                "nonroot",
                "nonroot",
                "Docker Hardened Image runtime variants run as nonroot (65532)",
            )
        parts = _tag_parts(tag)
        if "dev" in parts or "sdk" in parts:
            return BaseUser("root", "root", "Docker Hardened Image -dev/-sdk variants run as root")
        return BaseUser(
            "nonroot", "nonroot", "Docker Hardened Image runtime variants run as nonroot (65532)"
        )
    if image.registry == "gcr.io" and repo.startswith("distroless/"):
        if tag is None and image.digest is not None:
            return BaseUser("unknown", None, "a distroless image pinned only by digest")
        if tag is not None and "nonroot" in _tag_parts(tag):
            return BaseUser("nonroot", "65532", "distroless :nonroot images run as 65532")
        return BaseUser("root", "0", "distroless images run as root unless the tag is :nonroot")
    if image.registry == "cgr.dev":
        if last == "wolfi-base":
            return BaseUser("root", "root", "cgr.dev wolfi-base runs as root")
        if tag is None and image.digest is not None:
            return BaseUser("unknown", None, "a Chainguard image pinned only by digest")
        if tag is not None and "dev" in _tag_parts(tag):
            return BaseUser("unknown", None, "Chainguard -dev variants may run as root")
        return BaseUser("nonroot", "nonroot", "Chainguard images run as nonroot (65532)")
    return BaseUser("unknown", None, "not a base image caulk knows")
