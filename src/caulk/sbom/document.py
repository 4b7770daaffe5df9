"""What every SBOM writer shares: the subject, the timestamp policy and stable identifiers.

Determinism (DESIGN.md "Offline-first and deterministic"): packages come sorted from the
catalog; identifiers are derived from purls and locations, never from counters over unsorted
data or random UUIDs; serial numbers and namespaces are UUIDv5 of the document's content.

Timestamps: none unless asked. :func:`document_time` gives, in order, the current time when the
user passes ``--timestamp``, ``SOURCE_DATE_EPOCH`` when set (reproducible-builds.org), else
None. SPDX 2.3 requires ``creationInfo.created``; without a timestamp it is the image's own
``created`` time (fixed for a given image), else the Unix epoch.
"""

from __future__ import annotations

import hashlib
import os
import re

from caulk.catalog.models import Catalog, Package
from caulk.records import record

EPOCH = "1970-01-01T00:00:00Z"
_RFC3339 = re.compile(r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


@record
class SbomSubject:
    """What the SBOM describes: an image (or a directory)."""

    name: str
    """The image reference as the user gave it, or its first tag."""
    digest: str | None = None
    """Manifest digest (``sha256:…``), else the config digest (image ID)."""
    created: str | None = None
    """The image config's ``created`` time (RFC 3339), if any."""


def normalize_time(text: str | None) -> str | None:
    """An RFC 3339 time → ``YYYY-MM-DDThh:mm:ssZ`` in UTC (SPDX's format); None if unparsable."""
    if not text:
        return None
    match = re.match(
        r"^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:\d{2})?$", text
    )
    if not match:
        return None
    from datetime import UTC, datetime  # not at import: a default SBOM carries no time

    date, clock, zone = match.groups()
    try:
        moment = datetime.fromisoformat(
            f"{date}T{clock}{'+00:00' if zone in (None, 'Z') else zone}"
        )
    except ValueError:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def document_time(timestamp: bool, environ: dict[str, str] | None = None) -> str | None:
    """The timestamp to write (see the module docstring), or None for none."""
    from datetime import UTC, datetime

    if timestamp:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return None


_URL_NAMESPACE = bytes.fromhex("6ba7b8119dad11d180b400c04fd430c8")
"""``uuid.NAMESPACE_URL`` (RFC 9562, appendix A)."""


def url_uuid5(name: str) -> str:
    """``str(uuid.uuid5(uuid.NAMESPACE_URL, name))``, the name-based UUID of RFC 9562 §5.5.

    Written out because :mod:`uuid` imports :mod:`platform` (~3 ms of ``caulk sbom``'s
    start-up); tests/sbom/test_writers.py checks it against :func:`uuid.uuid5`.
    """
    raw = bytearray(hashlib.sha1(_URL_NAMESPACE + name.encode(), usedforsecurity=False).digest())
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = raw[:16].hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def package_refs(catalog: Catalog) -> list[str]:
    """A unique, stable reference per package: its purl, ``#2``, ``#3``… for repeats."""
    seen: dict[str, int] = {}
    refs: list[str] = []
    for package in catalog.packages:
        count = seen.get(package.purl, 0) + 1
        seen[package.purl] = count
        refs.append(package.purl if count == 1 else f"{package.purl}#{count}")
    return refs


def spdx_id(package: Package) -> str:
    """``SPDXRef-Package-<type>-<name>-<hash of purl and locations>`` (``[A-Za-z0-9.-]``)."""
    digest = hashlib.sha256(
        "\0".join((package.purl, *package.locations)).encode("utf-8")
    ).hexdigest()[:16]
    name = re.sub(r"[^A-Za-z0-9.\-]+", "-", package.name).strip("-")[:60]
    return f"SPDXRef-Package-{package.type}-{name}-{digest}"


def tool_version() -> str:
    """caulk's version, for the tool entries of SBOMs."""
    from caulk import __version__

    return __version__
