"""What policies read and what they return: the image's facts in, a status and its evidence out.

Statuses follow Docker Scout's quickview glyphs (reference/scout-grade-and-scanners.md §1.3):
``passed`` (✓ compliant), ``failed`` (! violated) and ``no data`` (? not enough data). A policy
that cannot know (no provenance, registry unreachable) says ``no data`` and scores like a
failure, as Scout's grade does.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from caulk.catalog.models import OperatingSystem, Package
from caulk.vuln.matcher import Vulnerability


class Status(enum.Enum):
    """A policy's outcome."""

    PASSED = "passed"
    FAILED = "failed"
    NO_DATA = "no data"

    @property
    def glyph(self) -> str:
        """Scout's quickview glyph: ``✓``, ``!`` or ``?``."""
        return {"passed": "✓", "failed": "!", "no data": "?"}[self.value]


@dataclass(frozen=True, slots=True)
class BaseImage:
    """The base image an image was built from, as its provenance or labels name it."""

    name: str
    """Repository, normalised (``docker.io/library/debian``)."""
    tag: str | None = None
    digest: str | None = None
    source: str = ""
    """``provenance`` or ``label``."""

    @property
    def reference(self) -> str:
        """``name:tag`` (or ``name@digest``, or ``name``)."""
        if self.tag:
            return f"{self.name}:{self.tag}"
        if self.digest:
            return f"{self.name}@{self.digest}"
        return self.name


@dataclass(frozen=True, slots=True)
class AttestationFacts:
    """The image's attached attestations, as far as the attestation policy cares."""

    sbom: bool = False
    provenance: bool = False
    provenance_mode: str | None = None
    """``max`` or ``min``."""


@dataclass(frozen=True)
class PolicyInput:
    """Everything the policies look at."""

    vulnerabilities: tuple[Vulnerability, ...] = ()
    """Vulnerabilities after VEX."""
    packages: tuple[Package, ...] = ()
    user: str = ""
    """``config.User`` as written."""
    attestations: AttestationFacts = field(default_factory=AttestationFacts)
    base_image: BaseImage | None = None
    os: OperatingSystem | None = None
    kev: frozenset[str] | None = None
    """CVE IDs of the CISA KEV catalogue, when a file was given."""
    resolve_digest: Callable[[str], str] | None = None
    """Resolves ``name:tag`` to the digest it points at now; None when offline. Raises
    :class:`Exception` subclasses when the registry cannot answer."""
    now: datetime | None = None
    """The time of the scan (grace periods, end-of-life dates)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one policy's evaluation found."""

    status: Status
    summary: str = ""
    """One line for the results column (``2C 16H``, ``1 package``, ``No data``)."""
    details: tuple[str, ...] = ()
    """The evidence: each violating item, or why there is no data."""
    violations: int = 0


@dataclass(frozen=True, slots=True)
class PolicyResult:
    """One policy's outcome, with the weight it carries in the grade."""

    id: str
    """Docker Scout's stable policy ID (``fixable-vulnerabilities``)."""
    name: str
    """The name Docker Hub shows (``No fixable critical or high vulnerabilities``)."""
    status: Status
    weight: int
    summary: str = ""
    details: tuple[str, ...] = ()
    violations: int = 0
    parameters: Mapping[str, Any] = field(default_factory=dict)
    """The effective parameters the policy ran with."""
