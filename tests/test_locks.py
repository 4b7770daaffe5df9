"""The hash-pinned locks cover every dependency pyproject.toml declares."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")
        for r in requirements
    }


def _locked(path: Path) -> set[str]:
    names = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==", line)
        if match:
            names.add(match.group(1).lower().replace("_", "-").replace(".", "-"))
    return names


PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("runtime.txt", ["fast"]), ("dev.txt", ["dev", "peers"])],
)
def test_lock_has_every_declared_dependency_with_hashes(lock: str, extras: list[str]) -> None:
    path = ROOT / "requirements" / lock
    wanted = _names(PROJECT["dependencies"])
    for extra in extras:
        wanted |= _names(PROJECT["optional-dependencies"][extra])
    missing = wanted - _locked(path)
    assert not missing, f"requirements/{lock} lacks {sorted(missing)}: regenerate it"
    text = path.read_text(encoding="utf-8")
    assert text.count("==") <= text.count("--hash=sha256:")
