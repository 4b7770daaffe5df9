"""Java archives: ``META-INF/maven/GROUP/ARTIFACT/pom.properties`` in ``.jar/.war/.ear/.par``
files, nested archives included (Spring Boot ``BOOT-INF/lib``, ``WEB-INF/lib``, EAR modules).

Trivy (reference §4.3) reads pom.properties, then MANIFEST.MF, then asks its 470 MiB
trivy-java-db by SHA-1, then the file name. caulk reads pom.properties and, for an archive with
none, the manifest when it names a group (``Implementation-Vendor-Id`` or the
``Bundle-SymbolicName`` prefix), a title and a version; there is no SHA-1 database (offline,
no download) and no guessing from file names, so such archives are not reported.

Untrusted input limits: nesting depth 4, nested archives up to 64 MiB each (their declared size
is checked before reading, and the zip reader checks CRCs), manifests up to 1 MiB, at most
10,000 members examined per archive. A location inside an archive is written
``outer.jar!/BOOT-INF/lib/inner.jar`` (Java's ``jar:`` URL convention).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from caulk.catalog.interface import MAX_DATABASE_BYTES, CatalogContext, Cataloger
from caulk.catalog.models import Package
from caulk.catalog.purl import purl

if TYPE_CHECKING:
    import zipfile

ARCHIVE_SUFFIXES = (".jar", ".war", ".ear", ".par")
MAX_DEPTH = 4
MAX_NESTED_BYTES = 64 * 1024 * 1024
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_MEMBERS = 10_000


def parse_properties(text: str) -> dict[str, str]:
    """``key=value`` / ``key: value`` lines of a Java properties file (no escapes needed here)."""
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        sep = min((i for i in (line.find("="), line.find(":")) if i >= 0), default=-1)
        if sep < 0:
            continue
        values[line[:sep].strip()] = line[sep + 1 :].strip()
    return values


def parse_manifest(text: str) -> dict[str, str]:
    """Main section of a JAR manifest (continuation lines start with one space)."""
    values: dict[str, str] = {}
    last = ""
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line:
            break
        if line.startswith(" ") and last:
            values[last] += line[1:]
            continue
        key, sep, value = line.partition(":")
        if sep:
            last = key.strip()
            values[last] = value.strip()
    return values


def _maven(group: str, artifact: str, version: str, location: str, layer: str | None) -> Package:
    return Package(
        name=f"{group}:{artifact}",
        version=version,
        type="maven",
        purl=purl("maven", group, artifact, version),
        source_name=f"{group}:{artifact}",
        source_version=version,
        locations=(location,),
        layer=layer,
    )


class JavaCataloger(Cataloger):
    """Java archives → ``maven`` packages."""

    name = "java"

    def wants(self, path: str) -> bool:
        return path.lower().endswith(ARCHIVE_SUFFIXES)

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        for path in paths:
            data = ctx.read(path, MAX_DATABASE_BYTES)
            if data is None:
                ctx.warn(path, "unreadable or larger than the size limit; skipped")
                continue
            yield from self._archive(data, path, ctx.layer_of(path), 0, ctx)

    def _archive(
        self, data: bytes, location: str, layer: str | None, depth: int, ctx: CatalogContext
    ) -> Iterator[Package]:
        import zipfile  # only images with archives pay for the import

        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = archive.infolist()[:MAX_MEMBERS]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            ctx.warn(location, f"not a readable zip archive ({exc}); skipped")
            return
        found = False
        manifest: dict[str, str] = {}
        with archive:
            for info in members:
                name = info.filename
                try:
                    if name.startswith("META-INF/maven/") and name.endswith("/pom.properties"):
                        props = parse_properties(self._member(archive, info, MAX_MANIFEST_BYTES))
                        group = props.get("groupId", "")
                        artifact = props.get("artifactId", "")
                        version = props.get("version", "")
                        if group and artifact and version:
                            found = True
                            yield _maven(group, artifact, version, location, layer)
                    elif name == "META-INF/MANIFEST.MF":
                        manifest = parse_manifest(self._member(archive, info, MAX_MANIFEST_BYTES))
                    elif name.lower().endswith(ARCHIVE_SUFFIXES) and not info.is_dir():
                        if depth + 1 > MAX_DEPTH:
                            ctx.warn(f"{location}!/{name}", "archives nested too deep; skipped")
                            continue
                        if info.file_size > MAX_NESTED_BYTES:
                            ctx.warn(f"{location}!/{name}", "nested archive too large; skipped")
                            continue
                        inner = archive.read(info)
                        yield from self._archive(
                            inner, f"{location}!/{name}", layer, depth + 1, ctx
                        )
                except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
                    ctx.warn(f"{location}!/{name}", f"unreadable ({exc}); skipped")
        if not found and manifest:
            package = self._from_manifest(manifest, location, layer)
            if package is not None:
                yield package

    @staticmethod
    def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> str:
        if info.file_size > limit:
            raise ValueError(f"member larger than {limit} bytes")
        return archive.read(info).decode("utf-8", "replace")

    @staticmethod
    def _from_manifest(
        manifest: dict[str, str], location: str, layer: str | None
    ) -> Package | None:
        version = manifest.get("Implementation-Version") or manifest.get("Bundle-Version", "")
        title = manifest.get("Implementation-Title", "")
        group = manifest.get("Implementation-Vendor-Id", "")
        symbolic = manifest.get("Bundle-SymbolicName", "").split(";", 1)[0].strip()
        if not group and "." in symbolic:
            group, _, tail = symbolic.rpartition(".")
            title = title or tail
        if not (group and title and version) or " " in group or " " in title:
            return None
        return _maven(group, title, version, location, layer)
