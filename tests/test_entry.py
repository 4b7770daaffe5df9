"""The console script's fast path for ``caulk sbom`` (caulk/entry.py) against the typer command.

The fast path exists only for start-up time, so it must be indistinguishable from typer's
``caulk sbom``: the same options, the same values for the same command line, the same output
and exit codes, and typer's own usage errors for anything it does not understand.
"""

from __future__ import annotations

import enum
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from typer.testing import CliRunner

from caulk import cli
from caulk.cli_sbom import SBOM_FORMATS
from caulk.entry import SBOM_OPTIONS, SbomCommand, parse_sbom
from tests.image.synthetic import Member, make_tar, oci_image

PROJECT = Path(__file__).resolve().parent.parent


def sbom_command() -> click.Command:
    found = cli._verb_command(["sbom"])
    assert found is not None
    command = found[1]
    assert isinstance(command, click.Command)
    return command


def test_the_option_table_is_the_typer_commands() -> None:
    command = sbom_command()
    options = [p for p in command.params if isinstance(p, click.Option)]
    arguments = [p for p in command.params if isinstance(p, click.Argument)]
    assert [a.name for a in arguments] == ["image"]
    table: dict[str, tuple[str, str]] = {}
    defaults = vars(SbomCommand(""))
    for option in options:
        assert option.name is not None
        if option.is_flag:
            kind = "flag"
        elif option.multiple:
            kind = "repeated"
        elif isinstance(option.type, click.Choice):
            kind = "choice"
            assert tuple(option.type.choices) == SBOM_FORMATS
        elif isinstance(option.type, click.Path):
            kind = "path"
        else:
            kind = "text"
        for flag in (*option.opts, *option.secondary_opts):
            table[flag] = (option.name, kind)
        default = option.default
        if isinstance(default, enum.Enum):
            default = default.value
        assert defaults[option.name] == default, option.name
    assert table == SBOM_OPTIONS
    assert tuple(f.value for f in cli.SbomFormat) == SBOM_FORMATS


def typer_params(args: list[str]) -> dict[str, Any] | None:
    """What typer's parser makes of ``caulk sbom ARGS`` (None: a usage error)."""
    try:
        with sbom_command().make_context("sbom", list(args)) as ctx:
            params = dict(ctx.params)
    except click.exceptions.Exit:
        return None  # --help
    except click.UsageError:
        return None
    for key, value in params.items():
        if isinstance(value, enum.Enum):
            params[key] = value.value
        elif isinstance(value, tuple):
            params[key] = list(value) or None
    if params["output"] is not None:  # typer's callback wrapper makes the Path
        params["output"] = Path(params["output"])
    return params


COMMAND_LINES = [
    ["oci:img"],
    ["oci:img", "-f", "table"],
    ["-f", "spdx-json", "oci:img"],
    ["oci:img", "--format=SPDX-JSON"],
    ["oci:img", "--format", "Table", "--format", "cyclonedx-json"],
    ["oci:img", "-o", "out.json"],
    ["oci:img", "--output=out dir/sbom.json", "--timestamp"],
    ["oci:img", "--output", "-"],
    ["oci:img", "--output", "--timestamp"],  # a value that looks like an option is the value
    ["oci:img", "-o", "-f"],
    ["oci:img", "--output="],
    ["oci:img", "--platform", "linux/arm64/v8", "--offline"],
    ["reg.example/app:1", "--registry-mirror", "docker.io=m:5000", "--registry-mirror=ghcr.io=g"],
    ["127.0.0.1:5000/app", "--insecure-registry", "127.0.0.1:5000"],
    ["-"],
]
LEFT_TO_TYPER = [
    [],
    ["--help"],
    ["oci:img", "--help"],
    ["oci:img", "other"],
    ["oci:img", "--format", "xml"],
    ["oci:img", "--format"],
    ["oci:img", "--formt", "table"],
    ["oci:img", "-ftable"],
    ["oci:img", "-f=table"],
    ["oci:img", "--offline=yes"],
    ["--", "oci:img"],
    ["oci:img", "-To"],
]


@pytest.mark.parametrize("args", COMMAND_LINES, ids=" ".join)
def test_both_parsers_read_a_command_line_alike(args: list[str]) -> None:
    fast = parse_sbom(args)
    assert fast is not None
    assert vars(fast) == typer_params(args)


@pytest.mark.parametrize("args", LEFT_TO_TYPER, ids=" ".join)
def test_what_the_fast_parser_does_not_understand_goes_to_typer(args: list[str]) -> None:
    assert parse_sbom(args) is None


class Run:
    """A finished ``caulk`` process: exit code, output, and whether it imported typer."""

    def __init__(self, done: subprocess.CompletedProcess[str]) -> None:
        self.returncode = done.returncode
        self.stdout = done.stdout
        lines = done.stderr.splitlines(keepends=True)
        imported = [line for line in lines if line.startswith("import time:")]
        self.stderr = "".join(line for line in lines if not line.startswith("import time:"))
        self.imported = [line.split("|")[-1].strip() for line in imported]
        self.typer_imported = "typer" in self.imported


def run_caulk(*args: str) -> Run:
    """``caulk ARGS`` as the console script runs it (``-X importtime`` tells what it loaded)."""
    script = "import sys; from caulk.entry import main; sys.argv[0] = 'caulk'; sys.exit(main())"
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "src"))
    return Run(
        subprocess.run(
            [sys.executable, "-X", "importtime", "-c", script, *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
    )


@pytest.fixture
def small_image(tmp_path: Path) -> str:
    status = (
        b"Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\n"
        b"Architecture: amd64\nSource: zlib\n\n"
    )
    os_release = b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian GNU/Linux 12"\n'
    layer = make_tar(
        [
            Member("var/lib/dpkg/status", status),
            Member("etc/os-release", os_release),
        ]
    )
    return oci_image(tmp_path / "image", [layer])


def test_the_fast_path_writes_what_typer_writes(small_image: str, tmp_path: Path) -> None:
    for fmt in SBOM_FORMATS:
        fast_out = tmp_path / f"fast.{fmt}"
        fast = run_caulk("sbom", small_image, "--format", fmt, "-o", str(fast_out))
        assert fast.returncode == 0, fast.stderr
        assert fast.stderr == ""
        assert not fast.typer_imported
        typer_out = tmp_path / f"typer.{fmt}"
        result = CliRunner().invoke(cli.app, ["sbom", small_image, "-f", fmt, "-o", str(typer_out)])
        assert result.exit_code == 0, result.output
        assert fast_out.read_text() == typer_out.read_text()
        assert "zlib1g" in fast_out.read_text()


def test_the_fast_path_reports_bad_input_on_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.tar"
    done = run_caulk("sbom", f"docker-archive:{missing}", "-o", str(tmp_path / "out.json"))
    assert done.returncode == 2
    assert done.stderr == f"caulk: error: {missing}: no such file\n"
    assert not done.typer_imported
    assert done.stdout == ""
    assert not (tmp_path / "out.json").exists()


def test_an_unwritable_output_is_one_clear_error(small_image: str, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "sbom.json"
    done = run_caulk("sbom", small_image, "-o", str(target))
    assert done.returncode == 2
    assert done.stderr.startswith(f"caulk: error: {target}: cannot write:")


def test_a_usage_error_is_typers(small_image: str) -> None:
    done = run_caulk("sbom", small_image, "--format", "xml")
    assert done.returncode == 2
    assert "Invalid value for '--format' / '-f'" in done.stderr
    assert done.typer_imported
    helped = run_caulk("sbom", "--help")
    assert helped.returncode == 0
    assert "--registry-mirror" in helped.stdout


def test_other_verbs_go_to_typer() -> None:
    done = run_caulk("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("caulk ")
    assert done.typer_imported


def test_a_reader_that_goes_away_is_not_a_traceback(small_image: str) -> None:
    script = "import sys; from caulk.entry import main; sys.argv[0] = 'caulk'; sys.exit(main())"
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "src"))
    read_end, write_end = os.pipe()
    os.close(read_end)  # nobody will read what caulk writes
    with os.fdopen(write_end, "wb") as stdout:
        done = subprocess.run(
            [sys.executable, "-c", script, "sbom", small_image],
            stdout=stdout,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr == ""


# What the start-up of `caulk sbom` must not load (each costs milliseconds; docs/sbom.md). A
# structural check rather than a timing: benchmarks/bench_sbom.py measures the time.
NOT_ON_THE_SBOM_PATH = (
    "typer",
    "click",
    "rich",
    "httpx",
    "dataclasses",
    "inspect",
    "tempfile",
    "uuid",
    "subprocess",
    "caulk.cli",
    "caulk.findings",
    "caulk.image.model",
    "caulk.repo",
)


def test_caulk_sbom_loads_nothing_it_does_not_need(small_image: str, tmp_path: Path) -> None:
    done = run_caulk("sbom", small_image, "--format", "cyclonedx-json", "-o", str(tmp_path / "o"))
    assert done.returncode == 0, done.stderr
    assert not set(done.imported) & set(NOT_ON_THE_SBOM_PATH)
