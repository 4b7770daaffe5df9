"""What the catalogers find: packages, the operating system, and the catalog that holds them.

The shape follows DESIGN.md ("Models worth getting right early"). Versions are kept exactly as
the package database writes them (a Debian epoch stays in ``version``: ``1:2.38.1-5``); the
purl carries the ecosystem's own spelling (Trivy's shape for OS packages: the epoch as the
``epoch`` qualifier, ``arch`` and ``distro`` qualifiers).
"""

from __future__ import annotations

from caulk.records import record

OS_TYPES = frozenset({"deb", "apk", "rpm"})
"""Purl types of packages an operating system's package manager installed."""


@record
class Package:
    """One installed package, as one package database or manifest records it."""

    name: str
    """The package's name in its ecosystem (binary package name for OS packages)."""
    version: str
    """The version exactly as recorded (epoch included for dpkg and rpm)."""
    type: str
    """The purl type: ``deb``, ``apk``, ``rpm``, ``pypi``, ``npm``, ``golang``, ``maven``."""
    purl: str
    """Package URL (https://github.com/package-url/purl-spec), the package's identity in SBOMs."""
    source_name: str = ""
    """Source package (dpkg ``Source:``, apk origin, rpm SOURCERPM); equals ``name`` if none."""
    source_version: str = ""
    """Version of the source package; equals ``version`` where the ecosystem has no other."""
    licenses: tuple[str, ...] = ()
    """Declared licences, each a valid SPDX expression (``LicenseRef-…`` for unknown names)."""
    locations: tuple[str, ...] = ()
    """Files that evidence the package (database or manifest), relative to the image root.

    A file inside an archive is written ``outer.jar!/inner.jar``."""
    layer: str | None = None
    """diff_id of the layer that installed (last wrote) the package, when known."""
    metadata: tuple[tuple[str, str], ...] = ()
    """Extra facts as sorted ``(key, value)`` pairs (``arch``, ``epoch``, ``go_version``…)."""

    def meta(self, key: str) -> str | None:
        """The metadata value for ``key``, or None."""
        for k, v in self.metadata:
            if k == key:
                return v
        return None

    @property
    def sort_key(self) -> tuple[str, str, str, str, tuple[str, ...]]:
        """Total order used by every output (deterministic SBOMs)."""
        return (self.type, self.name, self.version, self.purl, self.locations)


@record
class OperatingSystem:
    """The distribution an image is built on (``etc/os-release``)."""

    id: str
    """os-release ``ID`` (``debian``, ``ubuntu``, ``alpine``, ``rhel``…)."""
    version_id: str
    """os-release ``VERSION_ID`` (``12``, ``24.04``, ``3.20.3``); empty for rolling releases."""
    pretty_name: str = ""
    """os-release ``PRETTY_NAME``."""
    osv_ecosystem: str | None = None
    """OSV ecosystem (``Debian:12``, ``Ubuntu:24.04:LTS``, ``Alpine:v3.20``), None if unmapped."""
    version: str = ""
    """Most precise version known (``12.7`` from ``etc/debian_version``); else ``version_id``."""
    codename: str = ""
    """os-release ``VERSION_CODENAME`` (``bookworm``), if any."""


@record
class Catalog:
    """Everything found in one filesystem, in a deterministic order."""

    packages: tuple[Package, ...] = ()
    """Packages sorted by :attr:`Package.sort_key`."""
    os: OperatingSystem | None = None
    """The operating system, if an os-release file was found."""
    warnings: tuple[str, ...] = ()
    """Malformed or oversized inputs that were skipped (``path: reason``)."""
