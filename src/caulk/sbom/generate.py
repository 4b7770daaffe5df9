"""``caulk sbom``'s library side: open an image (or a directory), catalog it, name the subject.

``IMAGE`` is any form :func:`caulk.image.open.open_image` accepts, or ``dir:PATH`` for an
unpacked root filesystem (no layers, so no layer diff_ids). The image's layers are read once,
keeping only the file bodies the catalogers want (:func:`caulk.catalog.wanted_path`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from caulk.catalog import catalog, wanted_path
from caulk.catalog.models import Catalog
from caulk.errors import InputError
from caulk.records import record
from caulk.sbom.document import SbomSubject

if TYPE_CHECKING:
    from caulk.registry.options import RegistryOptions


@record
class ImageCatalog:
    """A catalog with the subject it describes and the reader's warnings."""

    catalog: Catalog
    subject: SbomSubject
    warnings: tuple[str, ...]


def catalog_directory(path: Path) -> ImageCatalog:
    """Catalog an unpacked root filesystem."""
    from caulk.catalog.directory import DirectoryFileSource

    if not path.is_dir():
        raise InputError(f"dir:{path}: not a directory")
    found = catalog(DirectoryFileSource(path))
    return ImageCatalog(found, SbomSubject(name=str(path)), found.warnings)


def catalog_image(
    ref: str, platform: str | None = None, registry_options: RegistryOptions | None = None
) -> ImageCatalog:
    """Catalog ``ref``; raises :class:`InputError` (exit code 2) for unreadable images."""
    if ref.startswith("dir:"):
        return catalog_directory(Path(ref[4:]))
    from caulk.image.open import open_image

    with open_image(ref, platform=platform, registry_options=registry_options) as image:
        fs = image.filesystem(wanted_path)
        found = catalog(fs)
        created = image.config.get("created")
        name = image.repo_tags[0] if image.repo_tags else ref
        subject = SbomSubject(
            name=name,
            digest=image.manifest_digest or image.config_digest,
            created=created if isinstance(created, str) else None,
        )
        warnings = (*image.warnings, *fs.warnings, *found.warnings)
    return ImageCatalog(found, subject, tuple(warnings))
