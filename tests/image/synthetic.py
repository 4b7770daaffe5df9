"""Small synthetic images for unit tests: an OCI layout from a list of layer tars."""

from __future__ import annotations

import hashlib
import tarfile
from pathlib import Path
from typing import Any

from tests.support.images import (
    Blobs,
    ImageSpec,
    Layer,
    Member,
    image_manifest,
    make_tar,
    write_oci_layout,
)

__all__ = ["Member", "make_tar", "oci_image", "raw_header"]


def oci_image(
    directory: Path,
    layers: list[bytes | Layer],
    config: dict[str, Any] | None = None,
) -> str:
    """Write an OCI layout with these layers (gzip unless a Layer says otherwise); its ref."""
    spec = ImageSpec(
        [x if isinstance(x, Layer) else Layer(x) for x in layers],
        config if config is not None else {"User": "65532", "Env": ["PATH=/bin"]},
    )
    blobs = Blobs()
    write_oci_layout(directory, blobs, {"latest": image_manifest(spec, blobs)})
    return f"oci:{directory}:latest"


def raw_header(name: str, size: int, typeflag: bytes = b"0", linkname: str = "") -> bytes:
    """A ustar header block written by hand (for headers tarfile refuses to produce)."""
    header = bytearray(512)
    header[0:100] = name.encode().ljust(100, b"\0")[:100]
    header[100:108] = b"0000644\0"
    header[108:116] = b"0000000\0"
    header[116:124] = b"0000000\0"
    header[124:136] = f"{size:011o}\0".encode()
    header[136:148] = b"00000000000\0"
    header[148:156] = b" " * 8
    header[156:157] = typeflag
    header[157:257] = linkname.encode().ljust(100, b"\0")[:100]
    header[257:265] = b"ustar\x0000"
    checksum = sum(header)
    header[148:156] = f"{checksum:06o}\0 ".encode()
    return bytes(header)


def blob_path(ref: str, digest: str) -> Path:
    directory = Path(ref.removeprefix("oci:").rsplit(":", 1)[0])
    return directory / "blobs" / "sha256" / digest.split(":", 1)[1]


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


PAX = tarfile.PAX_FORMAT
