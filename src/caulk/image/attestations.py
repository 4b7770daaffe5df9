"""BuildKit attestation manifests: is an SBOM attached, is SLSA provenance attached, is it max mode.

Mirrors Docker Scout's "Supply chain attestations" detection (reference/scout-grade-and-
scanners.md §1.4, after moby/buildkit ``docs/attestations/attestation-storage.md`` and
``slsa-definitions.md``): the image index holds a manifest annotated
``vnd.docker.reference.type=attestation-manifest`` whose ``vnd.docker.reference.digest`` is the
image manifest; its layers are in-toto statements annotated ``in-toto.io/predicate-type``.

Provenance is *max* mode when ``buildConfig`` is present (v1: under
``buildDefinition.internalParameters``; v0.2: in the predicate) or BuildKit's completeness
flag is true (v1 ``runDetails.metadata.buildkit_completeness.request``; v0.2
``metadata.completeness.parameters``); otherwise min.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from caulk.image.model import PREDICATE_TYPE, Attestations, Statement

SBOM_PREDICATES = (
    "https://spdx.dev/Document",
    "https://cyclonedx.org/bom",
)
PROVENANCE_PREDICATES = (
    "https://slsa.dev/provenance/v1",
    "https://slsa.dev/provenance/v0.2",
)


def is_sbom_predicate(predicate_type: str) -> bool:
    return predicate_type.startswith(SBOM_PREDICATES)


def provenance_mode(statement: Mapping[str, Any]) -> Literal["max", "min"]:
    """``max`` or ``min`` for a SLSA provenance statement written by BuildKit."""
    predicate = statement.get("predicate")
    if not isinstance(predicate, Mapping):
        return "min"

    def get(*keys: str) -> Any:
        node: Any = predicate
        for key in keys:
            if not isinstance(node, Mapping):
                return None
            node = node.get(key)
        return node

    if str(statement.get("predicateType", "")).endswith("/v1"):
        if get("buildDefinition", "internalParameters", "buildConfig") is not None:
            return "max"
        if get("runDetails", "metadata", "buildkit_completeness", "request") is True:
            return "max"
        return "min"
    if predicate.get("buildConfig") is not None:
        return "max"
    if get("metadata", "completeness", "parameters") is True:
        return "max"
    return "min"


def provenance_base_images(statement: Mapping[str, Any]) -> tuple[str, ...]:
    """``pkg:docker/…`` entries of ``resolvedDependencies`` (v1) or ``materials`` (v0.2)."""
    predicate = statement.get("predicate")
    if not isinstance(predicate, Mapping):
        return ()
    definition = predicate.get("buildDefinition")
    entries = (
        definition.get("resolvedDependencies")
        if isinstance(definition, Mapping)
        else predicate.get("materials")
    )
    found = []
    for entry in entries if isinstance(entries, list) else ():
        uri = entry.get("uri") if isinstance(entry, Mapping) else None
        if isinstance(uri, str) and uri.startswith("pkg:docker/"):
            digest = entry.get("digest")
            sha = digest.get("sha256") if isinstance(digest, Mapping) else None
            found.append(f"{uri}@sha256:{sha}" if isinstance(sha, str) else uri)
    return tuple(found)


def summarize(
    manifest_digest: str,
    manifest: Mapping[str, Any],
    read_statement: Callable[[str, int | None], Mapping[str, Any] | None],
) -> Attestations:
    """Summarize one attestation manifest; ``read_statement`` loads a layer's JSON."""
    statements: list[Statement] = []
    sbom = False
    provenance_type: str | None = None
    mode: Literal["max", "min"] | None = None
    bases: tuple[str, ...] = ()
    for layer in manifest.get("layers") or ():
        if not isinstance(layer, Mapping):
            continue
        annotations = layer.get("annotations")
        predicate = annotations.get(PREDICATE_TYPE) if isinstance(annotations, Mapping) else None
        digest, size = layer.get("digest"), layer.get("size")
        if not isinstance(predicate, str) or not isinstance(digest, str):
            continue
        statements.append(Statement(predicate, digest, size if isinstance(size, int) else 0))
        if is_sbom_predicate(predicate):
            sbom = True
        elif predicate in PROVENANCE_PREDICATES and provenance_type is None:
            provenance_type = predicate
            statement = read_statement(digest, size if isinstance(size, int) else None)
            if statement is not None:
                mode = provenance_mode(statement)
                bases = provenance_base_images(statement)
    return Attestations(
        manifest_digest=manifest_digest,
        statements=tuple(statements),
        sbom=sbom,
        provenance=provenance_type is not None,
        provenance_predicate_type=provenance_type,
        provenance_mode=mode,
        base_images=bases,
    )
