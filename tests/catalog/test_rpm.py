"""rpm: header blobs from the SQLite rpmdb (built by the real ``rpm``), BerkeleyDB and NDB."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from caulk.catalog.rpm import (
    TAG_ARCH,
    TAG_EPOCH,
    TAG_LICENSE,
    TAG_NAME,
    TAG_RELEASE,
    TAG_SOURCERPM,
    TAG_VERSION,
    bdb_blobs,
    ndb_blobs,
    parse_header,
    split_source_rpm,
)
from tests.catalog.helpers import by_name, catalog_tree, install_rpms

FEDORA_OS_RELEASE = 'NAME="Fedora Linux"\nID=fedora\nVERSION_ID=40\nPRETTY_NAME="Fedora Linux 40"\n'

SPEC = """\
Name: caulk-hello
Version: 1.2.3
Release: 4.fc40
Epoch: 2
Summary: test package
License: MIT AND (GPL-2.0-or-later OR Apache-2.0)
Vendor: caulk tests
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/share/caulk-hello
echo hi > %{buildroot}/usr/share/caulk-hello/README
%files
/usr/share/caulk-hello/README
"""


def header_blob(tags: list[tuple[int, int, bytes, int]]) -> bytes:
    """An rpm header blob: (tag, type, data, count) entries, big-endian, data store after."""
    index = b""
    store = b""
    for tag, kind, data, count in tags:
        if kind == 4:  # int32 alignment
            store += b"\0" * (-len(store) % 4)
        index += struct.pack(">iIiI", tag, kind, len(store), count)
        store += data
    return struct.pack(">ii", len(tags), len(store)) + index + store


def sample_blob(name: str = "bash", epoch: int | None = None) -> bytes:
    tags = [
        (TAG_NAME, 6, name.encode() + b"\0", 1),
        (TAG_VERSION, 6, b"5.1.8\0", 1),
        (TAG_RELEASE, 6, b"6.el9\0", 1),
        (TAG_ARCH, 6, b"x86_64\0", 1),
        (TAG_SOURCERPM, 6, b"bash-5.1.8-6.el9.src.rpm\0", 1),
        (TAG_LICENSE, 6, b"GPLv3+\0", 1),
    ]
    if epoch is not None:
        tags.append((TAG_EPOCH, 4, struct.pack(">i", epoch), 1))
    return header_blob(tags)


def test_header_blob_parsing() -> None:
    tags = parse_header(sample_blob(epoch=1))
    assert tags[TAG_NAME] == "bash"
    assert tags[TAG_EPOCH] == 1
    assert split_source_rpm("bash-5.1.8-6.el9.src.rpm") == ("bash", "5.1.8", "6.el9")
    assert split_source_rpm("garbage") == ("", "", "")


@pytest.mark.parametrize("blob", [b"", b"\0\0\0\x01", struct.pack(">ii", 5, 10) + b"x" * 8])
def test_truncated_headers_are_errors(blob: bytes) -> None:
    with pytest.raises(ValueError, match="header blob"):
        parse_header(blob)


def test_sqlite_rpmdb_built_by_rpm(tmp_path: Path) -> None:
    """A real rpmdb.sqlite: rpmbuild a package, ``rpm -i --justdb`` it into an empty database."""
    install_rpms(SPEC, tmp_path, tmp_path / "root/var/lib/rpm")
    found = catalog_tree(tmp_path / "root", {"etc/os-release": FEDORA_OS_RELEASE})
    hello = by_name(found, "rpm")["caulk-hello"]
    assert hello.version == "2:1.2.3-4.fc40"
    assert (hello.source_name, hello.source_version) == ("caulk-hello", "2:1.2.3-4.fc40")
    assert hello.licenses == ("MIT AND (GPL-2.0-or-later OR Apache-2.0)",)
    assert (
        hello.purl == "pkg:rpm/fedora/caulk-hello@1.2.3-4.fc40?arch=noarch&distro=fedora-40&epoch=2"
    )
    assert hello.meta("vendor") == "caulk tests"
    assert found.warnings == ()


def bdb_file(blobs: list[bytes], page_size: int = 4096) -> bytes:
    """A BerkeleyDB hash file: metadata page, one hash page of (key, H_OFFPAGE) items, and an
    overflow-page chain per blob (db-5.3 ``db_page.h`` layouts, little-endian)."""
    pages: list[bytearray] = [bytearray(page_size)]
    hash_page = bytearray(page_size)
    pages.append(hash_page)
    items: list[bytes] = []
    for blob in blobs:
        chunk = page_size - 26
        parts = [blob[i : i + chunk] for i in range(0, len(blob), chunk)] or [b""]
        first = len(pages)
        for n, part in enumerate(parts):
            page = bytearray(page_size)
            number = len(pages)
            next_page = number + 1 if n + 1 < len(parts) else 0
            struct.pack_into("<IIIHHBB", page, 8, number, 0, next_page, 0, len(part), 0, 7)
            page[26 : 26 + len(part)] = part
            pages.append(page)
        items.append(struct.pack("<B3xII", 1, 0, 0))  # key: H_KEYDATA placeholder
        items.append(struct.pack("<B3xII", 3, first, len(blob)))  # value: H_OFFPAGE
    offset = page_size
    slots = []
    for item in items:
        offset -= len(item)
        hash_page[offset : offset + len(item)] = item
        slots.append(offset)
    struct.pack_into("<IIIHHBB", hash_page, 8, 1, 0, 0, len(items), offset, 0, 13)
    for i, slot in enumerate(slots):
        struct.pack_into("<H", hash_page, 26 + 2 * i, slot)
    meta = pages[0]
    struct.pack_into("<IIIIBB", meta, 8, 0, 0x00061561, 9, page_size, 0, 8)
    struct.pack_into("<I", meta, 32, len(pages) - 1)
    return b"".join(bytes(p) for p in pages)


def test_berkeleydb_packages_file(tmp_path: Path) -> None:
    big = sample_blob("bigpackage") + b"\0" * 9000  # spans three overflow pages
    data = bdb_file([sample_blob("bash", epoch=1), big])
    assert [parse_header(b)[TAG_NAME] for b in bdb_blobs(data)] == ["bash", "bigpackage"]
    found = catalog_tree(tmp_path, {"var/lib/rpm/Packages": data})
    bash = by_name(found, "rpm")["bash"]
    assert bash.version == "1:5.1.8-6.el9"
    assert (bash.source_name, bash.source_version) == ("bash", "1:5.1.8-6.el9")
    assert bash.licenses == ("GPL-3.0-or-later",)


def ndb_file(blobs: list[bytes]) -> bytes:
    """An NDB Packages.db (rpm ``lib/backend/ndb/rpmpkg.c``): header, one slot page, blobs."""
    slot_pages = 1
    data = bytearray(struct.pack("<4sIII16x", b"RpmP", 0, 1, slot_pages))
    blob_area = bytearray()
    base_block = (32 + slot_pages * 4096 - 32) // 16 + 2
    slots = bytearray()
    for index, blob in enumerate(blobs, start=1):
        block = base_block + len(blob_area) // 16
        slots += struct.pack("<4sIII", b"Slot", index, block, 1)
        record = struct.pack("<4sIII", b"BlbS", index, 0, len(blob)) + blob
        record += b"\0" * (-len(record) % 16)
        blob_area += record
    slots += b"".join(struct.pack("<4sIII", b"Slot", 0, 0, 0) for _ in range(254 - len(blobs)))
    data += slots
    assert len(data) == 32 + 254 * 16
    data += b"\0" * (base_block * 16 - len(data))
    return bytes(data + blob_area)


def test_ndb_packages_file(tmp_path: Path) -> None:
    data = ndb_file([sample_blob("bash"), sample_blob("zypper")])
    assert [parse_header(b)[TAG_NAME] for b in ndb_blobs(data)] == ["bash", "zypper"]
    found = catalog_tree(tmp_path, {"usr/lib/sysimage/rpm/Packages.db": data})
    assert set(by_name(found, "rpm")) == {"bash", "zypper"}


def test_corrupt_databases_are_warnings(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "var/lib/rpm/rpmdb.sqlite": b"SQLite format 3\0" + b"\xff" * 100,
            "var/lib/rpm/Packages": b"\0" * 4096,
            "usr/lib/sysimage/rpm/Packages.db": b"RpmP" + b"\xff" * 40,
        },
    )
    assert found.packages == ()
    assert len(found.warnings) == 3
    assert all("stopped reading this database" in w for w in found.warnings)


def _many_packages_spec(count: int) -> str:
    """One spec, ``count`` sub-packages; every fifth has a long description (a header larger
    than a 16 KiB page, so BerkeleyDB stores it on overflow pages)."""
    parts = [
        "Name: caulk-many\nVersion: 1.0\nRelease: 1\nSummary: test\nLicense: MIT\n"
        "BuildArch: noarch\n%description\nmain\n%files\n"
    ]
    for index in range(count):
        long_text = "\n".join(f"line {n} " + "x" * 60 for n in range(300)) if index % 5 == 0 else ""
        parts.append(
            f"%package -n caulk-sub{index:02d}\nVersion: {index}.{index % 3}\nSummary: sub\n"
            f"License: MIT\n%description -n caulk-sub{index:02d}\nsub {index}\n{long_text}\n"
            f"%files -n caulk-sub{index:02d}\n"
        )
    return "".join(parts)


@pytest.fixture(scope="module")
def rpm_headers(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[int, bytes]]:
    """(install number, header blob) of 31 real packages, as ``rpm`` stored them."""
    import sqlite3

    work = tmp_path_factory.mktemp("rpm-many")
    db = work / "sqlite"
    install_rpms(_many_packages_spec(30), work, db)
    with sqlite3.connect(db / "rpmdb.sqlite") as connection:
        rows = connection.execute("SELECT hnum, blob FROM Packages ORDER BY hnum").fetchall()
    return [(int(number), bytes(blob)) for number, blob in rows]


@pytest.mark.skipif(
    shutil.which("db5.3_load") is None, reason="needs BerkeleyDB's db5.3_load (db5.3-util)"
)
@pytest.mark.parametrize("page_size", [512, 4096, 16384, 65536])
def test_berkeleydb_packages_written_by_libdb_and_read_by_rpm(
    rpm_headers: list[tuple[int, bytes]], tmp_path: Path, page_size: int
) -> None:
    """A Packages file as CentOS 7 and Amazon Linux 2 have it: real headers from ``rpm``,
    written by BerkeleyDB itself (``db_load``), then read by ``rpm``'s own read-only BDB
    backend and by caulk; both must list the same packages."""
    lines = ["VERSION=3", "format=bytevalue", "type=hash", f"db_pagesize={page_size}"]
    lines.append("HEADER=END")
    for number, blob in rpm_headers:
        lines += [" " + number.to_bytes(4, "little").hex(), " " + blob.hex()]
    lines.append("DATA=END")
    (tmp_path / "load.txt").write_text("\n".join(lines) + "\n")
    dbpath = tmp_path / "root/var/lib/rpm"
    dbpath.mkdir(parents=True)
    subprocess.run(
        ["db5.3_load", "-f", str(tmp_path / "load.txt"), str(dbpath / "Packages")],
        check=True,
        capture_output=True,
    )
    by_rpm = subprocess.run(
        ["rpm", "--dbpath", str(dbpath), "--define", "_db_backend bdb_ro", "-qa",
         "--qf", "%{NAME} %{EVR}\n"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\n")  # fmt: skip
    expected = {tuple(line.split(" ")) for line in by_rpm if line}
    assert len(expected) == len(rpm_headers) == 31
    found = catalog_tree(tmp_path / "root", {"etc/os-release": FEDORA_OS_RELEASE})
    assert {(p.name, p.version) for p in found.packages if p.type == "rpm"} == expected
    assert found.warnings == ()
