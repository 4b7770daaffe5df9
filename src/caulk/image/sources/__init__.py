"""Where an image's manifests and blobs come from: one module per transport.

An :class:`ImageSource` hands :mod:`caulk.image.open` the *root* document (a manifest or an
index, with its digest when it has one) and verified blob streams. Everything above this seam
— platform selection, config parsing, attestations, layers — is shared by all transports.

- ``oci_layout``: an OCI image layout directory (``oci:``).
- ``archive``: ``docker-archive:`` (classic ``docker save`` and Docker ≥ 25's OCI-in-tar) and
  ``oci-archive:``, read in place from the tar without extracting it.
- ``registry``: the OCI distribution API through :mod:`caulk.registry.client`.
"""

from __future__ import annotations

import abc
import contextlib
import json
from typing import Any

from caulk.image.errors import ImageError
from caulk.image.streams import DEFAULT_LIMITS, VerifyingReader, read_verified
from caulk.records import record


@record
class RootDocument:
    """The first manifest or index of an image, as the source found it."""

    body: bytes
    media_type: str | None
    digest: str | None
    """None when the document is not content-addressed (a layout's ``index.json`` subset, or
    the manifest caulk synthesizes for a classic ``docker save`` archive)."""
    repo_tags: tuple[str, ...] = ()


class ImageSource(abc.ABC):
    """Manifests and blobs of one image location."""

    transport: str = ""
    location: str = ""

    @abc.abstractmethod
    def root(self) -> RootDocument:
        """The manifest or index the reference names."""

    @abc.abstractmethod
    def open_blob(
        self, digest: str, size: int | None
    ) -> contextlib.AbstractContextManager[VerifyingReader]:
        """A stream of the blob that fails at its end unless the bytes match ``digest``."""

    def read_blob(self, digest: str, size: int | None, what: str) -> bytes:
        """A small blob (manifest, config, statement), verified and size-bounded."""
        with self.open_blob(digest, size) as reader:
            return read_verified(reader, digest, size, DEFAULT_LIMITS.max_json_bytes, what)

    def read_manifest(self, digest: str, size: int | None) -> bytes:
        """A manifest or index named by an index, verified."""
        return self.read_blob(digest, size, f"manifest {digest}")

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release files or connections."""


def parse_json(data: bytes, what: str) -> Any:
    """JSON from an untrusted document, with a one-line error naming it."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise ImageError(f"{what}: not valid JSON ({exc})") from None


def parse_json_object(data: bytes, what: str) -> dict[str, Any]:
    value = parse_json(data, what)
    if not isinstance(value, dict):
        raise ImageError(f"{what}: expected a JSON object")
    return value


def select_layout_entry(
    index: dict[str, Any], tag: str | None, where: str
) -> tuple[list[dict[str, Any]], str | None]:
    """Pick ``index.json`` entries by tag (``org.opencontainers.image.ref.name``).

    Returns the entries (one, or several that platform selection must choose from) and the
    tag that matched.
    """
    manifests = index.get("manifests")
    if not isinstance(manifests, list) or not manifests:
        raise ImageError(f"{where}: index.json lists no manifests")
    entries = [m for m in manifests if isinstance(m, dict)]

    def ref_name(entry: dict[str, Any]) -> str | None:
        annotations = entry.get("annotations")
        if isinstance(annotations, dict):
            name = annotations.get("org.opencontainers.image.ref.name")
            return name if isinstance(name, str) else None
        return None

    tags = sorted({n for n in (ref_name(e) for e in entries) if n})
    if tag is not None:
        chosen = [e for e in entries if ref_name(e) == tag]
        if not chosen:
            known = ", ".join(tags) or "none"
            raise ImageError(f"{where}: no image tagged {tag!r} (tags: {known})")
        return chosen, tag
    if len(entries) == 1:
        return entries, ref_name(entries[0])
    if all(isinstance(e.get("platform"), dict) for e in entries):
        return entries, None
    raise ImageError(
        f"{where}: holds {len(entries)} images; name one with :TAG (tags: {', '.join(tags)})"
    )


def virtual_index(entries: list[dict[str, Any]]) -> bytes:
    """An index document around several layout entries (not content-addressed)."""
    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": entries,
        }
    ).encode()
