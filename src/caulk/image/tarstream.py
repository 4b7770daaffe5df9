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

import dataclasses
from typing import Protocol

from caulk.image.errors import LayerError
from caulk.image.streams import Limits

BLOCK = 512
_LOW_BYTES = bytes(range(128))

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


@dataclasses.dataclass(slots=True)
class TarMember:
    """One tar member after its PAX / GNU long-name headers were applied."""

    name: str
    kind: str
    """file, dir, symlink, hardlink, char, block, fifo, or other (sparse, volume labels…)."""
    size: int
    mode: int
    uid: int
    gid: int
    linkname: str
    ordinal: int
    """Position among the layer's real members (0-based); used to find it again."""


def _decode(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


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
        self._skip_current()
        pax: dict[str, str] = {}
        long_name: str | None = None
        long_link: str | None = None
        while True:
            header = self._stream.read(BLOCK)
            if not header:
                return None  # no end-of-archive blocks: tolerated, as GNU tar does
            if len(header) != BLOCK:
                raise LayerError(f"{self._what}: truncated tar header")
            if header == b"\0" * BLOCK:
                return None
            self._check_sum(header)
            type_flag = header[156:157]
            size = _number(header[124:136], self._what)
            if type_flag in (b"x", b"g"):
                records = _parse_pax(self._extended(size, "PAX"), self._what)
                if type_flag == b"x":
                    pax.update(records)
                continue
            if type_flag in (b"L", b"K"):
                value = _decode(self._extended(size, "GNU long-name"))
                if type_flag == b"L":
                    long_name = value
                else:
                    long_link = value
                continue
            break

        self._count += 1
        if self._count > self._limits.max_members:
            raise LayerError(f"{self._what}: more than {self._limits.max_members} tar members")
        magic = header[257:263]
        name = _decode(header[0:100])
        if magic == b"ustar\0":  # POSIX ustar: a prefix field holds the leading directories
            prefix = _decode(header[345:500])
            if prefix:
                name = f"{prefix}/{name}"
        linkname = _decode(header[157:257])
        if long_name is not None:
            name = long_name
        if long_link is not None:
            linkname = long_link
        name = pax.get("path", name)
        linkname = pax.get("linkpath", linkname)
        if "size" in pax:
            try:
                size = int(pax["size"])
            except ValueError:
                raise LayerError(f"{self._what}: invalid PAX size for {name!r}") from None
        kind = KINDS.get(type_flag, "other")
        if kind not in ("file", "other"):
            # as in tarfile: only regular files (and unknown types) carry data
            size = 0
        if size < 0:
            raise LayerError(f"{self._what}: negative size for {name!r}")
        if size > self._limits.max_file_bytes:
            raise LayerError(
                f"{self._what}: member {name!r} declares {size} bytes, more than the "
                f"{self._limits.max_file_bytes}-byte limit"
            )
        if kind == "other":
            self.warnings.append(
                f"{self._what}: {name!r}: unsupported tar member type "
                f"{type_flag.decode('latin-1')!r} ignored"
            )
        self._remaining = size
        self._padding = -size % BLOCK
        return TarMember(
            name=name,
            kind=kind,
            size=size,
            mode=_number(header[100:108], self._what) & 0o7777,
            uid=int(pax.get("uid", _number(header[108:116], self._what))),
            gid=int(pax.get("gid", _number(header[116:124], self._what))),
            linkname=linkname,
            ordinal=self._count - 1,
        )

    def _check_sum(self, header: bytes) -> None:
        try:
            stored = _number(header[148:156], self._what)
        except LayerError:
            raise LayerError(f"{self._what}: corrupt tar header (not a tar stream?)") from None
        rest = header[:148] + header[156:]
        unsigned = sum(rest) + 8 * 32
        if stored == unsigned:
            return
        high = len(rest.translate(None, _LOW_BYTES))  # old tars summed signed chars
        if stored != unsigned - 256 * high:
            raise LayerError(f"{self._what}: corrupt tar header (checksum mismatch)")

    def read_body(self) -> bytes:
        """The current member's whole body (callers check ``size`` against their limit first)."""
        parts: list[bytes] = []
        want = self._remaining
        if self._stream.read_into(want, parts) != want:
            raise LayerError(f"{self._what}: truncated tar stream")
        self._remaining = 0
        return b"".join(parts)
