"""The layer byte stream and tar reader on their own: chunking, the reader thread, headers.

A layer's one full pass decompresses and hashes on a helper thread (``threaded=True``); every
test that matters for that runs both ways, since the bytes handed to the tar parser, the
errors and their order must not depend on it.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import sys
import threading
from pathlib import Path
from typing import BinaryIO

import pytest
import zstandard

from caulk.image.errors import DigestMismatchError, LayerError
from caulk.image.streams import (
    DEFAULT_LIMITS,
    HANDOVER_SECONDS,
    HASH_SLICE,
    THREAD_CHUNK,
    Budget,
    DecompressedStream,
    FileRegion,
    MappedBlob,
    MappedLayer,
    open_layer,
)
from caulk.image.streams import VerifyingReader as Reader
from caulk.image.tarstream import TarReader
from tests.image.synthetic import raw_header

# larger than two helper-thread chunks, so reads cross chunk boundaries; compresses well
PAYLOAD = bytes(range(256)) * ((2 * THREAD_CHUNK + 12345) // 256)
BOTH = pytest.mark.parametrize("threaded", [False, True], ids=["inline", "threaded"])


def digest(blob: bytes) -> str:
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def stream(blob: bytes, threaded: bool, claimed: str | None = None) -> DecompressedStream:
    reader = Reader(io.BytesIO(blob), claimed or digest(blob), len(blob))
    return DecompressedStream(reader, Budget(1 << 40), "layer 1", threaded=threaded)


def read_back(source: DecompressedStream) -> bytes:
    """Everything, with a mix of exact reads and moves, in odd sizes that straddle chunks."""
    parts: list[bytes] = []
    sizes = (1, 511, 4096, 999_999, THREAD_CHUNK + 7)
    turn = 0
    while True:
        size = sizes[turn % len(sizes)]
        if turn % 2:
            data = source.read(size)
            parts.append(data)
            moved = len(data)
        else:
            sink: list[bytes] = []
            moved = source.read_into(size, sink)
            parts.append(b"".join(sink))
        if moved < size:
            return b"".join(parts)
        turn += 1


@BOTH
@pytest.mark.parametrize("compression", ["none", "gzip", "gzip-members", "zstd"])
def test_every_compression_gives_back_the_same_bytes(threaded: bool, compression: str) -> None:
    if compression == "gzip":
        blob = gzip.compress(PAYLOAD, compresslevel=1)
    elif compression == "gzip-members":  # what pigz and some registries write
        half = len(PAYLOAD) // 2
        blob = gzip.compress(PAYLOAD[:half], 1) + gzip.compress(PAYLOAD[half:], 1) + b"\0" * 64
    elif compression == "zstd":
        blob = zstandard.ZstdCompressor(level=1).compress(PAYLOAD)
    else:
        blob = PAYLOAD
    with stream(blob, threaded) as source:
        assert read_back(source) == PAYLOAD
        source.finish()
        assert source.total_out == len(PAYLOAD)


@BOTH
def test_a_digest_mismatch_comes_after_the_data_it_covers(threaded: bool) -> None:
    wrong = digest(b"something else")
    with stream(PAYLOAD, threaded, claimed=wrong) as source:
        assert source.read(1000) == PAYLOAD[:1000]
        with pytest.raises(DigestMismatchError, match=wrong):
            source.finish()


@BOTH
def test_a_truncated_gzip_layer_is_a_clear_error(threaded: bool) -> None:
    blob = gzip.compress(PAYLOAD, compresslevel=1)[:-5000]
    with stream(blob, threaded) as source, pytest.raises(LayerError, match="truncated gzip"):
        source.finish()


@BOTH
def test_the_budget_stops_a_bomb_in_either_mode(threaded: bool) -> None:
    blob = gzip.compress(PAYLOAD, compresslevel=1)
    reader = Reader(io.BytesIO(blob), digest(blob), len(blob))
    with (
        DecompressedStream(reader, Budget(1 << 20), "layer 1", threaded=threaded) as source,
        pytest.raises(LayerError, match="decompression bomb"),
    ):
        source.finish()


def test_closing_early_stops_the_reader_thread() -> None:
    blob = PAYLOAD * 4  # far more than the bounded queue holds
    source = stream(blob, threaded=True)
    assert source.read(512) == blob[:512]
    source.close()
    assert not any(t.name == "caulk-layer-reader" for t in threading.enumerate())


def test_the_gil_switch_interval_is_short_only_while_a_layer_streams() -> None:
    # the helper thread must not wait 5 ms for the GIL after every chunk (convoy effect)
    before = sys.getswitchinterval()
    first = stream(PAYLOAD * 4, threaded=True)
    second = stream(PAYLOAD * 4, threaded=True)
    assert sys.getswitchinterval() == pytest.approx(min(before, HANDOVER_SECONDS))
    first.close()  # the second still streams
    assert sys.getswitchinterval() == pytest.approx(min(before, HANDOVER_SECONDS))
    second.close()
    assert sys.getswitchinterval() == before
    with stream(PAYLOAD, threaded=False):
        assert sys.getswitchinterval() == before  # nothing to hand over to


def tar_of(*blocks: bytes) -> bytes:
    return b"".join(blocks) + b"\0" * 1024


def members(blob: bytes) -> list[tuple[str, int]]:
    with stream(blob, threaded=False) as source:
        tar = TarReader(source, DEFAULT_LIMITS, "layer 1")
        found = []
        while (member := tar.next_member()) is not None:
            found.append((member.name, member.size))
        return found


def test_a_header_whose_checksum_does_not_match_is_refused() -> None:
    good = raw_header("etc/passwd", 0)
    bad = good[:0] + b"E" + good[1:]  # the name changed, the checksum did not
    assert members(tar_of(good)) == [("etc/passwd", 0)]
    with pytest.raises(LayerError, match="checksum mismatch"):
        members(tar_of(good, bad))


def test_old_signed_checksums_are_accepted() -> None:
    # pre-POSIX tars summed the header as signed chars: bytes >= 0x80 count negative
    header = bytearray(raw_header("caf\xe9", 0).ljust(512, b"\0"))
    header[0:5] = "café".encode()
    header[148:156] = b" " * 8
    signed = sum(b - 256 if b >= 128 else b for b in header)
    header[148:156] = f"{signed:06o}\0 ".encode()
    assert members(tar_of(bytes(header))) == [("café", 0)]


def test_a_malformed_pax_uid_is_a_layer_error() -> None:
    record = b"uid=root\n"
    pax_body = f"{len(record) + 3} ".encode() + record
    pax = raw_header("PaxHeaders/f", len(pax_body), b"x") + pax_body.ljust(512, b"\0")
    with pytest.raises(LayerError, match="invalid PAX uid 'root'"):
        members(tar_of(pax, raw_header("f", 0)))


# -- uncompressed layers in local files: read through a memory map ---------------------------


def file_reader(
    path: Path, offset: int, length: int, claimed: str, size: int | None
) -> tuple[Reader, BinaryIO]:
    fh = path.open("rb")
    fh.seek(offset)
    region = FileRegion(fh.fileno(), offset, length)
    return Reader(fh, claimed, size, region=region), fh


@pytest.mark.parametrize("offset", [0, 1536, 4096 + 512])
def test_a_plain_layer_in_a_file_is_mapped_and_verified(tmp_path: Path, offset: int) -> None:
    path = tmp_path / "archive.tar"
    path.write_bytes(b"\0" * offset + PAYLOAD + b"trailing bytes of the outer archive")
    reader, fh = file_reader(path, offset, len(PAYLOAD), digest(PAYLOAD), len(PAYLOAD))
    with fh, open_layer(reader, Budget(1 << 40), "layer 1") as source:
        assert isinstance(source, MappedLayer)
        assert read_back(source) == PAYLOAD
        source.finish()
        assert source.total_out == len(PAYLOAD)


def test_a_mapped_layer_that_does_not_match_its_digest_fails_at_its_end(tmp_path: Path) -> None:
    path = tmp_path / "layer.tar"
    path.write_bytes(PAYLOAD)
    wrong = digest(b"something else")
    reader, fh = file_reader(path, 0, len(PAYLOAD), wrong, len(PAYLOAD))
    with fh, open_layer(reader, Budget(1 << 40), "layer 1") as source:
        assert isinstance(source, MappedLayer)
        assert source.read(1000) == PAYLOAD[:1000]
        with pytest.raises(DigestMismatchError, match=wrong):
            source.finish()


@pytest.mark.parametrize("declared", [len(PAYLOAD) - 1, len(PAYLOAD) + 1])
def test_a_mapped_layer_of_another_size_than_declared_fails(tmp_path: Path, declared: int) -> None:
    path = tmp_path / "layer.tar"
    path.write_bytes(PAYLOAD)
    reader, fh = file_reader(path, 0, len(PAYLOAD), digest(PAYLOAD), declared)
    with (
        fh,
        open_layer(reader, Budget(1 << 40), "layer 1") as source,
        pytest.raises(DigestMismatchError, match=r"declared size|descriptor says"),
    ):
        source.finish()


@pytest.mark.parametrize("compression", ["gzip", "zstd"])
def test_a_compressed_layer_in_a_file_is_decompressed_from_its_map(
    tmp_path: Path, compression: str
) -> None:
    if compression == "gzip":
        blob = gzip.compress(PAYLOAD, compresslevel=1)
    else:
        blob = zstandard.ZstdCompressor(level=1).compress(PAYLOAD)
    path = tmp_path / "layer.tar.x"
    path.write_bytes(b"\0" * 1536 + blob)
    reader, fh = file_reader(path, 1536, len(blob), digest(blob), len(blob))
    with fh, open_layer(reader, Budget(1 << 40), "layer 1") as source:
        assert isinstance(source, DecompressedStream)
        assert isinstance(source._source, MappedBlob)
        assert read_back(source) == PAYLOAD
        source.finish()
    assert source._source._map.closed  # closing the stream unmapped the blob


def test_a_compressed_mapped_layer_that_does_not_match_its_digest_fails(tmp_path: Path) -> None:
    blob = gzip.compress(PAYLOAD, compresslevel=1)
    path = tmp_path / "layer.tar.gz"
    path.write_bytes(blob)
    wrong = digest(b"something else")
    reader, fh = file_reader(path, 0, len(blob), wrong, len(blob))
    with fh, open_layer(reader, Budget(1 << 40), "layer 1") as source:
        assert source.read(1000) == PAYLOAD[:1000]
        with pytest.raises(DigestMismatchError, match=wrong):
            source.finish()


def test_closing_a_compressed_mapped_layer_early_stops_its_threads(tmp_path: Path) -> None:
    blob = gzip.compress(PAYLOAD * 4, compresslevel=1)
    path = tmp_path / "layer.tar.gz"
    path.write_bytes(blob)
    reader, fh = file_reader(path, 0, len(blob), digest(blob), len(blob))
    with fh:
        source = open_layer(reader, Budget(1 << 40), "layer 1")
        assert source.read(512) == PAYLOAD[:512]
        source.close()
    names = {t.name for t in threading.enumerate()}
    assert not names & {"caulk-layer-reader", "caulk-layer-hasher"}


def test_a_file_shorter_than_its_layer_is_streamed_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "layer.tar"
    path.write_bytes(PAYLOAD[:5000])  # truncated before caulk opened it
    reader, fh = file_reader(path, 0, len(PAYLOAD), digest(PAYLOAD), len(PAYLOAD))
    with fh, open_layer(reader, Budget(1 << 40), "layer 1") as source:
        assert isinstance(source, DecompressedStream)
        with pytest.raises(DigestMismatchError, match="5000 bytes"):
            source.finish()


def test_the_budget_counts_a_mapped_layer(tmp_path: Path) -> None:
    path = tmp_path / "layer.tar"
    path.write_bytes(PAYLOAD)
    reader, fh = file_reader(path, 0, len(PAYLOAD), digest(PAYLOAD), len(PAYLOAD))
    with fh, pytest.raises(LayerError, match="uncompressed bytes"):
        open_layer(reader, Budget(len(PAYLOAD) - 1), "layer 1")


def test_closing_while_the_hash_runs_stops_it_and_unmaps(tmp_path: Path) -> None:
    # an error early in a big layer: close() must not wait for the whole layer to be hashed,
    # and must not leave the file mapped (the caller may rewrite it right after)
    path = tmp_path / "big.tar"
    with path.open("wb") as out:
        out.truncate(4 * HASH_SLICE)  # sparse: no disk used
    reader, fh = file_reader(path, 0, 4 * HASH_SLICE, digest(b"not this"), 4 * HASH_SLICE)
    with fh:
        layer = open_layer(reader, Budget(1 << 40), "layer 1")
        assert isinstance(layer, MappedLayer)
        layer.read(512)
        layer.close()  # as after a LayerError: no finish(), no verdict
    assert layer._map.closed
    assert not any(t.name == "caulk-layer-hasher" for t in threading.enumerate())
    assert reader.bytes_read == 0  # the check ended without a verdict
