"""``oci:DIR[:TAG]``: an OCI image layout directory (image-spec ``image-layout.md``).

Blobs are read from ``blobs/<algorithm>/<hex>`` and verified as they stream; a blob path is
built from a validated digest only, and must be a regular file inside the layout (a symlinked
blob pointing elsewhere is refused), so a crafted ``index.json`` cannot read host files.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Iterator
from pathlib import Path

from caulk.image.errors import ImageError
from caulk.image.reference import is_digest
from caulk.image.sources import (
    ImageSource,
    RootDocument,
    parse_json_object,
    select_layout_entry,
    virtual_index,
)
from caulk.image.streams import DEFAULT_LIMITS, FileRegion, VerifyingReader, read_verified


class OciLayoutSource(ImageSource):
    transport = "oci"

    def __init__(self, directory: Path, tag: str | None) -> None:
        self.directory = directory
        self.tag = tag
        self.location = str(directory)
        if not directory.exists():
            raise ImageError(f"{directory}: no such directory")
        if not directory.is_dir():
            raise ImageError(f"{directory}: not a directory (an OCI layout is a directory)")
        if not (directory / "index.json").is_file():
            raise ImageError(f"{directory}: not an OCI image layout (no index.json)")

    def root(self) -> RootDocument:
        index_path = self.directory / "index.json"
        try:
            data = index_path.read_bytes()[: DEFAULT_LIMITS.max_json_bytes + 1]
        except OSError as exc:
            raise ImageError(f"{index_path}: cannot read: {exc.strerror}") from None
        if len(data) > DEFAULT_LIMITS.max_json_bytes:
            raise ImageError(f"{index_path}: too large")
        index = parse_json_object(data, str(index_path))
        entries, _tag = select_layout_entry(index, self.tag, str(self.directory))
        if len(entries) > 1:
            return RootDocument(virtual_index(entries), None, None)
        entry = entries[0]
        digest, size = entry.get("digest"), entry.get("size")
        if not isinstance(digest, str) or not is_digest(digest):
            raise ImageError(f"{index_path}: invalid digest {digest!r}")
        body = self.read_blob(digest, size if isinstance(size, int) else None, digest)
        media_type = entry.get("mediaType")
        return RootDocument(body, media_type if isinstance(media_type, str) else None, digest)

    def _blob_path(self, digest: str) -> Path:
        if not is_digest(digest):
            raise ImageError(f"{self.directory}: invalid digest {digest!r}")
        algorithm, _, hexdigest = digest.partition(":")
        path = self.directory / "blobs" / algorithm / hexdigest
        try:
            mode = path.lstat().st_mode
        except OSError:
            raise ImageError(f"{self.directory}: blob {digest} is missing") from None
        if not stat.S_ISREG(mode):
            raise ImageError(f"{self.directory}: blob {digest} is not a regular file")
        return path

    @contextlib.contextmanager
    def open_blob(self, digest: str, size: int | None) -> Iterator[VerifyingReader]:
        path = self._blob_path(digest)
        with path.open("rb") as fh:
            region = FileRegion.whole_file(fh.fileno())
            yield VerifyingReader(fh, digest, size, digest, region=region)

    def read_blob(self, digest: str, size: int | None, what: str) -> bytes:
        with self.open_blob(digest, size) as reader:
            return read_verified(reader, digest, size, DEFAULT_LIMITS.max_json_bytes, what)
