"""The operating system of an image, from ``etc/os-release`` (or ``usr/lib/os-release``).

Fields follow os-release(5). The OSV ecosystem names follow reference/osv.md ("Ecosystem
strings"): ``Debian:12``, ``Ubuntu:24.04:LTS`` (``:LTS`` only when ``VERSION`` says LTS),
``Alpine:v3.20`` (major.minor with a ``v``), ``AlmaLinux:9``, ``Rocky Linux:9``, ``Wolfi``,
``Chainguard``, ``SUSE:<PRETTY_NAME without "SUSE ">``, ``openSUSE:<…>``. Red Hat's OSV streams
are CPE-like and cannot be derived from os-release, so RHEL maps to None.

Like Trivy's Debian detector, the precise Debian point release comes from
``etc/debian_version`` (``12.7``); a Debian testing/sid image without ``VERSION_ID`` is mapped
through its codename (``trixie`` → 13) or to ``Debian:sid``.
"""

from __future__ import annotations

import re

from caulk.catalog.interface import CatalogContext
from caulk.catalog.models import OperatingSystem
from caulk.osrelease import parse_os_release

OS_RELEASE_PATHS = ("etc/os-release", "usr/lib/os-release")
EXTRA_PATHS = ("etc/debian_version", "etc/alpine-release")
_DEBIAN_CODENAMES = {
    "stretch": "9",
    "buster": "10",
    "bullseye": "11",
    "bookworm": "12",
    "trixie": "13",
    "forky": "14",
    "duke": "15",
}


def osv_ecosystem(fields: dict[str, str], version: str = "") -> str | None:
    """The OSV ecosystem name for os-release ``fields`` (see the module docstring)."""
    os_id = fields.get("ID", "").lower()
    version_id = fields.get("VERSION_ID", "")
    major = version_id.split(".")[0]
    if os_id == "debian":
        if major.isdigit():
            return f"Debian:{major}"
        codename = fields.get("VERSION_CODENAME", "") or version.split("/", maxsplit=1)[0]
        number = _DEBIAN_CODENAMES.get(codename)
        return f"Debian:{number}" if number else "Debian:sid"
    if os_id == "ubuntu" and version_id:
        lts = ":LTS" if "LTS" in fields.get("VERSION", "") else ""
        return f"Ubuntu:{version_id}{lts}"
    if os_id == "alpine":
        match = re.match(r"(\d+)\.(\d+)", version_id)
        return f"Alpine:v{match.group(1)}.{match.group(2)}" if match else None
    if os_id == "almalinux" and major.isdigit():
        return f"AlmaLinux:{major}"
    if os_id == "rocky" and major.isdigit():
        return f"Rocky Linux:{major}"
    if os_id == "wolfi":
        return "Wolfi"
    if os_id == "chainguard":
        return "Chainguard"
    pretty = fields.get("PRETTY_NAME", "")
    if os_id in ("sles", "sle-micro") and pretty:
        return "SUSE:" + pretty.removeprefix("SUSE ")
    if os_id.startswith("opensuse") and pretty:
        return "openSUSE:" + pretty.removeprefix("openSUSE ")
    return None


def detect_os(ctx: CatalogContext) -> OperatingSystem | None:
    """The OperatingSystem of ``ctx.fs``, or None when no os-release file is readable."""
    for path in OS_RELEASE_PATHS:
        data = ctx.read(path, 64 * 1024)
        if data is None:
            continue
        fields = parse_os_release(data.decode("utf-8", "replace"))
        if "ID" not in fields:
            ctx.warn(path, "no ID= line; operating system unknown")
            continue
        os_id = fields["ID"].lower()
        version_id = fields.get("VERSION_ID", "")
        version = version_id
        if os_id == "debian":
            raw = ctx.read("etc/debian_version", 4096)
            if raw is not None:
                version = raw.decode("ascii", "replace").strip() or version_id
        elif os_id == "alpine":
            raw = ctx.read("etc/alpine-release", 4096)
            if raw is not None:
                version = raw.decode("ascii", "replace").strip() or version_id
        return OperatingSystem(
            id=os_id,
            version_id=version_id,
            pretty_name=fields.get("PRETTY_NAME", ""),
            osv_ecosystem=osv_ecosystem(fields, version),
            version=version,
            codename=fields.get("VERSION_CODENAME", ""),
        )
    return None


def wants(path: str) -> bool:
    """True for the files :func:`detect_os` reads."""
    return path in OS_RELEASE_PATHS or path in EXTRA_PATHS
