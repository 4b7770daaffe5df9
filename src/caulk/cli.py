"""The ``caulk`` command line: parses options, calls the library, picks a renderer.

Nothing here analyses anything. Imports of the library happen inside each verb so that
``caulk --help`` and a cold ``caulk audit`` start fast.

Exit codes (docs/cli.md): 0 ran and nothing at or above ``--fail-on``; 1 findings, policy or
verification failure; 2 usage or input error, with one clear line on stderr.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from caulk.cli_options import (
    InsecureOption,
    MirrorOption,
    OfflineCacheOption,
    OutputOption,
    PlatformOption,
)

app = typer.Typer(
    name="caulk",
    help="Take a container image and the repository that builds it from insecure defaults "
    "to attested defaults.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Help texts are plain: `[/variant]` or `[tool.caulk]` must not be read as rich markup.
    rich_markup_mode=None,
)

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INPUT = 2


class AuditFormat(enum.Enum):
    TERMINAL = "terminal"
    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"
    MARKDOWN = "markdown"


def fail_input(message: str) -> NoReturn:
    """One clear line on stderr, exit code 2."""
    typer.echo(f"caulk: error: {message}", err=True)
    raise typer.Exit(EXIT_INPUT)


def write_output(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to stdout; exit 2 if it cannot be written."""
    from caulk.cli_io import write_output as write
    from caulk.errors import InputError

    try:
        write(text, output)
    except InputError as exc:
        fail_input(str(exc))


@app.command()
def audit(
    path: Annotated[
        Path, typer.Argument(help="Repository checkout to audit.", show_default=True)
    ] = Path(),
    output_format: Annotated[
        AuditFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Output format (default: terminal on a TTY, text otherwise).",
            case_sensitive=False,
        ),
    ] = None,
    output: OutputOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option(
            "--fail-on",
            help="Exit 1 when a finding is at or above this severity "
            "(critical, high, medium, low, info).",
        ),
    ] = None,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only these rule IDs or prefixes.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Drop these rule IDs or prefixes.")
    ] = None,
) -> None:
    """Audit a repository offline: Scorecard-compatible score, findings, and a plan."""
    from caulk.audit import run_audit
    from caulk.config import load_config
    from caulk.errors import InputError
    from caulk.findings import Severity

    threshold: Severity | None = None
    if fail_on is not None:
        try:
            threshold = Severity.parse(fail_on)
        except ValueError as exc:
            fail_input(f"--fail-on: {exc}")
    if not path.exists():
        fail_input(f"{path}: no such directory")
    if not path.is_dir():
        fail_input(f"{path}: not a directory")
    try:
        config = load_config(path).merged(
            select=tuple(select or ()), ignore=tuple(ignore or ()), fail_on=threshold
        )
        result = run_audit(path, config)
    except InputError as exc:
        fail_input(str(exc))

    fmt = output_format
    if fmt is None:
        fmt = AuditFormat.TERMINAL if output is None and sys.stdout.isatty() else AuditFormat.TEXT

    if fmt is AuditFormat.TERMINAL and output is None:
        from caulk.render.terminal import print_audit

        print_audit(result, color=_color_wanted())
    else:
        write_output(_render_audit(result, fmt), output)

    for problem in result.problems:
        typer.echo(f"caulk: warning: {problem}", err=True)

    if config.fail_on is not None and any(f.severity >= config.fail_on for f in result.findings):
        raise typer.Exit(EXIT_FINDINGS)


@app.command()
def fix(
    path: Annotated[Path, typer.Argument(help="Repository checkout to fix in place.")] = Path(),
    diff: Annotated[
        bool, typer.Option("--diff", help="Print a unified diff and write nothing.")
    ] = False,
    offline: Annotated[
        bool,
        typer.Option("--offline", help="Apply only fixes that need no network; list the rest."),
    ] = False,
    select: Annotated[
        list[str] | None, typer.Option("--select", help="Only fix these rule IDs or prefixes.")
    ] = None,
    ignore: Annotated[
        list[str] | None, typer.Option("--ignore", help="Do not fix these rule IDs or prefixes.")
    ] = None,
    github_url: Annotated[
        str | None,
        typer.Option(
            "--github-url",
            envvar="CAULK_GITHUB_URL",
            help="Base git URL of action repositories (https, http, git or file).",
        ),
    ] = None,
    registry_mirror: MirrorOption = None,
    insecure_registry: InsecureOption = None,
) -> None:
    """Fix a repository in place: pin actions and images, harden workflows and Dockerfiles,
    and add the missing policy files. Exit 0 when everything requested was fixed, 1 when
    something could not be, 2 on bad input."""
    from caulk.errors import InputError
    from caulk.fix.engine import Outcome
    from caulk.fix.run import FixOptions, run_fix

    if not path.is_dir():
        fail_input(f"{path}: no such directory")
    from caulk.image.errors import ImageError
    from caulk.registry.options import RegistryOptions

    try:  # reject a bad mirror or insecure-registry spec before touching anything
        RegistryOptions.from_cli(
            mirrors=registry_mirror, insecure=insecure_registry, offline=offline
        )
    except ImageError as exc:
        fail_input(str(exc))
    options = FixOptions(
        offline=offline,
        select=tuple(select or ()),
        ignore=tuple(ignore or ()),
        github_url=github_url,
        registry_mirrors=tuple(registry_mirror or ()),
        insecure_registries=tuple(insecure_registry or ()),
    )
    try:
        report = run_fix(path, options, dry_run=diff)
    except InputError as exc:
        fail_input(str(exc))
    if diff:
        sys.stdout.write(report.diff)
    marks = {
        Outcome.FIXED: "fixed",
        Outcome.UNCHANGED: "ok",
        Outcome.SKIPPED: "skipped",
        Outcome.FAILED: "FAILED",
    }
    stream_err = diff  # keep stdout a clean diff in --diff mode
    for note in report.notes:
        if note.outcome is Outcome.UNCHANGED:
            continue
        where = f"{note.path}:{note.line}" if note.line else note.path
        typer.echo(
            f"{marks[note.outcome]:>7}  {where}: {note.rule_id} {note.message}", err=stream_err
        )
    for failed_path, reason in report.write_failures:
        typer.echo(f" FAILED  {failed_path}: not written: {reason}", err=True)
    if not diff:
        typer.echo(f"caulk fix: {len(report.written)} file(s) changed", err=stream_err)
    if report.failed:
        raise typer.Exit(EXIT_FINDINGS)


class InspectFormat(enum.Enum):
    TEXT = "text"
    JSON = "json"


@app.command()
def inspect(
    image: Annotated[
        str,
        typer.Argument(
            help="oci:DIR[:TAG], docker-archive:FILE, oci-archive:FILE[:TAG] or a registry "
            "reference [REGISTRY/]NAME[:TAG|@DIGEST]."
        ),
    ],
    platform: PlatformOption = None,
    output_format: Annotated[
        InspectFormat,
        typer.Option(
            "--format", "-f", help="text, or json (docs/inspect.md).", case_sensitive=False
        ),
    ] = InspectFormat.TEXT,
    output: OutputOption = None,
    show_env_values: Annotated[
        bool, typer.Option("--show-env-values", help="Print ENV values (hidden by default).")
    ] = False,
    registry_mirror: MirrorOption = None,
    insecure_registry: InsecureOption = None,
    offline: OfflineCacheOption = False,
) -> None:
    """Print an image's facts: config, layers, sizes, base-image hints, attestations."""
    from caulk.errors import InputError
    from caulk.image.facts import render_json, render_text
    from caulk.image.open import open_image
    from caulk.registry.options import RegistryOptions

    try:
        options = RegistryOptions.from_cli(
            mirrors=registry_mirror, insecure=insecure_registry, offline=offline
        )
        with open_image(image, platform=platform, registry_options=options) as opened:
            facts = opened.facts
    except InputError as exc:
        fail_input(str(exc))
    render = render_json if output_format is InspectFormat.JSON else render_text
    write_output(render(facts, show_env_values=show_env_values), output)


class SbomFormat(enum.Enum):
    CYCLONEDX_JSON = "cyclonedx-json"
    SPDX_JSON = "spdx-json"
    TABLE = "table"


@app.command()
def sbom(
    image: Annotated[
        str,
        typer.Argument(
            help="oci:DIR[:TAG], docker-archive:FILE, oci-archive:FILE[:TAG], a registry "
            "reference [REGISTRY/]NAME[:TAG|@DIGEST], or dir:PATH (an unpacked root filesystem)."
        ),
    ],
    output_format: Annotated[
        SbomFormat,
        typer.Option(
            "--format",
            "-f",
            help="cyclonedx-json (1.6), spdx-json (2.3) or table.",
            case_sensitive=False,
        ),
    ] = SbomFormat.CYCLONEDX_JSON,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the SBOM to FILE.")
    ] = None,
    platform: PlatformOption = None,
    timestamp: Annotated[
        bool,
        typer.Option(
            "--timestamp", help="Record the current time (default: none, or SOURCE_DATE_EPOCH)."
        ),
    ] = False,
    registry_mirror: MirrorOption = None,
    insecure_registry: InsecureOption = None,
    offline: OfflineCacheOption = False,
) -> None:
    """List every package in an image as an SBOM (docs/sbom.md)."""
    from caulk.entry import SbomCommand

    command = SbomCommand(image)
    command.output_format = output_format.value
    command.output = output
    command.platform = platform
    command.timestamp = timestamp
    command.registry_mirror = registry_mirror
    command.insecure_registry = insecure_registry
    command.offline = offline
    code = command.run()  # the same run, errors and warnings as the fast path's
    if code:
        raise typer.Exit(code)


def _render_audit(result: object, fmt: AuditFormat) -> str:
    from caulk.results import AuditResult

    assert isinstance(result, AuditResult)
    if fmt is AuditFormat.JSON:
        from caulk.render import json as render_json

        return render_json.render_audit(result)
    if fmt is AuditFormat.SARIF:
        from caulk.render import sarif

        return sarif.render_audit(result)
    if fmt is AuditFormat.MARKDOWN:
        from caulk.render import markdown

        return markdown.render_audit(result)
    from caulk.render import text

    return text.render_audit(result)


def _color_wanted() -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", help="Print caulk's version and exit.", is_eager=True)
    ] = False,
) -> None:
    if version:
        from caulk import __version__

        typer.echo(f"caulk {__version__}")
        raise typer.Exit(EXIT_OK)
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(EXIT_OK)


app.add_typer(__import__("caulk.cli_db", fromlist=["db_app"]).db_app, name="db")
__import__("caulk.cli_scan", fromlist=["register"]).register(app)


def _verb_command(argv: list[str]) -> tuple[str, object] | None:
    """The click command of the verb ``argv`` starts with, built alone.

    Building only that verb's command, not the whole app, keeps typer from inspecting every
    other verb's signature at start-up (``caulk audit`` must start fast).
    """
    if not argv or argv[0].startswith("-"):
        return None
    verb = argv[0]
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else "")
        if name == verb:
            single = typer.Typer(
                add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None
            )
            single.registered_commands.append(info)
            return verb, typer.main.get_command(single)
    for group in app.registered_groups:
        if group.name == verb and group.typer_instance is not None:
            return verb, typer.main.get_command(group.typer_instance)
    return None


def main() -> None:
    """Console entry point."""
    try:
        found = _verb_command(sys.argv[1:])
        if found is None:
            app()
        else:
            verb, command = found
            assert callable(command)
            command(args=sys.argv[2:], prog_name=f"caulk {verb}")
    except KeyboardInterrupt:
        typer.echo("caulk: interrupted", err=True)
        sys.exit(130)
