"""Which base image an image was built from: the SLSA provenance, else the OCI base labels.

reference/scout-grade-and-scanners.md §1.4: BuildKit's provenance lists the images a build
resolved as ``pkg:docker/<name>@<tag>?platform=…`` materials with their sha256 digest (caulk's
image reader appends it: ``…@sha256:<hex>``). Scout takes the base from there. A fallback that
Scout does not document is the ``org.opencontainers.image.base.name`` / ``.base.digest`` labels.

When the provenance names exactly one image, that is the base. A multi-stage build names
several and does not say which one the final stage uses; the base label (which names the final
stage's base by convention) decides then, else the last material is taken. Names are normalised
the way Docker does (``debian`` → ``docker.io/library/debian``; ``repository_url`` qualifiers
name the registry).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from urllib.parse import unquote

from caulk.policy.model import BaseImage

_MATERIAL = re.compile(
    r"^pkg:docker/(?P<name>[^@?]+)(?:@(?P<version>[^?@]+))?(?:\?(?P<query>[^@]*))?"
    r"(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)


def normalize_repository(name: str) -> str:
    """``debian`` → ``docker.io/library/debian``; ``org/app`` → ``docker.io/org/app``."""
    name = name.strip().lower() if name.islower() else name.strip()
    first, _, rest = name.partition("/")
    if not rest:
        return f"docker.io/library/{first}"
    if "." in first or ":" in first or first == "localhost":
        if first in ("index.docker.io", "registry-1.docker.io"):
            first = "docker.io"
        if first == "docker.io" and "/" not in rest:
            return f"docker.io/library/{rest}"
        return f"{first}/{rest}"
    return f"docker.io/{name}"


def split_reference(text: str) -> tuple[str, str | None, str | None]:
    """``name[:tag][@digest]`` → ``(normalised name, tag, digest)``."""
    ref, _, digest = text.partition("@")
    slash = ref.rfind("/")
    colon = ref.rfind(":")
    tag: str | None = None
    if colon > slash:
        ref, tag = ref[:colon], ref[colon + 1 :]
    return normalize_repository(ref), tag or None, digest or None


def parse_material(text: str) -> BaseImage | None:
    """A ``pkg:docker/…`` provenance material as a :class:`BaseImage`, or None."""
    match = _MATERIAL.match(text.strip())
    if match is None:
        return None
    name = unquote(match.group("name"))
    version = unquote(match.group("version") or "")
    qualifiers = dict(
        item.partition("=")[::2] for item in (match.group("query") or "").split("&") if item
    )
    registry = unquote(qualifiers.get("repository_url", ""))
    if registry:
        name = f"{registry.rstrip('/')}/{name}" if not name.startswith(registry) else name
    digest = match.group("digest")
    tag: str | None = version or None
    if version.startswith("sha256:"):
        tag, digest = None, digest or version
    return BaseImage(normalize_repository(name), tag, digest, "provenance")


def find_base_image(
    provenance_materials: Sequence[str], labels: Mapping[str, str]
) -> BaseImage | None:
    """The base image (see the module doc), or None when nothing names one."""
    materials = [b for b in (parse_material(m) for m in provenance_materials) if b is not None]
    label_name = labels.get("org.opencontainers.image.base.name", "").strip()
    label: BaseImage | None = None
    if label_name:
        name, tag, digest = split_reference(label_name)
        label_digest = labels.get("org.opencontainers.image.base.digest", "").strip() or None
        label = BaseImage(name, tag, digest or label_digest, "label")
    if len(materials) == 1:
        return materials[0]
    if materials and label is not None:
        for material in materials:
            if material.name == label.name and (material.tag == label.tag or not label.tag):
                return material
    if label is not None:
        return label
    return materials[-1] if materials else None
