"""Every real OSV record parses into the models, and invalid records are refused by name."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caulk.vuln.models import Advisory, Event, OSVError, format_time, normalize_name
from caulk.vuln.osv import iter_source, load_record, parse_record


def _manifest(osv_data: Path) -> list[dict[str, str]]:
    with (osv_data / "manifest.tsv").open(newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def test_every_real_record_parses_with_its_manifest_id_and_ecosystems(osv_data: Path) -> None:
    rows = _manifest(osv_data)
    assert len(rows) == 503
    for row in rows:
        advisory = load_record(osv_data / row["file"])
        assert advisory.id == row["id"], row["file"]
        ecosystems = {a.ecosystem for a in advisory.affected}
        assert ecosystems == set(row["ecosystems"].split(",")), row["file"]
        for affected in advisory.affected:
            for rng in affected.ranges:
                assert all(
                    e.kind in ("introduced", "fixed", "last_affected", "limit") for e in rng.events
                )


def test_the_directory_reader_finds_all_503_records(osv_data: Path) -> None:
    names = [record.name for record in iter_source(osv_data)]
    assert len(names) == 503


def test_yaml_versions_stay_strings_and_last_affected_is_kept(osv_data: Path) -> None:
    # PYSEC-2022-42969: introduced 0, last_affected 1.11.0, and 0.8.0-alpha2 ... in versions[]
    advisory = load_record(osv_data / "PyPI" / "PYSEC-2022-42969.yaml")
    (affected,) = advisory.affected
    assert affected.ranges[0].events == (Event("introduced", "0"), Event("last_affected", "1.11.0"))
    assert all(isinstance(v, str) for v in affected.versions)
    assert "0.8.0-alpha2" in affected.versions
    assert not affected.fixable  # last_affected is not a fix


def test_withdrawn_ubuntu_record_is_flagged(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Ubuntu" / "UBUNTU-CVE-2013-2208.json")
    assert advisory.is_withdrawn
    assert advisory.withdrawn == datetime(2025, 7, 18, 16, 42, 51, tzinfo=UTC)


def test_go_placeholder_times_parse_as_year_one(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Go" / "GO-2026-5037.json")
    assert advisory.modified == datetime(1, 1, 1, tzinfo=UTC)
    assert format_time(advisory.modified) == "0001-01-01T00:00:00Z"
    assert advisory.schema_version == "1.3.1"


def test_missing_schema_version_means_1_0_0_and_unknown_keys_are_ignored() -> None:
    record = b'{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "future_field": {"a": 1}}'
    advisory = parse_record(record, "X-1.json")
    assert advisory.schema_version == "1.0.0"
    assert advisory.affected == ()


def test_elts_record_keeps_cves_in_related(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Debian-ELTS" / "ELA-100-1.json")
    assert advisory.related == ("CVE-2018-5360",)
    assert advisory.aliases == () and advisory.published is None
    assert [a.name for a in advisory.affected] == ["libdatetime-timezone-perl", "tzdata", "tiff3"]


@pytest.mark.parametrize(
    ("record", "message"),
    [
        (b"[1, 2]", "is a JSON object"),
        (b'{"modified": "2024-01-01T00:00:00Z"}', "'id' is missing"),
        (b'{"id": "X-1"}', "X-1: 'modified' is missing"),
        (b'{"id": "X-1", "modified": "yesterday"}', "not an RFC 3339 time"),
        (
            b'{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": "CVE-1"}',
            "'aliases' is not a list",
        ),
        (
            b'{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {}}]}',
            "affected[0].package needs string 'ecosystem' and 'name'",
        ),
        (
            b'{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": '
            b'{"ecosystem": "PyPI", "name": "a"}, "ranges": [{"events": []}]}]}',
            "ranges[0].type is missing",
        ),
        (
            b'{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": '
            b'{"ecosystem": "PyPI", "name": "a"}, "ranges": [{"type": "SEMVER", "events": '
            b'[{"fixed": 2}]}]}]}',
            "events[0].fixed is not a string",
        ),
        (b'{"id": "X-1", "modified": ', "invalid JSON"),
    ],
)
def test_invalid_records_are_refused_with_the_file_and_field(record: bytes, message: str) -> None:
    with pytest.raises(OSVError, match="^bad.json: .*" + _escape(message)):
        parse_record(record, "bad.json")


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def test_invalid_yaml_is_refused() -> None:
    with pytest.raises(OSVError, match=r"bad\.yaml: invalid YAML"):
        parse_record(b"id: [unclosed\n", "bad.yaml")


def test_affected_without_package_is_not_matchable_and_dropped() -> None:
    record = (
        b'{"id": "OSV-1", "modified": "2024-01-01T00:00:00Z", "affected": [{"ranges": '
        b'[{"type": "GIT", "repo": "https://x", "events": [{"introduced": "abc"}]}]}]}'
    )
    assert parse_record(record, "OSV-1.json").affected == ()


@pytest.mark.parametrize(
    ("ecosystem", "name", "normalized"),
    [
        ("PyPI", "PyYAML", "pyyaml"),
        ("PyPI", "zope.interface", "zope-interface"),
        ("PyPI", "Foo__Bar", "foo-bar"),
        ("crates.io", "Tokio_Util", "tokio-util"),
        ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
        ("Rocky Linux:9", "NetworkManager", "NetworkManager"),
        ("Debian:12", "openssl", "openssl"),
    ],
)
def test_names_are_normalised_only_where_the_ecosystem_does(
    ecosystem: str, name: str, normalized: str
) -> None:
    assert normalize_name(ecosystem, name) == normalized


def test_models_are_frozen(osv_data: Path) -> None:
    advisory = load_record(osv_data / "Debian" / "DSA-3029-1.json")
    with pytest.raises(AttributeError):
        advisory.id = "other"  # type: ignore[misc]
    assert isinstance(advisory, Advisory)
