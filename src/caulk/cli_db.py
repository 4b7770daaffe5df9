"""``caulk db import|update|status``: the local OSV vulnerability database (docs/db.md).

Thin wiring only: options are parsed here and the work happens in :mod:`caulk.vuln.importer`,
:mod:`caulk.vuln.update` and :mod:`caulk.vuln.store`, imported inside each command so that
``caulk --help`` stays fast. Exit codes: 0 done; 1 the update failed, wholly or for some
ecosystems (the database keeps its previous contents for those); 2 usage or input error (a
missing or invalid file, an unusable database), with one clear line on stderr.
"""

from __future__ import annotations

import enum
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgressBar
    from rich.progress import TaskID

    from caulk.vuln.store import Store

db_app = typer.Typer(
    name="db",
    help="The local OSV vulnerability database: import, update, status.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain: `[/variant]` or `[tool.caulk]` must not be read as rich markup.
    rich_markup_mode=None,
)

DEFAULT_MAX_AGE_DAYS = 7
"""Age after which ``status`` (and a scan) warns that the database is stale."""

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="CAULK_DB",
        help="Database file (default: osv.sqlite3 in the user data directory).",
        show_default=False,
    ),
]


class StatusFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"


def _fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"caulk: error: {message}", err=True)
    raise typer.Exit(code)


def _db_path(db: Path | None) -> Path:
    from caulk.vuln.store import default_db_path

    return db if db is not None else default_db_path()


@db_app.command("import")
def import_(
    path: Annotated[
        Path,
        typer.Argument(
            help="An OSV zip (as osv.dev exports it), a directory of JSON/YAML records, "
            "or one record file."
        ),
    ],
    db: DbOption = None,
) -> None:
    """Load OSV records into the database (replacing what the same path imported before)."""
    from caulk.vuln.importer import import_path
    from caulk.vuln.models import OSVError
    from caulk.vuln.store import StoreError

    target = _db_path(db)
    try:
        report = import_path(target, path)
    except (OSVError, StoreError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{target}: cannot write the database: {exc.strerror or exc}")
    typer.echo(
        f"imported {report.records} records ({report.withdrawn} withdrawn) from {path} "
        f"into {target} in {report.seconds:.2f}s ({report.rate:,.0f} records/s)"
    )


class _PlainProgress:
    """Progress as plain lines on stderr (not a terminal)."""

    def __init__(self) -> None:
        self._label = ""
        self._done = 0

    def start(self, label: str, total: int | None) -> None:
        self._label, self._done = label, 0
        size = f" ({total:,} bytes)" if total is not None and "downloading" in label else ""
        typer.echo(f"{label}{size}", err=True)

    def advance(self, amount: int) -> None:
        self._done += amount

    def finish(self) -> None:
        if self._label:
            typer.echo(f"{self._label}: done ({self._done:,})", err=True)
        self._label = ""

    def note(self, message: str) -> None:
        typer.echo(message, err=True)


class _RichProgress:
    """A rich progress bar on stderr (a terminal)."""

    def __init__(self, bar: RichProgressBar) -> None:
        self._bar = bar
        self._task: TaskID | None = None

    def start(self, label: str, total: int | None) -> None:
        self.finish()
        self._task = self._bar.add_task(label, total=total)

    def advance(self, amount: int) -> None:
        if self._task is not None:
            self._bar.advance(self._task, amount)

    def finish(self) -> None:
        if self._task is not None:
            task = self._task
            self._task = None
            self._bar.update(task, completed=self._bar.tasks[task].total or 0)
            self._bar.stop_task(task)

    def note(self, message: str) -> None:
        self._bar.console.print(message, markup=False, highlight=False)


@db_app.command()
def update(
    ecosystem: Annotated[
        list[str] | None,
        typer.Option(
            "--ecosystem",
            "-e",
            help="osv.dev export directory to fetch (Debian, Ubuntu, Alpine, PyPI, npm, Go ...);"
            " repeat for more. Default: the ecosystems fetched before.",
        ),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Download all.zip again instead of the changes.")
    ] = False,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="CAULK_OSV_URL",
            help="Where the export lives (default: osv.dev's bucket).",
            show_default=False,
        ),
    ] = None,
    retries: Annotated[
        int, typer.Option("--retries", min=0, help="Retries per request on network errors.")
    ] = 4,
    timeout: Annotated[
        float, typer.Option("--timeout", min=1.0, help="Seconds per network read.")
    ] = 60.0,
    db: DbOption = None,
) -> None:
    """Download osv.dev's export: all.zip the first time, then only the changed records."""
    from caulk.vuln.models import OSVError
    from caulk.vuln.store import StoreError
    from caulk.vuln.update import UpdateError
    from caulk.vuln.update import update as run_update

    target = _db_path(db)
    try:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                DownloadColumn(),
                TimeRemainingColumn(),
            )
            with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
                report = run_update(
                    target,
                    ecosystem or (),
                    base_url=base_url,
                    full=full,
                    progress=_RichProgress(bar),
                    retries=retries,
                    timeout=timeout,
                )
        else:
            report = run_update(
                target,
                ecosystem or (),
                base_url=base_url,
                full=full,
                progress=_PlainProgress(),
                retries=retries,
                timeout=timeout,
            )
    except UpdateError as exc:
        _fail(f"update failed, the database is unchanged: {exc}", 1)
    except (StoreError, OSVError) as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{target}: cannot write the database: {exc.strerror or exc}")
    for result in report.results:
        if result.mode == "failed":
            typer.echo(f"caulk: error: {result.ecosystem}: {result.error}", err=True)
            continue
        line = f"{result.ecosystem}: {result.mode}, {result.records} records"
        if result.skipped:
            line += f" ({len(result.skipped)} listed but not found: {', '.join(result.skipped)})"
        typer.echo(line)
    if report.failed:
        raise typer.Exit(1)


def _status_data(store: Store, now: datetime) -> dict[str, object]:
    from caulk.vuln.models import format_time

    stats = store.stats()
    updated = store.updated_at()
    age = store.age(now)
    return {
        "schema_version": "1",
        "path": str(store.path),
        "size_bytes": store.path.stat().st_size,
        "advisories": stats.advisories,
        "withdrawn": stats.withdrawn,
        "affected_entries": stats.affected_rows,
        "updated_at": format_time(updated) if updated else None,
        "age_days": round(age.total_seconds() / 86400, 2) if age is not None else None,
        "ecosystems": dict(stats.by_ecosystem),
        "sources": [
            {
                "name": s.name,
                "kind": s.kind,
                "location": s.location,
                "ecosystem": s.ecosystem,
                "records": s.records,
                "newest_modified": format_time(s.newest_modified) if s.newest_modified else None,
                "imported_at": format_time(s.imported_at) if s.imported_at else None,
                "updated_at": format_time(s.updated_at),
            }
            for s in store.sources()
        ],
    }


@db_app.command()
def status(
    output_format: Annotated[
        StatusFormat,
        typer.Option("--format", "-f", help="text or json.", case_sensitive=False),
    ] = StatusFormat.TEXT,
    max_age: Annotated[
        int,
        typer.Option("--max-age", min=0, help="Warn when the database is older (days)."),
    ] = DEFAULT_MAX_AGE_DAYS,
    db: DbOption = None,
) -> None:
    """Show the database's sources, record counts and age."""
    from caulk.vuln.store import Store, StoreError, staleness_warning

    target = _db_path(db)
    now = datetime.now(UTC)
    try:
        with Store.open(target) as store:
            data = _status_data(store, now)
            warning = staleness_warning(store, timedelta(days=max_age), now)
    except StoreError as exc:
        _fail(str(exc))
    if output_format is StatusFormat.JSON:
        typer.echo(json.dumps(data, indent=2, sort_keys=True))
    else:
        typer.echo(_status_text(data))
    if warning:
        typer.echo(f"caulk: warning: {warning}", err=True)


def _status_text(data: dict[str, object]) -> str:
    lines = [
        f"database:   {data['path']} ({int(str(data['size_bytes'])) / 1e6:.1f} MB)",
        f"advisories: {data['advisories']} ({data['withdrawn']} withdrawn), "
        f"{data['affected_entries']} affected entries",
        f"updated:    {data['updated_at'] or 'never'}"
        + (f" ({data['age_days']} days ago)" if data["age_days"] is not None else ""),
        "sources:",
    ]
    sources = data["sources"]
    assert isinstance(sources, list)
    for source in sources:
        lines.append(
            f"  {source['name']}: {source['records']} records, newest record "
            f"{source['newest_modified'] or '-'}, updated {source['updated_at']}"
        )
    lines.append("ecosystems:")
    ecosystems = data["ecosystems"]
    assert isinstance(ecosystems, dict)
    for name, count in ecosystems.items():
        lines.append(f"  {name}: {count}")
    return "\n".join(lines)
