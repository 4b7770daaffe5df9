"""Language packages that an OS package manager installed, marked ``installed_by``.

Debian's ``python3-idna`` ships ``usr/lib/python3/dist-packages/idna-3.3.dist-info``: the
Python cataloger finds PyPI ``idna 3.3`` there, but that copy is Debian's, patched by Debian
and fixed through Debian's advisories for the source package ``python-idna``, not by
upgrading to PyPI's release. Trivy's rule (trivy.dev, "Vulnerability Scanning: Data Source
Selection"): a package installed by dpkg, rpm or apk gets its OS vendor's advisories only, and
Trivy leaves such language packages out of its results. caulk keeps them in the SBOM (they are
in the image) with the metadata ``installed_by`` = the owning OS package's purl, and
``caulk scan`` does not match them against language advisories
(:func:`caulk.vuln.matcher.match_target`).

Ownership comes from the package managers' own file lists, as Trivy reads them: dpkg's
``var/lib/dpkg/info/NAME[:ARCH].list`` (not distroless ``status.d/*.md5sums``: Trivy does not
count those either), apk's ``F:``/``R:`` lines, rpm's ``BASENAMES``/``DIRNAMES``. A package
counts as installed by the OS when its evidence file (the first location; the outer archive
for ``outer.jar!/inner.jar``) is on such a list.
"""

from __future__ import annotations

from collections.abc import Sequence

from caulk.catalog.interface import CatalogContext
from caulk.catalog.models import OS_TYPES, Package
from caulk.records import replace

INSTALLED_BY = "installed_by"


def _owners(ctx: CatalogContext) -> dict[str, str]:
    owned = dict(ctx.owned)
    for list_file, owner in ctx.owner_lists:
        data = ctx.read(list_file)
        if data is None:
            continue
        for line in data.decode("utf-8", "surrogateescape").splitlines():
            path = line.strip().lstrip("/")
            if path:
                owned.setdefault(path, owner)
    return owned


def mark_installed_by(packages: Sequence[Package], ctx: CatalogContext) -> list[Package]:
    """``packages`` with ``installed_by`` set on language packages an OS package installed."""
    if all(p.type in OS_TYPES or not p.locations for p in packages):
        return list(packages)
    if not ctx.owned and not ctx.owner_lists:
        return list(packages)
    owners = _owners(ctx)
    marked: list[Package] = []
    for package in packages:
        owner = None
        if package.type not in OS_TYPES and package.locations:
            owner = owners.get(package.locations[0].split("!", 1)[0])
        if owner is None:
            marked.append(package)
        else:
            metadata = tuple(sorted((*package.metadata, (INSTALLED_BY, owner))))
            marked.append(replace(package, metadata=metadata))
    return marked
