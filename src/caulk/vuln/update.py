"""``caulk db update``: bring the store up to date from osv.dev's bulk export over HTTPS.

Layout (google/osv.dev ``docs/data.md``; reference/osv.md): ``<BASE>/<ECOSYSTEM>/all.zip``
holds every record of an ecosystem (all ``Debian:N`` releases under ``Debian/``);
``<BASE>/<ECOSYSTEM>/modified_id.csv`` lists ``<RFC 3339 modified>,<id>`` newest first;
``<BASE>/<ECOSYSTEM>/<ID>.json`` is one record.

Per ecosystem (source ``osv.dev:<ECOSYSTEM>``):

- **full** the first time, with ``--full``, when the base URL changed, or when the incremental
  list is longer than ``max_incremental``: ``all.zip`` is streamed to a temporary file (with a
  conditional request: ``If-None-Match``/``If-Modified-Since`` from the last full download, a
  ``304`` meaning nothing to download), then replaces every record that source wrote;
- **incremental** otherwise: ``modified_id.csv`` is streamed (conditionally as well) until the
  first timestamp not newer than the newest one already imported, and each newer record is
  fetched as ``<ID>.json`` (a ``404`` is skipped: the record moved or was deleted).

Requests are retried with exponential backoff on timeouts, connection errors, 429 and 5xx
(a download that breaks off mid-transfer is restarted). Everything is written into a staged
copy of the database (:func:`caulk.vuln.store.staging`); each ecosystem is one savepoint, so a
failing ecosystem is rolled back and reported while the others are kept; when every
ecosystem fails the copy is discarded. A kill, a network error, a truncated zip or an invalid
record can therefore never damage the database in use.

The base URL is ``--base-url``, else ``$CAULK_OSV_URL``, else :data:`DEFAULT_BASE_URL`.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urlsplit

import httpx

from caulk import __version__
from caulk.fsutil import create_temp
from caulk.vuln.importer import load_records, load_zip
from caulk.vuln.models import OSVError, parse_time
from caulk.vuln.osv import RawRecord
from caulk.vuln.store import (
    SourceInfo,
    delete_source,
    read_source,
    save_source,
    staging,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "EcosystemResult",
    "NullProgress",
    "Progress",
    "UpdateError",
    "UpdateReport",
    "base_url_from_env",
    "update",
]

DEFAULT_BASE_URL = "https://storage.googleapis.com/osv-vulnerabilities"
"""osv.dev's public bucket over HTTPS."""

SOURCE_PREFIX = "osv.dev:"


class UpdateError(Exception):
    """The update could not be done; the message says what failed and the database is intact."""


class Progress(Protocol):
    """Where the updater reports progress (a rich bar on a TTY, plain lines otherwise)."""

    def start(self, label: str, total: int | None) -> None:
        """A new task: a download of ``total`` bytes (None: unknown) or a record count."""

    def advance(self, amount: int) -> None:
        """``amount`` more units done."""

    def finish(self) -> None:
        """The current task is done."""

    def note(self, message: str) -> None:
        """A one-line message."""


class NullProgress:
    """Reports nothing."""

    def start(self, label: str, total: int | None) -> None:
        pass

    def advance(self, amount: int) -> None:
        pass

    def finish(self) -> None:
        pass

    def note(self, message: str) -> None:
        pass


@dataclass(frozen=True, slots=True)
class EcosystemResult:
    """What happened to one ecosystem."""

    ecosystem: str
    mode: str
    """``full``, ``incremental``, ``unchanged`` or ``failed``."""
    records: int = 0
    """Records written."""
    error: str | None = None
    skipped: tuple[str, ...] = ()
    """IDs listed in ``modified_id.csv`` whose record was not found (404)."""


@dataclass(frozen=True, slots=True)
class UpdateReport:
    """The outcome of :func:`update`."""

    db_path: Path
    results: tuple[EcosystemResult, ...]

    @property
    def failed(self) -> tuple[EcosystemResult, ...]:
        """The ecosystems that failed (rolled back)."""
        return tuple(r for r in self.results if r.mode == "failed")


def base_url_from_env(explicit: str | None = None) -> str:
    """``explicit``, else ``$CAULK_OSV_URL``, else :data:`DEFAULT_BASE_URL`; no trailing ``/``."""
    url = explicit or os.environ.get("CAULK_OSV_URL") or DEFAULT_BASE_URL
    return url.rstrip("/")


@dataclass
class _Http:
    client: httpx.Client
    retries: int
    backoff: float
    progress: Progress

    def _wait(self, attempt: int, url: str, why: str) -> None:
        delay = self.backoff * (2**attempt)
        self.progress.note(f"{url}: {why}; retrying in {delay:.1f}s")
        time.sleep(delay)

    @contextlib.contextmanager
    def stream(self, url: str, headers: dict[str, str]) -> Iterator[httpx.Response]:
        """A streamed GET whose *opening* is retried with backoff (timeouts, connection
        errors, 429, 5xx). Errors raised while the caller reads the body propagate."""
        last = ""
        for attempt in range(self.retries + 1):
            with contextlib.ExitStack() as stack:
                try:
                    response = stack.enter_context(self.client.stream("GET", url, headers=headers))
                except httpx.TimeoutException:
                    last = "timed out"
                except httpx.ConnectError as exc:
                    last = f"cannot connect ({exc})"
                except httpx.TransportError as exc:
                    last = f"request failed ({type(exc).__name__}: {exc})"
                else:
                    if response.status_code < 500 and response.status_code != 429:
                        yield response
                        return
                    last = f"HTTP {response.status_code}"
            if attempt < self.retries:
                self._wait(attempt, url, last)
        host = urlsplit(url).netloc or url
        if last.startswith("cannot connect"):
            raise UpdateError(
                f"cannot reach {host}: {last.removeprefix('cannot connect ')}; check the network, "
                "or point --base-url / CAULK_OSV_URL at a mirror"
            )
        raise UpdateError(f"GET {url} failed after {self.retries + 1} attempts: {last}")

    def download(self, url: str, headers: dict[str, str], dest: Path) -> httpx.Response | None:
        """GET ``url`` into ``dest``; the response (body consumed), or None for a 304.

        A transfer that breaks off is restarted from the beginning, within the retry budget.
        """
        last = ""
        for attempt in range(self.retries + 1):
            try:
                with self.stream(url, headers) as response:
                    if response.status_code == 304:
                        return None
                    _raise_for_status(response, url)
                    length = response.headers.get("content-length")
                    total = int(length) if length and length.isdigit() else None
                    self.progress.start(f"downloading {url}", total)
                    received = 0
                    with dest.open("wb") as fh:
                        for chunk in response.iter_bytes(1 << 20):
                            fh.write(chunk)
                            received += len(chunk)
                            self.progress.advance(len(chunk))
                    self.progress.finish()
                    if total is not None and received != total:
                        raise httpx.RemoteProtocolError(f"received {received} of {total} bytes")
                    return response
            except httpx.TransportError as exc:
                self.progress.finish()
                last = f"transfer broke off ({type(exc).__name__}: {exc})"
                if attempt < self.retries:
                    self._wait(attempt, url, last)
        raise UpdateError(f"download of {url} failed after {self.retries + 1} attempts: {last}")

    def get_bytes(self, url: str) -> bytes | None:
        """The body of a small GET; None for a 404."""
        last = ""
        for attempt in range(self.retries + 1):
            try:
                with self.stream(url, {}) as response:
                    if response.status_code == 404:
                        return None
                    _raise_for_status(response, url)
                    return response.read()
            except httpx.TransportError as exc:
                last = f"transfer broke off ({type(exc).__name__}: {exc})"
                if attempt < self.retries:
                    self._wait(attempt, url, last)
        raise UpdateError(f"GET {url} failed after {self.retries + 1} attempts: {last}")


def _raise_for_status(response: httpx.Response, url: str) -> None:
    if response.status_code != 200:
        raise UpdateError(f"GET {url}: HTTP {response.status_code} {response.reason_phrase}")


def _conditional(etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def _empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM advisories LIMIT 1").fetchone() is None


class _Updater:
    def __init__(
        self,
        conn: sqlite3.Connection,
        http: _Http,
        base_url: str,
        workdir: Path,
        now: datetime,
        max_incremental: int,
    ) -> None:
        self.conn = conn
        self.http = http
        self.base_url = base_url
        self.workdir = workdir
        self.now = now
        self.max_incremental = max_incremental

    def _url(self, ecosystem: str, leaf: str) -> str:
        return f"{self.base_url}/{quote(ecosystem, safe='')}/{leaf}"

    def run(self, ecosystem: str, full: bool) -> EcosystemResult:
        name = SOURCE_PREFIX + ecosystem
        previous = read_source(self.conn, name)
        if previous is not None and previous.location != self.base_url:
            previous = None  # another mirror: its validators and timestamps mean nothing here
        if previous is None or previous.newest_modified is None or full:
            return self.full(ecosystem, previous)
        return self.incremental(ecosystem, previous)

    def full(self, ecosystem: str, previous: SourceInfo | None) -> EcosystemResult:
        name = SOURCE_PREFIX + ecosystem
        url = self._url(ecosystem, "all.zip")
        headers = _conditional(previous.etag, previous.last_modified) if previous else {}
        fd, tmp = create_temp(self.workdir, ".osv-", ".zip")
        os.close(fd)
        try:
            response = self.http.download(url, headers, tmp)
            if response is None:
                assert previous is not None
                if previous.newest_modified is None:
                    save_source(self.conn, replace(previous, updated_at=self.now))
                    return EcosystemResult(ecosystem, "unchanged")
                self.http.progress.note(f"{ecosystem}: all.zip unchanged (304)")
                return self.incremental(ecosystem, previous)
            try:
                zipfile.ZipFile(tmp).close()
            except (zipfile.BadZipFile, OSError) as exc:
                raise UpdateError(
                    f"{url}: the download is not a valid zip (truncated?): {exc}"
                ) from None
            done = [0]

            def advance(count: int) -> None:
                self.http.progress.advance(count - done[0])
                done[0] = count

            self.http.progress.start(f"importing {ecosystem}", None)
            delete_source(self.conn, name)
            result = load_zip(
                self.conn,
                tmp,
                name,
                replace=not _empty(self.conn),
                on_record=advance,
            )
            self.http.progress.finish()
            newest = result.newest_modified
            save_source(
                self.conn,
                SourceInfo(
                    name=name,
                    kind="osv.dev",
                    location=self.base_url,
                    ecosystem=ecosystem,
                    etag=response.headers.get("etag"),
                    last_modified=response.headers.get("last-modified"),
                    csv_etag=None,
                    csv_last_modified=None,
                    newest_modified=newest,
                    imported_at=self.now,
                    updated_at=self.now,
                ),
            )
            return EcosystemResult(ecosystem, "full", result.records)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def incremental(self, ecosystem: str, previous: SourceInfo) -> EcosystemResult:
        url = self._url(ecosystem, "modified_id.csv")
        since = previous.newest_modified
        assert since is not None
        newer: list[tuple[datetime, str]] = []
        too_many = False
        headers = _conditional(previous.csv_etag, previous.csv_last_modified)
        with self.http.stream(url, headers) as response:
            if response.status_code == 304:
                save_source(self.conn, replace(previous, updated_at=self.now))
                return EcosystemResult(ecosystem, "unchanged")
            _raise_for_status(response, url)
            csv_etag = response.headers.get("etag")
            csv_last_modified = response.headers.get("last-modified")
            try:
                for number, line in enumerate(response.iter_lines(), 1):
                    if not line.strip():
                        continue
                    stamp_text, _, ident = line.strip().partition(",")
                    try:
                        stamp = parse_time(stamp_text)
                    except OSVError:
                        raise UpdateError(f"{url}:{number}: not '<time>,<id>': {line!r}") from None
                    if stamp <= since:
                        break
                    newer.append((stamp, ident.rsplit("/", 1)[-1]))
                    if len(newer) > self.max_incremental:
                        too_many = True
                        break
            except httpx.TransportError as exc:
                raise UpdateError(f"{url}: transfer broke off: {exc}") from None
        if too_many:
            self.http.progress.note(
                f"{ecosystem}: more than {self.max_incremental} changed records; "
                "downloading all.zip instead"
            )
            return self.full(ecosystem, None)
        if not newer:
            save_source(
                self.conn,
                replace(
                    previous,
                    csv_etag=csv_etag,
                    csv_last_modified=csv_last_modified,
                    updated_at=self.now,
                ),
            )
            return EcosystemResult(ecosystem, "unchanged")
        records: list[RawRecord] = []
        skipped: list[str] = []
        self.http.progress.start(f"fetching {len(newer)} {ecosystem} records", len(newer))
        for _stamp, ident in newer:
            data = self.http.get_bytes(self._url(ecosystem, quote(ident, safe=":") + ".json"))
            self.http.progress.advance(1)
            if data is None:
                skipped.append(ident)
                continue
            records.append(RawRecord(f"{ecosystem}/{ident}.json", data))
        self.http.progress.finish()
        result = load_records(self.conn, records, previous.name, replace=True)
        save_source(
            self.conn,
            replace(
                previous,
                csv_etag=csv_etag,
                csv_last_modified=csv_last_modified,
                newest_modified=max(since, newer[0][0]),
                updated_at=self.now,
            ),
        )
        return EcosystemResult(ecosystem, "incremental", result.records, skipped=tuple(skipped))


def update(
    db_path: Path,
    ecosystems: Sequence[str] = (),
    *,
    base_url: str | None = None,
    full: bool = False,
    progress: Progress | None = None,
    client: httpx.Client | None = None,
    retries: int = 4,
    backoff: float = 1.0,
    timeout: float = 60.0,
    max_incremental: int = 5000,
    now: datetime | None = None,
) -> UpdateReport:
    """Update ``ecosystems`` (default: those already fetched from this base URL).

    Raises :class:`UpdateError` when nothing could be updated (the database is untouched),
    :class:`~caulk.vuln.store.StoreError` for an unusable database. A partial failure is in
    :attr:`UpdateReport.failed`, with the successful ecosystems saved.
    """
    db_path = Path(db_path)
    url = base_url_from_env(base_url)
    reporter: Progress = progress or NullProgress()
    stamp = now or datetime.now(UTC)
    own_client = client is None
    http_client = client or httpx.Client(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": f"caulk/{__version__}"}
    )
    try:
        with staging(db_path) as (conn, _fresh):
            wanted = list(dict.fromkeys(e.strip() for e in ecosystems if e.strip()))
            if not wanted:
                wanted = [
                    row[0]
                    for row in conn.execute(
                        "SELECT ecosystem FROM sources WHERE kind = 'osv.dev' AND location = ? "
                        "ORDER BY ecosystem",
                        (url,),
                    )
                ]
            if not wanted:
                raise UpdateError(
                    "no ecosystem to update: name one or more with --ecosystem "
                    "(Debian, Ubuntu, Alpine, PyPI, npm, Go, Maven, crates.io ...)"
                )
            http = _Http(http_client, retries, backoff, reporter)
            updater = _Updater(conn, http, url, db_path.parent, stamp, max_incremental)
            results: list[EcosystemResult] = []
            for ecosystem in wanted:
                conn.execute("SAVEPOINT ecosystem")
                try:
                    results.append(updater.run(ecosystem, full))
                except (UpdateError, OSVError) as exc:
                    conn.execute("ROLLBACK TO ecosystem")
                    results.append(EcosystemResult(ecosystem, "failed", error=str(exc)))
                    reporter.note(f"{ecosystem}: {exc}")
                finally:
                    conn.execute("RELEASE ecosystem")
            if all(r.mode == "failed" for r in results):
                raise UpdateError("; ".join(f"{r.ecosystem}: {r.error}" for r in results))
    finally:
        if own_client:
            http_client.close()
    return UpdateReport(db_path, tuple(results))
