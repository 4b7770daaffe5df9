"""Go modules compiled into executables, from the build info the Go linker embeds.

A small reader of Go's ``debug/buildinfo`` (src/debug/buildinfo/buildinfo.go), ELF only:

1. The data start is the ``.go.buildinfo`` section, else the first writable, non-executable
   ``PT_LOAD`` segment; its first 64 KiB are searched for the 16-byte-aligned magic
   ``\\xff Go buildinf:``.
2. Byte 14 is the pointer size, byte 15 the flags. Go ≥ 1.18 sets flag 2 ("inline"): two
   varint-prefixed strings follow the 32-byte header (Go version, module info). Older binaries
   store two pointers to Go string headers ``(data pointer, length)``, read through the
   ``PT_LOAD`` segments; flag 1 means big-endian.
3. Module info is framed by 16 sentinel bytes on each side and holds tab-separated lines:
   ``path``, ``mod`` (the main module), ``dep`` and ``=>`` (replacement of the line above) and
   ``build`` settings.

Packages follow Trivy (reference §4.3): every dependency (its replacement if replaced), the main
module — whose ``(devel)`` version is replaced by a semver ``-X …version=`` value from
``-ldflags`` as written (``0.59.1``) when there is one, else left empty — and ``stdlib`` at
the Go version in module form (``go1.22.5 X:boringcrypto`` → ``v1.22.5``). Both spellings are
Trivy 0.59's, checked against ``trivy rootfs`` on the same binaries; OSV's Go ranges drop the
``v``, so matchers strip it. Only files under usual executable
directories are opened (see :meth:`GoBinaryCataloger.wants`); UPX-packed binaries are not read.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterable, Iterator, Sequence

from caulk.catalog.interface import CatalogContext, Cataloger
from caulk.catalog.models import Package
from caulk.catalog.purl import purl
from caulk.records import record

MAGIC = b"\xff Go buildinf:"
MAX_BINARY_BYTES = 512 * 1024 * 1024
# Where Go binaries are looked for (as trivy does); the image reader keeps these bodies.
BIN_PREFIXES = (
    "bin/",
    "sbin/",
    "usr/bin/",
    "usr/sbin/",
    "usr/local/bin/",
    "usr/local/sbin/",
    "ko-app/",
)
_PT_LOAD, _PF_X, _PF_W = 1, 1, 2
_SEMVER = re.compile(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")


class BuildInfoError(ValueError):
    """Build info found but not decodable."""


@record
class Module:
    """One module line of the build info."""

    path: str
    version: str
    checksum: str = ""


class BuildInfo:
    """What ``go version -m`` prints (filled in while the build info is parsed)."""

    def __init__(self, go_version: str, path: str = "", main: Module | None = None) -> None:
        self.go_version = go_version
        self.path = path
        self.main = main
        self.deps: list[Module] = []
        self.settings: dict[str, str] = {}


class _Elf:
    """Just enough of an ELF file: sections by name and PT_LOAD segments."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != b"\x7fELF" or len(data) < 64:
            raise BuildInfoError("not an ELF file")
        self.data = data
        bits, endian = data[4], data[5]
        if bits not in (1, 2) or endian not in (1, 2):
            raise BuildInfoError("unknown ELF class or data encoding")
        self.is64 = bits == 2
        self.order = "<" if endian == 1 else ">"
        o = self.order
        if self.is64:
            phoff, shoff = struct.unpack_from(f"{o}QQ", data, 0x20)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(f"{o}5H", data, 0x36)
        else:
            phoff, shoff = struct.unpack_from(f"{o}II", data, 0x1C)
            phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from(f"{o}5H", data, 0x2A)
        self.segments: list[tuple[int, int, int, int]] = []  # vaddr, offset, filesz, flags
        for i in range(min(phnum, 4096)):
            at = phoff + i * phentsize
            if at + (56 if self.is64 else 32) > len(data):
                break
            if self.is64:
                p_type, flags, offset, vaddr, _, filesz = struct.unpack_from(f"{o}IIQQQQ", data, at)
            else:
                p_type, offset, vaddr, _, filesz, _, flags = struct.unpack_from(f"{o}7I", data, at)
            if p_type == _PT_LOAD:
                self.segments.append((vaddr, offset, filesz, flags))
        self.sections: dict[str, tuple[int, int]] = {}  # name -> (addr, size)
        headers: list[tuple[int, int, int]] = []
        for i in range(min(shnum, 65535)):
            at = shoff + i * shentsize
            if at + (64 if self.is64 else 40) > len(data):
                break
            if self.is64:
                name, _, _, addr, _, size = struct.unpack_from(f"{o}IIQQQQ", data, at)
            else:
                name, _, _, addr, _, size = struct.unpack_from(f"{o}6I", data, at)
            headers.append((name, addr, size))
        if 0 < shstrndx < len(headers):
            at = shoff + shstrndx * shentsize
            fmt = f"{o}IIQQQQ" if self.is64 else f"{o}6I"
            _, _, _, _, str_off, str_size = struct.unpack_from(fmt, data, at)
            names = data[str_off : str_off + str_size]
            for name_off, addr, size in headers:
                end = names.find(b"\0", name_off)
                if end > name_off:
                    self.sections[names[name_off:end].decode("latin-1")] = (addr, size)

    def data_start(self) -> int | None:
        if ".go.buildinfo" in self.sections:
            return self.sections[".go.buildinfo"][0]
        for vaddr, _, _, flags in self.segments:
            if flags & (_PF_X | _PF_W) == _PF_W:
                return vaddr
        return None

    def read(self, addr: int, size: int) -> bytes:
        for vaddr, offset, filesz, _ in self.segments:
            if vaddr <= addr < vaddr + filesz:
                n = min(size, vaddr + filesz - addr)
                start = offset + addr - vaddr
                return self.data[start : start + n]
        raise BuildInfoError(f"address {addr:#x} is not in a loaded segment")


def _uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 64:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
    raise BuildInfoError("truncated varint")


def read_buildinfo(data: bytes) -> BuildInfo | None:
    """The build info of a Go ELF executable; None if ``data`` is not one."""
    if data[:4] != b"\x7fELF" or MAGIC not in data:
        return None
    elf = _Elf(data)
    start = elf.data_start()
    if start is None:
        return None
    blob = elf.read(start, 64 * 1024)
    pos = 0
    while True:
        i = blob.find(MAGIC, pos)
        if i < 0 or len(blob) - i < 32:
            return None
        if i % 16 == 0:
            blob = blob[i:]
            break
        pos = (i + 15) & ~15
    ptr_size, flags = blob[14], blob[15]
    if flags & 2:
        n, p = _uvarint(blob, 32)
        version = blob[p : p + n]
        n, p = _uvarint(blob, p + n)
        modinfo = blob[p : p + n]
    else:
        if ptr_size not in (4, 8):
            raise BuildInfoError(f"pointer size {ptr_size}")
        order = ">" if flags & 1 else "<"
        fmt = f"{order}{'Q' if ptr_size == 8 else 'I'}"

        def read_string(pointer: int) -> bytes:
            header = elf.read(pointer, 2 * ptr_size)
            if len(header) < 2 * ptr_size:
                raise BuildInfoError("truncated string header")
            address = struct.unpack_from(fmt, header, 0)[0]
            length = struct.unpack_from(fmt, header, ptr_size)[0]
            if length > 16 * 1024 * 1024:
                raise BuildInfoError("string longer than 16 MiB")
            return elf.read(address, length)

        version = read_string(struct.unpack_from(fmt, blob, 16)[0])
        modinfo = read_string(struct.unpack_from(fmt, blob, 16 + ptr_size)[0])
    go_version = version.decode("utf-8", "replace")
    if not go_version:
        return None
    info = BuildInfo(go_version=go_version)
    if len(modinfo) >= 33 and modinfo[-17] == ord("\n"):
        parse_modinfo(modinfo[16:-16].decode("utf-8", "replace"), info)
    return info


def parse_modinfo(text: str, info: BuildInfo) -> None:
    """Fill ``info`` from the module info text (``go version -m`` lines)."""
    last: str | None = None  # "main" or "dep"
    for line in text.split("\n"):
        kind, _, rest = line.partition("\t")
        cols = rest.split("\t")
        if kind == "path":
            info.path = rest
        elif kind in ("mod", "dep") and len(cols) >= 2:
            module = Module(cols[0], cols[1], cols[2] if len(cols) > 2 else "")
            if kind == "mod":
                info.main, last = module, "main"
            else:
                info.deps.append(module)
                last = "dep"
        elif kind == "=>" and len(cols) >= 2:
            module = Module(cols[0], cols[1], cols[2] if len(cols) > 2 else "")
            if last == "dep" and info.deps:
                info.deps[-1] = module
            elif last == "main":
                info.main = module
        elif kind == "build":
            key, _, value = rest.partition("=")
            info.settings[key] = value


def ldflags_version(ldflags: str) -> str:
    """A semver ``-X …version=`` / ``-X …ver=`` value from ``-ldflags`` (Trivy's rule)."""
    for match in re.finditer(r"-X[= ]['\"]?([^='\"\s]+)=([^'\"\s]+)", ldflags):
        key, value = match.group(1).lower(), match.group(2)
        if key.endswith((".version", ".ver")) and _SEMVER.match(value):
            return value
    return ""


def stdlib_version(go_version: str) -> str:
    """``go1.22.5 X:boringcrypto`` → ``v1.22.5``; ``devel …`` → ``""``."""
    if not go_version.startswith("go"):
        return ""
    return "v" + go_version[2:].split(" ", 1)[0]


class GoBinaryCataloger(Cataloger):
    """Go executables → ``golang`` packages."""

    name = "go-binary"

    def wants(self, path: str) -> bool:
        if path.startswith(BIN_PREFIXES):
            return True
        if "/bin/" in path or "/sbin/" in path or "/libexec/" in path:
            return True
        # /manager, /server, /app/server: extension-less files at the top or directly in /app
        name = path.removeprefix("app/")
        return "/" not in name and "." not in name

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        for path in paths:
            found = ctx.stat(path)
            if found is not None and not (found.kind == "file" and found.mode & 0o111):
                continue  # Trivy opens executable files only
            data = ctx.read(path, MAX_BINARY_BYTES)
            if data is None or data[:4] != b"\x7fELF":
                continue
            try:
                info = read_buildinfo(data)
            except (BuildInfoError, struct.error, IndexError) as exc:
                ctx.warn(path, f"Go build info unreadable ({exc}); skipped")
                continue
            if info is None:
                continue
            yield from self._packages(path, info, ctx)

    @staticmethod
    def _packages(path: str, info: BuildInfo, ctx: CatalogContext) -> Iterator[Package]:
        layer = ctx.layer_of(path)
        go = [("go_version", info.go_version)]

        def package(name: str, version: str, extra: list[tuple[str, str]]) -> Package:
            namespace, _, bare = name.rpartition("/")
            return Package(
                name=name,
                version=version,
                type="golang",
                purl=purl("golang", namespace, bare, version),
                source_name=name,
                source_version=version,
                locations=(path,),
                layer=layer,
                metadata=tuple(sorted(go + extra)),
            )

        std = stdlib_version(info.go_version)
        if std:
            yield package("stdlib", std, [])
        if info.main is not None and info.main.path:
            version = info.main.version if info.main.version != "(devel)" else ""
            if not version:
                version = ldflags_version(info.settings.get("-ldflags", ""))
            yield package(info.main.path, version, [("main_module", "true")])
        for dep in info.deps:
            if info.main is not None and dep.path == info.main.path:
                continue
            yield package(dep.path, dep.version, [])
