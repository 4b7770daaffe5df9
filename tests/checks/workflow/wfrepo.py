"""A tmp_path repository holding workflow files (test helper)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

from caulk.repo.checkout import Repository


def repo_with(tmp_path: Path, files: dict[str, str]) -> Repository:
    """Write ``files`` (dedented) under ``tmp_path`` and open it as a repository."""
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return Repository(tmp_path)


def workflow_repo(tmp_path: Path, *texts: str) -> Repository:
    """Workflows ``.github/workflows/w1.yml``, ``w2.yml``… from ``texts``."""
    return repo_with(
        tmp_path, {f".github/workflows/w{i}.yml": text for i, text in enumerate(texts, 1)}
    )
