"""Docker Scout's "Supply chain attestations" (``supply-chain-attestations``).

reference/scout-grade-and-scanners.md §1.3–1.4: violated when the image has no SBOM
attestation, or no SLSA provenance attestation in **max** mode (the Hub's wording). Detection is
:mod:`caulk.image.attestations` (BuildKit attestation manifests in the image index). An image
without an index (``docker save``) carries no attestations, so it fails, as in Scout. The fix
is ``docker buildx build --provenance=mode=max --sbom=true``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caulk.policy.model import Outcome, PolicyInput, Status

ID = "supply-chain-attestations"
NAME = "Supply chain attestations"
WEIGHT = 15
DEFAULTS: dict[str, Any] = {"require_sbom": True, "require_provenance_max": True}


def evaluate(inp: PolicyInput, params: Mapping[str, Any]) -> Outcome:
    att = inp.attestations
    missing: list[str] = []
    if params["require_sbom"] and not att.sbom:
        missing.append("no SBOM attestation")
    if params["require_provenance_max"]:
        if not att.provenance:
            missing.append("no provenance attestation")
        elif att.provenance_mode != "max":
            missing.append(f"provenance in {att.provenance_mode or 'unknown'} mode, not max")
    if missing:
        return Outcome(Status.FAILED, "; ".join(missing), tuple(missing), len(missing))
    return Outcome(Status.PASSED, "SBOM and max-mode provenance")
