"""A streaming tar reader for untrusted layers: headers parsed by hand, every size bounded.

Why not :mod:`tarfile`: it reads a PAX or GNU long-name header's whole body into memory
(a 10 GiB ``x`` header is a 10 GiB allocation) and it raises a dozen exception types. This
reader parses the 512-byte ustar/GNU/PAX headers itself, refuses extended headers larger than
``Limits.max_header_bytes`` *before* reading them, checks header checksums, and never seeks,
so it works on a decompressing stream. Member bodies are handed out only on request; unread
bodies are skipped in bounded chunks.

Names are returned as stored (decoded as UTF-8 with ``surrogateescape``); making them safe
paths is the filesystem's job (``caulk.image.filesystem``).
"""

from __future__ import annotations

import struct
from typing import Protocol
from zlib import adler32

from caulk.image.errors import LayerError
from caulk.image.streams import Limits

BLOCK = 512
_LOW_BYTES = bytes(range(128))
_ZERO_BLOCK = bytes(BLOCK)
_EXTENDED = frozenset((b"x", b"g", b"L", b"K"))
# name mode uid gid size (mtime) chksum typeflag linkname magic (version uname gname devmajor
# devminor) prefix: one unpack instead of ten slices per member
_HEADER = struct.Struct("100s8s8s8s12s12x8sc100s6s82x155s12x")
_SUM_BASE = 8 * ord(" ")  # the checksum field counts as eight spaces

KINDS = {
    b"0": "file",
    b"\0": "file",
    b"7": "file",  # contiguous file: a regular file everywhere that matters
    b"1": "hardlink",
    b"2": "symlink",
    b"3": "char",
    b"4": "block",
    b"5": "dir",
    b"6": "fifo",
}


class TarMember:
    """One tar member after its PAX / GNU long-name headers were applied.

    A plain class with ``__slots__`` (one is made per member; see :mod:`caulk.records`).
    """

    __slots__ = ("gid", "kind", "linkname", "mode", "name", "ordinal", "size", "uid")

    def __init__(
        self,
        name: str,
        kind: str,
        size: int,
        mode: int,
        uid: int,
        gid: int,
        linkname: str,
        ordinal: int,
    ) -> None:
        self.name = name
        self.kind = kind
        """file, dir, symlink, hardlink, char, block, fifo, or other (sparse, volume labels…)."""
        self.size = size
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.linkname = linkname
        self.ordinal = ordinal
        """Position among the layer's real members (0-based); used to find it again."""


def _decode(raw: bytes) -> str:
    return raw.partition(b"\0")[0].decode("utf-8", "surrogateescape")


def _number(field: bytes, what: str) -> int:
    if field and field[0] & 0x80:  # GNU base-256: big-endian, the top bit marks it
        value = int.from_bytes(field, "big", signed=False) & ~(0x80 << (8 * (len(field) - 1)))
        if field[0] & 0x40:
            raise LayerError(f"{what}: negative number in tar header")
        return value
    text = field.split(b"\0", 1)[0].strip(b" \0")
    if not text:
        return 0
    try:
        return int(text, 8)
    except ValueError:
        raise LayerError(f"{what}: invalid number {text!r} in tar header") from None


def _octal(field: bytes, what: str) -> int:
    """``_number`` with a fast path for the usual NUL- or space-terminated octal digits."""
    if field[0] < 0x80:
        try:
            return int(field.partition(b"\0")[0], 8)
        except ValueError:
            pass  # blank, or not a number: the careful path decides
    return _number(field, what)


def _check_sum(header: bytes, stored_field: bytes, what: str) -> None:
    try:
        stored = _octal(stored_field, what)
    except LayerError:
        raise LayerError(f"{what}: corrupt tar header (not a tar stream?)") from None
    # the byte sum of each 256-byte half (at most 65280) is exactly adler32's low word minus
    # one, computed in C: four times faster than sum() over the 512 bytes
    unsigned = (
        (adler32(header[:256]) & 0xFFFF)
        + (adler32(header[256:]) & 0xFFFF)
        - 2
        - sum(stored_field)
        + _SUM_BASE
    )
    if stored == unsigned:
        return
    rest = header[:148] + header[156:]
    high = len(rest.translate(None, _LOW_BYTES))  # old tars summed signed chars
    if stored != unsigned - 256 * high:
        raise LayerError(f"{what}: corrupt tar header (checksum mismatch)")


def _pax_int(value: str, key: str, name: str, what: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise LayerError(f"{what}: invalid PAX {key} {value!r} for {name!r}")
    return number


def _parse_pax(data: bytes, what: str) -> dict[str, str]:
    records: dict[str, str] = {}
    pos = 0
    while pos < len(data):
        if data[pos:].strip(b"\0\n ") == b"":
            break
        space = data.find(b" ", pos)
        if space < 0:
            raise LayerError(f"{what}: malformed PAX header")
        try:
            length = int(data[pos:space])
        except ValueError:
            raise LayerError(f"{what}: malformed PAX record length") from None
        if length <= 0 or pos + length > len(data):
            raise LayerError(f"{what}: PAX record runs past its header")
        record = data[space + 1 : pos + length]
        if not record.endswith(b"\n") or b"=" not in record:
            raise LayerError(f"{what}: malformed PAX record")
        key, _, value = record[:-1].partition(b"=")
        records[key.decode("utf-8", "surrogateescape")] = value.decode("utf-8", "surrogateescape")
        pos += length
    return records


class TarInput(Protocol):
    """What the reader needs: exact reads, and moving bytes to a list (or dropping them)."""

    def read(self, n: int, /) -> bytes: ...

    def read_into(self, n: int, sink: list[bytes] | None, /) -> int: ...


class TarReader:
    """Iterate the members of one tar stream; read or skip each body."""

    def __init__(self, stream: TarInput, limits: Limits, what: str) -> None:
        self._stream = stream
        self._limits = limits
        self._what = what
        self._remaining = 0  # unread body bytes of the current member
        self._padding = 0
        self._count = 0
        self.warnings: list[str] = []

    def _exact(self, n: int) -> bytes:
        data = self._stream.read(n)
        if len(data) != n:
            raise LayerError(f"{self._what}: truncated tar stream")
        return data

    def _skip_current(self) -> None:
        if self._remaining or self._padding:
            want = self._remaining + self._padding
            if self._stream.read_into(want, None) != want:
                raise LayerError(f"{self._what}: truncated tar stream")
            self._remaining = self._padding = 0

    def _extended(self, size: int, kind: str) -> bytes:
        if size > self._limits.max_header_bytes:
            raise LayerError(
                f"{self._what}: {kind} header of {size} bytes exceeds the "
                f"{self._limits.max_header_bytes}-byte limit"
            )
        data = self._exact(size)
        self._exact(-size % BLOCK)
        return data

    def next_member(self) -> TarMember | None:
        """The next member, or None at the end of the archive."""
        if self._remaining or self._padding:
            self._skip_current()
        read = self._stream.read
        what = self._what
        pax: dict[str, str] | None = None
        long_name: str | None = None
        long_link: str | None = None
        while True:
            header = read(BLOCK)
            if len(header) != BLOCK:
                if not header:
                    return None  # no end-of-archive blocks: tolerated, as GNU tar does
                raise LayerError(f"{what}: truncated tar header")
            if header == _ZERO_BLOCK:
                return None
            (
                raw_name,
                raw_mode,
                raw_uid,
                raw_gid,
                raw_size,
                raw_sum,
                type_flag,
                raw_link,
                magic,
                raw_prefix,
            ) = _HEADER.unpack(header)
            _check_sum(header, raw_sum, what)
            size = _octal(raw_size, what)
            if type_flag in _EXTENDED:
                if type_flag in b"xg":
                    records = _parse_pax(self._extended(size, "PAX"), what)
                    if type_flag == b"x":
                        if pax is None:
                            pax = {}
                        pax.update(records)
                    continue
                value = _decode(self._extended(size, "GNU long-name"))
                if type_flag == b"L":
                    long_name = value
                else:
                    long_link = value
                continue
            break

        self._count += 1
        if self._count > self._limits.max_members:
            raise LayerError(f"{what}: more than {self._limits.max_members} tar members")
        name = _decode(raw_name)
        if magic == b"ustar\0" and raw_prefix[0]:
            # POSIX ustar: a prefix field holds the leading directories
            name = f"{_decode(raw_prefix)}/{name}"
        linkname = _decode(raw_link) if raw_link[0] else ""
        if long_name is not None:
            name = long_name
        if long_link is not None:
            linkname = long_link
        uid: int | None = None
        gid: int | None = None
        if pax:
            name = pax.get("path", name)
            linkname = pax.get("linkpath", linkname)
            if "size" in pax:
                size = _pax_int(pax["size"], "size", name, what)
            if "uid" in pax:
                uid = _pax_int(pax["uid"], "uid", name, what)
            if "gid" in pax:
                gid = _pax_int(pax["gid"], "gid", name, what)
        kind = KINDS.get(type_flag, "other")
        if kind != "file":
            if kind == "other":
                self.warnings.append(
                    f"{what}: {name!r}: unsupported tar member type "
                    f"{type_flag.decode('latin-1')!r} ignored"
                )
            else:
                size = 0  # as in tarfile: only regular files (and unknown types) carry data
        if size < 0:
            raise LayerError(f"{what}: negative size for {name!r}")
        if size > self._limits.max_file_bytes:
            raise LayerError(
                f"{what}: member {name!r} declares {size} bytes, more than the "
                f"{self._limits.max_file_bytes}-byte limit"
            )
        self._remaining = size
        self._padding = -size % BLOCK
        return TarMember(
            name,
            kind,
            size,
            _octal(raw_mode, what) & 0o7777,
            _octal(raw_uid, what) if uid is None else uid,
            _octal(raw_gid, what) if gid is None else gid,
            linkname,
            self._count - 1,
        )

    def read_body(self) -> bytes:
        """The current member's whole body (callers check ``size`` against their limit first)."""
        parts: list[bytes] = []
        want = self._remaining
        if self._stream.read_into(want, parts) != want:
            raise LayerError(f"{self._what}: truncated tar stream")
        self._remaining = 0
        return b"".join(parts)
