"""OpenVEX: which statements hide which matches, and what the report keeps of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caulk.vuln.matcher import Vulnerability
from caulk.vuln.vex import VexError, apply_vex, load_vex_file, parse_vex

IMAGE = "sha256:" + "ab" * 32


def _vuln(vid: str, package: str, purl: str, aliases: tuple[str, ...] = ()) -> Vulnerability:
    return Vulnerability(
        id=vid,
        aliases=aliases,
        advisories=(vid,),
        package=package,
        installed_version="1.0",
        package_type=purl.split("/", maxsplit=1)[0][4:],
        purl=purl,
        source_package=package,
        source_version="1.0",
        ecosystem="Debian:12",
        fixed_version=None,
        severity="high",
    )


CURL = _vuln("CVE-2025-1", "curl", "pkg:deb/debian/curl@7.88.1-10?arch=amd64&distro=debian-12.15")
LIBC = _vuln(
    "CVE-2025-2", "libc6", "pkg:deb/debian/libc6@2.36-9?arch=amd64", aliases=("DSA-5000-1",)
)
IDNA = _vuln("CVE-2024-3651", "idna", "pkg:pypi/idna@3.3")


def _doc(*statements: dict[str, object]) -> dict[str, object]:
    return {
        "@context": "https://openvex.dev/ns/v0.2.0",
        "@id": "https://example.org/vex/1",
        "author": "tests",
        "timestamp": "2025-01-01T00:00:00Z",
        "version": 1,
        "statements": list(statements),
    }


def test_not_affected_by_package_purl_suppresses_with_its_justification() -> None:
    statements = parse_vex(
        _doc(
            {
                "vulnerability": {"name": "CVE-2025-1"},
                "products": [{"@id": "pkg:deb/debian/curl"}],
                "status": "not_affected",
                "justification": "vulnerable_code_not_in_execute_path",
            }
        ),
        "vex.json",
    )
    kept, hidden = apply_vex((CURL, LIBC, IDNA), statements)
    assert kept == (LIBC, IDNA)
    assert [
        (h.vulnerability.id, h.statement.justification, h.statement.origin) for h in hidden
    ] == [("CVE-2025-1", "vulnerable_code_not_in_execute_path", "vex.json")]


def test_image_product_with_subcomponents_and_alias_names() -> None:
    statements = parse_vex(
        _doc(
            {
                "vulnerability": {"name": "DSA-5000-1"},
                "products": [
                    {
                        "@id": f"pkg:oci/app@{IMAGE.replace(':', '%3A')}",
                        "subcomponents": [{"@id": "pkg:deb/debian/libc6@2.36-9"}],
                    }
                ],
                "status": "not_affected",
                "justification": "vulnerable_code_not_present",
            },
            {  # the whole image, no subcomponents
                "vulnerability": "CVE-2024-3651",
                "products": [IMAGE],
                "status": "not_affected",
                "impact_statement": "idna is never given untrusted input",
            },
        ),
        "attestation",
    )
    kept, hidden = apply_vex((CURL, LIBC, IDNA), statements, [IMAGE])
    assert kept == (CURL,)
    assert {h.vulnerability.package for h in hidden} == {"libc6", "idna"}
    # another image's digest does not match
    kept, hidden = apply_vex((CURL, LIBC, IDNA), statements, ["sha256:" + "cd" * 32])
    assert len(kept) == 3 and not hidden


def test_version_and_qualifiers_of_the_product_must_agree() -> None:
    def stmt(product: str) -> dict[str, object]:
        return {
            "vulnerability": {"name": "CVE-2025-1"},
            "products": [{"@id": product}],
            "status": "not_affected",
            "justification": "component_not_present",
        }

    for product, hides in (
        ("pkg:deb/debian/curl@7.88.1-10", True),
        ("pkg:deb/debian/curl@7.88.1-11", False),
        ("pkg:deb/debian/curl?arch=amd64", True),
        ("pkg:deb/debian/curl?arch=arm64", False),
        ("pkg:deb/ubuntu/curl", False),
    ):
        _, hidden = apply_vex((CURL,), parse_vex(_doc(stmt(product)), "f"))
        assert bool(hidden) is hides, product


def test_later_statement_wins_and_only_not_affected_suppresses() -> None:
    product = [{"@id": "pkg:pypi/idna"}]
    statements = parse_vex(
        _doc(
            {
                "vulnerability": {"name": "CVE-2024-3651"},
                "products": product,
                "status": "affected",
                "timestamp": "2025-03-01T00:00:00Z",
                "action_statement": "upgrade",
            },
            {
                "vulnerability": {"name": "CVE-2024-3651"},
                "products": product,
                "status": "not_affected",
                "timestamp": "2025-02-01T00:00:00Z",
                "justification": "component_not_present",
            },
        ),
        "f",
    )
    kept, hidden = apply_vex((IDNA,), statements)
    assert kept == (IDNA,) and hidden == ()
    for status in ("fixed", "under_investigation"):
        doc = _doc(
            {"vulnerability": {"name": "CVE-2024-3651"}, "products": product, "status": status}
        )
        assert apply_vex((IDNA,), parse_vex(doc, "f"))[0] == (IDNA,)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"statements": []}, "not an OpenVEX document"),
        ({"@context": "https://openvex.dev/ns/v0.2.0"}, "'statements' is missing"),
        (_doc({"vulnerability": {"name": "X"}, "products": [], "status": "maybe"}), "status"),
        (_doc({"products": [], "status": "affected"}), "names no vulnerability"),
    ],
)
def test_invalid_documents_name_the_problem(document: object, message: str) -> None:
    with pytest.raises(VexError, match=message):
        parse_vex(document, "bad.json")


def test_load_vex_file(tmp_path: Path) -> None:
    path = tmp_path / "vex.json"
    path.write_text(
        json.dumps(_doc({"vulnerability": {"name": "CVE-1"}, "products": [], "status": "affected"}))
    )
    assert [s.vulnerability for s in load_vex_file(path)] == ["CVE-1"]
    path.write_text("{not json")
    with pytest.raises(VexError, match="not JSON"):
        load_vex_file(path)
    with pytest.raises(VexError, match="cannot read"):
        load_vex_file(tmp_path / "missing.json")
