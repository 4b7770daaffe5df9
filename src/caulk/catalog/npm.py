"""Node.js packages: ``package.json`` of each package directory inside ``node_modules``.

Trivy (image mode, reference §4.3) reads every ``package.json`` under ``node_modules`` that has
a name and a version. **Deliberate narrowing:** caulk reads only a package's own manifest,
``…/node_modules/NAME/package.json`` or ``…/node_modules/@SCOPE/NAME/package.json``, so that
test fixtures and sub-path manifests shipped inside a package (``lib/package.json`` with only
``"type": "module"``) are not reported as packages.

Licence: ``license`` as a string (an SPDX expression by npm's rules) or ``{"type": …}``, or the
deprecated ``licenses`` list. The purl is ``pkg:npm/%40scope/name@version``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from caulk.catalog.interface import CatalogContext, Cataloger
from caulk.catalog.licenses import to_spdx_expression
from caulk.catalog.models import Package
from caulk.catalog.purl import purl


def is_package_manifest(path: str) -> bool:
    """True for ``node_modules/NAME/package.json`` and ``node_modules/@SCOPE/NAME/package.json``."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[-3] == "node_modules" and not parts[-2].startswith("@"):
        return True
    return len(parts) >= 4 and parts[-4] == "node_modules" and parts[-3].startswith("@")


def manifest_licenses(manifest: dict[str, object]) -> tuple[str, ...]:
    """SPDX expressions from ``license``/``licenses``."""
    values: list[str] = []
    lic = manifest.get("license")
    if isinstance(lic, str):
        values.append(lic)
    elif isinstance(lic, dict) and isinstance(lic.get("type"), str):
        values.append(lic["type"])
    entries = manifest.get("licenses")
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, str):
                values.append(entry)
            elif isinstance(entry, dict) and isinstance(entry.get("type"), str):
                values.append(entry["type"])
    found: list[str] = []
    for value in values:
        if value.upper() in ("UNLICENSED", "") or value.upper().startswith("SEE LICENSE IN"):
            continue
        expression = to_spdx_expression(value)
        if expression and expression not in found:
            found.append(expression)
    return tuple(found)


class NpmCataloger(Cataloger):
    """``node_modules`` manifests → ``npm`` packages."""

    name = "npm"

    def wants(self, path: str) -> bool:
        return path.endswith("/package.json") and is_package_manifest(path)

    def catalog(self, paths: Sequence[str], ctx: CatalogContext) -> Iterable[Package]:
        for path in paths:
            data = ctx.read(path)
            if data is None:
                ctx.warn(path, "unreadable or larger than the size limit; skipped")
                continue
            try:
                manifest = json.loads(data)
            except (ValueError, RecursionError) as exc:
                ctx.warn(path, f"not valid JSON ({exc}); skipped")
                continue
            if not isinstance(manifest, dict):
                ctx.warn(path, "not a JSON object; skipped")
                continue
            name, version = manifest.get("name"), manifest.get("version")
            if not isinstance(name, str) or not isinstance(version, str) or not name or not version:
                continue  # private workspace manifests often lack a version
            scope, _, bare = name.rpartition("/")
            yield Package(
                name=name,
                version=version,
                type="npm",
                purl=purl("npm", scope, bare, version),
                source_name=name,
                source_version=version,
                licenses=manifest_licenses(manifest),
                locations=(path,),
                layer=ctx.layer_of(path),
            )
