"""Loading OSV records into the store: an osv.dev zip, a directory of records, or one record.

:func:`import_path` is ``caulk db import``; :func:`load_records` is the shared core that
``caulk db update`` uses too. Records are validated (:meth:`Advisory.from_osv`) and written in
batches with ``executemany`` inside one transaction of a staged copy of the database
(:func:`caulk.vuln.store.staging`), which is swapped in only when everything succeeded: one
invalid record, a truncated zip or an interruption leaves the previous database as it was.

A record whose id is already stored replaces it (the last import wins). Withdrawn records are
stored and flagged; :meth:`Store.lookup` skips them.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import sqlite3
import zipfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from caulk.vuln.models import OSVError, index_record
from caulk.vuln.osv import (
    RawRecord,
    ZipMember,
    decode_record,
    iter_source,
    read_zip_members,
    zip_members,
)
from caulk.vuln.store import (
    SourceInfo,
    delete_source,
    pack_raw,
    read_source,
    record_rows,
    save_source,
    staging,
    write_batch,
)

__all__ = [
    "BATCH_SIZE",
    "PARALLEL_MIN_RECORDS",
    "ImportReport",
    "import_path",
    "load_records",
    "load_zip",
]

BATCH_SIZE = 2000
"""Records per ``executemany`` batch (and per worker chunk)."""

PARALLEL_MIN_RECORDS = 20_000
"""Zips with fewer members are parsed in this process (spawning workers costs ~0.2 s)."""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What :func:`load_records` wrote."""

    records: int
    withdrawn: int
    newest_modified: datetime | None


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What ``caulk db import`` did."""

    source: str
    records: int
    withdrawn: int
    seconds: float

    @property
    def rate(self) -> float:
        """Records per second."""
        return self.records / self.seconds if self.seconds > 0 else float(self.records)


@dataclass
class _Batch:
    """Rows ready to insert, from up to :data:`BATCH_SIZE` records."""

    advisory_rows: list[tuple[Any, ...]] = field(default_factory=list)
    affected_rows: list[tuple[Any, ...]] = field(default_factory=list)
    withdrawn: int = 0
    newest: datetime | None = None


def _decode(record: RawRecord) -> Any:
    if record.deflated is not None:  # a zip member (size checked on reading): JSON
        try:
            return orjson.loads(record.data)
        except orjson.JSONDecodeError:
            pass  # decode_record raises with the message, or reads YAML
    return decode_record(record.data, record.name)


def _batches(records: Iterable[RawRecord], source: str) -> Iterator[_Batch]:
    """Validate records and turn them into rows, :data:`BATCH_SIZE` records at a time.

    The garbage collector is paused meanwhile: this allocates millions of short-lived
    containers and nothing cyclic, and collections cost a third of the time.
    """
    batch = _Batch()
    paused = gc.isenabled()
    gc.disable()
    try:
        for record in records:
            name = record.name
            obj = _decode(record)
            try:
                index = index_record(obj)
            except OSVError as exc:
                raise OSVError(f"{name}: {exc}") from None
            if name.endswith((".yaml", ".yml")):
                raw = pack_raw(json.dumps(obj, ensure_ascii=False).encode())
            else:
                raw = record.deflated if record.deflated is not None else pack_raw(record.data)
            row, rows = record_rows(index, source, raw)
            batch.advisory_rows.append(row)
            batch.affected_rows.extend(rows)
            if index.withdrawn is not None:
                batch.withdrawn += 1
            if batch.newest is None or index.modified > batch.newest:
                batch.newest = index.modified
            if len(batch.advisory_rows) >= BATCH_SIZE:
                yield batch
                batch = _Batch()
    finally:
        if paused:
            gc.enable()
    if batch.advisory_rows:
        yield batch


def _zip_batch(path: str, members: list[ZipMember], source: str) -> _Batch:
    """A worker process's share of :func:`load_zip`: the rows of some members of a zip."""
    batches = list(_batches(read_zip_members(Path(path), members), source))
    merged = _Batch()
    for batch in batches:
        merged.advisory_rows.extend(batch.advisory_rows)
        merged.affected_rows.extend(batch.affected_rows)
        merged.withdrawn += batch.withdrawn
        if batch.newest is not None and (merged.newest is None or batch.newest > merged.newest):
            merged.newest = batch.newest
    return merged


def _write(
    conn: sqlite3.Connection,
    batches: Iterable[_Batch],
    *,
    replace: bool,
    on_record: Callable[[int], None] | None,
) -> LoadResult:
    count = withdrawn = 0
    newest: datetime | None = None
    for batch in batches:
        write_batch(conn, batch.advisory_rows, batch.affected_rows, replace=replace)
        count += len(batch.advisory_rows)
        withdrawn += batch.withdrawn
        if batch.newest is not None and (newest is None or batch.newest > newest):
            newest = batch.newest
        if on_record is not None:
            on_record(count)
    if on_record is not None:
        on_record(count)
    return LoadResult(count, withdrawn, newest)


def load_records(
    conn: sqlite3.Connection,
    records: Iterable[RawRecord],
    source: str,
    *,
    replace: bool,
    on_record: Callable[[int], None] | None = None,
) -> LoadResult:
    """Validate and insert records; :class:`OSVError` names a bad one.

    ``replace`` must be True unless the database was empty before this load (then no stored
    row can collide and the per-batch deletes are skipped). The caller owns the transaction.
    """
    return _write(conn, _batches(records, source), replace=replace, on_record=on_record)


def _default_workers(members: int) -> int:
    configured = os.environ.get("CAULK_DB_WORKERS", "")
    if configured.isdigit():
        return int(configured)
    cpus = os.cpu_count() or 1
    if cpus < 2 or members < PARALLEL_MIN_RECORDS:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return min(cpus, 4)


def load_zip(
    conn: sqlite3.Connection,
    path: Path,
    source: str,
    *,
    replace: bool,
    on_record: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> LoadResult:
    """:func:`load_records` for an osv.dev zip, parsing in worker processes when it is big.

    Parsing and validation are pure Python and take two thirds of an import; with more than
    :data:`PARALLEL_MIN_RECORDS` members and more than one CPU, chunks of members are parsed
    by ``workers`` forked processes (default: ``$CAULK_DB_WORKERS``, else the CPUs, at most
    4) while this process inserts the rows in the archive's order, a bounded number of chunks
    ahead. Workers are *forked*, not spawned: spawning re-imports ``__main__``, which runs the
    CLI again under ``python -m caulk``; a forked worker only reads the zip and parses, so the
    caller's threads (a progress bar, a test's HTTP server) do not matter. Where fork is not
    available the zip is parsed in this process.
    """
    members = zip_members(path)
    count = workers if workers is not None else _default_workers(len(members))
    if count <= 1:
        return load_records(
            conn, read_zip_members(path, members), source, replace=replace, on_record=on_record
        )
    chunks = [members[i : i + BATCH_SIZE] for i in range(0, len(members), BATCH_SIZE)]

    def parsed() -> Iterator[_Batch]:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(count, mp_context=context) as pool:
            pending: deque[Future[_Batch]] = deque()
            try:
                for chunk in chunks:
                    pending.append(pool.submit(_zip_batch, str(path), chunk, source))
                    if len(pending) > 2 * count:
                        yield pending.popleft().result()
                while pending:
                    yield pending.popleft().result()
            finally:
                for future in pending:
                    future.cancel()

    try:
        return _write(conn, parsed(), replace=replace, on_record=on_record)
    except BrokenProcessPool as exc:
        raise OSVError(
            f"{path}: a parser process died ({exc}); set CAULK_DB_WORKERS=1 to parse in-process"
        ) from None


def import_path(
    db_path: Path,
    source_path: Path,
    *,
    on_record: Callable[[int], None] | None = None,
    now: datetime | None = None,
    workers: int | None = None,
) -> ImportReport:
    """``caulk db import``: load a zip, a directory or one record file into ``db_path``.

    Importing the same path again first removes what that path imported before, so records
    deleted from the source disappear. Raises :class:`OSVError` (bad input, nothing changed)
    or :class:`~caulk.vuln.store.StoreError` (unusable database).
    """
    import time

    source_path = Path(source_path)
    if not source_path.exists():
        raise OSVError(f"{source_path}: no such file or directory")
    name = f"file:{source_path.resolve()}"
    started = time.perf_counter()
    stamp = now or datetime.now(UTC)
    with staging(db_path) as (conn, fresh):
        conn.execute("BEGIN")
        if not fresh:
            delete_source(conn, name)
        if source_path.is_file() and (
            source_path.suffix == ".zip" or zipfile.is_zipfile(source_path)
        ):
            result = load_zip(
                conn, source_path, name, replace=not fresh, on_record=on_record, workers=workers
            )
        else:
            result = load_records(
                conn, iter_source(source_path), name, replace=not fresh, on_record=on_record
            )
        previous = read_source(conn, name)
        newest = result.newest_modified
        if previous is not None and previous.newest_modified is not None and newest is not None:
            newest = max(newest, previous.newest_modified)
        save_source(
            conn,
            SourceInfo(
                name=name,
                kind="file",
                location=str(source_path.resolve()),
                ecosystem=None,
                etag=None,
                last_modified=None,
                csv_etag=None,
                csv_last_modified=None,
                newest_modified=newest,
                imported_at=stamp,
                updated_at=stamp,
            ),
        )
        conn.execute("COMMIT")
    return ImportReport(name, result.records, result.withdrawn, time.perf_counter() - started)
