"""A registry image (``[REGISTRY/]NAME[:TAG|@DIGEST]``) through :mod:`caulk.registry.client`.

Manifests are fetched with the OCI and Docker Accept types and verified; blobs land in the
digest-keyed cache and are verified again as they are read.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from caulk.image.reference import RegistryRef
from caulk.image.sources import ImageSource, RootDocument
from caulk.image.streams import VerifyingReader
from caulk.registry.client import RegistryClient


class RegistrySource(ImageSource):
    transport = "registry"

    def __init__(self, ref: RegistryRef, client: RegistryClient, *, owns_client: bool) -> None:
        self.ref = ref
        self.client = client
        self.location = str(ref)
        self._owns_client = owns_client

    def root(self) -> RootDocument:
        fetched = self.client.get_manifest(self.ref)
        return RootDocument(fetched.body, fetched.media_type, fetched.digest)

    def read_manifest(self, digest: str, size: int | None) -> bytes:
        # manifests named by an index live under /manifests/, not /blobs/
        return self.client.get_manifest(self.ref, digest).body

    @contextlib.contextmanager
    def open_blob(self, digest: str, size: int | None) -> Iterator[VerifyingReader]:
        with self.client.open_blob(self.ref, digest, size) as reader:
            yield reader

    def close(self) -> None:
        if self._owns_client:
            self.client.close()
