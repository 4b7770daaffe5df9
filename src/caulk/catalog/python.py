"""Python distributions: ``*.dist-info/METADATA``, ``*.egg-info/PKG-INFO`` and ``*.egg-info``
files, ``EGG-INFO/PKG-INFO`` (Trivy's image-mode inputs, reference §4.3; zipped ``.egg`` files
are not opened).

Metadata is the core metadata format (packaging.python.org "Core metadata specifications"): RFC
822 headers up to the first blank line. The purl name is the PEP 503 normalised name
(``pkg:pypi/zope-interface@6.1``); ``name`` keeps the distribution's own spelling. Licences, in
order of preference: ``License-Expression`` (PEP 639), a one-line ``License`` field, the
unambiguous ``License ::`` classifiers (``MIT License``, ``Apache Software License`` as
Apache-2.0 like Trivy…). A multi-line ``License`` field (a full licence text) is not used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from caulk.catalog.interface import CatalogContext, Cataloger
from caulk.catalog.licenses import to_spdx_expression
from caulk.catalog.models import Package
from caulk.catalog.purl import pep503, purl

_CLASSIFIERS = {
    "MIT License": "MIT",
    "MIT No Attribution License (MIT-0)": "MIT-0",
    "Apache Software License": "Apache-2.0",
    "BSD License": "",
    "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "The Unlicense (Unlicense)": "Unlicense",
    "Zope Public License": "ZPL-2.1",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
}


def parse_metadata(text: str) -> dict[str, list[str]]:
    """Core-metadata headers (folded lines joined) up to the first blank line."""
    fields: dict[str, list[str]] = {}
    last: list[str] | None = None
    for raw in text.split("\n"):
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t":
            if last:
                last[-1] += "\n" + line.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            continue
        last = fields.setdefault(key.strip().lower(), [])
        last.append(value.strip())
    return fields


def metadata_licenses(fields: dict[str, list[str]]) -> tuple[str, ...]:
    """SPDX expressions declared by core metadata (see the module docstring)."""
    for value in fields.get("license-expression", []):
        expression = to_spdx_expression(value)
        if expression:
            return (expression,)
    for value in fields.get("license", []):
        if value and "\n" not in value and len(value) <= 100 and value.upper() != "UNKNOWN":
            expression = to_spdx_expression(value)
            if expression:
                return (expression,)
    found: list[str] = []
    for classifier in fields.get("classifier", []):
        parts = [p.strip() for p in classifier.split("::")]
        if parts[0] != "License" or len(parts) < 2:
            continue
        spdx = _CLASSIFIERS.get(parts[-1], "")
        if spdx and spdx not in found:
            found.append(spdx)
    return tuple(found)


class PythonCataloger(Cataloger):
    """Installed Python distributions → ``pypi`` packages."""

    name = "python"

    def wants(self, path: str) -> bool:
        if path.endswith("/METADATA"):
            return path.endswith(".dist-info/METADATA")
        if path.endswith("/PKG-INFO"):
            return path.endswith((".egg-info/PKG-INFO", "/EGG-INFO/PKG-INFO"))
        return path.endswith(".egg-info")

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        for path in paths:
            data = ctx.read(path)
            if data is None:
                continue  # a directory named *.egg-info, or too large
            fields = parse_metadata(data.decode("utf-8", "replace"))
            name = (fields.get("name") or [""])[0]
            version = (fields.get("version") or [""])[0]
            if not name or not version:
                ctx.warn(path, "no Name or Version header; skipped")
                continue
            yield Package(
                name=name,
                version=version,
                type="pypi",
                purl=purl("pypi", "", pep503(name), version),
                source_name=name,
                source_version=version,
                licenses=metadata_licenses(fields),
                locations=(path,),
                layer=ctx.layer_of(path),
            )
