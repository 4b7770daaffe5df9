"""Real Debian images (built by tests/support/images.py) through every local transport.

Truth comes from the images themselves: dpkg's ``status`` / ``status.d`` as written by dpkg
and the recipe (88 packages in minbase, 120 with curl and python3, 10 distroless-style).
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.image.errors import ImageError
from caulk.image.open import open_image
from tests.support.images import EXTRA_DPKG_COUNT, BuiltImage

pytestmark = pytest.mark.slow

Build = Callable[[str], BuiltImage]


def refs(image: BuiltImage) -> list[str]:
    return [
        image.oci_ref,
        f"docker-archive:{image.docker25}",
        f"oci-archive:{image.docker25}",
        f"docker-archive:{image.classic}",
    ]


def dpkg_packages(data: bytes) -> list[str]:
    return [
        line.split(b":", 1)[1].strip().decode()
        for line in data.splitlines()
        if line.startswith(b"Package:")
    ]


@pytest.mark.parametrize(("name", "count"), [("minbase", 88), ("extra", EXTRA_DPKG_COUNT)])
def test_dpkg_status_is_read_from_every_transport(build: Build, name: str, count: int) -> None:
    image = build(name)
    for ref in refs(image):
        with open_image(ref) as opened:
            fs = opened.filesystem(lambda p: p == "var/lib/dpkg/status")
            status = fs.read("var/lib/dpkg/status")
            assert status is not None, ref
            assert len(dpkg_packages(status)) == count, ref
            assert fs.layer_of("var/lib/dpkg/status") == image.facts["diff_ids"][0]
            assert not opened.facts.warnings, ref


def test_python_dist_info_is_present_in_extra(build: Build) -> None:
    with open_image(build("extra").oci_ref) as opened:
        fs = opened.filesystem(lambda p: p.endswith(".dist-info/METADATA"))
        metadata = [p for p in fs.paths() if p.endswith(".dist-info/METADATA")]
        assert metadata
        assert all(fs.read(p) is not None for p in metadata)
        facts = opened.facts
    assert facts.user == "1000:1000" and not facts.runs_as_root
    assert facts.exposed_ports == ("53/udp", "8080/tcp")
    assert facts.entrypoint == ("/usr/bin/python3",)


def test_manifest_digests_per_transport(build: Build) -> None:
    image = build("minbase")
    with open_image(image.oci_ref) as opened:
        assert opened.manifest_digest == image.facts["manifest_digest"]
        assert opened.index_digest is None
    with open_image(f"docker-archive:{image.classic}") as opened:
        # classic docker save has no manifest: none is invented
        assert opened.manifest_digest is None
        assert opened.repo_tags == ("docker.io/caulk/minbase:latest",)
    with open_image(f"docker-archive:{image.docker25}:caulk/minbase:latest") as opened:
        assert opened.manifest_digest is not None
    with pytest.raises(ImageError, match="no image named"):
        open_image(f"docker-archive:{image.classic}:caulk/other:latest")


def test_distroless_status_d_and_nonroot_user(build: Build) -> None:
    with open_image(build("distroless").oci_ref) as opened:
        fs = opened.filesystem()
        stanzas = [
            p
            for p in fs.paths()
            if p.startswith("var/lib/dpkg/status.d/") and not p.endswith(".md5sums")
        ]
        facts = opened.facts
    assert len(stanzas) == 10
    assert fs.stat("var/lib/dpkg/status") is None
    assert facts.user == "65532:65532" and not facts.runs_as_root
    assert facts.os_release is not None and facts.os_release.pretty_name == "Distroless"
    kinds = {hint.kind for hint in facts.base_image_hints}
    assert {"label", "distroless", "os-release"} <= kinds


def test_whiteouts_remove_packages_and_files(build: Build) -> None:
    image = build("whiteouts")
    for ref in refs(image):
        with open_image(ref) as opened:
            fs = opened.filesystem()
            paths = set(fs.paths())
            top = opened.layers[2].diff_id
        status_d = {p for p in paths if p.startswith("var/lib/dpkg/status.d/")}
        assert "var/lib/dpkg/status.d/demo" not in status_d, ref
        assert "var/lib/dpkg/status.d/zlib1g" not in status_d, ref
        assert "var/lib/dpkg/status.d/libc6" in status_d, ref
        assert "opt/app/new.txt" in paths and "opt/app/old.txt" not in paths, ref
        assert "opt/app/keep/nested.txt" not in paths, ref
        assert "etc/app.conf" not in paths, ref
        dist = "usr/lib/python3/dist-packages/"
        assert f"{dist}demo-1.0.dist-info/METADATA" not in paths, ref
        assert f"{dist}kept-2.0.dist-info/METADATA" in paths, ref
        assert fs.layer_of("opt/app/new.txt") == top, ref


def test_go_binary_from_debian_is_readable_with_its_layer(build: Build) -> None:
    image = build("gobinary")
    with open_image(image.oci_ref) as opened:
        fs = opened.filesystem()
        body = fs.read("usr/bin/shfmt")
        info = fs.stat("usr/bin/shfmt")
    assert body is not None and body.startswith(b"\x7fELF")
    assert b"\xff Go buildinf:" in body
    assert info is not None and info.executable
    assert fs.layer_of("usr/bin/shfmt") == image.facts["diff_ids"][1]


def test_index_platforms_and_buildkit_attestations(build: Build) -> None:
    image = build("multiarch")
    with open_image(image.oci_ref) as amd64:
        assert amd64.index_digest == image.facts["index_digest"]
        assert amd64.manifest_digest == image.facts["amd64_digest"]
        att = amd64.attestations
        assert [str(p) for p in amd64.platforms] == ["linux/amd64", "linux/arm64/v8"]
    assert att.manifest_digest == image.facts["attestation_amd64"]
    assert att.sbom and att.provenance and att.provenance_mode == "max"
    assert att.provenance_predicate_type == "https://slsa.dev/provenance/v1"
    assert att.base_images and att.base_images[0].startswith("pkg:docker/debian@bookworm")

    with open_image(image.oci_ref, platform="linux/arm64") as arm64:
        assert arm64.manifest_digest == image.facts["arm64_digest"]
        assert arm64.filesystem().read("etc/arch") == b"arm64\n"
        att = arm64.attestations
    assert not att.sbom and att.provenance and att.provenance_mode == "min"

    with pytest.raises(ImageError, match=r"no linux/s390x image .*linux/arm64/v8"):
        open_image(image.oci_ref, platform="linux/s390x")


def test_inspect_json_contract(build: Build) -> None:
    image = build("multiarch")
    result = CliRunner().invoke(app, ["inspect", image.oci_ref, "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["schema_version"] == 1
    assert doc["index_digest"] == image.facts["index_digest"]
    assert doc["platform"] == "linux/amd64"
    assert doc["attestations"]["sbom"] is True
    assert doc["attestations"]["provenance_mode"] == "max"
    assert {"name": "API_TOKEN", "value": None} in doc["env"]
    assert "hunter2" not in result.output
    assert doc["runs_as_root"] is False
    assert doc["size"]["uncompressed"] == sum(layer["uncompressed_size"] for layer in doc["layers"])
    shown = CliRunner().invoke(app, ["inspect", image.oci_ref, "-f", "json", "--show-env-values"])
    assert {"name": "API_TOKEN", "value": "hunter2-not-a-secret"} in json.loads(shown.output)["env"]


def test_inspect_text(build: Build) -> None:
    result = CliRunner().invoke(app, ["inspect", build("minbase").oci_ref])
    assert result.exit_code == 0
    assert "User           root (root)" in result.output
    assert "Debian GNU/Linux 12 (bookworm)" in result.output
    assert "hunter2" not in result.output
