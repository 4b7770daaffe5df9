"""Debian packages: ``var/lib/dpkg/status`` and distroless ``var/lib/dpkg/status.d/*``.

Mirrors Trivy's dpkg analyzer (reference/scout-grade-and-scanners.md §4.1–4.2) and dpkg itself:

- ``Source: name (version)`` is split as dpkg's pkg-format.c does (``source:Package`` /
  ``source:Version``); with no ``Source`` the source is the package itself, and with no
  ``(version)`` the source version is the binary version. Epochs stay in versions; the purl
  carries them Trivy-style as ``?epoch=N`` with the version without epoch.
- In ``status``, entries whose want is ``deinstall``/``purge`` are skipped (as Trivy does), and
  so are entries whose state is ``not-installed`` or ``config-files`` (no files on disk).
  Half-installed and triggers-pending packages are kept: their files are in the image.
  ``status.d`` files have no ``Status`` line; every stanza there is installed.
- Multi-arch duplicates (``libc6:amd64`` and ``libc6:i386``) are separate packages whose purls
  differ by ``arch``.
- The layer of a package is the layer that wrote its ``var/lib/dpkg/info/NAME[:ARCH].list``
  (written at every install or upgrade), falling back to the layer of the database file.
- Licences come from ``usr/share/doc/NAME/copyright``: the ``License:`` fields of the header and
  ``Files`` paragraphs of a DEP-5 file (stand-alone licence paragraphs only define texts), or,
  in a free-form file, the ``/usr/share/common-licenses/NAME`` references (as Trivy does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from caulk.catalog.interface import MAX_DATABASE_BYTES, CatalogContext, Cataloger
from caulk.catalog.licenses import to_spdx_expression
from caulk.catalog.models import Package
from caulk.catalog.purl import purl

STATUS = "var/lib/dpkg/status"
STATUS_D = "var/lib/dpkg/status.d/"
INFO = "var/lib/dpkg/info/"
DOC = "usr/share/doc/"
_SOURCE = re.compile(r"^(\S*)(?: \((.*)\))?")
_COMMON_LICENSE = re.compile(rb"/?usr/share/common-licenses/([0-9A-Za-z_.+-]+[0-9A-Za-z+])")
_GONE_STATES = {"not-installed", "config-files"}
_GONE_WANTS = {"deinstall", "purge"}


def parse_stanzas(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Deb822 paragraphs as (first line number, {field: value}); continuation lines are kept
    (joined with ``\\n``) so multi-line fields like ``Description`` stay whole."""
    fields: dict[str, str] = {}
    start = 0
    last = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if fields:
                yield start, fields
                fields = {}
            continue
        if line[0] in " \t":
            if last:
                fields[last] += "\n" + line
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        if not fields:
            start = number
        last = key.strip()
        fields[last] = value.strip()
    if fields:
        yield start, fields


def split_source(source: str, name: str, version: str) -> tuple[str, str]:
    """dpkg's ``source:Package`` and ``source:Version`` for a ``Source`` field."""
    if not source:
        return name, version
    match = _SOURCE.match(source.strip())
    if not match or not match.group(1):
        return name, version
    return match.group(1), (match.group(2) or version).strip()


def split_epoch(version: str) -> tuple[str, str]:
    """``1:2.3-4`` → (``1``, ``2.3-4``); no epoch → (``""``, version)."""
    epoch, sep, rest = version.partition(":")
    if sep and epoch.isdigit():
        return epoch, rest
    return "", version


def copyright_licenses(data: bytes) -> tuple[str, ...]:
    """SPDX expressions declared by a Debian copyright file (see the module docstring)."""
    found: list[str] = []
    seen: set[bytes] = set()

    def add(value: bytes) -> None:
        value = value.strip()
        if not value or value in seen:
            return
        seen.add(value)
        expression = to_spdx_expression(value.decode("utf-8", "replace"))
        if expression and expression not in found:
            found.append(expression)

    head = data[:512].lstrip()[:300].lower()
    if head.startswith(b"format:") and (b"copyright-format" in head or b"dep5" in head):
        # bytes.find is memchr-fast; copyright files reach megabytes (boost: 2 MB each).
        pos = data.find(b"\nLicense:")
        while pos >= 0:
            end = data.find(b"\n", pos + 9)
            end = len(data) if end < 0 else end
            previous = data.rfind(b"\n", 0, pos)
            # The first line of a paragraph is a stand-alone licence text: skip it.
            if data[previous + 1 : pos].strip():
                add(data[pos + 9 : end])
            pos = data.find(b"\nLicense:", end)
        return tuple(found)
    for match in _COMMON_LICENSE.finditer(data):
        add(match.group(1))
    return tuple(found)


class DpkgCataloger(Cataloger):
    """dpkg databases → ``deb`` packages."""

    name = "dpkg"
    enumerates = False

    def wants(self, path: str) -> bool:
        if path.startswith("var/lib/dpkg/"):
            if path.startswith(INFO):  # file lists: which language packages dpkg installed
                return path.endswith(".list")
            return path == STATUS or (path.startswith(STATUS_D) and not path.endswith(".md5sums"))
        return path.startswith(DOC) and path.endswith("/copyright") and path.count("/") == 4

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        databases = [p for p in paths if p == STATUS or p.startswith(STATUS_D)]
        licenses: dict[str, tuple[str, ...]] = {}
        for path in databases:
            data = ctx.read(path, MAX_DATABASE_BYTES)
            if data is None:
                ctx.warn(path, "unreadable or larger than the size limit; skipped")
                continue
            text = data.decode("utf-8", "replace")
            yield from self._packages(path, text, ctx, licenses)

    def _packages(
        self, path: str, text: str, ctx: CatalogContext, licenses: dict[str, tuple[str, ...]]
    ) -> Iterator[Package]:
        in_status_d = path != STATUS
        db_layer = ctx.layer_of(path)
        os = ctx.os
        namespace = os.id if os and os.id in ("debian", "ubuntu") else "debian"
        distro = f"{os.id}-{os.version or os.version_id}" if os else ""
        for line, fields in parse_stanzas(text):
            name = fields.get("Package", "")
            version = fields.get("Version", "")
            if not name or not version:
                ctx.warn(f"{path}:{line}", "stanza without Package or Version; skipped")
                continue
            if not in_status_d:
                status = fields.get("Status", "").split()
                if len(status) != 3:
                    ctx.warn(f"{path}:{line}", f"package {name}: malformed Status; skipped")
                    continue
                if status[0] in _GONE_WANTS or status[2] in _GONE_STATES:
                    continue
            arch = fields.get("Architecture", "")
            source_name, source_version = split_source(fields.get("Source", ""), name, version)
            epoch, bare = split_epoch(version)
            qualifiers = {"arch": arch, "epoch": epoch, "distro": distro}
            list_file = f"{INFO}{name}:{arch}.list"  # multi-arch name, else NAME.list
            if ctx.stat(list_file) is None:
                list_file = f"{INFO}{name}.list"
            layer = ctx.layer_of(list_file)
            if name not in licenses:
                licenses[name] = self._licenses(name, ctx)
            metadata = [("arch", arch)] if arch else []
            if epoch:
                metadata.append(("epoch", epoch))
            package_url = purl("deb", namespace, name, bare, qualifiers)
            ctx.owner_lists.append((list_file, package_url))
            yield Package(
                name=name,
                version=version,
                type="deb",
                purl=package_url,
                source_name=source_name,
                source_version=source_version,
                licenses=licenses[name],
                locations=(path,),
                layer=layer or db_layer,
                metadata=tuple(sorted(metadata)),
            )

    @staticmethod
    def _licenses(name: str, ctx: CatalogContext) -> tuple[str, ...]:
        data = ctx.read(f"{DOC}{name}/copyright")
        if data is None:
            return ()
        return copyright_licenses(data)
