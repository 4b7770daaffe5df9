"""Reading OSV records from bytes, files, directories and osv.dev's per-ecosystem zips.

Records come as JSON (osv.dev exports, most databases) or YAML (pypa/advisory-database). YAML
is loaded with ruamel.yaml's *base* loader: safe (plain dicts, lists and strings only, no
tags) and it keeps every scalar a string, so an unquoted version such as ``0.10`` can never
become the float ``0.1``. JSON is parsed by orjson (twice the standard library's speed, which
the import rate needs). Each reader yields :class:`RawRecord` values (name and bytes) so that an
error can name the file; :func:`parse_record` validates one into an
:class:`~caulk.vuln.models.Advisory`.

Limits (untrusted input): a record larger than :data:`MAX_RECORD_BYTES` is refused, and so is
a zip member whose declared size exceeds it (a zip bomb does not get decompressed).
"""

from __future__ import annotations

import io
import mmap
import os
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import orjson

from caulk.vuln.models import Advisory, OSVError

__all__ = [
    "MAX_RECORD_BYTES",
    "RECORD_SUFFIXES",
    "RawRecord",
    "ZipMember",
    "decode_record",
    "iter_directory",
    "iter_source",
    "iter_zip",
    "load_record",
    "parse_record",
    "read_zip_members",
    "zip_members",
]

MAX_RECORD_BYTES = 64 * 1024 * 1024
"""Largest single record accepted (the biggest real records are a few MB)."""

RECORD_SUFFIXES = (".json", ".yaml", ".yml")


def _is_yaml(name: str) -> bool:
    return name.endswith((".yaml", ".yml"))


def decode_record(data: bytes, name: str) -> Any:
    """Decode one record's bytes: YAML when ``name`` ends in ``.yaml``/``.yml``, JSON otherwise."""
    if len(data) > MAX_RECORD_BYTES:
        raise OSVError(f"{name}: record larger than {MAX_RECORD_BYTES} bytes")
    if _is_yaml(name):
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        try:
            return YAML(typ="base", pure=True).load(io.BytesIO(data))
        except YAMLError as exc:
            raise OSVError(f"{name}: invalid YAML: {exc}") from None
    try:
        return orjson.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise OSVError(f"{name}: invalid JSON: {exc}") from None


def parse_record(data: bytes, name: str) -> Advisory:
    """Decode and validate one record; :class:`OSVError` messages start with ``name``."""
    obj = decode_record(data, name)
    try:
        return Advisory.from_osv(obj)
    except OSVError as exc:
        raise OSVError(f"{name}: {exc}") from None


def load_record(path: Path) -> Advisory:
    """Parse the record in one file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OSVError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_record(data, str(path))


class RawRecord(NamedTuple):
    """One record's bytes as read from a source."""

    name: str
    """Where it came from (``all.zip!ID.json``, a file path), for error messages."""
    data: bytes
    """The record's bytes (JSON or YAML)."""
    deflated: bytes | None = None
    """The same JSON as a raw deflate stream when the zip already held it so (stored as is)."""


_ONE_SHOT_LIMIT = MAX_RECORD_BYTES // 1032
"""Deflate expands at most 1032:1, so a member this small is inflated in one call."""

_LOCAL_HEADER = struct.Struct("<4s22xHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"


class ZipMember(NamedTuple):
    """The central-directory facts of one zip member that :func:`iter_zip` needs."""

    filename: str
    flag_bits: int
    compress_type: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int


_EOCD = struct.Struct("<4s4H2LH")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_ZIP64_LOCATOR = struct.Struct("<4sLQL")
_ZIP64_EOCD = struct.Struct("<4sQ2H2L4Q")


def _central_directory(view: mmap.mmap, size: int) -> list[ZipMember] | None:
    """The members, read straight from the central directory; None for anything unusual.

    ``zipfile`` builds a full ``ZipInfo`` per member and took a fifth of an import's time on
    osv.dev's large zips. This handles plain and zip64 end records; archives with a comment
    it cannot place, per-member zip64 fields or inconsistent sizes go to ``zipfile``.
    """
    eocd_at = view.rfind(b"PK\x05\x06", max(0, size - 65536 - _EOCD.size))
    if eocd_at < 0 or eocd_at + _EOCD.size > size:
        return None
    _sig, _disk, _cd_disk, _count_disk, count, cd_size, cd_offset, _comment = _EOCD.unpack_from(
        view, eocd_at
    )
    if count == 0xFFFF or cd_offset == 0xFFFFFFFF or cd_size == 0xFFFFFFFF:
        locator_at = eocd_at - _ZIP64_LOCATOR.size
        if locator_at < 0:
            return None
        signature, _disk64, eocd64_at, _disks = _ZIP64_LOCATOR.unpack_from(view, locator_at)
        if signature != b"PK\x06\x07" or eocd64_at + _ZIP64_EOCD.size > size:
            return None
        fields = _ZIP64_EOCD.unpack_from(view, eocd64_at)
        if fields[0] != b"PK\x06\x06":
            return None
        count, cd_size, cd_offset = fields[7], fields[8], fields[9]
    if cd_offset + cd_size > size:
        return None
    members: list[ZipMember] = []
    position = cd_offset
    unpack = _CENTRAL.unpack_from
    for _ in range(count):
        if position + _CENTRAL.size > cd_offset + cd_size:
            return None
        (
            signature,
            _v1,
            _v2,
            _v3,
            _v4,
            flags,
            method,
            _time,
            _date,
            crc,
            csize,
            usize,
            name_len,
            extra_len,
            comment_len,
            _disk_start,
            _internal,
            _external,
            offset,
        ) = unpack(view, position)
        if signature != b"PK\x01\x02" or 0xFFFFFFFF in (csize, usize, offset):
            return None
        start = position + _CENTRAL.size
        raw_name = view[start : start + name_len]
        name = raw_name.decode("utf-8" if flags & 0x800 else "cp437")
        members.append(ZipMember(name, flags, method, crc, csize, usize, offset))
        position = start + name_len + extra_len + comment_len
    return members


def _zipfile_members(path: Path) -> list[ZipMember]:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise OSVError(f"{path}: not a readable zip archive: {exc}") from None
    return [
        ZipMember(
            i.filename,
            i.flag_bits,
            i.compress_type,
            i.CRC,
            i.compress_size,
            i.file_size,
            i.header_offset,
        )
        for i in infos
    ]


def zip_members(path: Path) -> list[ZipMember]:
    """The record members (``*.json``/``*.yaml``/``*.yml``) of a zip, in the archive's order.

    Raises :class:`OSVError` for a file that is not a readable zip.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise OSVError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            raise OSVError(f"{path}: not a readable zip archive: empty file")
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            members = _central_directory(view, size)
    if members is None:
        members = _zipfile_members(path)
    return [
        m for m in members if not m.filename.endswith("/") and m.filename.endswith(RECORD_SUFFIXES)
    ]


def read_zip_members(path: Path, members: Iterable[ZipMember]) -> Iterator[RawRecord]:
    """The records of some members of a zip (see :func:`iter_zip` for the checks)."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise OSVError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        size = os.fstat(fh.fileno()).st_size
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as view:
            for member in members:
                yield _read_member(view, size, member, f"{path.name}!{member.filename}")


def iter_zip(path: Path) -> Iterator[RawRecord]:
    """The records of an osv.dev zip, in the archive's order.

    Members are read from a memory map (much faster than ``ZipFile.read`` per member) and
    each one is checked: local header signature, bounds, declared size (so a zip bomb is not
    inflated) and CRC-32. A deflated member's compressed bytes are handed on as
    :attr:`RawRecord.deflated`. Raises :class:`OSVError` for a file that is not a zip or a
    truncated or corrupt one.
    """
    yield from read_zip_members(path, zip_members(path))


def _read_member(view: mmap.mmap, size: int, info: ZipMember, where: str) -> RawRecord:
    if info.file_size > MAX_RECORD_BYTES:
        raise OSVError(f"{where}: member larger than {MAX_RECORD_BYTES} bytes")
    if info.flag_bits & 0x1:
        raise OSVError(f"{where}: encrypted zip member")
    offset = info.header_offset
    if offset + _LOCAL_HEADER.size > size:
        raise OSVError(f"{where}: corrupt zip member: header beyond the end of the file")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(view, offset)
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    end = start + info.compress_size
    if signature != _LOCAL_SIGNATURE or end > size:
        raise OSVError(f"{where}: corrupt zip member: bad local header or truncated data")
    packed = view[start:end]
    deflated: bytes | None = None
    if info.compress_type == zipfile.ZIP_STORED:
        data = packed
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        try:
            if len(packed) <= _ONE_SHOT_LIMIT:  # cannot inflate past MAX_RECORD_BYTES
                data = zlib.decompress(packed, -15, info.file_size or 1)
            else:
                data = zlib.decompressobj(-15).decompress(packed, info.file_size + 1)
        except zlib.error as exc:
            raise OSVError(f"{where}: corrupt zip member: {exc}") from None
        deflated = packed
    else:
        raise OSVError(f"{where}: unsupported zip compression method {info.compress_type}")
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise OSVError(f"{where}: corrupt zip member: size or CRC-32 mismatch")
    return RawRecord(where, data, deflated)


def iter_directory(path: Path) -> Iterator[RawRecord]:
    """``(path, bytes)`` of each ``*.json``/``*.yaml``/``*.yml`` under ``path``, sorted."""
    files = sorted(p for p in path.rglob("*") if p.suffix in RECORD_SUFFIXES and p.is_file())
    for file in files:
        try:
            yield RawRecord(str(file), file.read_bytes())
        except OSError as exc:
            raise OSVError(f"{file}: cannot read: {exc.strerror or exc}") from None


def iter_source(path: Path) -> Iterator[RawRecord]:
    """Records of an import source: a zip, a directory of records, or one record file."""
    if path.is_dir():
        yield from iter_directory(path)
    elif path.suffix == ".zip" or zipfile.is_zipfile(path):
        yield from iter_zip(path)
    elif path.is_file():
        try:
            yield RawRecord(str(path), path.read_bytes())
        except OSError as exc:
            raise OSVError(f"{path}: cannot read: {exc.strerror or exc}") from None
    else:
        raise OSVError(f"{path}: no such file or directory")
