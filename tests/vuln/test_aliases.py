"""Grouping matched advisories that describe one vulnerability (reported once)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from caulk.vuln.aliases import AliasGroup, alias_groups
from caulk.vuln.models import Advisory
from caulk.vuln.osv import load_record


def _adv(ident: str, **fields: Any) -> Advisory:
    return Advisory.from_osv({"id": ident, "modified": "2024-01-01T00:00:00Z", **fields})


def test_a_dsa_and_the_debian_cve_record_it_covers_are_one_group() -> None:
    dsa = _adv("DSA-5000-1", aliases=["CVE-2024-1"])
    tracker = _adv("DEBIAN-CVE-2024-1", upstream=["CVE-2024-1"])
    assert alias_groups([tracker, dsa]) == [
        AliasGroup(
            "CVE-2024-1", ("DEBIAN-CVE-2024-1", "DSA-5000-1"), ("DEBIAN-CVE-2024-1", "DSA-5000-1")
        )
    ]


def test_a_dsa_fixing_several_cves_names_the_group() -> None:
    dsa = _adv("DSA-5001-1", aliases=["CVE-2024-1", "CVE-2024-2"])
    one = _adv("DEBIAN-CVE-2024-1", upstream=["CVE-2024-1"])
    two = _adv("DEBIAN-CVE-2024-2", upstream=["CVE-2024-2"])
    (group,) = alias_groups([one, two, dsa])
    assert group.id == "DSA-5001-1"
    assert group.members == ("DEBIAN-CVE-2024-1", "DEBIAN-CVE-2024-2", "DSA-5001-1")


def test_usn_upstream_chain_joins_the_ubuntu_cve_record(osv_data: Path) -> None:
    usn = load_record(osv_data / "Ubuntu" / "USN-5614-1.json")
    ubuntu_cve = load_record(osv_data / "Ubuntu" / "UBUNTU-CVE-2021-3782.json")
    (group,) = alias_groups([usn, ubuntu_cve])
    assert group.id == "CVE-2021-3782"
    assert group.members == ("UBUNTU-CVE-2021-3782", "USN-5614-1")


def test_elts_related_cves_link_but_related_elsewhere_does_not(osv_data: Path) -> None:
    ela = load_record(osv_data / "Debian-ELTS" / "ELA-100-1.json")  # related: CVE-2018-5360
    tracker = _adv("DEBIAN-CVE-2018-5360", upstream=["CVE-2018-5360"])
    (group,) = alias_groups([ela, tracker])
    assert group.id == "CVE-2018-5360"
    # a GHSA whose `related` names a different vulnerability stays on its own
    ghsa = _adv("GHSA-aaaa-bbbb-cccc", aliases=["CVE-2024-9"], related=["CVE-2018-5360"])
    assert [g.id for g in alias_groups([ela, tracker, ghsa])] == ["CVE-2018-5360", "CVE-2024-9"]


def test_pysec_and_ghsa_aliases_collapse(osv_data: Path) -> None:
    pysec = load_record(osv_data / "PyPI" / "PYSEC-2014-13.yaml")
    ghsa = _adv("GHSA-cfj3-7x9c-4p3h", aliases=["CVE-2014-1829"])
    (group,) = alias_groups([pysec, ghsa])
    assert group.id == "CVE-2014-1829"
    assert group.aliases == ("GHSA-cfj3-7x9c-4p3h", "PYSEC-2014-13")


def test_unrelated_advisories_stay_apart_and_groups_are_sorted() -> None:
    groups = alias_groups([_adv("GO-2024-2"), _adv("GO-2024-1"), _adv("GO-2024-1")])
    assert [(g.id, g.members, g.aliases) for g in groups] == [
        ("GO-2024-1", ("GO-2024-1",), ()),
        ("GO-2024-2", ("GO-2024-2",), ()),
    ]
