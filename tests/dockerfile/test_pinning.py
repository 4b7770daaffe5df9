"""Scorecard's Pinned-Dependencies FROM vectors, reproduced (reference §2.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.pinning_model import CollectorError, DependencyType
from caulk.dockerfile.pinning import dockerfile_dependencies
from caulk.repo.checkout import Repository

DIGEST = "a" * 64


def deps(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, bool, int]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    found = dockerfile_dependencies(Repository(tmp_path))
    return [
        (d.name, d.pinned, d.location.line)
        for d in found
        if d.type is DependencyType.CONTAINER_IMAGE
    ]


def test_stage_references_count_and_inherit_pinned_state(tmp_path: Path) -> None:
    text = f"FROM python:3.13 AS a\nFROM a AS b\nFROM golang@sha256:{DIGEST} AS c\nFROM c\n"
    assert deps(tmp_path, {"Dockerfile": text}) == [
        ("python:3.13", False, 1),
        ("a", False, 2),
        (f"golang@sha256:{DIGEST}", True, 3),
        ("c", True, 4),
    ]


def test_scratch_is_not_a_dependency_and_its_alias_is_pinned(tmp_path: Path) -> None:
    assert deps(tmp_path, {"Dockerfile": "FROM scratch AS s\nFROM s\n"}) == [("s", True, 2)]


def test_digest_from_an_arg_counts_as_pinned_but_upper_case_hex_does_not(tmp_path: Path) -> None:
    text = f"ARG DIGEST\nFROM alpine@sha256:${{DIGEST}}\nFROM alpine@sha256:{'A' * 64}\n"
    assert deps(tmp_path, {"Dockerfile": text}) == [
        ("alpine@sha256:${DIGEST}", True, 2),
        (f"alpine@sha256:{'A' * 64}", False, 3),
    ]


def test_only_braced_args_are_substituted(tmp_path: Path) -> None:
    text = f"ARG IMG=alpine@sha256:{DIGEST}\nFROM ${{IMG}}\nFROM $IMG\n"
    assert deps(tmp_path, {"Dockerfile": text}) == [
        (f"alpine@sha256:{DIGEST}", True, 2),
        ("$IMG", False, 3),
    ]


def test_lower_case_from_is_ignored(tmp_path: Path) -> None:
    assert deps(tmp_path, {"Dockerfile": "from alpine:3\nFROM debian:12\n"}) == [
        ("debian:12", False, 2)
    ]


def test_platform_flag_is_ignored(tmp_path: Path) -> None:
    assert deps(tmp_path, {"Dockerfile": "FROM --platform=linux/amd64 alpine:3\n"}) == [
        ("alpine:3", False, 1)
    ]


def test_file_selection(tmp_path: Path) -> None:
    files = {
        "Containerfile": "FROM alpine:1\n",
        "build/Dockerfile.prod": "FROM alpine:2\n",
        "vendor/x/Dockerfile": "FROM alpine:3\n",
        "third_party/Dockerfile": "FROM alpine:4\n",
        "testdata/Dockerfile": "FROM alpine:5\n",
        "Dockerfile.tmpl": "FROM alpine:6\n",
        "docs/dockerfile-notes.py": "FROM alpine:7\n",
        "comments.Dockerfile": "# FROM alpine:8\n",
        "run.dockerfile": "#!/bin/bash\nFROM alpine:9\n",
        "app.Dockerfile": "FROM alpine:10\n",
    }
    assert sorted(d[0] for d in deps(tmp_path, files)) == ["alpine:10", "alpine:2"]


def test_bad_from_word_count_fails_the_whole_check(tmp_path: Path) -> None:
    with pytest.raises(CollectorError):
        deps(tmp_path, {"Dockerfile": "FROM a b\n"})


def test_parser_error_fails_the_whole_check(tmp_path: Path) -> None:
    with pytest.raises(CollectorError) as info:
        deps(tmp_path, {"Dockerfile": "FROM alpine:3\nRUN <<EOF\necho\n"})
    assert "unterminated heredoc" in str(info.value)


def test_empty_exec_run_fails_the_whole_check(tmp_path: Path) -> None:
    with pytest.raises(CollectorError):
        deps(tmp_path, {"Dockerfile": "FROM alpine:3\nRUN []\n"})


def test_unknown_instruction_does_not_fail_scorecard(tmp_path: Path) -> None:
    # BuildKit's parser accepts unknown instructions; only the build rejects them.
    assert deps(tmp_path, {"Dockerfile": "FROM alpine:3\nFOO bar\n"}) == [("alpine:3", False, 1)]


def run_deps(tmp_path: Path, text: str, name: str = "Dockerfile") -> list[tuple[str, int]]:
    (tmp_path / name).write_text(text)
    return [
        (d.type.value, d.location.line)
        for d in dockerfile_dependencies(Repository(tmp_path))
        if d.type is not DependencyType.CONTAINER_IMAGE and d.counted
    ]


def test_run_bodies_go_to_the_shell_analyzer(tmp_path: Path) -> None:
    text = (
        f"FROM alpine@sha256:{DIGEST}\n"
        "RUN curl -fsSL https://example.com/install.sh | bash\n"
        "run curl -fsSL https://example.com/ignored.sh | bash\n"
        "RUN <<EOF\n"
        "set -e\n"
        "wget -qO- https://example.com/x.sh | sh\n"
        "EOF\n"
    )
    assert run_deps(tmp_path, text) == [("downloadThenRun", 2), ("downloadThenRun", 6)]


def test_taint_is_shared_across_runs_of_one_file(tmp_path: Path) -> None:
    text = (
        f"FROM alpine@sha256:{DIGEST}\nRUN wget https://example.com/setup.sh\nRUN bash setup.sh\n"
    )
    assert run_deps(tmp_path, text) == [("downloadThenRun", 3)]


def test_templates_are_scanned_for_run_but_not_for_from(tmp_path: Path) -> None:
    text = "FROM alpine:3\nRUN curl -fsSL https://example.com/i.sh | sh\n"
    (tmp_path / "Dockerfile.template").write_text(text)
    found = dockerfile_dependencies(Repository(tmp_path))
    assert [d.type for d in found] == [DependencyType.DOWNLOAD_THEN_RUN]
