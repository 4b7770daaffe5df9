"""The SQLite store: import, lookup by (ecosystem, name), withdrawn records, atomic replacement."""

from __future__ import annotations

import hashlib
import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.vuln.importer import import_path
from caulk.vuln.models import Advisory, OSVError
from caulk.vuln.store import Store, StoreError, staleness_warning
from tests.vuln.conftest import write_zip


@pytest.fixture(scope="module")
def real_db(tmp_path_factory: pytest.TempPathFactory, real_zip: Path) -> Path:
    db = tmp_path_factory.mktemp("db") / "osv.sqlite3"
    report = import_path(db, real_zip)
    assert (report.records, report.withdrawn) == (503, 3)
    return db


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_affected_entry_of_every_live_record_is_found_by_lookup(
    real_db: Path, all_real_records: list[dict[str, Any]]
) -> None:
    with Store.open(real_db) as store:
        for record in all_real_records:
            parsed = Advisory.from_osv(record)
            for affected in parsed.affected:
                hits = store.lookup(affected.ecosystem, affected.name)
                found = [(a, f) for a, f in hits if a.id == parsed.id and f == affected]
                if parsed.is_withdrawn:
                    assert not [a for a, _ in hits if a.id == parsed.id], parsed.id
                    continue
                assert found, (parsed.id, affected.ecosystem, affected.name)
                advisory, _ = found[0]
                assert advisory == parsed, parsed.id


def test_debian_release_lookup_matches_exactly_and_evaluates_ranges(real_db: Path) -> None:
    # Freexian ELTS fixed curl for buster in +deb10u10, u11 and u12
    with Store.open(real_db) as store:
        hits = store.lookup("Debian:10", "curl")
        ids = [a.id for a, _ in hits]
        assert ids == sorted(ids)
        assert {"ELA-1145-1", "ELA-1408-1", "ELA-1452-1"} <= set(ids)
        assert {f.ecosystem for _, f in hits} == {"Debian:10"}
        affected = {a.id for a, f in hits if f.affects("7.64.0-4+deb10u10")}
        assert "ELA-1145-1" not in affected and {"ELA-1408-1", "ELA-1452-1"} <= affected
        assert not [a.id for a, f in hits if f.affects("7.64.0-4+deb10u99")]
        # a base without suffix spans the releases
        every_release = {f.ecosystem for _, f in store.lookup("Debian", "curl")}
        assert {"Debian:9", "Debian:10"} <= every_release
        assert store.lookup("Debian:12", "curl") == []


def test_pypi_names_are_looked_up_pep503_normalised(real_db: Path) -> None:
    with Store.open(real_db) as store:
        assert [a.id for a, _ in store.lookup("PyPI", "Requests")] == [
            a.id for a, _ in store.lookup("PyPI", "requests")
        ]
        assert store.lookup("PyPI", "PyYAML") and store.lookup("PyPI", "pyyaml")


def test_withdrawn_records_are_stored_but_never_looked_up(real_db: Path) -> None:
    with Store.open(real_db) as store:
        withdrawn = store.get("UBUNTU-CVE-2013-2208")
        assert withdrawn is not None and withdrawn.is_withdrawn
        package = withdrawn.affected[0]
        assert "UBUNTU-CVE-2013-2208" not in {
            a.id for a, _ in store.lookup(package.ecosystem, package.name)
        }
        assert store.stats().withdrawn == 3


def test_get_returns_the_whole_record(real_db: Path, osv_data: Path) -> None:
    from caulk.vuln.osv import load_record

    with Store.open(real_db) as store:
        for rel in ("PyPI/PYSEC-2014-13.yaml", "Ubuntu/UBUNTU-CVE-2016-20013.json"):
            original = load_record(osv_data / rel)
            assert store.get(original.id) == original
        assert store.get("NOPE-1") is None


def test_150_lookups_take_well_under_a_second(real_db: Path) -> None:
    names = ["curl", "openssl", "glibc", "libxml2", "gnutls28", "systemd", "perl", "zlib"] * 19
    with Store.open(real_db) as store:
        started = time.perf_counter()
        for name in names[:150]:
            store.lookup("Debian:10", name)
        assert time.perf_counter() - started < 1.0


def test_status_reports_sources_counts_and_age(real_db: Path, real_zip: Path) -> None:
    with Store.open(real_db) as store:
        (source,) = store.sources()
        assert source.name == f"file:{real_zip.resolve()}"
        assert source.records == 503
        assert source.newest_modified is not None
        stats = store.stats()
        assert dict(stats.by_ecosystem)["Go"] == 162
        updated = store.updated_at()
        assert updated is not None
        assert staleness_warning(store, timedelta(days=7), updated + timedelta(days=1)) is None
        warning = staleness_warning(store, timedelta(days=7), updated + timedelta(days=10))
        assert warning is not None and "10.0 days old" in warning


def test_a_bad_record_aborts_the_import_and_leaves_the_database_as_it_was(
    tmp_path: Path, osv_data: Path
) -> None:
    db = tmp_path / "osv.sqlite3"
    import_path(db, osv_data / "Debian")
    before = _digest(db)
    records = tmp_path / "records"
    records.mkdir()
    (records / "A-1.json").write_bytes((osv_data / "Debian" / "DSA-3029-1.json").read_bytes())
    (records / "B-1.json").write_text('{"id": "B-1", "modified": "not a time"}')
    with pytest.raises(OSVError, match=r"B-1\.json: B-1: 'modified' is not an RFC 3339 time"):
        import_path(db, records)
    assert _digest(db) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["osv.sqlite3", "records"]


def test_a_truncated_zip_is_refused_and_changes_nothing(tmp_path: Path, real_zip: Path) -> None:
    db = tmp_path / "osv.sqlite3"
    import_path(db, real_zip.parent / "all.zip")
    before = _digest(db)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(real_zip.read_bytes()[: real_zip.stat().st_size // 2])
    with pytest.raises(OSVError, match=r"broken\.zip"):
        import_path(db, broken)
    assert _digest(db) == before


def test_reimporting_a_source_drops_records_it_no_longer_has(
    tmp_path: Path, all_real_records: list[dict[str, Any]]
) -> None:
    db, source = tmp_path / "osv.sqlite3", tmp_path / "export.zip"
    go = [r for r in all_real_records if r["id"].startswith("GO-")]
    write_zip(source, go)
    import_path(db, source)
    write_zip(source, go[:10])
    import_path(db, source)
    with Store.open(db) as store:
        assert store.ids() == sorted(r["id"] for r in go[:10])
        assert store.stats().affected_rows == sum(len(r["affected"]) for r in go[:10])


def test_a_single_record_file_imports(tmp_path: Path, osv_data: Path) -> None:
    db = tmp_path / "osv.sqlite3"
    report = import_path(db, osv_data / "Debian" / "CVE-2024-3847.json")
    assert report.records == 1
    with Store.open(db) as store:
        ((advisory, affected),) = store.lookup("Debian:11", "chromium")
        assert advisory.id == "CVE-2024-3847"
        assert affected.affects("1:124.0.6367.201-1~deb11u1")  # unfixed: introduced 0 only
        assert not affected.fixable


def test_unusable_databases_are_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"no vulnerability database at .*caulk db update"):
        Store.open(tmp_path / "missing.sqlite3")
    junk = tmp_path / "junk.sqlite3"
    junk.write_text("not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a caulk vulnerability database"):
        Store.open(junk)
    with pytest.raises(StoreError):
        import_path(junk, tmp_path)  # refuses to build on top of it
    assert junk.read_text().startswith("not sqlite")


def test_cli_import_and_status(tmp_path: Path, osv_data: Path) -> None:
    db = tmp_path / "osv.sqlite3"
    runner = CliRunner()
    result = runner.invoke(app, ["db", "import", str(osv_data / "Go"), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "imported 162 records (0 withdrawn)" in result.output
    result = runner.invoke(app, ["db", "status", "--db", str(db), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["advisories"] == 162 and data["ecosystems"] == {"Go": 162}
    assert data["sources"][0]["records"] == 162
    result = runner.invoke(app, ["db", "import", str(tmp_path / "nope"), "--db", str(db)])
    assert result.exit_code == 2
    assert "nope: no such file or directory" in result.stderr
    result = runner.invoke(app, ["db", "status", "--db", str(tmp_path / "none.sqlite3")])
    assert result.exit_code == 2
    assert "no vulnerability database" in result.stderr


def test_parsing_in_worker_processes_gives_the_same_database(
    tmp_path: Path, real_zip: Path, all_real_records: list[dict[str, Any]]
) -> None:
    serial, parallel = tmp_path / "serial.sqlite3", tmp_path / "parallel.sqlite3"
    import_path(serial, real_zip, workers=1)
    import_path(parallel, real_zip, workers=2)
    with Store.open(serial) as one, Store.open(parallel) as two:
        assert one.ids() == two.ids()
        assert one.stats() == two.stats()
        assert one.lookup("Debian:10", "curl") == two.lookup("Debian:10", "curl")
    broken = write_zip(tmp_path / "broken.zip", [*all_real_records[:50], {"id": "BAD-1"}])
    with pytest.raises(OSVError, match=r"broken\.zip!BAD-1\.json: BAD-1: 'modified' is missing"):
        import_path(parallel, broken, workers=2)
