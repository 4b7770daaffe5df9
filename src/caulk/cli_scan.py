"""``caulk scan IMAGE`` and ``caulk compare A B`` (docs/scan.md, docs/compare.md).

Thin wiring: options are parsed here, the work happens in :mod:`caulk.scan` and
:mod:`caulk.compare`, and renderers live in :mod:`caulk.render`. Library imports happen inside
the commands so that ``caulk --help`` stays fast. Exit codes: 0 ran and nothing crossed a
``--fail-on``/``--fail-on-policy``/``--exit-on`` threshold; 1 one did; 2 usage or input error
(no database, unreadable image, bad VEX/KEV/config file), one line on stderr.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from caulk.cli_options import InsecureOption, MirrorOption, OutputOption, PlatformOption

if TYPE_CHECKING:
    from caulk.scan import ScanOptions

EXIT_FAIL = 1


class ScanFormat(enum.Enum):
    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"
    CYCLONEDX = "cyclonedx"


class CompareFormat(enum.Enum):
    TEXT = "text"
    MARKDOWN = "markdown"
    JSON = "json"


DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db",
        envvar="CAULK_DB",
        help="Vulnerability database (default: osv.sqlite3 in the user data directory).",
        show_default=False,
    ),
]
VexOption = Annotated[
    list[Path] | None,
    typer.Option("--vex", help="OpenVEX file; not_affected statements hide matches (repeatable)."),
]
KevOption = Annotated[
    Path | None,
    typer.Option(
        "--kev", help="CISA Known Exploited Vulnerabilities JSON for the high-profile policy."
    ),
]
MaxAgeOption = Annotated[
    int,
    typer.Option("--max-db-age", help="Warn when the database is older than DAYS.", min=0),
]
ProjectOption = Annotated[
    Path,
    typer.Option(
        "--project",
        help="Directory whose .caulk.toml / pyproject.toml (tool.caulk.policies) configures "
        "the policies.",
    ),
]
OfflineOption = Annotated[
    bool,
    typer.Option(
        "--offline",
        help="Never use the network (the base-image freshness policy then has no data).",
    ),
]


def _options(
    db: Path | None,
    platform: str | None,
    vex: list[Path] | None,
    kev: Path | None,
    max_db_age: int,
    project: Path,
    registry_mirror: list[str] | None,
    insecure_registry: list[str] | None,
    offline: bool,
) -> ScanOptions:
    from caulk.cli import fail_input
    from caulk.config import load_config
    from caulk.errors import InputError
    from caulk.policy import load_settings
    from caulk.registry.options import RegistryOptions
    from caulk.scan import ScanOptions

    try:
        config = load_config(project) if project.is_dir() else None
        source = (config.source if config and config.source else "policies") + " policies"
        settings = load_settings(config.extra.get("policies") if config else None, source)
        registry = RegistryOptions.from_cli(
            mirrors=registry_mirror, insecure=insecure_registry, offline=offline
        )
    except InputError as exc:
        fail_input(str(exc))
    return ScanOptions(
        db=db,
        platform=platform,
        registry_options=registry,
        vex_files=tuple(vex or ()),
        kev_file=kev,
        max_db_age=timedelta(days=max_db_age),
        policies=settings,
        offline=offline,
    )


def _warn(warnings: tuple[str, ...]) -> None:
    for warning in warnings:
        typer.echo(f"caulk: warning: {warning}", err=True)


def scan(
    image: Annotated[
        str,
        typer.Argument(
            help="oci:DIR[:TAG], docker-archive:FILE, oci-archive:FILE[:TAG] or a registry "
            "reference [REGISTRY/]NAME[:TAG|@DIGEST]."
        ),
    ],
    output_format: Annotated[
        ScanFormat,
        typer.Option(
            "--format",
            "-f",
            help="table, json (docs/scan.md), sarif, markdown, or cyclonedx (SBOM with "
            "vulnerabilities).",
            case_sensitive=False,
        ),
    ] = ScanFormat.TABLE,
    output: OutputOption = None,
    db: DbOption = None,
    platform: PlatformOption = None,
    vex: VexOption = None,
    kev: KevOption = None,
    max_db_age: MaxAgeOption = 7,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a vulnerability is at or above SEVERITY "
            "(critical, high, medium, low, negligible, unknown = any).",
        ),
    ] = None,
    fail_on_policy: Annotated[
        bool, typer.Option("--fail-on-policy", help="Exit 1 when a policy fails.")
    ] = False,
    project: ProjectOption = Path(),
    registry_mirror: MirrorOption = None,
    insecure_registry: InsecureOption = None,
    offline: OfflineOption = False,
) -> None:
    """Scan an image: packages, vulnerabilities (offline OSV database), policies, health grade."""
    from caulk.cli import fail_input, write_output
    from caulk.errors import InputError
    from caulk.render.scan_formats import render_scan
    from caulk.scan import scan_image
    from caulk.vuln.severity import LEVEL_RANK

    threshold: int | None = None
    if fail_on is not None:
        level = fail_on.strip().lower()
        if level not in LEVEL_RANK:
            fail_input(f"--fail-on: {fail_on!r} is not one of {', '.join(LEVEL_RANK)}")
        threshold = LEVEL_RANK[level]
    options = _options(
        db, platform, vex, kev, max_db_age, project, registry_mirror, insecure_registry, offline
    )
    try:
        result = scan_image(image, options)
    except InputError as exc:
        fail_input(str(exc))
    write_output(render_scan(result, output_format.value), output)
    if output_format is not ScanFormat.TABLE or output is not None:
        _warn(result.warnings)
    failed = threshold is not None and any(
        LEVEL_RANK[v.severity] >= threshold for v in result.vulnerabilities
    )
    from caulk.policy.model import Status

    if fail_on_policy and any(p.status is Status.FAILED for p in result.policies):
        failed = True
    if failed:
        raise typer.Exit(EXIT_FAIL)


def compare(
    image_a: Annotated[str, typer.Argument(metavar="A", help="The baseline image (e.g. main's).")],
    image_b: Annotated[
        str, typer.Argument(metavar="B", help="The image to judge (e.g. the pull request's).")
    ],
    output_format: Annotated[
        CompareFormat,
        typer.Option(
            "--format",
            "-f",
            help="text, markdown (a pull-request comment) or json (docs/compare.md).",
            case_sensitive=False,
        ),
    ] = CompareFormat.TEXT,
    output: OutputOption = None,
    exit_on: Annotated[
        str | None,
        typer.Option(
            "--exit-on",
            "-x",
            help="Comma-separated: vulnerability (B has a vulnerability A has not), policy "
            "(a policy's status or the grade is worse in B). Exit 1 when one holds.",
        ),
    ] = None,
    db: DbOption = None,
    platform: PlatformOption = None,
    vex: VexOption = None,
    kev: KevOption = None,
    max_db_age: MaxAgeOption = 7,
    project: ProjectOption = Path(),
    registry_mirror: MirrorOption = None,
    insecure_registry: InsecureOption = None,
    offline: OfflineOption = False,
) -> None:
    """Compare two images: sizes, packages, vulnerabilities, labels, policies and grades."""
    from caulk.cli import fail_input, write_output
    from caulk.compare import compare_results
    from caulk.errors import InputError
    from caulk.scan import scan_image

    conditions: set[str] = set()
    for item in (exit_on or "").split(","):
        word = item.strip().lower()
        if not word:
            continue
        if word not in ("vulnerability", "policy"):
            fail_input(f"--exit-on: {word!r} is not 'vulnerability' or 'policy'")
        conditions.add(word)
    options = _options(
        db, platform, vex, kev, max_db_age, project, registry_mirror, insecure_registry, offline
    )
    try:
        a = scan_image(image_a, options)
        b = scan_image(image_b, options)
    except InputError as exc:
        fail_input(str(exc))
    comparison = compare_results(a, b)
    if output_format is CompareFormat.MARKDOWN:
        from caulk.render.compare_markdown import render_compare_markdown

        text = render_compare_markdown(comparison)
    elif output_format is CompareFormat.JSON:
        from caulk.render.compare_json import render_compare_json

        text = render_compare_json(comparison)
    else:
        from caulk.render.compare_text import render_compare_text

        text = render_compare_text(comparison)
    write_output(text, output)
    _warn(tuple(dict.fromkeys((*a.warnings, *b.warnings))))
    if ("vulnerability" in conditions and comparison.worse_vulnerabilities) or (
        "policy" in conditions and comparison.worse_policies
    ):
        raise typer.Exit(EXIT_FAIL)


def register(app: typer.Typer) -> None:
    """Add ``scan`` and ``compare`` to the ``caulk`` application."""
    app.command()(scan)
    app.command()(compare)
