"""Alpine (and Wolfi/Chainguard) packages: ``lib/apk/db/installed``.

Format: apk-tools' installed database (wiki.alpinelinux.org "Apk spec", "Installed Database"):
stanzas of ``X:value`` lines separated by blank lines. Read here: ``P`` name, ``V`` version,
``A`` arch, ``o`` origin (the source package, as Trivy and OSV use it), ``L`` licence, and the
``F`` folder / ``R`` file lines. The source version is the package version (apk has no other).
The purl is Trivy's shape: ``pkg:apk/alpine/NAME@VERSION?arch=…&distro=3.20.3``.

The layer of a package is the layer that wrote the first of its files still present (files
are rewritten when a package is installed or upgraded), else the database's layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from caulk.catalog.interface import MAX_DATABASE_BYTES, CatalogContext, Cataloger
from caulk.catalog.licenses import to_spdx_expression
from caulk.catalog.models import Package
from caulk.catalog.purl import purl

INSTALLED = ("lib/apk/db/installed", "usr/lib/apk/db/installed")


def parse_installed(text: str) -> list[tuple[int, dict[str, str], list[str]]]:
    """Stanzas as (first line, single-valued fields, file paths from ``F``/``R`` lines)."""
    stanzas: list[tuple[int, dict[str, str], list[str]]] = []
    fields: dict[str, str] = {}
    files: list[str] = []
    folder = ""
    start = 0
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            if fields:
                stanzas.append((start, fields, files))
            fields, files, folder = {}, [], ""
            continue
        if len(line) < 2 or line[1] != ":":
            continue
        key, value = line[0], line[2:]
        if not fields:
            start = number
        if key == "F":
            folder = value
        elif key == "R":
            files.append(f"{folder}/{value}" if folder else value)
        else:
            fields.setdefault(key, value)
    if fields:
        stanzas.append((start, fields, files))
    return stanzas


class ApkCataloger(Cataloger):
    """apk installed database → ``apk`` packages."""

    name = "apk"
    enumerates = False

    def wants(self, path: str) -> bool:
        return path in INSTALLED

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        os = ctx.os
        namespace = os.id if os else "alpine"
        distro = (os.version or os.version_id) if os else ""
        for path in paths:
            data = ctx.read(path, MAX_DATABASE_BYTES)
            if data is None:
                ctx.warn(path, "unreadable or larger than the size limit; skipped")
                continue
            db_layer = ctx.layer_of(path)
            for line, fields, files in parse_installed(data.decode("utf-8", "replace")):
                name, version = fields.get("P", ""), fields.get("V", "")
                if not name or not version:
                    ctx.warn(f"{path}:{line}", "stanza without P: or V:; skipped")
                    continue
                arch = fields.get("A", "")
                license_field = fields.get("L", "")
                expression = to_spdx_expression(license_field) if license_field else None
                layer = next((lay for f in files[:8] if (lay := ctx.layer_of(f))), None)
                metadata = [("arch", arch)] if arch else []
                package_url = purl(
                    "apk", namespace, name, version, {"arch": arch, "distro": distro}
                )
                ctx.claim(package_url, files)
                yield Package(
                    name=name,
                    version=version,
                    type="apk",
                    purl=package_url,
                    source_name=fields.get("o") or name,
                    source_version=version,
                    licenses=(expression,) if expression else (),
                    locations=(path,),
                    layer=layer or db_layer,
                    metadata=tuple(metadata),
                )
