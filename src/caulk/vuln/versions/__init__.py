"""Version orderings per OSV ecosystem: which comparator decides whether ``1.2-3`` < ``1.2-10``.

:func:`comparator_for` maps an OSV ecosystem string (``Debian:12``, ``Ubuntu:Pro:22.04:LTS``,
``Alpine:v3.20``, ``Rocky Linux:9``, ``PyPI``, ``Go``, ``Maven:https://…`` …) to a
:class:`Comparator`. Each scheme lives in its own module and mirrors a reference implementation:

========= ============================================ ==========================================
scheme    ecosystems                                   reference
========= ============================================ ==========================================
dpkg      Debian, Ubuntu                               dpkg ``lib/dpkg/version.c``
apk       Alpine, Wolfi, Chainguard, Alpaquita, …      apk-tools 3 ``src/version.c``
rpm       Red Hat, AlmaLinux, Rocky Linux, SUSE, …     rpm ``rpmio/rpmvercmp.cc``, ``rpmver.cc``
pep440    PyPI                                         ``packaging.version.Version``
semver    npm, crates.io, Bitnami, DHI, Hex, SwiftURL  SemVer 2.0 after osv.dev's coercion
go        Go                                           golang.org/x/mod ``semver``
maven     Maven                                        Maven 3 ``ComparableVersion``
========= ============================================ ==========================================

See docs/versions.md for the deviations.
"""

from __future__ import annotations

from . import apk, dpkg, golang, maven, pep440, rpm, semver
from .base import Comparator, InvalidVersion, UnsupportedEcosystem

__all__ = [
    "APK",
    "COMPARATORS",
    "DPKG",
    "GO",
    "MAVEN",
    "PEP440",
    "RPM",
    "SEMVER",
    "Comparator",
    "InvalidVersion",
    "UnsupportedEcosystem",
    "comparator_for",
    "ecosystem_base",
]

DPKG = Comparator(dpkg.SCHEME, dpkg.compare, dpkg.key)
APK = Comparator(apk.SCHEME, apk.compare, apk.key)
RPM = Comparator(rpm.SCHEME, rpm.compare, rpm.key)
PEP440 = Comparator(pep440.SCHEME, pep440.compare, pep440.key)
SEMVER = Comparator(semver.SCHEME, semver.osv_compare, semver.osv_key)
GO = Comparator(golang.SCHEME, golang.compare, golang.key)
MAVEN = Comparator(maven.SCHEME, maven.compare, maven.key)

COMPARATORS: dict[str, Comparator] = {
    c.scheme: c for c in (DPKG, APK, RPM, PEP440, SEMVER, GO, MAVEN)
}
"""Every comparator by scheme name."""

_BY_ECOSYSTEM: dict[str, Comparator] = {
    "debian": DPKG,
    "ubuntu": DPKG,
    "alpine": APK,
    "wolfi": APK,
    "chainguard": APK,
    "alpaquita": APK,
    "bellsoft hardened containers": APK,
    "red hat": RPM,
    "almalinux": RPM,
    "rocky linux": RPM,
    "suse": RPM,
    "opensuse": RPM,
    "mageia": RPM,
    "openeuler": RPM,
    "azure linux": RPM,
    "photon os": RPM,
    "pypi": PEP440,
    "npm": SEMVER,
    "crates.io": SEMVER,
    "bitnami": SEMVER,
    "dhi": SEMVER,
    "docker hardened images": SEMVER,
    "hex": SEMVER,
    "swifturl": SEMVER,
    "go": GO,
    "maven": MAVEN,
}


def ecosystem_base(ecosystem: str) -> str:
    """The ecosystem without its ``:suffix`` (``Ubuntu:Pro:22.04:LTS`` → ``Ubuntu``)."""
    return ecosystem.split(":", 1)[0].strip()


def comparator_for(ecosystem: str) -> Comparator:
    """The version ordering of an OSV ecosystem, suffixes and case ignored.

    Raises :class:`UnsupportedEcosystem` for an ecosystem with no known ordering.
    """
    comparator = _BY_ECOSYSTEM.get(ecosystem_base(ecosystem).lower())
    if comparator is None:
        raise UnsupportedEcosystem(ecosystem)
    return comparator
