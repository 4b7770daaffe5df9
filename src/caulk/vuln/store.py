"""The local OSV database: a SQLite file that the scanner queries by (ecosystem, package name).

Schema (``PRAGMA user_version`` = :data:`SCHEMA_VERSION`; docs/db.md):

``advisories``
    one row per record: ``id`` (primary key), ``modified``/``published``/``withdrawn``
    (fixed-width RFC 3339 UTC text, so they sort as times), ``summary``,
    ``aliases``/``upstream``/``related`` (JSON arrays, for SQL queries), ``schema_version``,
    ``source`` (the :class:`SourceInfo` name that last wrote it) and ``raw``: the record's JSON
    as a raw deflate stream (zlib ``wbits=-15``) — for an osv.dev zip, the member's own
    compressed bytes, stored without recompressing.
``affected``
    one row per ``affected[]`` entry that names a package: ``advisory_id``, ``ordinal`` (its
    index among those entries), ``ecosystem`` (exact), ``ecosystem_base`` (before the first
    ``:``), ``name`` and ``normalized_name`` (:func:`~caulk.vuln.models.normalize_name`).
    Indexed on ``(ecosystem_base, normalized_name)`` for :meth:`Store.lookup` and on
    ``advisory_id``.

The ranges, versions and severities are read from ``raw`` (parsed once per advisory and
cached by the :class:`Store`), not duplicated into JSON columns: dumping them cost more than
everything else in an import (measured by benchmarks/bench_db.py), and a lookup parses only
the few records that name the package.
``sources``
    one row per place records came from (``osv.dev:Debian``, ``file:/abs/path``): URL, ecosystem,
    HTTP validators (ETag, Last-Modified) of the zip and of ``modified_id.csv``, the newest
    record ``modified`` seen, and when it was imported/updated.
``meta``
    key/value facts (``created``).

The file is never written in place: :func:`staging` copies it, the importer writes the copy,
and ``os.replace`` swaps it in, so readers (and an interrupted update) always see a whole
database.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from caulk.fsutil import create_temp
from caulk.vuln.models import (
    Advisory,
    AffectedPackage,
    OSVError,
    RecordIndex,
    format_time,
    normalize_name,
    parse_time,
)
from caulk.vuln.versions import ecosystem_base

__all__ = [
    "SCHEMA_VERSION",
    "SourceInfo",
    "Store",
    "StoreError",
    "StoreStats",
    "default_db_path",
    "staging",
    "staleness_warning",
]

SCHEMA_VERSION = 1
"""``PRAGMA user_version`` of the layout this module reads and writes."""

_TABLES = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    location TEXT NOT NULL,
    ecosystem TEXT,
    etag TEXT,
    last_modified TEXT,
    csv_etag TEXT,
    csv_last_modified TEXT,
    newest_modified TEXT,
    imported_at TEXT,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS advisories (
    id TEXT PRIMARY KEY,
    modified TEXT NOT NULL,
    published TEXT,
    withdrawn TEXT,
    summary TEXT NOT NULL,
    aliases TEXT NOT NULL,
    upstream TEXT NOT NULL,
    related TEXT NOT NULL,
    schema_version TEXT NOT NULL,
    source TEXT NOT NULL,
    raw BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS affected (
    advisory_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    ecosystem TEXT NOT NULL,
    ecosystem_base TEXT NOT NULL,
    name TEXT NOT NULL,
    normalized_name TEXT NOT NULL
);
"""

_INDEXES = """
CREATE INDEX IF NOT EXISTS affected_package ON affected (ecosystem_base, normalized_name);
CREATE INDEX IF NOT EXISTS affected_advisory ON affected (advisory_id);
CREATE INDEX IF NOT EXISTS advisories_source ON advisories (source);
"""


class StoreError(Exception):
    """The database is missing, unreadable or of another layout; the message says which."""


def default_db_path() -> Path:
    """``$CAULK_DB``, else ``osv.sqlite3`` in the user data directory (platformdirs)."""
    env = os.environ.get("CAULK_DB")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("caulk", appauthor=False)) / "osv.sqlite3"


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Where records came from and how fresh they are."""

    name: str
    """``osv.dev:<ECOSYSTEM>`` for ``caulk db update``, ``file:<absolute path>`` for imports."""
    kind: str
    """``osv.dev`` or ``file``."""
    location: str
    """The base URL or the imported path."""
    ecosystem: str | None
    etag: str | None
    """ETag of the last full ``all.zip`` download."""
    last_modified: str | None
    """Last-Modified header of that download."""
    csv_etag: str | None
    """ETag of the last ``modified_id.csv`` read."""
    csv_last_modified: str | None
    newest_modified: datetime | None
    """The newest record ``modified`` time seen: where the next incremental update starts."""
    imported_at: datetime | None
    """When the source was last fully (re)imported."""
    updated_at: datetime
    """When the source was last brought up to date (full or incremental)."""
    records: int = 0
    """Advisories in the store that this source wrote last."""


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts for ``caulk db status``."""

    advisories: int
    withdrawn: int
    affected_rows: int
    by_ecosystem: tuple[tuple[str, int], ...]
    """``(ecosystem base, advisories naming it)``, by name."""


def _connect_readonly(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreError(
            f"no vulnerability database at {path}: run 'caulk db update' or 'caulk db import'"
        )
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a caulk vulnerability database: {exc}") from None
    if version != SCHEMA_VERSION or not {"advisories", "affected", "sources"} <= tables:
        conn.close()
        raise StoreError(
            f"{path}: database layout {version} is not {SCHEMA_VERSION}; "
            "run 'caulk db update' or 'caulk db import' to rebuild it"
        )
    return conn


def _time(text: str | None) -> datetime | None:
    return parse_time(text) if text else None


def unpack_raw(raw: bytes) -> bytes:
    """The record JSON of a ``raw`` column value."""
    return zlib.decompress(raw, -15)


def pack_raw(data: bytes) -> bytes:
    """A ``raw`` column value for record JSON (fast deflate: imports favour speed)."""
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush()


class Store:
    """Read access to a database file; open with ``Store.open(path)`` or as a context manager."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self._parsed: dict[str, Advisory] = {}

    @classmethod
    def open(cls, path: Path | None = None) -> Store:
        """Open ``path`` (default: :func:`default_db_path`) read-only.

        Raises :class:`StoreError` when the file is missing or not a database of this layout.
        """
        target = Path(path) if path is not None else default_db_path()
        return cls(target, _connect_readonly(target))

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _advisory(self, ident: str, raw: bytes) -> Advisory:
        """The stored record ``ident`` parsed from its ``raw`` column (cached per id)."""
        cached = self._parsed.get(ident)
        if cached is not None:
            return cached
        try:
            advisory = Advisory.from_osv(orjson.loads(unpack_raw(raw)))
        except (OSVError, ValueError, zlib.error) as exc:
            # the importer validated it; only a damaged or hand-edited file gets here
            message = f"{self.path}: stored record {ident} is unreadable: {exc}"
            raise StoreError(message) from None
        self._parsed[ident] = advisory
        return advisory

    def lookup(self, ecosystem: str, name: str) -> list[tuple[Advisory, AffectedPackage]]:
        """Every non-withdrawn ``(advisory, affected entry)`` for one package, by advisory id.

        ``ecosystem`` with a suffix (``Debian:12``, ``Ubuntu:Pro:22.04:LTS``) must match the
        entry's ecosystem exactly; without one (``PyPI``, ``Maven``, ``Debian``) it matches
        every ecosystem of that base. ``name`` is normalised as the store keys it
        (:func:`~caulk.vuln.models.normalize_name`). The advisory is the whole record; the
        entry is the one of its ``affected`` that names the package (a record may name it
        for several releases: one pair each).
        """
        base = ecosystem_base(ecosystem)
        params: list[str] = [base, normalize_name(ecosystem, name)]
        sql = (
            "SELECT f.advisory_id, f.ordinal, a.raw FROM affected f "
            "JOIN advisories a ON a.id = f.advisory_id "
            "WHERE f.ecosystem_base = ? AND f.normalized_name = ? AND a.withdrawn IS NULL"
        )
        if base != ecosystem.strip():
            sql += " AND f.ecosystem = ?"
            params.append(ecosystem.strip())
        sql += " ORDER BY f.advisory_id, f.ordinal"
        out: list[tuple[Advisory, AffectedPackage]] = []
        for ident, ordinal, raw in self._conn.execute(sql, params):
            advisory = self._advisory(ident, raw)
            out.append((advisory, advisory.affected[ordinal]))
        return out

    def get(self, advisory_id: str) -> Advisory | None:
        """The whole stored record with this id (withdrawn ones included), or None."""
        row = self._conn.execute(
            "SELECT raw FROM advisories WHERE id = ?", (advisory_id,)
        ).fetchone()
        if row is None:
            return None
        return self._advisory(advisory_id, row[0])

    def ids(self) -> list[str]:
        """Every advisory id, sorted."""
        return [r[0] for r in self._conn.execute("SELECT id FROM advisories ORDER BY id")]

    def sources(self) -> list[SourceInfo]:
        """Every source, by name, with its record count."""
        counts = dict(self._conn.execute("SELECT source, COUNT(*) FROM advisories GROUP BY source"))
        rows = self._conn.execute(
            "SELECT name, kind, location, ecosystem, etag, last_modified, csv_etag, "
            "csv_last_modified, newest_modified, imported_at, updated_at FROM sources "
            "ORDER BY name"
        )
        return [
            SourceInfo(
                name=r[0],
                kind=r[1],
                location=r[2],
                ecosystem=r[3],
                etag=r[4],
                last_modified=r[5],
                csv_etag=r[6],
                csv_last_modified=r[7],
                newest_modified=_time(r[8]),
                imported_at=_time(r[9]),
                updated_at=parse_time(r[10]),
                records=int(counts.get(r[0], 0)),
            )
            for r in rows
        ]

    def source(self, name: str) -> SourceInfo | None:
        """One source by name."""
        for info in self.sources():
            if info.name == name:
                return info
        return None

    def stats(self) -> StoreStats:
        """Counts of advisories, withdrawn ones, affected rows and advisories per ecosystem."""
        total, withdrawn = self._conn.execute(
            "SELECT COUNT(*), COUNT(withdrawn) FROM advisories"
        ).fetchone()
        rows = self._conn.execute("SELECT COUNT(*) FROM affected").fetchone()[0]
        by_eco = self._conn.execute(
            "SELECT ecosystem_base, COUNT(DISTINCT advisory_id) FROM affected "
            "GROUP BY ecosystem_base ORDER BY ecosystem_base"
        ).fetchall()
        return StoreStats(int(total), int(withdrawn), int(rows), tuple(by_eco))

    def updated_at(self) -> datetime | None:
        """When any source was last brought up to date; None for a database with no source."""
        row = self._conn.execute("SELECT MAX(updated_at) FROM sources").fetchone()
        return _time(row[0])

    def age(self, now: datetime | None = None) -> timedelta | None:
        """Time since :meth:`updated_at`."""
        updated = self.updated_at()
        if updated is None:
            return None
        return (now or datetime.now(UTC)) - updated


def staleness_warning(store: Store, max_age: timedelta, now: datetime | None = None) -> str | None:
    """The warning a scan prints when the database is older than ``max_age``, else None."""
    age = store.age(now)
    if age is None:
        return f"the vulnerability database {store.path} records no update; run 'caulk db update'"
    if age <= max_age:
        return None
    days = age.total_seconds() / 86400
    return (
        f"the vulnerability database is {days:.1f} days old (limit {max_age.days} days); "
        "run 'caulk db update'"
    )


# --- writing ---------------------------------------------------------------------------------


def initialise(conn: sqlite3.Connection, *, indexes: bool = True) -> None:
    """Create the tables (and, unless deferred, the indexes) in an empty or current database."""
    conn.executescript(_TABLES)
    if indexes:
        conn.executescript(_INDEXES)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    conn.execute(
        "INSERT OR IGNORE INTO meta (key, value) VALUES ('created', ?)",
        (format_time(datetime.now(UTC)),),
    )


def create_indexes(conn: sqlite3.Connection) -> None:
    """Create the indexes (after a bulk load into a fresh database)."""
    conn.executescript(_INDEXES)


def record_rows(
    index: RecordIndex, source: str, raw: bytes
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
    """The ``advisories`` row and ``affected`` rows of one validated record.

    ``raw`` is the record's JSON as a raw deflate stream (:func:`pack_raw`).
    """
    ident = index.id
    advisory_row = (
        ident,
        *index.times,
        index.summary,
        orjson.dumps(index.aliases).decode() if index.aliases else "[]",
        orjson.dumps(index.upstream).decode() if index.upstream else "[]",
        orjson.dumps(index.related).decode() if index.related else "[]",
        index.schema_version,
        source,
        raw,
    )
    affected_rows = [
        (
            ident,
            ordinal,
            ecosystem,
            ecosystem_base(ecosystem),
            name,
            normalize_name(ecosystem, name),
        )
        for ordinal, (ecosystem, name) in enumerate(index.packages)
    ]
    return advisory_row, affected_rows


_INSERT_ADVISORY = "INSERT OR REPLACE INTO advisories VALUES (?,?,?,?,?,?,?,?,?,?,?)"
_INSERT_AFFECTED = "INSERT INTO affected VALUES (?,?,?,?,?,?)"


def write_batch(
    conn: sqlite3.Connection,
    advisory_rows: Sequence[tuple[Any, ...]],
    affected_rows: Sequence[tuple[Any, ...]],
    *,
    replace: bool,
) -> None:
    """Insert a batch; with ``replace``, first drop the affected rows of ids already stored."""
    if replace:
        conn.executemany(
            "DELETE FROM affected WHERE advisory_id = ?", [(r[0],) for r in advisory_rows]
        )
    conn.executemany(_INSERT_ADVISORY, advisory_rows)
    conn.executemany(_INSERT_AFFECTED, affected_rows)


def delete_source(conn: sqlite3.Connection, source: str) -> None:
    """Remove every advisory that ``source`` wrote last (before a full re-import of it)."""
    conn.execute(
        "DELETE FROM affected WHERE advisory_id IN (SELECT id FROM advisories WHERE source = ?)",
        (source,),
    )
    conn.execute("DELETE FROM advisories WHERE source = ?", (source,))


def save_source(conn: sqlite3.Connection, info: SourceInfo) -> None:
    """Insert or replace one ``sources`` row."""
    conn.execute(
        "INSERT OR REPLACE INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        (
            info.name,
            info.kind,
            info.location,
            info.ecosystem,
            info.etag,
            info.last_modified,
            info.csv_etag,
            info.csv_last_modified,
            format_time(info.newest_modified) if info.newest_modified else None,
            format_time(info.imported_at) if info.imported_at else None,
            format_time(info.updated_at),
        ),
    )


def read_source(conn: sqlite3.Connection, name: str) -> SourceInfo | None:
    """One ``sources`` row from a writable connection."""
    r = conn.execute(
        "SELECT name, kind, location, ecosystem, etag, last_modified, csv_etag, "
        "csv_last_modified, newest_modified, imported_at, updated_at FROM sources WHERE name = ?",
        (name,),
    ).fetchone()
    if r is None:
        return None
    return SourceInfo(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], _time(r[8]), _time(r[9]), parse_time(r[10])
    )


@contextlib.contextmanager
def staging(path: Path) -> Iterator[tuple[sqlite3.Connection, bool]]:
    """A writable copy of the database at ``path``, swapped in atomically on success.

    Yields ``(connection, fresh)``; ``fresh`` is True when there was no database yet (the
    indexes are then created after the load, which is faster). The copy lives next to
    ``path``; on any exception it is deleted and ``path`` is untouched. The journal is kept
    in memory (so a caller can still roll back a transaction) and ``synchronous`` is OFF: a
    crash can only lose the copy, which the swap has not published yet.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = not path.exists()
    if not fresh:
        _connect_readonly(path).close()  # refuse to build on a file we would not read
    fd, tmp = create_temp(path.parent, f".{path.name}.", ".tmp")
    os.close(fd)
    conn: sqlite3.Connection | None = None
    try:
        if not fresh:
            shutil.copyfile(path, tmp)
        conn = sqlite3.connect(tmp, isolation_level=None)
        conn.execute("PRAGMA journal_mode = MEMORY")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -65536")
        initialise(conn, indexes=not fresh)
        yield conn, fresh
        if fresh:
            create_indexes(conn)
        conn.close()
        conn = None
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        tmp.replace(path)
        with contextlib.suppress(OSError):
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    finally:
        if conn is not None:
            conn.close()
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
