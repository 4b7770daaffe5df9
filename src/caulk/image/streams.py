"""Byte streams for untrusted blobs: digest verification while reading, bounded decompression.

``VerifyingReader`` hashes every byte it hands out and fails at end of stream if the digest or
the declared size do not match (it also refuses to read past the declared size, so a lying
source cannot make it read forever). ``open_decompressed`` sniffs the compression from the
magic bytes (media types lie: Docker's classic archives say nothing, some registries mislabel
zstd) and decompresses in bounded chunks, counting output against :class:`Limits` so a
decompression bomb stops with a clear error instead of filling memory or disk.

gzip goes through ``isal`` when it is installed (reference/tools-on-this-machine.md §6: 716 MB/s
streaming versus zlib's 340 MB/s), else ``zlib``; multi-member gzip streams are handled.
"""

from __future__ import annotations

import dataclasses
import hashlib
import zlib
from typing import Any, Protocol

from caulk.image.errors import DigestMismatchError, LayerError

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_gzip_impl: Any
try:  # pragma: no cover - depends on the optional dependency
    from isal import isal_zlib

    _gzip_impl, GZIP_BACKEND = isal_zlib, "isal"
except ImportError:  # pragma: no cover
    _gzip_impl, GZIP_BACKEND = zlib, "zlib"


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds for reading untrusted images. Every one is configurable; defaults fit real images."""

    max_uncompressed_bytes: int = 32 << 30
    """Total uncompressed bytes over all layers of one image (decompression-bomb cap)."""
    max_file_bytes: int = 8 << 30
    """Largest single tar member."""
    max_header_bytes: int = 1 << 20
    """Largest PAX or GNU long-name header; larger ones are refused before they are read."""
    max_members: int = 2_000_000
    """Tar members per layer."""
    max_kept_bytes: int = 1 << 30
    """File bodies kept in memory for catalogers, in total."""
    max_kept_file_bytes: int = 64 << 20
    """Largest single file body kept in memory; larger ones are re-read on demand."""
    max_json_bytes: int = 8 << 20
    """Manifests, indexes, configs, ``manifest.json``."""
    max_statement_bytes: int = 64 << 20
    """One in-toto attestation statement."""


DEFAULT_LIMITS = Limits()


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class VerifyingReader:
    """Reads a blob, hashing as it goes; a mismatch raises ``DigestMismatchError`` at its end."""

    def __init__(
        self, stream: Readable, digest: str, size: int | None, name: str | None = None
    ) -> None:
        algorithm, _, expected = digest.partition(":")
        if algorithm not in ("sha256", "sha512") or not expected:
            raise DigestMismatchError(f"{name or digest}: unsupported digest {digest!r}")
        self._stream = stream
        self._hash = hashlib.new(algorithm)
        self._expected = expected.lower()
        self._digest = digest
        self._size = size
        self._read = 0
        self._done = False
        self.name = name or digest

    @property
    def bytes_read(self) -> int:
        return self._read

    def read(self, size: int = -1, /) -> bytes:
        if self._done:
            return b""
        want = CHUNK if size is None or size < 0 else size
        if self._size is not None:
            # one byte past the declared size reveals an over-long blob without reading it all
            want = min(want, self._size - self._read + 1)
        data = self._stream.read(want) if want > 0 else b""
        if not data:
            self._finish()
            return b""
        self._read += len(data)
        if self._size is not None and self._read > self._size:
            raise DigestMismatchError(
                f"blob {self.name}: larger than its declared size {self._size} bytes"
            )
        self._hash.update(data)
        return data

    def _finish(self) -> None:
        self._done = True
        if self._size is not None and self._read != self._size:
            raise DigestMismatchError(
                f"blob {self.name}: {self._read} bytes, but its descriptor says {self._size}"
            )
        actual = self._hash.hexdigest()
        if actual != self._expected:
            raise DigestMismatchError(
                f"blob {self.name}: content hashes to {self._digest.split(':')[0]}:{actual}, "
                f"not {self._digest}"
            )

    def drain(self) -> None:
        """Read (and hash) what is left, so the digest is checked even if the tar ended early."""
        while self.read(CHUNK):
            pass


def read_verified(
    stream: Readable, digest: str, size: int | None, limit: int, name: str | None = None
) -> bytes:
    """A whole small blob (manifest, config), verified, refused if larger than ``limit``."""
    if size is not None and size > limit:
        raise LayerError(f"{name or digest}: {size} bytes, larger than the {limit}-byte limit")
    reader = VerifyingReader(stream, digest, size, name)
    parts: list[bytes] = []
    total = 0
    while chunk := reader.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise LayerError(f"{name or digest}: larger than the {limit}-byte limit")
        parts.append(chunk)
    return b"".join(parts)


class Budget:
    """Uncompressed bytes left for one image; shared by all its layers."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, amount: int, what: str) -> None:
        self.used += amount
        if self.used > self.limit:
            raise LayerError(
                f"{what}: more than {self.limit} uncompressed bytes "
                "(decompression bomb? raise Limits.max_uncompressed_bytes if the image is real)"
            )


class DecompressedStream:
    """``read(n)``/``skip(n)`` over a compressed (or plain) stream, output bounded by a budget."""

    def __init__(self, source: VerifyingReader, budget: Budget, what: str) -> None:
        self._source = source
        self._budget = budget
        self._what = what
        self._buffer = bytearray()
        self._buf = b""
        self._pos = 0
        self._eof = False
        self.total_out = 0
        head = source.read(4)
        self.compression: str
        self._zstd: Any = None
        self._inflate: Any = None
        self._pending = head
        if head.startswith(GZIP_MAGIC):
            self.compression = "gzip"
            self._inflate = _gzip_impl.decompressobj(31)
        elif head.startswith(ZSTD_MAGIC):
            import zstandard

            self.compression = "zstd"
            self._zstd = zstandard.ZstdDecompressor().stream_reader(
                _Feed(self),  # type: ignore[arg-type]
                read_size=CHUNK,
                read_across_frames=True,
            )
        else:
            self.compression = "none"

    # -- producing chunks --------------------------------------------------------------------
    def _next_input(self) -> bytes:
        if self._pending:
            data, self._pending = self._pending, b""
            return data
        return self._source.read(CHUNK)

    def _fill(self) -> bool:
        """Append at least one byte of output to the buffer; False at end of stream."""
        while not self._eof:
            out = self._produce()
            if out is None:
                self._eof = True
                break
            if out:
                self.total_out += len(out)
                self._budget.spend(len(out), self._what)
                self._buffer += out
                return True
        return False

    def _produce(self) -> bytes | None:
        if self.compression == "none":
            data = self._next_input()
            return data if data else None
        if self.compression == "gzip":
            return self._produce_gzip()
        return self._produce_zstd()

    def _produce_gzip(self) -> bytes | None:
        inflate = self._inflate
        try:
            if inflate.unconsumed_tail:
                return bytes(inflate.decompress(inflate.unconsumed_tail, CHUNK))
            if inflate.eof:
                rest = inflate.unused_data
                if not rest:
                    rest = self._next_input()
                if not rest:
                    return None
                if not rest.startswith(GZIP_MAGIC[: len(rest)]) or rest.strip(b"\0") == b"":
                    # trailing zero padding after the last member is harmless
                    self._source.drain()
                    return None
                self._inflate = inflate = _gzip_impl.decompressobj(31)  # next gzip member
                return bytes(inflate.decompress(rest, CHUNK))
            data = self._next_input()
            if not data:
                raise LayerError(f"{self._what}: truncated gzip stream")
            return bytes(inflate.decompress(data, CHUNK))
        except (zlib.error, _gzip_impl.error) as exc:
            raise LayerError(f"{self._what}: corrupt gzip data ({exc})") from None

    def _produce_zstd(self) -> bytes | None:
        import zstandard

        try:
            # stream_reader bounds each output chunk (decompressobj has no max_length, and a
            # zstd RLE bomb expands 1 MiB of input to tens of GiB in one call)
            out = self._zstd.read(CHUNK)
        except zstandard.ZstdError as exc:
            raise LayerError(f"{self._what}: corrupt zstd data ({exc})") from None
        return bytes(out) if out else None

    # -- consuming ---------------------------------------------------------------------------
    def _available(self) -> int:
        return len(self._buf) - self._pos

    def _refill(self) -> bool:
        rest = self._buf[self._pos :]
        if not self._fill():
            return False
        self._buf = rest + bytes(self._buffer) if rest else bytes(self._buffer)
        self._buffer.clear()
        self._pos = 0
        return True

    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at end of stream."""
        while self._available() < n and self._refill():
            pass
        data = self._buf[self._pos : self._pos + n]
        self._pos += len(data)
        return data

    def read_into(self, n: int, sink: list[bytes] | None) -> int:
        """Move ``n`` bytes into ``sink`` (or drop them) without joining; returns bytes moved."""
        moved = 0
        while moved < n:
            if not self._available() and not self._refill():
                break
            take = min(n - moved, self._available())
            if sink is not None:
                sink.append(self._buf[self._pos : self._pos + take])
            self._pos += take
            moved += take
        return moved

    def finish(self) -> None:
        """Read to the end, so ``total_out`` is the whole size and the digest is verified.

        What follows the tar's end-of-archive blocks is normally a few KiB of zero padding; a
        larger trailer still counts against the budget.
        """
        while self._fill():
            self._buffer.clear()
        self._source.drain()


class _Feed:
    """The compressed input as a file object for zstandard's ``stream_reader``."""

    def __init__(self, owner: DecompressedStream) -> None:
        self._owner = owner

    def read(self, size: int = -1) -> bytes:
        return self._owner._next_input()
