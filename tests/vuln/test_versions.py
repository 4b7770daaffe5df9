"""Which ordering each OSV ecosystem gets, and how each scheme treats input it refuses."""

from __future__ import annotations

import pytest

from caulk.vuln.versions import (
    InvalidVersion,
    UnsupportedEcosystem,
    comparator_for,
    dpkg,
    golang,
    maven,
    rpm,
)


@pytest.mark.parametrize(
    ("ecosystem", "scheme"),
    [
        ("Debian:12", "dpkg"),
        ("Debian", "dpkg"),
        ("Ubuntu:24.04:LTS", "dpkg"),
        ("Ubuntu:Pro:22.04:LTS", "dpkg"),
        ("Alpine:v3.20", "apk"),
        ("Wolfi", "apk"),
        ("Chainguard", "apk"),
        ("Rocky Linux:9", "rpm"),
        ("AlmaLinux:8", "rpm"),
        ("Red Hat:enterprise_linux:9::appstream", "rpm"),
        ("SUSE:Linux Enterprise Server 15 SP5", "rpm"),
        ("PyPI", "pep440"),
        ("npm", "semver"),
        ("crates.io", "semver"),
        ("Bitnami", "semver"),
        ("DHI", "semver"),  # Docker Hardened Images records use SEMVER ranges
        ("Go", "go"),
        ("Maven", "maven"),
        ("Maven:https://repo.maven.apache.org/maven2", "maven"),
    ],
)
def test_ecosystem_maps_to_its_scheme(ecosystem: str, scheme: str) -> None:
    assert comparator_for(ecosystem).scheme == scheme


def test_unknown_ecosystem_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedEcosystem, match="'RubyGems'"):
        comparator_for("RubyGems")


@pytest.mark.parametrize(
    ("version", "reason"),
    [
        ("", "version string is empty"),
        ("1.0 1", "embedded spaces"),
        (":1.0", "epoch in version is empty"),
        ("a:1.0", "epoch in version is not number"),
        ("-1:1.0", "epoch in version is negative"),
        ("99999999999:1.0", "epoch in version is too big"),
        ("1:", "nothing after colon"),
        ("1.0-", "revision number is empty"),
    ],
)
def test_dpkg_refuses_what_dpkg_compare_versions_refuses(version: str, reason: str) -> None:
    with pytest.raises(InvalidVersion, match=reason) as caught:
        dpkg.key(version)
    assert caught.value.scheme == "dpkg"
    assert caught.value.version == version


def test_dpkg_only_warns_about_odd_upstream_characters_like_dpkg() -> None:
    # dpkg --compare-versions warns "version number does not start with digit" and compares.
    assert dpkg.compare("a1.0", "a1.1") == -1
    assert dpkg.compare(" 1.0 ", "1.0") == 0  # leading/trailing blanks are trimmed


@pytest.mark.parametrize(
    ("ecosystem", "version"),
    [
        ("PyPI", "not a version"),
        ("npm", "1.1.3.4.5"),
        ("Go", "v1.2-pre"),  # a short form cannot carry a pre-release
        ("Go", "v1.0.0-01"),  # numeric identifiers have no leading zeros
        ("Go", "v01.0.0"),
        ("Rocky Linux:9", ""),
        ("Maven", ""),
        ("Alpine:v3.20", ""),
    ],
)
def test_invalid_versions_raise_invalid_version(ecosystem: str, version: str) -> None:
    comparator = comparator_for(ecosystem)
    assert not comparator.is_valid(version)
    with pytest.raises(InvalidVersion, match=comparator.scheme):
        comparator.compare(version, version)


def test_sort_orders_each_scheme_like_its_package_manager() -> None:
    assert comparator_for("Debian:12").sort(["1.0-1", "1.0~rc1-1", "1:0.9"]) == [
        "1.0~rc1-1",
        "1.0-1",
        "1:0.9",
    ]
    assert comparator_for("Alpine:v3.20").sort(["1.2_p1-r0", "1.2-r1", "1.2_rc1-r0"]) == [
        "1.2_rc1-r0",
        "1.2-r1",
        "1.2_p1-r0",
    ]
    assert comparator_for("Maven").sort(["1.0", "1.0-SNAPSHOT", "1.0-rc1", "1.0-sp1"]) == [
        "1.0-rc1",
        "1.0-SNAPSHOT",
        "1.0",
        "1.0-sp1",
    ]
    assert comparator_for("Go").sort(
        ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", "v1.2.4", "v2.0.0+incompatible"]
    ) == ["v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", "v2.0.0+incompatible"]


def test_rpm_missing_release_sorts_before_any_release_and_epoch_wins() -> None:
    assert rpm.compare("1.0", "1.0-1") == -1
    assert rpm.compare("1:1.0-1.el9", "2.0-1.el9") == 1
    assert rpm.split("3:10.3.39-1.module_el8.8.0+3609+204d4ab0") == (
        "3",
        "10.3.39",
        "1.module_el8.8.0+3609+204d4ab0",
    )


def test_go_accepts_osv_style_versions_without_v() -> None:
    assert golang.compare("1.22.0-0", "v1.22.0-rc.1") == -1
    assert golang.compare("1.21", "v1.21.0") == 0


@pytest.mark.parametrize(
    ("tag", "version"),
    [
        ("go1.21.3", "v1.21.3"),
        ("go1.21", "v1.21.0"),
        ("go1.21rc2", "v1.21.0-rc.2"),
        ("go1", "v1.0.0"),
        ("go1.22.1 X:boringcrypto", "v1.22.1"),
        ("devel", None),
    ],
)
def test_go_toolchain_versions_map_to_stdlib_module_versions(tag: str, version: str | None) -> None:
    assert golang.from_go_toolchain(tag) == version


def test_maven_canonical_form_drops_release_qualifiers() -> None:
    assert maven.canonical("1.0.0-GA") == "1"
    assert maven.canonical("1.0-alpha1") == "1-alpha-1"
