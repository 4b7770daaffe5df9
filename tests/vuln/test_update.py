"""``caulk db update`` against a real HTTP server on loopback serving osv.dev's export layout.

The server (http.server in a thread) serves ``<ECO>/all.zip`` built from the real records,
``<ECO>/modified_id.csv`` and ``<ECO>/<ID>.json``, honours ``If-None-Match`` with ``304``, and
can answer ``500`` a number of times, or break a transfer off after some bytes.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.vuln.store import Store
from caulk.vuln.update import UpdateError, update


@dataclass
class OSVServer:
    """A loopback osv.dev bucket."""

    files: dict[str, bytes] = field(default_factory=dict)
    fail: dict[str, int] = field(default_factory=dict)
    """path → how many more requests get a 500."""
    cut: dict[str, int] = field(default_factory=dict)
    """path → bytes sent before the connection is closed (Content-Length promises all)."""
    stall: dict[str, int] = field(default_factory=dict)
    """path → bytes sent before the server hangs until shutdown."""
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    url: str = ""
    stop: threading.Event = field(default_factory=threading.Event)

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]

    def put_zip(self, ecosystem: str, records: list[dict[str, Any]]) -> None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for record in records:
                archive.writestr(f"{record['id']}.json", json.dumps(record))
        self.files[f"/{ecosystem}/all.zip"] = buffer.getvalue()

    def put_csv(self, ecosystem: str, records: list[dict[str, Any]]) -> None:
        """``modified_id.csv`` newest first, and each record as ``<ID>.json``."""
        ordered = sorted(records, key=lambda r: (r["modified"], r["id"]), reverse=True)
        lines = [f"{r['modified']},{r['id']}" for r in ordered]
        self.files[f"/{ecosystem}/modified_id.csv"] = ("\n".join(lines) + "\n").encode()
        for record in records:
            self.files[f"/{ecosystem}/{record['id']}.json"] = json.dumps(record).encode()


def _handler(server: OSVServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(self.path)
            server.requests.append((path, dict(self.headers.items())))
            if server.fail.get(path, 0) > 0:
                server.fail[path] -= 1
                self.send_error(500, "try again")
                return
            body = server.files.get(path)
            if body is None:
                self.send_error(404)
                return
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", "Mon, 01 Jan 2024 00:00:00 GMT")
            self.end_headers()
            if path in server.cut:
                self.wfile.write(body[: server.cut[path]])
                self.wfile.flush()
                self.close_connection = True
                return
            if path in server.stall:
                self.wfile.write(body[: server.stall[path]])
                self.wfile.flush()
                server.stop.wait(30)
                return
            self.wfile.write(body)

    return Handler


@pytest.fixture
def osv_server() -> Iterator[OSVServer]:
    state = OSVServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.stop.set()
    httpd.shutdown()
    httpd.server_close()


def _in(records: list[dict[str, Any]], base: str) -> list[dict[str, Any]]:
    return [
        r
        for r in records
        if any(a["package"]["ecosystem"].split(":")[0] == base for a in r["affected"])
    ]


@pytest.fixture(scope="module")
def debian(all_real_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 172 real Debian-ecosystem records (osv.dev tracker + Freexian ELTS)."""
    return _in(all_real_records, "Debian")


@pytest.fixture(scope="module")
def pypi(all_real_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The 117 real PyPI records."""
    return _in(all_real_records, "PyPI")


def _run(db: Path, server: OSVServer, *ecosystems: str, **kw: Any) -> Any:
    kw.setdefault("retries", 2)
    kw.setdefault("backoff", 0.01)
    return update(db, ecosystems, base_url=server.url, **kw)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _bumped(record: dict[str, Any], modified: str, **changes: Any) -> dict[str, Any]:
    return {**json.loads(json.dumps(record)), "modified": modified, **changes}


def test_full_download_then_incremental_then_not_modified(
    tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]]
) -> None:
    db = tmp_path / "osv.sqlite3"
    osv_server.put_zip("Debian", debian)
    osv_server.put_csv("Debian", debian)
    report = _run(db, osv_server, "Debian")
    assert [(r.ecosystem, r.mode, r.records) for r in report.results] == [("Debian", "full", 172)]
    assert osv_server.paths() == ["/Debian/all.zip"]

    # two newer records: ELA-100-1 re-issued with another fix, and a new one
    ela = next(r for r in debian if r["id"] == "ELA-100-1")
    changed = _bumped(ela, "2027-01-02T00:00:00Z")
    changed["affected"][2]["ranges"][0]["events"][1]["fixed"] = "3.9.6-11+deb7u99"
    new = _bumped(ela, "2027-01-01T00:00:00Z", id="ELA-9999-1")
    osv_server.put_csv("Debian", [*[r for r in debian if r["id"] != "ELA-100-1"], changed, new])
    osv_server.requests.clear()
    report = _run(db, osv_server)  # default: the ecosystems fetched before
    assert [(r.ecosystem, r.mode, r.records) for r in report.results] == [
        ("Debian", "incremental", 2)
    ]
    assert osv_server.paths() == [
        "/Debian/modified_id.csv",
        "/Debian/ELA-100-1.json",
        "/Debian/ELA-9999-1.json",
    ]
    with Store.open(db) as store:
        fixes = {a.id: f.fixed_versions for a, f in store.lookup("Debian:7", "tiff3")}
        assert fixes["ELA-100-1"] == ("3.9.6-11+deb7u99",)
        assert "ELA-9999-1" in fixes
        assert len(store.ids()) == 173
        (source,) = store.sources()
        assert source.name == "osv.dev:Debian" and source.records == 173
        assert source.newest_modified is not None and source.newest_modified.year == 2027

    # nothing changed: the csv request is conditional and answered 304
    osv_server.requests.clear()
    report = _run(db, osv_server, "Debian")
    assert report.results[0].mode == "unchanged"
    ((path, headers),) = osv_server.requests
    assert path == "/Debian/modified_id.csv" and "If-None-Match" in headers

    # --full asks for all.zip conditionally; 304, then the (unchanged) incremental list
    osv_server.requests.clear()
    report = _run(db, osv_server, "Debian", full=True)
    assert report.results[0].mode == "unchanged"
    assert osv_server.paths() == ["/Debian/all.zip", "/Debian/modified_id.csv"]
    assert osv_server.requests[0][1]["If-None-Match"].startswith('"')


def test_server_errors_are_retried_with_backoff(
    tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]]
) -> None:
    osv_server.put_zip("Debian", debian)
    osv_server.fail["/Debian/all.zip"] = 2
    report = _run(tmp_path / "osv.sqlite3", osv_server, "Debian")
    assert report.results[0].records == 172
    assert osv_server.paths() == ["/Debian/all.zip"] * 3


@pytest.fixture
def populated(tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]]) -> Path:
    """A database after one good update; tests then break the server and update again."""
    db = tmp_path / "osv.sqlite3"
    osv_server.put_zip("Debian", debian)
    _run(db, osv_server, "Debian")
    return db


def _assert_intact(db: Path, digest: str) -> None:
    assert _digest(db) == digest
    with Store.open(db) as store:
        assert len(store.ids()) == 172
        assert store.lookup("Debian:10", "curl")
    assert [p.name for p in db.parent.iterdir()] == [db.name]  # no staging leftovers


def test_a_truncated_zip_leaves_the_previous_database(
    populated: Path, osv_server: OSVServer
) -> None:
    before = _digest(populated)
    zip_bytes = osv_server.files["/Debian/all.zip"]
    osv_server.files["/Debian/all.zip"] = zip_bytes[: len(zip_bytes) // 3]
    with pytest.raises(UpdateError, match=r"all\.zip: the download is not a valid zip"):
        _run(populated, osv_server, "Debian", full=True)
    _assert_intact(populated, before)


def test_a_server_dying_mid_transfer_leaves_the_previous_database(
    populated: Path, osv_server: OSVServer
) -> None:
    before = _digest(populated)
    osv_server.files["/Debian/all.zip"] += b"x"  # new content: the conditional GET says 200
    osv_server.cut["/Debian/all.zip"] = 4096
    with pytest.raises(UpdateError, match=r"download of .*all\.zip failed after 3 attempts"):
        _run(populated, osv_server, "Debian", full=True)
    assert osv_server.paths().count("/Debian/all.zip") == 4  # first update + 3 attempts
    _assert_intact(populated, before)


def test_an_invalid_record_in_the_zip_leaves_the_previous_database(
    populated: Path, osv_server: OSVServer, debian: list[dict[str, Any]]
) -> None:
    before = _digest(populated)
    osv_server.put_zip("Debian", [*debian, {"id": "BROKEN-1", "modified": "soon"}])
    with pytest.raises(UpdateError, match=r"BROKEN-1\.json: BROKEN-1: 'modified' is not"):
        _run(populated, osv_server, "Debian", full=True)
    _assert_intact(populated, before)


def test_an_unreachable_host_is_named(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(UpdateError, match=f"cannot reach 127.0.0.1:{port}"):
        update(
            tmp_path / "osv.sqlite3",
            ["Debian"],
            base_url=f"http://127.0.0.1:{port}",
            retries=1,
            backoff=0.01,
        )
    assert list(tmp_path.iterdir()) == []


def test_one_failing_ecosystem_is_rolled_back_and_the_others_kept(
    tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]], pypi: list[dict[str, Any]]
) -> None:
    db = tmp_path / "osv.sqlite3"
    osv_server.put_zip("Debian", debian)
    osv_server.put_zip("PyPI", pypi)
    osv_server.files["/PyPI/all.zip"] = osv_server.files["/PyPI/all.zip"][:1000]
    report = _run(db, osv_server, "Debian", "PyPI")
    assert [(r.ecosystem, r.mode) for r in report.results] == [
        ("Debian", "full"),
        ("PyPI", "failed"),
    ]
    assert "not a valid zip" in (report.failed[0].error or "")
    with Store.open(db) as store:
        assert [s.name for s in store.sources()] == ["osv.dev:Debian"]
        assert store.lookup("PyPI", "requests") == []


def test_too_many_changes_fall_back_to_the_zip(
    tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]]
) -> None:
    db = tmp_path / "osv.sqlite3"
    osv_server.put_zip("Debian", debian[:100])
    _run(db, osv_server, "Debian")
    bumped = [_bumped(r, f"2027-01-01T00:00:{i:02d}Z") for i, r in enumerate(debian[:20])]
    osv_server.put_csv("Debian", bumped)
    osv_server.put_zip("Debian", debian)
    osv_server.requests.clear()
    report = _run(db, osv_server, "Debian", max_incremental=5)
    assert report.results[0].mode == "full" and report.results[0].records == 172
    assert osv_server.paths() == ["/Debian/modified_id.csv", "/Debian/all.zip"]


def test_cli_update_reports_and_fails_clearly(
    tmp_path: Path, osv_server: OSVServer, debian: list[dict[str, Any]]
) -> None:
    db = tmp_path / "osv.sqlite3"
    osv_server.put_zip("Debian", debian)
    runner = CliRunner()
    args = ["db", "update", "-e", "Debian", "--base-url", osv_server.url, "--db", str(db)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Debian: full, 172 records" in result.stdout
    assert "downloading" in result.stderr  # plain progress lines when not on a terminal
    osv_server.fail["/Debian/modified_id.csv"] = 10
    result = runner.invoke(app, [*args, "--retries", "0"])
    assert result.exit_code == 1
    assert "update failed, the database is unchanged" in result.stderr
    assert "HTTP 500" in result.stderr
    result = runner.invoke(
        app, ["db", "update", "--db", str(tmp_path / "new.sqlite3"), "--base-url", osv_server.url]
    )
    assert result.exit_code == 1 and "--ecosystem" in result.stderr


@pytest.mark.slow
def test_killing_an_update_mid_download_leaves_the_previous_database(
    populated: Path, osv_server: OSVServer
) -> None:
    before = _digest(populated)
    osv_server.files["/Debian/all.zip"] += b"x"
    osv_server.stall["/Debian/all.zip"] = 8192
    osv_server.requests.clear()
    env = {**os.environ, "CAULK_OSV_URL": osv_server.url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "caulk", "db", "update", "--full", "--db", str(populated)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while "/Debian/all.zip" not in osv_server.paths() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        assert "/Debian/all.zip" in osv_server.paths()
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert _digest(populated) == before
    with Store.open(populated) as store:
        assert len(store.ids()) == 172
