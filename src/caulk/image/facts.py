"""Image facts: the config, sizes and base-image hints, and their JSON and text forms.

``inspect_document`` is the ``caulk inspect --format json`` contract (docs/inspect.md,
``schema_version`` 1): keys are sorted, lists are in image order, environment values are
replaced by ``null`` unless ``show_env_values`` is set (names alone say what an image expects
without leaking the secrets people put in ``ENV``).

Base-image hints, strongest first: the ``org.opencontainers.image.base.name/digest`` labels,
Docker Hardened Images' ``com.docker.dhi.*`` labels, the provenance's ``pkg:docker/…``
materials, a dpkg ``status.d`` directory without ``status`` (Google distroless), and
``/etc/os-release`` (Distroless, Wolfi/Chainguard, Docker Hardened Images, plain distros)
(reference/scout-grade-and-scanners.md §3).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from caulk.image.model import (
    BaseImageHint,
    ImageFacts,
    LayerInfo,
    OsRelease,
)

if TYPE_CHECKING:
    from caulk.image.filesystem import ImageFilesystem
    from caulk.image.open import Image

SCHEMA_VERSION = 1


def _tuple(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return (value,)
    return None


def _env(value: Any) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in value if isinstance(value, list) else ():
        if isinstance(item, str):
            name, _, val = item.partition("=")
            pairs.append((name, val))
    return tuple(pairs)


def _os_release(fs: ImageFilesystem) -> OsRelease | None:
    for path in ("etc/os-release", "usr/lib/os-release"):
        data = fs.read(path, limit=64 * 1024)
        if data is not None:
            return OsRelease.parse(data.decode("utf-8", "replace"))
    return None


def base_image_hints(
    labels: Mapping[str, str],
    os_release: OsRelease | None,
    fs: ImageFilesystem | None,
    provenance_bases: tuple[str, ...] = (),
) -> tuple[BaseImageHint, ...]:
    hints: list[BaseImageHint] = []
    name = labels.get("org.opencontainers.image.base.name")
    digest = labels.get("org.opencontainers.image.base.digest")
    if name:
        hints.append(BaseImageHint("label", f"{name}@{digest}" if digest else name))
    elif digest:
        hints.append(BaseImageHint("label", digest))
    dhi_name = labels.get("com.docker.dhi.name")
    if dhi_name or any(k.startswith("com.docker.dhi.") for k in labels):
        parts = [dhi_name or "dhi"]
        for key in ("variant", "distro", "version"):
            value = labels.get(f"com.docker.dhi.{key}")
            if value:
                parts.append(f"{key}={value}")
        hints.append(BaseImageHint("dhi", " ".join(parts)))
    hints.extend(BaseImageHint("provenance", base) for base in provenance_bases)
    if (
        fs is not None
        and fs.stat("var/lib/dpkg/status.d") is not None
        and (fs.stat("var/lib/dpkg/status") is None)
    ):
        hints.append(BaseImageHint("distroless", "dpkg status.d without status (distroless)"))
    if os_release is not None:
        text = os_release.pretty_name or os_release.name or os_release.id
        if text:
            hints.append(BaseImageHint("os-release", text))
    return tuple(hints)


def build_facts(image: Image, fs: ImageFilesystem) -> ImageFacts:
    config = image.container_config
    labels = image.labels
    attestations = image.attestations
    os_release = _os_release(fs)
    sizes = fs.uncompressed_sizes
    layers = tuple(
        LayerInfo(
            index=layer.index,
            digest=layer.digest,
            diff_id=layer.diff_id,
            media_type=layer.media_type,
            size=layer.size,
            created_by=layer.created_by,
            uncompressed_size=sizes[layer.index] if layer.index < len(sizes) else None,
        )
        for layer in image.layers
    )
    uncompressed = (
        sum(layer.uncompressed_size or 0 for layer in layers)
        if all(layer.uncompressed_size is not None for layer in layers)
        else None
    )
    ports = config.get("ExposedPorts")
    volumes = config.get("Volumes")
    user = config.get("User")
    return ImageFacts(
        reference=image.reference.text,
        transport=image.reference.transport,
        manifest_digest=image.manifest_digest,
        index_digest=image.index_digest,
        config_digest=image.config_digest,
        media_type=image.media_type,
        platform=image.platform,
        platforms=image.platforms,
        created=_str(image.config.get("created")),
        author=_str(image.config.get("author")),
        user=user if isinstance(user, str) else "",
        working_dir=_str(config.get("WorkingDir")) or None,
        entrypoint=_tuple(config.get("Entrypoint")),
        cmd=_tuple(config.get("Cmd")),
        env=_env(config.get("Env")),
        exposed_ports=tuple(sorted(ports)) if isinstance(ports, Mapping) else (),
        volumes=tuple(sorted(volumes)) if isinstance(volumes, Mapping) else (),
        stop_signal=_str(config.get("StopSignal")),
        labels=labels,
        history=image.history,
        layers=layers,
        compressed_size=sum(layer.size for layer in layers),
        uncompressed_size=uncompressed,
        os_release=os_release,
        base_image_hints=base_image_hints(labels, os_release, fs, attestations.base_images),
        attestations=attestations,
        repo_tags=image.repo_tags,
        warnings=tuple(image.warnings + fs.warnings),
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def inspect_document(facts: ImageFacts, *, show_env_values: bool = False) -> dict[str, Any]:
    """The ``inspect --format json`` document (docs/inspect.md)."""
    att = facts.attestations
    return {
        "schema_version": SCHEMA_VERSION,
        "reference": facts.reference,
        "transport": facts.transport,
        "manifest_digest": facts.manifest_digest,
        "index_digest": facts.index_digest,
        "config_digest": facts.config_digest,
        "media_type": facts.media_type,
        "platform": str(facts.platform) if facts.platform else None,
        "platforms": [str(p) for p in facts.platforms],
        "repo_tags": list(facts.repo_tags),
        "created": facts.created,
        "author": facts.author,
        "user": facts.user,
        "runs_as_root": facts.runs_as_root,
        "working_dir": facts.working_dir,
        "entrypoint": list(facts.entrypoint) if facts.entrypoint is not None else None,
        "cmd": list(facts.cmd) if facts.cmd is not None else None,
        "env": [
            {"name": name, "value": value if show_env_values else None} for name, value in facts.env
        ],
        "env_values_shown": show_env_values,
        "exposed_ports": list(facts.exposed_ports),
        "volumes": list(facts.volumes),
        "stop_signal": facts.stop_signal,
        "labels": dict(facts.labels),
        "history": [
            {
                "created": h.created,
                "created_by": h.created_by,
                "comment": h.comment,
                "empty_layer": h.empty_layer,
            }
            for h in facts.history
        ],
        "layers": [
            {
                "index": layer.index,
                "digest": layer.digest,
                "diff_id": layer.diff_id,
                "media_type": layer.media_type,
                "size": layer.size,
                "uncompressed_size": layer.uncompressed_size,
                "created_by": layer.created_by,
            }
            for layer in facts.layers
        ],
        "size": {"compressed": facts.compressed_size, "uncompressed": facts.uncompressed_size},
        "os_release": None
        if facts.os_release is None
        else {
            "id": facts.os_release.id,
            "version_id": facts.os_release.version_id,
            "name": facts.os_release.name,
            "pretty_name": facts.os_release.pretty_name,
            "version_codename": facts.os_release.version_codename,
        },
        "base_image_hints": [{"kind": h.kind, "value": h.value} for h in facts.base_image_hints],
        "attestations": {
            "manifest_digest": att.manifest_digest,
            "sbom": att.sbom,
            "provenance": att.provenance,
            "provenance_predicate_type": att.provenance_predicate_type,
            "provenance_mode": att.provenance_mode,
            "base_images": list(att.base_images),
            "statements": [
                {"predicate_type": s.predicate_type, "digest": s.digest, "size": s.size}
                for s in att.statements
            ],
        },
        "warnings": list(facts.warnings),
    }


def render_json(facts: ImageFacts, *, show_env_values: bool = False) -> str:
    document = inspect_document(facts, show_env_values=show_env_values)
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _size(n: int | None) -> str:
    if n is None:
        return "unknown"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.1f} {unit}" if unit != "B" else f"{n} B"
        value /= 1024
    return f"{n} B"  # pragma: no cover


def render_text(facts: ImageFacts, *, show_env_values: bool = False) -> str:
    """A plain, stable text summary for people."""
    att = facts.attestations
    lines = [f"Image          {facts.reference}"]
    if facts.index_digest:
        lines.append(f"Index digest   {facts.index_digest}")
    lines.append(f"Manifest       {facts.manifest_digest or '(none: classic docker archive)'}")
    lines.append(f"Config         {facts.config_digest}")
    lines.append(f"Platform       {facts.platform or 'unknown'}")
    if facts.platforms:
        lines.append(f"Platforms      {', '.join(str(p) for p in facts.platforms)}")
    lines.append(f"Created        {facts.created or 'unknown'}")
    root = " (root)" if facts.runs_as_root else ""
    lines.append(f"User           {facts.user or '(unset)'}{root}")
    if facts.entrypoint is not None:
        lines.append(f"Entrypoint     {json.dumps(list(facts.entrypoint))}")
    if facts.cmd is not None:
        lines.append(f"Cmd            {json.dumps(list(facts.cmd))}")
    if facts.working_dir:
        lines.append(f"WorkingDir     {facts.working_dir}")
    if facts.exposed_ports:
        lines.append(f"Ports          {', '.join(facts.exposed_ports)}")
    if facts.env:
        shown = [f"{n}={v}" for n, v in facts.env] if show_env_values else [n for n, _ in facts.env]
        suffix = "" if show_env_values else "  (values hidden; --show-env-values)"
        lines.append(f"Env            {', '.join(shown)}{suffix}")
    lines.append(
        f"Size           {_size(facts.compressed_size)} compressed, "
        f"{_size(facts.uncompressed_size)} uncompressed, {len(facts.layers)} layer(s)"
    )
    if facts.os_release is not None:
        lines.append(f"OS             {facts.os_release.pretty_name or facts.os_release.id}")
    for hint in facts.base_image_hints:
        lines.append(f"Base hint      {hint.kind}: {hint.value}")
    sbom = "yes" if att.sbom else "no"
    prov = f"yes ({att.provenance_mode} mode)" if att.provenance else "no"
    lines.append(f"Attestations   SBOM: {sbom}; provenance: {prov}")
    if facts.labels:
        lines.append("Labels")
        lines.extend(f"  {k}={v}" for k, v in facts.labels.items())
    lines.append("Layers")
    for layer in facts.layers:
        lines.append(
            f"  {layer.index + 1:>2}  {layer.digest[:19]}  {_size(layer.size):>10}  "
            f"{(layer.created_by or '')[:60]}"
        )
    for warning in facts.warnings:
        lines.append(f"warning: {warning}")
    return "\n".join(lines) + "\n"
