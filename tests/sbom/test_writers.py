"""SBOM writers: official-schema validity, determinism, timestamps, licence declarations."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caulk.catalog.models import Catalog, OperatingSystem, Package
from caulk.cli import app
from caulk.sbom import render
from caulk.sbom.document import SbomSubject, document_time, normalize_time
from tests.catalog.helpers import DEBIAN_OS_RELEASE, catalog_tree

LAYER = "sha256:" + "b" * 64
SUBJECT = SbomSubject(
    name="example/app:1.0", digest="sha256:" + "c" * 64, created="2024-05-20T01:02:03.5Z"
)


def sample_catalog() -> Catalog:
    """Every licence shape a writer must handle, a repeated purl, an OS."""
    packages = [
        Package("bash", "5.2.15-2+b2", "deb", "pkg:deb/debian/bash@5.2.15-2%2Bb2?arch=amd64",
                "bash", "5.2.15-2", ("GPL-3.0-or-later",), ("var/lib/dpkg/status",), LAYER,
                (("arch", "amd64"),)),
        Package("login", "1:4.13+dfsg1-1+b1", "deb",
                "pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&epoch=1", "shadow",
                "1:4.13+dfsg1-1",
                ("GPL-2.0-or-later OR Artistic-1.0-Perl", "LicenseRef-public-domain", "MIT"),
                ("var/lib/dpkg/status",), LAYER),
        Package("zlib1g", "1:1.2.13", "deb", "pkg:deb/debian/zlib1g@1.2.13?epoch=1", "zlib",
                "1:1.2.13", ("Zlib", "LicenseRef-custom"), ("var/lib/dpkg/status",)),
        Package("six", "1.16.0", "pypi", "pkg:pypi/six@1.16.0", "six", "1.16.0", ("MIT",),
                ("a/six-1.16.0.dist-info/METADATA",)),
        Package("six", "1.16.0", "pypi", "pkg:pypi/six@1.16.0", "six", "1.16.0", (),
                ("b/six-1.16.0.dist-info/METADATA",)),
        Package("org.example:lib", "1.0", "maven", "pkg:maven/org.example/lib@1.0",
                "org.example:lib", "1.0", ("Apache-2.0 WITH LLVM-exception",),
                ("app.jar!/BOOT-INF/lib/lib-1.0.jar",)),
    ]  # fmt: skip
    os = OperatingSystem("debian", "12", "Debian GNU/Linux 12 (bookworm)", "Debian:12", "12.7")
    return Catalog(tuple(sorted(packages, key=lambda p: p.sort_key)), os, ())


def validate_cyclonedx(text: str) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)


def validate_spdx(text: str, tmp_path: Path) -> None:
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    path = tmp_path / "doc.spdx.json"
    path.write_text(text)
    messages = validate_full_spdx_document(parse_file(str(path)))
    assert [m.validation_message for m in messages] == []


def test_cyclonedx_validates_and_keeps_everything() -> None:
    text = render(sample_catalog(), SUBJECT, "cyclonedx-json")
    validate_cyclonedx(text)
    doc = json.loads(text)
    assert "timestamp" not in doc["metadata"]
    components = {c["bom-ref"]: c for c in doc["components"]}
    # A repeated purl (same wheel in two places) gets a second, stable reference.
    assert {"pkg:pypi/six@1.16.0", "pkg:pypi/six@1.16.0#2"} <= set(components)
    login = components["pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&epoch=1"]
    expression = "(GPL-2.0-or-later OR Artistic-1.0-Perl) AND LicenseRef-public-domain AND MIT"
    assert login["licenses"] == [{"expression": expression}]
    props = {p["name"]: p["value"] for p in login["properties"]}
    assert props["caulk:package:source_name"] == "shadow"
    assert props["caulk:layer:diff_id"] == LAYER
    zlib = components["pkg:deb/debian/zlib1g@1.2.13?epoch=1"]
    assert zlib["licenses"] == [
        {"license": {"id": "Zlib"}},
        {"license": {"name": "LicenseRef-custom"}},
    ]
    lib = components["pkg:maven/org.example/lib@1.0"]
    assert (lib["group"], lib["name"]) == ("org.example", "lib")
    assert lib["evidence"] == {"occurrences": [{"location": "app.jar!/BOOT-INF/lib/lib-1.0.jar"}]}
    os_ref = next(c["bom-ref"] for c in doc["components"] if c["type"] == "operating-system")
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    assert len(deps[os_ref]) == 3  # the deb packages hang off the OS
    assert os_ref in deps["caulk:image"]


def test_spdx_validates_and_declares_license_refs(tmp_path: Path) -> None:
    text = render(sample_catalog(), SUBJECT, "spdx-json")
    validate_spdx(text, tmp_path)
    doc = json.loads(text)
    # SPDX requires creationInfo.created: without a timestamp, the image's own creation time.
    assert doc["creationInfo"]["created"] == "2024-05-20T01:02:03Z"
    assert {e["licenseId"] for e in doc["hasExtractedLicensingInfos"]} == {
        "LicenseRef-custom",
        "LicenseRef-public-domain",
    }
    login = next(p for p in doc["packages"] if p["name"] == "login")
    assert login["sourceInfo"] == "built package from: shadow 1:4.13+dfsg1-1"
    assert len({p["SPDXID"] for p in doc["packages"]}) == len(doc["packages"])


@pytest.mark.parametrize("fmt", ["cyclonedx-json", "spdx-json", "table"])
def test_same_input_same_bytes(fmt: str) -> None:
    assert render(sample_catalog(), SUBJECT, fmt) == render(sample_catalog(), SUBJECT, fmt)


def test_identifiers_change_with_content() -> None:
    one = json.loads(render(sample_catalog(), SUBJECT, "cyclonedx-json"))
    other = SbomSubject(name="example/app:2.0", digest=SUBJECT.digest)
    two = json.loads(render(sample_catalog(), other, "cyclonedx-json"))
    assert one["serialNumber"] != two["serialNumber"]


def test_timestamp_policy() -> None:
    assert document_time(False, {}) is None
    assert document_time(False, {"SOURCE_DATE_EPOCH": "1716163200"}) == "2024-05-20T00:00:00Z"
    stamped = document_time(True, {})
    assert stamped is not None and stamped.endswith("Z")
    assert normalize_time("2024-05-20T02:00:00+02:00") == "2024-05-20T00:00:00Z"
    assert normalize_time("yesterday") is None
    doc = json.loads(render(sample_catalog(), SUBJECT, "cyclonedx-json", "2024-05-20T00:00:00Z"))
    assert doc["metadata"]["timestamp"] == "2024-05-20T00:00:00Z"


def test_table_lists_sources_that_differ() -> None:
    text = render(sample_catalog(), SUBJECT, "table")
    login = next(line for line in text.splitlines() if line.startswith("login"))
    assert "shadow 1:4.13+dfsg1-1" in login
    assert LAYER[7:19] in login
    assert "Packages: 6 (3 deb, 1 maven, 2 pypi)" in text


@pytest.mark.slow
def test_real_machine_catalog_validates(tmp_path: Path) -> None:
    """This machine's dpkg database and copyright files: hundreds of real licence fields."""
    if not Path("/var/lib/dpkg/status").is_file():
        pytest.skip("needs a Debian-family host")
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    shutil.copy("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
    for copyright_file in Path("/usr/share/doc").glob("*/copyright"):
        dest = root / "usr/share/doc" / copyright_file.parent.name / "copyright"
        dest.parent.mkdir(parents=True, exist_ok=True)
        if copyright_file.is_file():
            shutil.copy(copyright_file, dest)
    found = catalog_tree(root, {"etc/os-release": DEBIAN_OS_RELEASE})
    assert len(found.packages) > 50
    validate_cyclonedx(render(found, SbomSubject("dir:root"), "cyclonedx-json"))
    validate_spdx(render(found, SbomSubject("dir:root"), "spdx-json"), tmp_path)


def test_cli_sbom_of_a_directory(tmp_path: Path) -> None:
    root = tmp_path / "root"
    catalog_tree(
        root,
        {
            "etc/os-release": DEBIAN_OS_RELEASE,
            "var/lib/dpkg/status": "Package: bash\nStatus: install ok installed\nVersion: 5.2\n",
        },
    )
    runner = CliRunner()
    out = tmp_path / "sbom.json"
    result = runner.invoke(app, ["sbom", f"dir:{root}", "--format", "spdx-json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["packages"][-1]["name"] == "bash"
    result = runner.invoke(app, ["sbom", f"dir:{root}", "-f", "table"])
    assert result.exit_code == 0 and "bash" in result.stdout
    result = runner.invoke(app, ["sbom", f"dir:{tmp_path / 'missing'}"])
    assert result.exit_code == 2
    assert "not a directory" in result.output


@pytest.mark.parametrize("name", ["", "caulk:cyclonedx:abc", "caulk:spdx:" + "f" * 64, "ünïcode"])
def test_url_uuid5_is_the_standard_library_s(name: str) -> None:
    import uuid

    from caulk.sbom.document import url_uuid5

    assert url_uuid5(name) == str(uuid.uuid5(uuid.NAMESPACE_URL, name))
