"""The ``caulk`` console script: a start-up fast path for ``caulk sbom``, typer for the rest.

Why a second parser: ``caulk sbom`` of a small image has to finish in about 0.1 s (issue #4:
at most 0.7x trivy's time), and importing typer and click alone takes 0.06-0.09 s here
(``benchmarks/bench_sbom.py`` prints it as the start-up floor). So a *well-formed* ``caulk
sbom`` command line is parsed here, against :data:`SBOM_OPTIONS`, and run without importing
typer. The table mirrors the typer command's options; ``tests/test_entry.py`` checks them
against each other option by option, and checks that both parsers give the same values for
the same command lines, so they cannot drift apart.

This parser never reports a usage error itself. Anything it does not fully understand
(``--help``, an unknown or misspelt option, a missing or extra argument, a ``--format`` that
is not one of the choices, clustered or attached short options, ``--``) goes to typer, which
parses the command line again and prints its usual help or usage error.
"""

from __future__ import annotations

import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~8 ms to import, and every caulk run imports this module
    from typing import NoReturn

SBOM_OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("output_format", "choice"),
    "-f": ("output_format", "choice"),
    "--output": ("output", "path"),
    "-o": ("output", "path"),
    "--platform": ("platform", "text"),
    "--timestamp": ("timestamp", "flag"),
    "--registry-mirror": ("registry_mirror", "repeated"),
    "--insecure-registry": ("insecure_registry", "repeated"),
    "--offline": ("offline", "flag"),
}
"""Option -> (parameter of :func:`caulk.cli_sbom.run_sbom`, kind)."""

EXIT_FINDINGS = 1
EXIT_INPUT = 2
EXIT_INTERRUPTED = 130


class SbomCommand:
    """The parsed parameters of ``caulk sbom``, named as :func:`caulk.cli_sbom.run_sbom`'s."""

    def __init__(self, image: str) -> None:
        from caulk.cli_sbom import SBOM_FORMATS

        self.image = image
        self.output_format = SBOM_FORMATS[0]
        self.output: Path | None = None
        self.platform: str | None = None
        self.timestamp = False
        self.registry_mirror: list[str] | None = None
        self.insecure_registry: list[str] | None = None
        self.offline = False

    def run(self) -> int:
        """Exit code: 0, or 2 with one ``caulk: error:`` line on stderr."""
        from caulk.cli_sbom import run_sbom
        from caulk.errors import InputError

        try:
            warnings = run_sbom(
                self.image,
                output_format=self.output_format,
                output=self.output,
                platform=self.platform,
                timestamp=self.timestamp,
                registry_mirror=self.registry_mirror,
                insecure_registry=self.insecure_registry,
                offline=self.offline,
            )
        except InputError as exc:
            sys.stderr.write(f"caulk: error: {exc}\n")
            return EXIT_INPUT
        for warning in warnings:
            sys.stderr.write(f"caulk: warning: {warning}\n")
        return 0


def parse_sbom(args: list[str]) -> SbomCommand | None:
    """``caulk sbom ARGS`` parsed, or None if typer should parse it instead."""
    from caulk.cli_sbom import SBOM_FORMATS

    command = SbomCommand("")
    image: str | None = None
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if not arg.startswith("-") or arg == "-":
            if image is not None:
                return None  # an extra argument: typer's usage error
            image = arg
            continue
        name, equals, attached = arg.partition("=")
        if equals and not name.startswith("--"):
            return None  # "-f=table": leave click's reading of it to click
        known = SBOM_OPTIONS.get(name)
        if known is None:
            return None
        param, kind = known
        if kind == "flag":
            if equals:
                return None
            setattr(command, param, True)
            continue
        if equals:
            value = attached
        elif index < len(args):
            value = args[index]
            index += 1
        else:
            return None  # "--output" with no value
        if kind == "choice":
            value = value.lower()
            if value not in SBOM_FORMATS:
                return None
            setattr(command, param, value)
        elif kind == "path":
            setattr(command, param, Path(value))
        elif kind == "repeated":
            setattr(command, param, [*(getattr(command, param) or ()), value])
        else:
            setattr(command, param, value)
    if image is None:
        return None
    command.image = image
    return command


def _run_and_exit(command: SbomCommand) -> NoReturn:
    """Run a parsed ``caulk sbom`` as a short-lived process and leave without tear-down.

    At the end the output is already on disk (written atomically) or flushed, and the layer
    threads are joined, so the interpreter's tear-down (freeing every module, object and class
    one by one: 0.025 s of 0.125 s for importing what ``caulk sbom`` loads, measured with
    hyperfine) is skipped with ``os._exit``.
    """
    import os

    try:
        code = command.run()
        sys.stdout.flush()
    except KeyboardInterrupt:
        sys.stderr.write("caulk: interrupted\n")
        code = EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader of stdout went away (| head): as click does, exit 1
        code = EXIT_FINDINGS
    else:
        sys.stderr.flush()
    os._exit(code)


def main() -> None:
    """Console entry point (a ``caulk sbom`` run ends the process: call it only as one)."""
    argv = sys.argv[1:]
    if argv[:1] == ["sbom"]:
        command = parse_sbom(argv[1:])
        if command is not None:
            _run_and_exit(command)
    from caulk.cli import main as typer_main

    typer_main()
