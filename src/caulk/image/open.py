"""``open_image``: THE entry point from an ``IMAGE`` argument to an :class:`Image`.

Every verb that reads images (``inspect``, ``sbom``, ``scan``, ``compare``, ``sign``) calls
:func:`open_image`; catalogers then read ``image.filesystem(wanted)``.

Opening reads only small documents (index, manifest, config, attestation manifest and the
provenance statement), each verified against its digest. Layers are read when
:meth:`Image.filesystem` is called — once per call, so ask once with every path you want.
:attr:`Image.facts` needs ``/etc/os-release`` and the uncompressed sizes; it reuses the last
filesystem pass, or makes a cheap one (nothing kept but os-release) if there was none.
"""

from __future__ import annotations

import contextlib
import fnmatch
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from caulk.image.errors import ImageError
from caulk.image.filesystem import ImageFilesystem, Wanted
from caulk.image.oci import (
    INDEX_TYPES,
    MANIFEST_TYPES,
    REFERENCE_DIGEST,
    Descriptor,
    LayerInfo,
    Platform,
)
from caulk.image.reference import ImageReference, is_digest, parse_reference
from caulk.image.sources import ImageSource, parse_json_object
from caulk.image.streams import DEFAULT_LIMITS, Limits, VerifyingReader, read_verified
from caulk.records import record

if TYPE_CHECKING:
    # httpx costs ~0.1 s to import and local images never need it; the facts model is only
    # for inspect/scan, not for caulk sbom's start-up
    from caulk.image.model import Attestations, HistoryEntry, ImageFacts
    from caulk.registry.client import RegistryClient
    from caulk.registry.options import RegistryOptions

DEFAULT_PLATFORM = "linux/amd64"
OS_RELEASE_PATHS = ("etc/os-release", "usr/lib/os-release")
_FACT_PATHS = frozenset(OS_RELEASE_PATHS)


def _descriptor(data: Any, where: str) -> Descriptor:
    if not isinstance(data, Mapping):
        raise ImageError(f"{where}: malformed descriptor")
    digest, size, media_type = data.get("digest"), data.get("size"), data.get("mediaType")
    if not isinstance(digest, str) or not is_digest(digest):
        raise ImageError(f"{where}: descriptor has an invalid digest {digest!r}")
    if not isinstance(size, int) or size < 0:
        raise ImageError(f"{where}: descriptor {digest} has an invalid size")
    annotations = data.get("annotations")
    artifact_type = data.get("artifactType")
    return Descriptor(
        media_type=media_type if isinstance(media_type, str) else "",
        digest=digest,
        size=size,
        platform=Platform.from_json(data.get("platform")),
        annotations={str(k): str(v) for k, v in annotations.items() if isinstance(v, str)}
        if isinstance(annotations, Mapping)
        else {},
        artifact_type=artifact_type if isinstance(artifact_type, str) else None,
    )


def _is_index(doc: Mapping[str, Any], media_type: str | None) -> bool:
    declared = doc.get("mediaType") or media_type
    if declared in INDEX_TYPES:
        return True
    return declared not in MANIFEST_TYPES and "manifests" in doc and "layers" not in doc


def _strings(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return (value,)
    return None


@record
class _LayerHandle:
    source: ImageSource
    info: LayerInfo

    @property
    def digest(self) -> str:
        return self.info.digest

    @property
    def diff_id(self) -> str | None:
        return self.info.diff_id

    def open(self) -> contextlib.AbstractContextManager[VerifyingReader]:
        return self.source.open_blob(self.info.digest, self.info.size)


class Image:
    """An opened image: its manifest, config and layers; filesystem and facts on demand."""

    def __init__(
        self,
        reference: ImageReference,
        source: ImageSource,
        platform: Platform,
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.reference = reference
        self.source = source
        self.limits = limits
        self.warnings: list[str] = []
        self._last_fs: ImageFilesystem | None = None
        self._attestation_desc: Descriptor | None = None
        self._attestations: Attestations | None = None

        root = source.root()
        self.repo_tags = root.repo_tags
        doc = parse_json_object(root.body, f"{reference.text}: manifest")
        body, media_type, digest = root.body, root.media_type, root.digest
        self.index_digest: str | None = None
        self.platforms: tuple[Platform, ...] = ()
        depth = 0
        while _is_index(doc, media_type):
            depth += 1
            if depth > 4:
                raise ImageError(f"{reference.text}: image indexes nested too deeply")
            if self.index_digest is None:
                self.index_digest = digest
            chosen = self._select(doc, platform)
            body = source.read_manifest(chosen.digest, chosen.size)
            media_type, digest = chosen.media_type, chosen.digest
            doc = parse_json_object(body, f"manifest {digest}")
        if doc.get("schemaVersion") == 1:
            raise ImageError(f"{reference.text}: Docker schema 1 manifests are not supported")
        self.manifest_digest: str | None = digest
        self.media_type: str = str(doc.get("mediaType") or media_type or "")
        self.manifest: Mapping[str, Any] = doc
        config_desc = _descriptor(doc.get("config"), f"manifest {digest}: config")
        self.config_digest = config_desc.digest
        config_bytes = source.read_blob(config_desc.digest, config_desc.size, "config")
        self.config: Mapping[str, Any] = parse_json_object(config_bytes, "image config")
        self.platform = Platform.from_json(self.config)
        if self.platform and self.platforms == () and not self.platform.matches(platform):
            self.warnings.append(
                f"the image is {self.platform}, not the requested {platform} "
                "(a single-platform image is read as it is)"
            )
        self.layers = self._layers(doc)

    # -- construction helpers ------------------------------------------------------------------
    def _select(self, doc: Mapping[str, Any], wanted: Platform) -> Descriptor:
        manifests = doc.get("manifests")
        if not isinstance(manifests, list):
            raise ImageError(f"{self.reference.text}: index has no manifests list")
        descriptors = [_descriptor(m, f"{self.reference.text}: index") for m in manifests]
        images = [d for d in descriptors if not d.is_attestation_manifest]
        self.platforms = tuple(sorted({d.platform for d in images if d.platform}))
        matches = [d for d in images if d.platform is not None and wanted.matches(d.platform)]
        if not matches:
            if len(images) == 1 and images[0].platform is None:
                matches = images
            else:
                available = ", ".join(str(p) for p in self.platforms) or "none"
                raise ImageError(
                    f"{self.reference.text}: no {wanted} image in the index "
                    f"(platforms: {available}); choose one with --platform"
                )
        chosen = matches[0]
        for desc in descriptors:
            if desc.is_attestation_manifest and desc.annotations.get(REFERENCE_DIGEST) == (
                chosen.digest
            ):
                self._attestation_desc = desc
        return chosen

    def _layers(self, doc: Mapping[str, Any]) -> tuple[LayerInfo, ...]:
        raw_layers = doc.get("layers")
        if not isinstance(raw_layers, list):
            raise ImageError(f"{self.reference.text}: manifest has no layers list")
        rootfs = self.config.get("rootfs")
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, Mapping) else None
        if not isinstance(diff_ids, list) or len(diff_ids) != len(raw_layers):
            self.warnings.append("config rootfs.diff_ids does not match the manifest's layers")
            diff_ids = [None] * len(raw_layers)
        created_by = _layer_commands(self.config)
        if len(created_by) != len(raw_layers):
            created_by = [None] * len(raw_layers)
        layers = []
        for index, (raw, diff_id, made_by) in enumerate(
            zip(raw_layers, diff_ids, created_by, strict=True)
        ):
            desc = _descriptor(raw, f"layer {index + 1}")
            uncompressed = desc.size if desc.media_type.endswith(".tar") else None
            layers.append(
                LayerInfo(
                    index=index,
                    digest=desc.digest,
                    diff_id=diff_id if isinstance(diff_id, str) and is_digest(diff_id) else None,
                    media_type=desc.media_type,
                    size=desc.size,
                    created_by=made_by,
                    uncompressed_size=uncompressed,
                )
            )
        return tuple(layers)

    # -- config views --------------------------------------------------------------------------
    @property
    def container_config(self) -> Mapping[str, Any]:
        value = self.config.get("config")
        return value if isinstance(value, Mapping) else {}

    @property
    def history(self) -> tuple[HistoryEntry, ...]:
        from caulk.image.model import HistoryEntry

        return tuple(
            HistoryEntry(
                created=_opt_str(item.get("created")),
                created_by=_opt_str(item.get("created_by")),
                comment=_opt_str(item.get("comment")),
                empty_layer=item.get("empty_layer") is True,
            )
            for item in _history_items(self.config)
        )

    @property
    def labels(self) -> dict[str, str]:
        labels = self.container_config.get("Labels")
        if not isinstance(labels, Mapping):
            return {}
        return {str(k): str(v) for k, v in sorted(labels.items())}

    # -- attestations --------------------------------------------------------------------------
    @property
    def attestations(self) -> Attestations:
        """The BuildKit attestations attached to this manifest in its index (empty if none)."""
        if self._attestations is None:
            from caulk.image.attestations import summarize
            from caulk.image.model import Attestations

            desc = self._attestation_desc
            if desc is None:
                self._attestations = Attestations()
            else:
                body = self.source.read_manifest(desc.digest, desc.size)
                manifest = parse_json_object(body, f"attestation manifest {desc.digest}")
                self._attestations = summarize(desc.digest, manifest, self._read_statement)
        return self._attestations

    def _read_statement(self, digest: str, size: int | None) -> Mapping[str, Any] | None:
        try:
            with self.source.open_blob(digest, size) as reader:
                data = read_verified(
                    reader, digest, size, self.limits.max_statement_bytes, "statement"
                )
            return parse_json_object(data, f"attestation statement {digest}")
        except ImageError as exc:
            self.warnings.append(str(exc))
            return None

    # -- filesystem ----------------------------------------------------------------------------
    def filesystem(self, wanted: Wanted | None = None) -> ImageFilesystem:
        """Read every layer once and return the final filesystem.

        ``wanted(path)`` says which file bodies to keep in memory (paths are relative, no
        leading ``/``); other files stay readable, at the cost of re-reading their layer.
        """
        user_wanted = wanted or (lambda _p: False)

        def keep(path: str) -> bool:
            return path in _FACT_PATHS or user_wanted(path)

        handles = [_LayerHandle(self.source, layer) for layer in self.layers]
        fs = ImageFilesystem(handles, keep, self.limits)
        self._last_fs = fs
        return fs

    def _fact_filesystem(self) -> ImageFilesystem:
        return self._last_fs if self._last_fs is not None else self.filesystem()

    @property
    def facts(self) -> ImageFacts:
        """Everything ``inspect`` reports (reads the layers once if no filesystem was built)."""
        from caulk.image.facts import build_facts

        return build_facts(self, self._fact_filesystem())

    def close(self) -> None:
        self.source.close()

    def __enter__(self) -> Image:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _opt_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _history_items(config: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The config's ``history`` entries that are objects (malformed ones are left out)."""
    entries = config.get("history")
    return (
        [item for item in entries if isinstance(item, Mapping)] if isinstance(entries, list) else []
    )


def _layer_commands(config: Mapping[str, Any]) -> list[str | None]:
    """``created_by`` of each history entry that made a layer, in order (what
    :attr:`Image.history` gives, without loading the facts model on ``caulk sbom``'s path)."""
    return [
        _opt_str(item.get("created_by"))
        for item in _history_items(config)
        if item.get("empty_layer") is not True
    ]


def open_image(
    ref: str,
    *,
    platform: str | None = None,
    registry_options: RegistryOptions | None = None,
    client: RegistryClient | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Image:
    """Open ``ref`` (any ``IMAGE`` form) for ``platform`` (default linux/amd64).

    Pass ``client`` to share one registry client between images (``compare``); otherwise one
    is created from ``registry_options`` and closed with the image. Bad references, missing
    files, digest mismatches and unsafe content raise :class:`caulk.image.errors.ImageError`
    (an ``InputError``).
    """
    try:
        wanted_platform = Platform.parse(platform or DEFAULT_PLATFORM)
    except ValueError as exc:
        raise ImageError(f"--platform: {exc}") from None
    reference = parse_reference(ref)
    source: ImageSource
    if reference.transport == "oci":
        from caulk.image.sources.oci_layout import OciLayoutSource

        assert reference.path is not None
        source = OciLayoutSource(reference.path, reference.name)
    elif reference.transport in ("docker-archive", "oci-archive"):
        from caulk.image.sources.archive import ArchiveSource

        assert reference.path is not None
        source = ArchiveSource(reference.path, reference.name, reference.transport)
    else:
        from caulk.image.sources.registry import RegistrySource

        assert reference.registry is not None
        owns = client is None
        source = RegistrySource(
            reference.registry, client or _registry_client(registry_options), owns_client=owns
        )
    try:
        return Image(reference, source, wanted_platform, limits)
    except BaseException:
        source.close()
        raise


def glob_wanted(*patterns: str) -> Callable[[str], bool]:
    """A ``wanted`` predicate from shell globs (``*`` crosses ``/``), e.g. ``**/METADATA``."""
    compiled = [fnmatch.translate(p.replace("**/", "*")) for p in patterns]
    import re

    regex = re.compile("|".join(f"(?:{c})" for c in compiled))
    return lambda path: regex.match(path) is not None


def _registry_client(options: RegistryOptions | None) -> RegistryClient:
    from caulk.registry.client import RegistryClient

    return RegistryClient(options)
