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

import contextlib
import hashlib
import queue
import sys
import threading
import zlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from caulk.image.errors import DigestMismatchError, LayerError
from caulk.records import record

CHUNK = 1 << 20
THREAD_CHUNK = 4 << 20
"""Chunk size on the helper thread: fewer, larger chunks mean fewer GIL hand-overs."""
QUEUE_CHUNKS = 4
HASH_SLICE = 256 << 20
"""A mapped blob is hashed in pieces this large: one GIL hand-over each, and at most this
much hashing to wait for when a pass is abandoned (about 0.2 s here)."""
HANDOVER_SECONDS = 0.0001
"""GIL switch interval while a helper thread streams a layer (see :class:`_QuickHandover`)."""
GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"

_gzip_impl: Any
try:  # pragma: no cover - depends on the optional dependency
    from isal import isal_zlib

    _gzip_impl, GZIP_BACKEND = isal_zlib, "isal"
except ImportError:  # pragma: no cover
    _gzip_impl, GZIP_BACKEND = zlib, "zlib"


@record
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


class BlobReader(Protocol):
    """What a decompressor reads: bytes of a blob, then ``drain`` checks its digest."""

    def read(self, size: int = -1, /) -> bytes: ...

    def drain(self) -> None: ...


class FileRegion:
    """Where a blob lies in a local file: the open file's descriptor, offset and length."""

    __slots__ = ("fileno", "length", "offset")

    def __init__(self, fileno: int, offset: int, length: int) -> None:
        self.fileno = fileno
        self.offset = offset
        self.length = length

    @classmethod
    def whole_file(cls, fileno: int) -> FileRegion:
        """All of the open file ``fileno`` (its size now)."""
        import os

        return cls(fileno, 0, os.fstat(fileno).st_size)


class VerifyingReader:
    """Reads a blob, hashing as it goes; a mismatch raises ``DigestMismatchError`` at its end.

    A source that has the blob in a local file passes its ``region`` too, so that an
    uncompressed layer can be read through a memory map instead (:class:`MappedLayer`).
    """

    def __init__(
        self,
        stream: Readable,
        digest: str,
        size: int | None,
        name: str | None = None,
        region: FileRegion | None = None,
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
        self.region = region

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

    def verify_whole(self, data: memoryview, stop: Callable[[], bool] | None = None) -> None:
        """Check the whole blob, given at once (the GIL is released while it is hashed).

        It is hashed in :data:`HASH_SLICE` pieces, and ``stop()`` is asked between them: true,
        the check ends without a verdict (the caller gave up on the blob).
        """
        if self._size is not None and len(data) > self._size:
            raise DigestMismatchError(
                f"blob {self.name}: larger than its declared size {self._size} bytes"
            )
        for start in range(0, len(data), HASH_SLICE):
            if stop is not None and stop():
                return
            with data[start : start + HASH_SLICE] as piece:
                self._hash.update(piece)
        self._read = len(data)
        self._finish()


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


class MappedBlob:
    """A blob in a local file, read through a read-only memory map and hashed on a helper thread.

    Bytes come out of the page cache without a read per chunk, and the helper thread hashes
    the whole blob in one ``hashlib`` call, which releases the GIL for its whole duration
    instead of once per chunk. :meth:`drain` waits for the hash and raises
    ``DigestMismatchError`` if the blob is not what it claims, as :class:`VerifyingReader`
    does at the end of a stream, so it can stand in for one as a decompressor's input.

    The caveat of every memory map: a file truncated by another process *while* it is read
    ends the process with SIGBUS; a file already too short when the layer is opened is read
    the streaming way and reported (:func:`open_layer`). :meth:`close` stops the hash at the
    next :data:`HASH_SLICE` boundary, waits for the helper thread and unmaps: nothing uses the
    file after ``close`` returns (so a caller may rewrite it), and an error early in a
    multi-GB layer is not held back until the whole layer is hashed.
    """

    def __init__(self, source: VerifyingReader, mapping: Any, start: int, length: int) -> None:
        self._source = source
        self._map = mapping
        self._pos = start
        self._end = start + length
        self._error: BaseException | None = None
        self._view: memoryview | None = memoryview(mapping)[start : start + length]
        self._stop = False
        self._thread: threading.Thread | None = threading.Thread(
            target=self._verify, name="caulk-layer-hasher", daemon=True
        )
        self._thread.start()

    def _verify(self) -> None:
        assert self._view is not None
        try:
            self._source.verify_whole(self._view, lambda: self._stop)
        except BaseException as exc:  # raised on the reading thread, by drain()
            self._error = exc

    def read(self, n: int = -1, /) -> bytes:
        """The next ``n`` bytes (all that is left for a negative ``n``), fewer at the end."""
        pos = self._pos
        end = self._end if n < 0 else min(pos + n, self._end)
        self._pos = end
        return self._map[pos:end]  # type: ignore[no-any-return]

    def drain(self) -> None:
        """Wait for the hash; raise ``DigestMismatchError`` if the blob is not what it claims."""
        self._pos = self._end
        self._join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _join(self) -> None:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._view is not None:
            self._view.release()
            self._view = None

    def close(self) -> None:
        """Stop the hash (if it still runs), wait for the helper thread and unmap."""
        self._stop = True
        self._join()
        self._map.close()


class MappedLayer(MappedBlob):
    """An uncompressed layer in a local file: the tar parser reads straight from the map.

    ``docker save`` archives (classic and Docker 25+) store layers as plain tars, so most of a
    layer pass there is hashing and copying bytes. Mapped, the bytes are never copied: the tar
    parser slices headers (and only the bodies it keeps) out of the page cache while the
    helper thread hashes. The layer pass of ``benchmarks/bench_sbom.py``'s images, in process
    (best of 5): extra (135 MB) 0.150 s streamed, 0.118 s mapped; minbase (84 MB) 0.124 s,
    0.078 s. The digest is checked in :meth:`finish`, before anything built from the layer is
    used. The same interface as :class:`DecompressedStream`.
    """

    compression = "none"

    def __init__(self, source: VerifyingReader, mapping: Any, start: int, length: int) -> None:
        super().__init__(source, mapping, start, length)
        self.total_out = length

    def read_into(self, n: int, sink: list[bytes] | None) -> int:
        """Move ``n`` bytes into ``sink`` (or skip them); returns bytes moved."""
        pos = self._pos
        end = min(pos + n, self._end)
        if sink is not None:
            sink.append(self._map[pos:end])
        self._pos = end
        return end - pos

    def finish(self) -> None:
        """Wait for the hash; raise ``DigestMismatchError`` if the layer is not what it claims."""
        self.drain()

    def __enter__(self) -> MappedLayer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _map_region(region: FileRegion) -> tuple[Any, int] | None:
    """``(mapping, start of the region in it)``, or None if the file cannot be mapped."""
    import mmap
    import os

    try:
        if os.fstat(region.fileno).st_size < region.offset + region.length:
            return None  # already shorter than the blob: the streaming reader reports it
        aligned = region.offset - region.offset % mmap.ALLOCATIONGRANULARITY
        mapping = mmap.mmap(
            region.fileno,
            region.offset + region.length - aligned,
            access=mmap.ACCESS_READ,
            offset=aligned,
        )
    except (OSError, ValueError):  # not mappable (a pipe, a special file): stream it
        return None
    return mapping, region.offset - aligned


def open_layer(
    source: VerifyingReader, budget: Budget, what: str
) -> DecompressedStream | MappedLayer:
    """A layer's one full pass: from a memory map when the blob is in a local file.

    A plain tar is parsed straight from the map (:class:`MappedLayer`); a compressed one is
    decompressed from it on a helper thread while another hashes it (:class:`MappedBlob`);
    anything else (a registry stream, a pipe) is read, hashed and decompressed in chunks.
    """
    region = source.region
    mapped = _map_region(region) if region is not None and region.length >= 2 * 512 else None
    if mapped is None:
        return DecompressedStream(source, budget, what, threaded=True)
    assert region is not None
    mapping, start = mapped
    head = mapping[start : start + 4]
    if head.startswith(GZIP_MAGIC) or head.startswith(ZSTD_MAGIC):
        blob = MappedBlob(source, mapping, start, region.length)
        try:
            return DecompressedStream(blob, budget, what, threaded=True, owns_source=True)
        except BaseException:
            blob.close()
            raise
    try:
        budget.spend(region.length, what)
    except LayerError:
        mapping.close()
        raise
    return MappedLayer(source, mapping, start, region.length)


class _QuickHandover:
    """Shorten the interpreter's GIL switch interval while layer helper threads run.

    The helper thread needs the GIL briefly after every read, hash and decompression call
    (each releases it). With the default 5 ms interval, a main thread busy parsing tar headers
    keeps it that long each time, so the helper spends most of its time waiting and the two
    cores take turns instead of working together ("convoy effect"): measured on a 135 MB
    uncompressed layer, 0.273 s with the default against 0.183 s at 0.1 ms, which is the time
    with hashing switched off altogether (benchmarks/bench_sbom.py). The previous interval is
    restored when the last stream closes; nested and concurrent streams are counted.
    """

    _lock = threading.Lock()
    _active = 0
    _previous = 0.0

    @classmethod
    def enter(cls) -> None:
        with cls._lock:
            if cls._active == 0:
                cls._previous = sys.getswitchinterval()
                sys.setswitchinterval(min(cls._previous, HANDOVER_SECONDS))
            cls._active += 1

    @classmethod
    def leave(cls) -> None:
        with cls._lock:
            cls._active -= 1
            if cls._active == 0:
                sys.setswitchinterval(cls._previous)


class DecompressedStream:
    """``read(n)``/``read_into(n, sink)`` over a compressed (or plain) stream.

    Output is bounded by a :class:`Budget`. The blob is read, hashed and decompressed in
    chunks of at most :data:`CHUNK` bytes; with ``threaded`` (a layer's one full pass) that
    happens on a helper thread, in :data:`THREAD_CHUNK` pieces, at most :data:`QUEUE_CHUNKS`
    ahead of the tar parser (file reads, ``hashlib`` and zlib/isal/zstd release the GIL, so
    hashing and decompressing overlap with header parsing on a second core). Memory stays
    bounded by the queue; an error on the helper thread (digest mismatch, corrupt data) is
    raised here, in order, after the chunks that preceded it. Chunks are handed out without
    copying: a member body that is skipped is never touched.

    Use it as a context manager (or call :meth:`close`) so the helper thread always stops.
    """

    def __init__(
        self,
        source: BlobReader,
        budget: Budget,
        what: str,
        *,
        threaded: bool = False,
        owns_source: bool = False,
    ) -> None:
        self._source = source
        self._owns_source = owns_source
        self._budget = budget
        self._what = what
        self._buf = b""
        self._pos = 0
        self._eof = False
        self.total_out = 0
        head = source.read(4)
        self.compression = (
            "gzip"
            if head.startswith(GZIP_MAGIC)
            else "zstd"
            if head.startswith(ZSTD_MAGIC)
            else "none"
        )
        chunks = self._chunks(head, THREAD_CHUNK if threaded else CHUNK)
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue[bytes | BaseException | None] | None = None
        self._stop = False
        if threaded:
            self._queue = queue.Queue(QUEUE_CHUNKS)
            self._thread = threading.Thread(
                target=self._pump, args=(chunks,), name="caulk-layer-reader", daemon=True
            )
            _QuickHandover.enter()
            self._thread.start()
        else:
            self._inline: Iterator[bytes] = chunks

    # -- producing chunks (possibly on the helper thread) --------------------------------------
    def _chunks(self, head: bytes, size: int) -> Iterator[bytes]:
        """Decompressed chunks to the end of the blob; the digest is verified at the end."""
        if self.compression == "gzip":
            yield from self._gzip_chunks(head, size)
        elif self.compression == "zstd":
            yield from self._zstd_chunks(head, size)
        else:
            if head:
                yield head
            read = self._source.read
            while data := read(size):
                yield data
        self._source.drain()

    def _gzip_chunks(self, head: bytes, size: int) -> Iterator[bytes]:
        read = self._source.read
        inflate = _gzip_impl.decompressobj(31)
        data = head
        try:
            while True:
                if not data:
                    data = read(size)
                if data:
                    out = inflate.decompress(data, size)
                else:
                    out = inflate.decompress(b"", size)  # output zlib may still hold
                    if not out and not inflate.eof:
                        raise LayerError(f"{self._what}: truncated gzip stream")
                if out:
                    yield out
                while inflate.unconsumed_tail:
                    out = inflate.decompress(inflate.unconsumed_tail, size)
                    if out:
                        yield out
                data = b""
                if not inflate.eof:
                    continue
                rest = inflate.unused_data or read(size)
                if not rest:
                    return
                if not rest.startswith(GZIP_MAGIC[: len(rest)]) or rest.strip(b"\0") == b"":
                    # trailing zero padding after the last member is harmless
                    return
                inflate = _gzip_impl.decompressobj(31)  # the next gzip member
                data = rest
        except (zlib.error, _gzip_impl.error) as exc:
            raise LayerError(f"{self._what}: corrupt gzip data ({exc})") from None

    def _zstd_chunks(self, head: bytes, size: int) -> Iterator[bytes]:
        import zstandard

        # stream_reader bounds each output chunk (decompressobj has no max_length, and a
        # zstd RLE bomb expands 1 MiB of input to tens of GiB in one call)
        reader = zstandard.ZstdDecompressor().stream_reader(
            _Feed(head, self._source, size),  # type: ignore[arg-type]
            read_size=size,
            read_across_frames=True,
        )
        try:
            while out := reader.read(size):
                yield bytes(out)
        except zstandard.ZstdError as exc:
            raise LayerError(f"{self._what}: corrupt zstd data ({exc})") from None

    def _pump(self, chunks: Iterator[bytes]) -> None:
        """The helper thread: move chunks into the bounded queue until the end or a stop."""
        assert self._queue is not None
        put = self._queue.put
        try:
            for chunk in chunks:
                if self._stop:
                    return
                put(chunk)
        except BaseException as exc:  # handed to the reading thread, raised there
            put(exc)
        else:
            put(None)

    def _next_chunk(self) -> bytes | None:
        """The next chunk of output (budget spent), or None at the end of the stream."""
        if self._eof:
            return None
        if self._queue is None:
            chunk = next(self._inline, None)
        else:
            item = self._queue.get()
            if isinstance(item, BaseException):
                self._eof = True
                raise item
            chunk = item
        if chunk is None:
            self._eof = True
            return None
        self.total_out += len(chunk)
        self._budget.spend(len(chunk), self._what)
        return chunk

    # -- consuming ---------------------------------------------------------------------------
    def read(self, n: int) -> bytes:
        """Exactly ``n`` bytes, fewer only at end of stream."""
        pos = self._pos
        end = pos + n
        buf = self._buf
        if end <= len(buf):
            self._pos = end
            return buf[pos:end]
        parts = [buf[pos:]]
        need = n - (len(buf) - pos)
        while need > 0:
            chunk = self._next_chunk()
            if chunk is None:
                self._buf, self._pos = b"", 0
                return b"".join(parts)
            if len(chunk) >= need:
                parts.append(chunk[:need])
                self._buf, self._pos = chunk, need
                return b"".join(parts)
            parts.append(chunk)
            need -= len(chunk)
        self._buf, self._pos = b"", 0
        return b"".join(parts)

    def read_into(self, n: int, sink: list[bytes] | None) -> int:
        """Move ``n`` bytes into ``sink`` (or drop them) without joining; returns bytes moved."""
        pos = self._pos
        buf = self._buf
        left = len(buf) - pos
        if n <= left:
            if sink is not None:
                sink.append(buf[pos : pos + n])
            self._pos = pos + n
            return n
        if sink is not None and left:
            sink.append(buf[pos:])
        moved = left
        while True:
            chunk = self._next_chunk()
            if chunk is None:
                self._buf, self._pos = b"", 0
                return moved
            want = n - moved
            if len(chunk) >= want:
                if sink is not None:
                    sink.append(chunk[:want])
                self._buf, self._pos = chunk, want
                return n
            if sink is not None:
                sink.append(chunk)
            moved += len(chunk)

    def finish(self) -> None:
        """Read to the end, so ``total_out`` is the whole size and the digest is verified.

        What follows the tar's end-of-archive blocks is normally a few KiB of zero padding; a
        larger trailer still counts against the budget.
        """
        self._buf, self._pos = b"", 0
        while self._next_chunk() is not None:
            pass

    def close(self) -> None:
        """Stop the helper thread (if any) and wait for it; pending chunks are dropped."""
        self._stop_thread()
        if self._owns_source:
            self._owns_source = False
            closing = getattr(self._source, "close", None)
            if closing is not None:
                closing()

    def _stop_thread(self) -> None:
        thread = self._thread
        if thread is None:
            return
        self._stop = True
        assert self._queue is not None
        while thread.is_alive():
            with contextlib.suppress(queue.Empty):  # unblock a put on a full queue
                self._queue.get(timeout=0.05)
        thread.join()
        self._thread = None
        _QuickHandover.leave()

    def __enter__(self) -> DecompressedStream:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class _Feed:
    """The compressed input as a file object for zstandard's ``stream_reader``."""

    def __init__(self, head: bytes, source: BlobReader, size: int) -> None:
        self._head = head
        self._source = source
        self._size = size

    def read(self, size: int = -1) -> bytes:
        if self._head:
            data, self._head = self._head, b""
            return data
        return self._source.read(self._size)
