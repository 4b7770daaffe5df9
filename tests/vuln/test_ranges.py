"""OSV range evaluation as the schema's "Evaluation" section defines it, on made-up and real data.

Real advisories come from ../shared/data/osv (see SOURCE.md and manifest.tsv there); the tests that
read them skip with a reason where that folder is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from caulk.vuln.ranges import fixed_versions, is_affected
from caulk.vuln.versions import InvalidVersion, comparator_for

OSV = Path(__file__).parents[2] / ".." / "shared" / "data" / "osv"
needs_osv = pytest.mark.skipif(
    not (OSV / "manifest.tsv").is_file(),
    reason=f"real OSV records not present at {OSV} (../shared/data is provided by the workspace)",
)

SEMVER = comparator_for("npm")
PYPI = comparator_for("PyPI")


def semver_range(*events: tuple[str, str], kind: str = "SEMVER") -> dict[str, Any]:
    return {"type": kind, "events": [{k: v} for k, v in events]}


def affected(version: str, *ranges: dict[str, Any], versions: tuple[str, ...] = ()) -> bool:
    return is_affected(version, ranges, versions, SEMVER)


# --- hand-written cases ----------------------------------------------------------------------


def test_introduced_zero_alone_means_every_version_is_affected() -> None:
    unfixed = semver_range(("introduced", "0"))
    assert affected("0.0.1", unfixed)
    assert affected("99.0.0", unfixed)


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.9.9", False), ("1.0.0", True), ("1.0.1", True), ("1.0.2-rc.1", True), ("1.0.2", False)],
)
def test_introduced_is_inclusive_and_fixed_is_exclusive(version: str, expected: bool) -> None:
    assert affected(version, semver_range(("introduced", "1.0.0"), ("fixed", "1.0.2"))) is expected


@pytest.mark.parametrize(("version", "expected"), [("2.1.214", True), ("2.1.215", False)])
def test_last_affected_is_inclusive(version: str, expected: bool) -> None:
    assert (
        affected(version, semver_range(("introduced", "0"), ("last_affected", "2.1.214")))
        is expected
    )


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.0.1", True),
        ("2.0.0", False),
        ("3.0.0", True),
        ("3.2.4", True),
        ("3.2.5", False),
        ("4.0.0", False),
    ],
)
def test_several_introduced_fixed_pairs_in_one_range(version: str, expected: bool) -> None:
    sorted_events = semver_range(
        ("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5")
    )
    unsorted_events = semver_range(
        ("fixed", "3.2.5"), ("introduced", "1.0.0"), ("fixed", "1.0.2"), ("introduced", "3.0.0")
    )
    assert affected(version, sorted_events) is expected
    assert affected(version, unsorted_events) is expected  # events are sorted by version first


def test_events_are_sorted_by_the_ecosystem_ordering_not_as_strings() -> None:
    # As strings "1.10.0" < "1.9.0"; by SemVer it is the other way round.
    events = semver_range(("fixed", "1.10.0"), ("introduced", "1.9.0"))
    assert affected("1.9.5", events)
    assert not affected("1.10.0", events)


def test_ranges_are_ored() -> None:
    first = semver_range(("introduced", "1.0.0"), ("fixed", "1.1.0"))
    second = semver_range(("introduced", "2.0.0"), ("fixed", "2.1.0"))
    assert affected("1.0.5", first, second)
    assert affected("2.0.5", first, second)
    assert not affected("1.5.0", first, second)


@pytest.mark.parametrize(
    ("version", "expected"), [("1.5.0", True), ("2.0.0", False), ("3.0.0", False)]
)
def test_limit_caps_the_range(version: str, expected: bool) -> None:
    assert affected(version, semver_range(("introduced", "0"), ("limit", "2.0.0"))) is expected


def test_limit_star_is_infinity_and_any_limit_may_admit_the_version() -> None:
    assert affected("9.0.0", semver_range(("introduced", "0"), ("limit", "*")))
    several = semver_range(("introduced", "0"), ("limit", "1.0.0"), ("limit", "3.0.0"))
    assert affected("2.0.0", several)
    assert not affected("3.0.0", several)


def test_explicit_versions_list_matches_even_without_ranges() -> None:
    assert is_affected("1.4.7.dev3", [], ["1.4.6", "1.4.7.dev3"], PYPI)
    assert is_affected("1.0", [], ["1.0.0"], PYPI)  # PEP 440 equality, not string equality
    assert not is_affected("1.4.8", [], ["1.4.6", "1.4.7.dev3"], PYPI)


def test_git_ranges_are_not_matched_against_package_versions() -> None:
    git = {"type": "GIT", "repo": "https://example.com/r.git", "events": [{"introduced": "0"}]}
    assert not affected("1.0.0", git)


def test_invalid_queried_version_is_an_error_not_a_silent_answer() -> None:
    with pytest.raises(InvalidVersion, match="not a version"):
        is_affected(
            "not a version", [semver_range(("introduced", "0"), kind="ECOSYSTEM")], [], PYPI
        )


def test_fixed_versions_lists_the_fix_events() -> None:
    ranges = [
        semver_range(
            ("introduced", "0"), ("fixed", "1.0.2"), ("introduced", "3.0.0"), ("fixed", "3.2.5")
        ),
        {"type": "GIT", "repo": "r", "events": [{"introduced": "0"}, {"fixed": "abc123"}]},
    ]
    assert fixed_versions(ranges) == ["1.0.2", "3.2.5"]


# --- real advisories -------------------------------------------------------------------------


def load(relative: str) -> dict[str, Any]:
    path = OSV / relative
    if path.suffix == ".yaml":
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def record_affects(relative: str, ecosystem: str, name: str, version: str) -> bool:
    record = load(relative)
    comparator = comparator_for(ecosystem)
    return any(
        is_affected(version, entry.get("ranges", []), entry.get("versions", []), comparator)
        for entry in record["affected"]
        if entry["package"]["ecosystem"] == ecosystem and entry["package"]["name"] == name
    )


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.2.1-2.2+wheezy2", True),
        ("1.2.1-2.2", True),
        ("1.2.1-2.2+wheezy3", False),  # the fixed version itself
        ("1.2.1-2.2+wheezy3+deb7u1", False),
        ("1.2.1-2.2+wheezy3~bpo1", True),  # '~' sorts before the end: below the fix
    ],
)
def test_debian_dsa_fixed_in_a_wheezy_revision(version: str, expected: bool) -> None:
    assert record_affects("Debian/DSA-3029-1.json", "Debian:7", "nginx", version) is expected


@needs_osv
def test_debian_unfixed_record_affects_every_version() -> None:
    assert record_affects(
        "Debian/CVE-2024-3847.json", "Debian:11", "chromium", "124.0.6367.60-1~deb11u1"
    )


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.4.7.dev3", True), ("1.11.0", True), ("1.11.1", False), ("2.0.0", False)],
)
def test_pypi_record_with_last_affected_and_versions_list(version: str, expected: bool) -> None:
    assert record_affects("PyPI/PYSEC-2022-42969.yaml", "PyPI", "py", version) is expected


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.19.11", True),
        ("1.19.12", False),
        ("1.20.0-rc.1", True),  # introduced "1.20.0-0" admits the 1.20 pre-releases
        ("v1.20.6", True),  # toolchain-style version with the v prefix
        ("1.20.7", False),
        ("1.21.0-rc.3", True),
        ("1.21.0-rc.4", False),
        ("1.21.0", False),
    ],
)
def test_go_stdlib_record_with_one_pair_per_release_branch(version: str, expected: bool) -> None:
    assert record_affects("Go/GO-2023-1987.json", "Go", "stdlib", version) is expected


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("v0.0.0-20220314234659-1baeb1ce4c0b", True),
        ("v0.0.0-20220525230936-793ad666bf5e", False),
        ("v0.1.0", False),
    ],
)
def test_go_module_record_fixed_at_a_pseudo_version(version: str, expected: bool) -> None:
    assert record_affects("Go/GO-2024-2961.json", "Go", "golang.org/x/crypto", version) is expected


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("3.8.16", True),
        ("3.9.16", True),
        ("3.10.11", True),
        ("3.11.4", False),
        ("3.12.0-alpha3", True),
        ("3.12.0", False),
    ],
)
def test_dhi_semver_record_with_several_branches(version: str, expected: bool) -> None:
    assert record_affects("DHI/CVE-2007-4559.json", "DHI", "python", version) is expected


@needs_osv
def test_chainguard_fixed_zero_means_never_affected() -> None:
    path = "Chainguard/CGA-xcpc-gm23-prj9.json"
    assert not record_affects(path, "Chainguard", "syncthing-compat", "1.0.0-r0")
    assert record_affects(path, "Chainguard", "syncthing", "2.0.14-r0")
    assert not record_affects(path, "Chainguard", "syncthing", "2.0.14-r1")


@needs_osv
@pytest.mark.parametrize(
    ("version", "expected"),
    [("1:11.0.12.0.7-0.el8_4", True), ("1:11.0.13.0.8-1.el8_4", False), ("11.0.99-1.el8", True)],
)
def test_rocky_record_with_an_epoch_in_the_fixed_version(version: str, expected: bool) -> None:
    # Without an epoch a version is epoch 0, below any 1: version.
    assert (
        record_affects(
            "Rocky Linux/RLSA-2021_3891.json", "Rocky Linux:8", "java-11-openjdk", version
        )
        is expected
    )
