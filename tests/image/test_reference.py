"""IMAGE argument parsing: skopeo's transports and Docker's reference normalization."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.image.errors import ImageError
from caulk.image.reference import parse_reference, parse_registry_ref

DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("debian", "docker.io/library/debian:latest"),
        ("debian:bookworm", "docker.io/library/debian:bookworm"),
        ("docker://caulk/x:1", "docker.io/caulk/x:1"),
        ("index.docker.io/library/debian", "docker.io/library/debian:latest"),
        ("ghcr.io/org/img:v1.2", "ghcr.io/org/img:v1.2"),
        ("localhost/img", "localhost/img:latest"),
        ("127.0.0.1:5000/caulk/x:tag", "127.0.0.1:5000/caulk/x:tag"),
        (f"gcr.io/distroless/static@{DIGEST}", f"gcr.io/distroless/static@{DIGEST}"),
        (f"debian:12@{DIGEST}", f"docker.io/library/debian:12@{DIGEST}"),
    ],
)
def test_registry_references_are_normalized_like_docker(text: str, expected: str) -> None:
    assert str(parse_registry_ref(text)) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Debian", "invalid repository name"),
        ("debian@sha256:abc", "invalid digest"),
        ("debian:bad tag", "invalid tag"),
        ("", "empty image reference"),
        ("docker-daemon:x:latest", "not supported"),
        ("oci:", "missing path"),
    ],
)
def test_bad_references_are_input_errors(text: str, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        parse_reference(text)


def test_local_transports(tmp_path: Path) -> None:
    ref = parse_reference("oci:/some/dir:v1")
    assert (ref.transport, ref.path, ref.name) == ("oci", Path("/some/dir"), "v1")
    ref = parse_reference("docker-archive:/x/img.tar:caulk/x:latest")
    assert (ref.path, ref.name) == (Path("/x/img.tar"), "caulk/x:latest")
    odd = tmp_path / "with:colon"
    odd.mkdir()
    assert parse_reference(f"oci:{odd}").path == odd  # an existing path wins over splitting
    assert parse_reference("oci-archive:a.tar").transport == "oci-archive"
