"""RPM packages: the SQLite rpmdb, BerkeleyDB ``Packages`` and NDB ``Packages.db``.

Database locations are Trivy's and Syft's (reference/scout-grade-and-scanners.md §4.1, §4.4):
``{var/lib,usr/lib/sysimage,usr/share}/rpm/{rpmdb.sqlite,Packages,Packages.db}``.

Every backend stores one *header blob* per package (rpm ``lib/header.c``, ``headerImport``):
big-endian ``il`` (index entry count) and ``dl`` (data length), ``il`` 16-byte entries
``(tag, type, offset, count)``, then the data store. Read here: NAME, VERSION, RELEASE, EPOCH,
ARCH, SOURCERPM, LICENSE, VENDOR and the first file names (for the layer). Containers:

- SQLite (rpm ≥ 4.16; Fedora ≥ 33, RHEL 9): table ``Packages(hnum, blob)``; opened in memory
  with ``sqlite3.Connection.deserialize`` (a WAL-mode file is switched to rollback mode first;
  pages still only in a ``-wal`` file are not seen, as for any reader without the WAL).
- BerkeleyDB hash (RHEL ≤ 8, CentOS 7, Amazon Linux 2): hash pages hold (key, value) item
  pairs; a value item is either off-page (``H_OFFPAGE``: a chain of overflow pages holds the
  blob, the only kind knqyf263/go-rpmdb ``pkg/bdb``, Trivy's library, reads) or, for a
  header small enough for the page size, the blob itself (``H_KEYDATA``; its length is the
  distance to the previous item, libdb's ``LEN_HITEM``). Tested against files written by
  libdb's own ``db_load`` and read by rpm's ``bdb_ro`` backend at page sizes 512 to 64 KiB.
- NDB (SUSE): a 32-byte ``RpmP`` header, 4 KiB slot pages of 16-byte ``Slot`` entries, each
  pointing (in 16-byte blocks) at a ``BlbS`` blob header followed by the blob (go-rpmdb
  ``pkg/ndb``; rpm ``lib/backend/ndb/rpmpkg.c``). Checksums are not verified.

Versions: ``version`` is ``[EPOCH:]VERSION-RELEASE``; the purl is Trivy's
``pkg:rpm/<os>/NAME@VERSION-RELEASE?arch=…&epoch=…&distro=<os>-<version>``. The source package
comes from SOURCERPM's file name (``NAME-VERSION-RELEASE.src.rpm``, Trivy's ``splitFileName``)
with the binary's epoch.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence

from caulk.catalog.interface import MAX_DATABASE_BYTES, CatalogContext, Cataloger
from caulk.catalog.licenses import to_spdx_expression
from caulk.catalog.models import Package
from caulk.catalog.purl import purl

_DIRS = ("var/lib/rpm/", "usr/lib/sysimage/rpm/", "usr/share/rpm/")
_FILES = ("rpmdb.sqlite", "Packages", "Packages.db")
DATABASES = tuple(d + f for d in _DIRS for f in _FILES)

TAG_NAME, TAG_VERSION, TAG_RELEASE, TAG_EPOCH = 1000, 1001, 1002, 1003
TAG_VENDOR, TAG_LICENSE, TAG_ARCH, TAG_SOURCERPM = 1011, 1014, 1022, 1044
TAG_DIRINDEXES, TAG_BASENAMES, TAG_DIRNAMES = 1116, 1117, 1118
_STRING, _STRING_ARRAY, _I18NSTRING, _INT32 = 6, 8, 9, 4
_MAX_BLOB = 256 * 1024 * 1024
_NAMESPACES = {"rhel": "redhat", "amzn": "amazon", "ol": "oracle", "sles": "suse"}


class RpmError(ValueError):
    """A malformed rpm database or header blob."""


def parse_header(blob: bytes) -> dict[int, str | int | list[str] | list[int]]:
    """The tags caulk reads from one header blob (strings, string lists, int32 lists)."""
    if len(blob) < 8:
        raise RpmError("header blob shorter than 8 bytes")
    il, dl = struct.unpack_from(">ii", blob, 0)
    data_start = 8 + 16 * il
    if il < 1 or dl < 0 or il > 100_000 or data_start + dl > len(blob):
        raise RpmError(f"header blob sizes out of range (il={il}, dl={dl}, size={len(blob)})")
    store = blob[data_start : data_start + dl]
    wanted = {
        TAG_NAME,
        TAG_VERSION,
        TAG_RELEASE,
        TAG_EPOCH,
        TAG_VENDOR,
        TAG_LICENSE,
        TAG_ARCH,
        TAG_SOURCERPM,
        TAG_DIRINDEXES,
        TAG_BASENAMES,
        TAG_DIRNAMES,
    }
    tags: dict[int, str | int | list[str] | list[int]] = {}
    for index in range(il):
        tag, kind, offset, count = struct.unpack_from(">iIiI", blob, 8 + 16 * index)
        if tag not in wanted or tag in tags:
            continue
        if offset < 0 or offset >= dl:
            raise RpmError(f"tag {tag}: offset {offset} outside the data store")
        if kind in (_STRING, _I18NSTRING):
            end = store.find(b"\0", offset)
            tags[tag] = store[offset : end if end >= 0 else dl].decode("utf-8", "replace")
        elif kind == _STRING_ARRAY:
            values: list[str] = []
            pos = offset
            for _ in range(min(count, 1_000_000)):
                end = store.find(b"\0", pos)
                if end < 0:
                    raise RpmError(f"tag {tag}: unterminated string array")
                values.append(store[pos:end].decode("utf-8", "replace"))
                pos = end + 1
            tags[tag] = values
        elif kind == _INT32:
            if offset + 4 * count > dl:
                raise RpmError(f"tag {tag}: int32 array past the data store")
            ints = list(struct.unpack_from(f">{count}i", store, offset))
            tags[tag] = ints[0] if tag == TAG_EPOCH else ints
    return tags


def split_source_rpm(filename: str) -> tuple[str, str, str]:
    """``bash-5.1.8-6.el9.src.rpm`` → (``bash``, ``5.1.8``, ``6.el9``); empty parts if malformed."""
    name = filename.removesuffix(".rpm")
    name = name.rsplit(".", 1)[0] if "." in name else name  # architecture (src, nosrc)
    rest, _, release = name.rpartition("-")
    pkg, _, version = rest.rpartition("-")
    if not pkg or not version or not release:
        return "", "", ""
    return pkg, version, release


def sqlite_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of an rpmdb.sqlite file, in ``hnum`` order."""
    import sqlite3  # only rpm images pay for the import

    if not data.startswith(b"SQLite format 3\0"):
        raise RpmError("not an SQLite database")
    image = bytearray(data)
    if image[18] == 2 or image[19] == 2:  # WAL mode cannot be opened from memory
        image[18] = image[19] = 1
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(bytes(image))
        rows = conn.execute("SELECT blob FROM Packages ORDER BY hnum").fetchall()
    except sqlite3.Error as exc:
        raise RpmError(f"SQLite: {exc}") from None
    finally:
        conn.close()
    for (blob,) in rows:
        if isinstance(blob, bytes):
            yield blob


def bdb_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of a BerkeleyDB hash ``Packages`` file (see the module docstring)."""
    if len(data) < 512:
        raise RpmError("BerkeleyDB file shorter than its metadata page")
    magic_le = struct.unpack_from("<I", data, 12)[0]
    if magic_le == 0x00061561:
        order = "<"
    elif magic_le == 0x61150600:
        order = ">"
    else:
        raise RpmError("not a BerkeleyDB hash database")
    page_size, _, page_type = struct.unpack_from(f"{order}IBB", data, 20)
    last_page = struct.unpack_from(f"{order}I", data, 32)[0]
    if page_size not in {512 << i for i in range(8)} or page_type != 8:
        raise RpmError(f"unexpected BerkeleyDB page size {page_size} or type {page_type}")
    pages = min(last_page + 1, len(data) // page_size)
    for number in range(pages):
        base = number * page_size
        entries, _, _, kind = struct.unpack_from(f"{order}HHBB", data, base + 20)
        if kind not in (2, 13):  # hash pages (unsorted pre-4.6, sorted)
            continue
        for item in range(1, entries, 2):  # (key, value) index pairs; values at odd slots
            slot = base + 26 + 2 * item
            if slot + 2 > base + page_size:
                break
            key_at, value_at = struct.unpack_from(f"{order}HH", data, slot - 2)
            offset = base + value_at
            if offset >= len(data):
                continue
            if data[offset] == 3:  # H_OFFPAGE
                if offset + 12 > len(data):
                    continue
                yield _bdb_overflow(
                    data, order, page_size, struct.unpack_from(f"{order}I", data, offset + 4)[0]
                )
            elif data[offset] == 1 and value_at < key_at <= page_size:  # H_KEYDATA, in place
                yield data[offset + 1 : base + key_at]


def _bdb_overflow(data: bytes, order: str, page_size: int, page: int) -> bytes:
    chunks: list[bytes] = []
    seen: set[int] = set()
    total = 0
    while page and page not in seen:
        seen.add(page)
        base = page * page_size
        if base + page_size > len(data):
            raise RpmError(f"overflow page {page} past the end of the file")
        next_page, _, free, _, kind = struct.unpack_from(f"{order}IHHBB", data, base + 16)
        if kind != 7:
            raise RpmError(f"page {page} is not an overflow page")
        end = base + 26 + free if next_page == 0 else base + page_size
        chunks.append(data[base + 26 : end])
        total += end - base - 26
        if total > _MAX_BLOB:
            raise RpmError("header blob larger than 256 MiB")
        page = next_page
    return b"".join(chunks)


def ndb_blobs(data: bytes) -> Iterator[bytes]:
    """Header blobs of an NDB ``Packages.db`` file (see the module docstring)."""
    if len(data) < 32 or data[:4] != b"RpmP":
        raise RpmError("not an NDB database")
    version, _, slot_pages = struct.unpack_from("<III", data, 4)
    if version != 0 or not 0 < slot_pages <= 2048:
        raise RpmError(f"unsupported NDB version {version} or slot page count {slot_pages}")
    slots = slot_pages * 4096 // 16 - 2
    for index in range(slots):
        at = 32 + 16 * index
        if at + 16 > len(data):
            raise RpmError("slot table past the end of the file")
        magic, pkg_index, block, _ = struct.unpack_from("<4sIII", data, at)
        if magic != b"Slot":
            raise RpmError(f"bad slot magic at byte {at}")
        if pkg_index == 0:
            continue
        head = block * 16
        if head + 16 > len(data):
            raise RpmError(f"package {pkg_index}: blob header past the end of the file")
        blob_magic, blob_index, _, length = struct.unpack_from("<4sIII", data, head)
        if blob_magic != b"BlbS" or blob_index != pkg_index or head + 16 + length > len(data):
            raise RpmError(f"package {pkg_index}: bad blob header")
        yield data[head + 16 : head + 16 + length]


class RpmCataloger(Cataloger):
    """rpm databases → ``rpm`` packages."""

    name = "rpm"
    enumerates = False

    def wants(self, path: str) -> bool:
        return path in DATABASES

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        for path in paths:
            data = ctx.read(path, MAX_DATABASE_BYTES)
            if data is None:
                ctx.warn(path, "unreadable or larger than the size limit; skipped")
                continue
            if path.endswith(".sqlite"):
                blobs = sqlite_blobs(data)
            elif path.endswith(".db"):
                blobs = ndb_blobs(data)
            else:
                blobs = bdb_blobs(data)
            try:
                for number, blob in enumerate(blobs, start=1):
                    try:
                        package = self._package(path, parse_header(blob), ctx)
                    except (RpmError, struct.error) as exc:
                        ctx.warn(path, f"package #{number}: {exc}; skipped")
                        continue
                    if package is not None:
                        yield package
            except (RpmError, struct.error) as exc:
                ctx.warn(path, f"{exc}; stopped reading this database")

    @staticmethod
    def _package(
        path: str, tags: dict[int, str | int | list[str] | list[int]], ctx: CatalogContext
    ) -> Package | None:
        name, version, release = (
            str(tags.get(t, "")) for t in (TAG_NAME, TAG_VERSION, TAG_RELEASE)
        )
        if not name or not version:
            return None
        if name == "gpg-pubkey":  # imported signing keys are headers too; not packages
            return None
        epoch_tag = tags.get(TAG_EPOCH)
        epoch = str(epoch_tag) if isinstance(epoch_tag, int) else ""
        arch = str(tags.get(TAG_ARCH, ""))
        evr = f"{version}-{release}" if release else version
        full = f"{epoch}:{evr}" if epoch else evr
        src_name, src_version, src_release = split_source_rpm(str(tags.get(TAG_SOURCERPM, "")))
        if src_name:
            src_evr = f"{src_version}-{src_release}"
            source_version = f"{epoch}:{src_evr}" if epoch else src_evr
        else:
            src_name, source_version = name, full
        os = ctx.os
        namespace = _NAMESPACES.get(os.id, os.id) if os else "redhat"
        distro = f"{namespace}-{os.version or os.version_id}" if os else ""
        qualifiers = {"arch": arch, "epoch": epoch, "distro": distro}
        license_text = str(tags.get(TAG_LICENSE, ""))
        expression = to_spdx_expression(license_text) if license_text else None
        metadata = [("arch", arch)] if arch else []
        if epoch:
            metadata.append(("epoch", epoch))
        vendor = tags.get(TAG_VENDOR)
        if isinstance(vendor, str) and vendor:
            metadata.append(("vendor", vendor))
        package_url = purl("rpm", namespace, name, evr, qualifiers)
        files = _files(tags)
        ctx.claim(package_url, files)
        return Package(
            name=name,
            version=full,
            type="rpm",
            purl=package_url,
            source_name=src_name,
            source_version=source_version,
            licenses=(expression,) if expression else (),
            locations=(path,),
            layer=_first_file_layer(files, ctx) or ctx.layer_of(path),
            metadata=tuple(sorted(metadata)),
        )


def _files(tags: dict[int, str | int | list[str] | list[int]]) -> list[str]:
    """The paths the package installed (``DIRNAMES[DIRINDEXES[i]] + BASENAMES[i]``)."""
    basenames, dirnames, indexes = (
        tags.get(TAG_BASENAMES),
        tags.get(TAG_DIRNAMES),
        tags.get(TAG_DIRINDEXES),
    )
    if not (isinstance(basenames, list) and isinstance(dirnames, list)):
        return []
    if not isinstance(indexes, list):
        return []
    return [
        f"{dirnames[index]}{base}"
        for base, index in zip(basenames, indexes, strict=False)
        if isinstance(index, int) and 0 <= index < len(dirnames)
    ]


def _first_file_layer(files: list[str], ctx: CatalogContext) -> str | None:
    """Layer of the first few files the package owns (rewritten on install and upgrade)."""
    for path in files[:8]:
        layer = ctx.layer_of(path.lstrip("/"))
        if layer:
            return layer
    return None
