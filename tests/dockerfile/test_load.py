"""Which files are Dockerfiles, and bad input surfacing as problems (never exceptions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.dockerfile.load import dockerfiles, is_dockerfile_path
from caulk.repo.checkout import Repository


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("Dockerfile", True),
        ("dockerfile", True),
        ("docker/app.Dockerfile", True),
        ("Dockerfile.prod", True),
        ("Containerfile", True),
        ("build/base.containerfile", True),
        ("Dockerfile.template", False),
        ("Dockerfile.j2", False),
        ("Dockerfile.dockerignore", False),
        ("Dockerfile.md", False),
        ("docs/dockerfiles.txt", False),
        ("MyDockerfileHelper.py", False),
    ],
)
def test_dockerfile_names(path: str, expected: bool) -> None:
    assert is_dockerfile_path(path) is expected


def test_loader_is_memoized_and_records_parse_errors(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3\nRUN <<EOF\n")
    repo = Repository(tmp_path)
    first = dockerfiles(repo)
    assert dockerfiles(repo) is first
    assert [(p.path, p.line, p.message) for p in repo.problems] == [
        ("Dockerfile", 2, "Dockerfile: unterminated heredoc <<EOF")
    ]


def test_binary_dockerfile_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_bytes(b"FROM alpine\x00\x01\x02")
    repo = Repository(tmp_path)
    assert dockerfiles(repo) == []
    assert "binary" in repo.problems[0].message


def test_fifty_megabyte_dockerfile_is_a_problem(tmp_path: Path) -> None:
    with (tmp_path / "Dockerfile").open("w") as fh:
        line = "RUN echo " + "x" * 1000 + "\n"
        fh.write("FROM alpine:3\n")
        for _ in range(50 * 1024):
            fh.write(line)
    repo = Repository(tmp_path)
    assert dockerfiles(repo) == []
    assert repo.problems[0].path == "Dockerfile"
    assert "larger than" in repo.problems[0].message
