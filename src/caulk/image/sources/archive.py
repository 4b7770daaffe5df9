"""``docker-archive:FILE[:NAME:TAG]`` and ``oci-archive:FILE[:TAG]``, read in place.

The outer tar is indexed once (headers only, bodies skipped with seeks, by the same bounded
header parser the layers use); blobs are then read straight from their offsets, so nothing is
extracted and a hostile archive cannot write anywhere.

Three shapes:

- **OCI archive**: a tar of an OCI image layout (``index.json``, ``blobs/…``).
- **Docker ≥ 25 ``docker save``**: an OCI layout *plus* ``manifest.json``. The layout's
  manifest is used (it has a real manifest digest); ``manifest.json`` picks the image by tag.
- **Classic ``docker save``** (also skopeo's ``docker-archive:``): ``manifest.json`` naming a
  config ``<hex>.json`` and uncompressed ``<id>/layer.tar`` files (often symlinks inside the
  tar). There is no manifest, so caulk synthesizes a Docker schema-2 manifest in memory: the
  config is checked against the hex in its name and each layer against its ``diff_id``. Its
  ``manifest_digest`` is reported as None: tools disagree on what it would be
  (reference/tools-on-this-machine.md §1).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from caulk.image.errors import DigestMismatchError, ImageError, LayerError
from caulk.image.filesystem import normalize_member
from caulk.image.oci import DOCKER_MANIFEST
from caulk.image.reference import is_digest, parse_registry_ref
from caulk.image.sources import (
    ImageSource,
    RootDocument,
    parse_json,
    parse_json_object,
    select_layout_entry,
    virtual_index,
)
from caulk.image.streams import (
    DEFAULT_LIMITS,
    GZIP_MAGIC,
    ZSTD_MAGIC,
    FileRegion,
    VerifyingReader,
)
from caulk.image.tarstream import TarReader
from caulk.records import record

_HEX_NAME = re.compile(r"(?:^|/)(?:blobs/sha256/)?([a-f0-9]{64})(?:\.json)?$")
DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json"
DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar"


@record
class _Entry:
    kind: str
    offset: int
    size: int
    linkname: str


class _SeekInput:
    """The outer (uncompressed) archive as a :class:`TarInput`: bodies are skipped by seeking."""

    def __init__(self, fh: IO[bytes], file_size: int) -> None:
        self._fh = fh
        self._size = file_size
        self.position = 0

    def read(self, n: int, /) -> bytes:
        data = self._fh.read(n)
        self.position += len(data)
        return data

    def read_into(self, n: int, sink: list[bytes] | None, /) -> int:
        if sink is not None:
            data = self.read(n)
            sink.append(data)
            return len(data)
        moved = min(n, self._size - self.position)
        self._fh.seek(moved, os.SEEK_CUR)
        self.position += moved
        return moved


class _Slice:
    """``size`` bytes of an open file from ``offset``."""

    def __init__(self, fh: IO[bytes], offset: int, size: int) -> None:
        fh.seek(offset)
        self._fh = fh
        self._left = size

    def read(self, n: int = -1, /) -> bytes:
        if self._left <= 0:
            return b""
        take = self._left if n is None or n < 0 else min(n, self._left)
        data = self._fh.read(take)
        self._left -= len(data)
        return data


def _same_image(a: str, b: str) -> bool:
    try:
        ra, rb = parse_registry_ref(a), parse_registry_ref(b)
    except ImageError:
        return a == b
    return (ra.registry, ra.repository, ra.tag) == (rb.registry, rb.repository, rb.tag)


class ArchiveSource(ImageSource):
    """A ``docker save`` or OCI archive tarball."""

    def __init__(self, path: Path, name: str | None, transport: str) -> None:
        self.path = path
        self.name = name
        self.transport = transport
        self.location = str(path)
        self._blobs: dict[str, str] = {}  # digest → member path (classic shape)
        if not path.exists():
            raise ImageError(f"{path}: no such file")
        if path.is_dir():
            raise ImageError(f"{path}: is a directory; use oci:{path} for an OCI layout directory")
        self._entries = self._index()

    # -- the outer tar -------------------------------------------------------------------------
    def _index(self) -> dict[str, _Entry]:
        entries: dict[str, _Entry] = {}
        try:
            with self.path.open("rb") as fh:
                head = fh.read(4)
                if head.startswith(GZIP_MAGIC) or head.startswith(ZSTD_MAGIC):
                    raise ImageError(
                        f"{self.path}: compressed archive; decompress it first "
                        "(gunzip / zstd -d) and pass the .tar"
                    )
                fh.seek(0)
                source = _SeekInput(fh, os.fstat(fh.fileno()).st_size)
                tar = TarReader(source, DEFAULT_LIMITS, str(self.path))
                while (member := tar.next_member()) is not None:
                    path, _warning = normalize_member(member.name)
                    if not path:
                        continue
                    entries[path] = _Entry(
                        member.kind, source.position, member.size, member.linkname
                    )
        except LayerError as exc:
            raise ImageError(f"{self.path}: not a readable tar archive ({exc})") from None
        except OSError as exc:
            raise ImageError(f"{self.path}: cannot read: {exc.strerror}") from None
        if not entries:
            raise ImageError(f"{self.path}: empty or not a tar archive")
        return entries

    def _lookup(self, name: str) -> _Entry | None:
        path, _ = normalize_member(name)
        for _hop in range(16):
            if not path:
                return None
            entry = self._entries.get(path)
            if entry is None or entry.kind != "symlink":
                return entry if entry is not None and entry.kind == "file" else None
            base = path.rpartition("/")[0]
            target = entry.linkname
            path, _ = normalize_member(target if target.startswith("/") else f"{base}/{target}")
        return None

    def _read_member(self, name: str, what: str) -> bytes:
        entry = self._lookup(name)
        if entry is None:
            raise ImageError(f"{self.path}: {what} {name!r} is missing from the archive")
        if entry.size > DEFAULT_LIMITS.max_json_bytes:
            raise ImageError(f"{self.path}: {name} is too large")
        with self.path.open("rb") as fh:
            return _Slice(fh, entry.offset, entry.size).read()

    # -- ImageSource ---------------------------------------------------------------------------
    def root(self) -> RootDocument:
        has_layout = "index.json" in self._entries
        has_docker = "manifest.json" in self._entries
        if self.transport == "oci-archive" or (has_layout and not has_docker):
            if not has_layout:
                raise ImageError(f"{self.path}: not an OCI archive (no index.json)")
            return self._layout_root(self.name)
        if not has_docker:
            if has_layout:
                return self._layout_root(None)
            raise ImageError(f"{self.path}: not a docker archive (no manifest.json)")
        image = self._docker_entry()
        tags = tuple(t for t in image.get("RepoTags") or () if isinstance(t, str))
        if has_layout:
            root = self._docker25_root(tags)
            if root is not None:
                return root
        return self._classic_root(image, tags)

    def _layout_root(self, tag: str | None) -> RootDocument:
        index = parse_json_object(self._read_member("index.json", "index"), "index.json")
        entries, _ = select_layout_entry(index, tag, str(self.path))
        if len(entries) > 1:
            return RootDocument(virtual_index(entries), None, None)
        return self._descriptor_root(entries[0], ())

    def _descriptor_root(self, entry: dict[str, Any], tags: tuple[str, ...]) -> RootDocument:
        digest, size = entry.get("digest"), entry.get("size")
        if not isinstance(digest, str) or not is_digest(digest):
            raise ImageError(f"{self.path}: index.json has an invalid digest {digest!r}")
        body = self.read_blob(digest, size if isinstance(size, int) else None, digest)
        media_type = entry.get("mediaType")
        return RootDocument(body, media_type if isinstance(media_type, str) else None, digest, tags)

    def _docker_entry(self) -> dict[str, Any]:
        manifest = parse_json(self._read_member("manifest.json", "manifest"), "manifest.json")
        if not isinstance(manifest, list) or not manifest:
            raise ImageError(f"{self.path}: manifest.json lists no images")
        images = [m for m in manifest if isinstance(m, dict)]
        if self.name is None:
            if len(images) == 1:
                return images[0]
            names = sorted(t for m in images for t in m.get("RepoTags") or ())
            raise ImageError(
                f"{self.path}: holds {len(images)} images; name one with :NAME:TAG or :@N "
                f"({', '.join(names)})"
            )
        if self.name.startswith("@"):
            try:
                return images[int(self.name[1:])]
            except (ValueError, IndexError):
                raise ImageError(f"{self.path}: no image number {self.name[1:]}") from None
        for image in images:
            if any(_same_image(self.name, t) for t in image.get("RepoTags") or ()):
                return image
        raise ImageError(f"{self.path}: no image named {self.name!r}")

    def _docker25_root(self, tags: tuple[str, ...]) -> RootDocument | None:
        try:
            index = parse_json_object(self._read_member("index.json", "index"), "index.json")
        except ImageError:
            return None
        entries = [m for m in index.get("manifests") or () if isinstance(m, dict)]
        for entry in entries:
            annotations = entry.get("annotations") or {}
            name = (
                annotations.get("io.containerd.image.name")
                if isinstance(annotations, dict)
                else None
            )
            if isinstance(name, str) and any(_same_image(name, t) for t in tags):
                return self._descriptor_root(entry, tags)
        if len(entries) == 1:
            return self._descriptor_root(entries[0], tags)
        return None

    def _classic_root(self, image: dict[str, Any], tags: tuple[str, ...]) -> RootDocument:
        config_name = image.get("Config")
        layers = image.get("Layers")
        if not isinstance(config_name, str) or not isinstance(layers, list):
            raise ImageError(f"{self.path}: manifest.json entry lacks Config or Layers")
        config_bytes = self._read_member(config_name, "config")
        config_digest = "sha256:" + hashlib.sha256(config_bytes).hexdigest()
        named = _HEX_NAME.search(config_name)
        if named and f"sha256:{named.group(1)}" != config_digest:
            raise DigestMismatchError(
                f"{self.path}: config {config_name} hashes to {config_digest}"
            )
        config = parse_json_object(config_bytes, config_name)
        rootfs = config.get("rootfs") if isinstance(config.get("rootfs"), dict) else {}
        diff_ids = rootfs.get("diff_ids") if isinstance(rootfs, dict) else None
        if not isinstance(diff_ids, list) or len(diff_ids) != len(layers):
            raise ImageError(
                f"{self.path}: config lists {len(diff_ids or [])} diff_ids for {len(layers)} layers"
            )
        self._blobs[config_digest] = config_name
        descriptors = []
        for layer_name, diff_id in zip(layers, diff_ids, strict=True):
            if not isinstance(layer_name, str) or not isinstance(diff_id, str):
                raise ImageError(f"{self.path}: malformed Layers entry in manifest.json")
            entry = self._lookup(layer_name)
            if entry is None:
                raise ImageError(f"{self.path}: layer {layer_name!r} is missing")
            addressed = _HEX_NAME.search(layer_name)
            digest = (
                f"sha256:{addressed.group(1)}"
                if addressed and "blobs/" in layer_name
                else (diff_id)
            )
            if not is_digest(digest):
                raise ImageError(f"{self.path}: invalid diff_id {diff_id!r}")
            self._blobs[digest] = layer_name
            descriptors.append({"mediaType": DOCKER_LAYER, "digest": digest, "size": entry.size})
        manifest = {
            "schemaVersion": 2,
            "mediaType": DOCKER_MANIFEST,
            "config": {
                "mediaType": DOCKER_CONFIG,
                "digest": config_digest,
                "size": len(config_bytes),
            },
            "layers": descriptors,
        }
        return RootDocument(json.dumps(manifest).encode(), DOCKER_MANIFEST, None, tags)

    @contextlib.contextmanager
    def open_blob(self, digest: str, size: int | None) -> Iterator[VerifyingReader]:
        if not is_digest(digest):
            raise ImageError(f"{self.path}: invalid digest {digest!r}")
        name = self._blobs.get(digest) or "blobs/{}/{}".format(*digest.split(":", 1))
        entry = self._lookup(name)
        if entry is None:
            raise ImageError(f"{self.path}: blob {digest} is missing from the archive")
        with self.path.open("rb") as fh:
            region = FileRegion(fh.fileno(), entry.offset, entry.size)
            yield VerifyingReader(
                _Slice(fh, entry.offset, entry.size), digest, size, digest, region=region
            )
