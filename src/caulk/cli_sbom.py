"""``caulk sbom`` once its options are parsed; run by the typer command and the fast path.

No typer here, so that :mod:`caulk.entry` can run a well-formed ``caulk sbom`` command line
without importing it (start-up time is most of a small image's SBOM, issue #4).
"""

from __future__ import annotations

from pathlib import Path

from caulk.cli_io import write_output

SBOM_FORMATS = ("cyclonedx-json", "spdx-json", "table")
"""``--format`` values, the first the default."""

LOCAL_PREFIXES = ("dir:", "oci:", "docker-archive:", "oci-archive:")


def run_sbom(
    image: str,
    *,
    output_format: str,
    output: Path | None,
    platform: str | None,
    timestamp: bool,
    registry_mirror: list[str] | None,
    insecure_registry: list[str] | None,
    offline: bool,
) -> list[str]:
    """Catalog ``image`` and write its SBOM; returns the reader's warnings for stderr.

    Raises :class:`caulk.errors.InputError` (exit code 2) for an unreadable image or output.
    """
    from caulk.sbom import render
    from caulk.sbom.document import document_time
    from caulk.sbom.generate import catalog_image

    options = None
    # caulk.registry.client imports httpx (~0.1 s); a local image without registry options
    # never needs it
    if not image.startswith(LOCAL_PREFIXES) or registry_mirror or insecure_registry or offline:
        from caulk.registry.options import RegistryOptions

        options = RegistryOptions.from_cli(
            mirrors=registry_mirror, insecure=insecure_registry, offline=offline
        )
    result = catalog_image(image, platform=platform, registry_options=options)
    text = render(result.catalog, result.subject, output_format, document_time(timestamp))
    write_output(text, output)
    return list(result.warnings)
