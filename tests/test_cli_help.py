"""Every verb's --help renders (help text is plain, never parsed as markup)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from caulk.cli import app

VERBS = [
    ["--help"],
    ["audit", "--help"],
    ["fix", "--help"],
    ["inspect", "--help"],
    ["sbom", "--help"],
    ["scan", "--help"],
    ["compare", "--help"],
    ["db", "--help"],
    ["db", "import", "--help"],
    ["db", "update", "--help"],
    ["db", "status", "--help"],
]


@pytest.mark.parametrize("args", VERBS, ids=[" ".join(a) for a in VERBS])
def test_help_renders(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
