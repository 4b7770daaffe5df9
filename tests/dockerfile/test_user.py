"""Effective user of the final stage: USER, inheritance, and well-known non-root bases."""

from __future__ import annotations

import pytest

from caulk.dockerfile.images import base_default_user, parse_image
from caulk.dockerfile.parser import parse_dockerfile
from caulk.dockerfile.user import EffectiveUser, effective_user


def verdict(text: str) -> EffectiveUser:
    result = effective_user(parse_dockerfile(text))
    assert result is not None
    return result


@pytest.mark.parametrize(
    ("user", "root"),
    [
        ("root", True),
        ("0", True),
        ("0:0", True),
        ("root:root", True),
        ("app", False),
        ("1000:1000", False),
        ("nobody", False),
    ],
)
def test_user_values(user: str, root: bool) -> None:
    assert verdict(f"FROM debian:12\nUSER {user}\n").is_root is root


def test_last_user_wins() -> None:
    v = verdict("FROM debian:12\nUSER app\nRUN id\nUSER root\n")
    assert v.is_root and v.instruction is not None and v.instruction.line == 4


def test_user_resolved_from_stage_arg_and_env() -> None:
    assert verdict("FROM debian:12\nARG UID=10001\nUSER ${UID}\n").user == "10001"
    assert verdict("FROM debian:12\nENV RUNAS=root\nUSER $RUNAS\n").is_root is True


def test_unresolvable_user_is_unknown() -> None:
    v = verdict("FROM debian:12\nARG RUNAS\nUSER $RUNAS\n")
    assert v.is_root is None


def test_stage_inherits_user_of_the_stage_it_is_built_from() -> None:
    v = verdict("FROM debian:12 AS base\nUSER app\nFROM base\nRUN id\n")
    assert v.is_root is False and v.stage.index == 0


def test_multi_stage_root_builder_does_not_matter() -> None:
    v = verdict("FROM golang:1.23 AS build\nUSER root\nFROM gcr.io/distroless/static:nonroot\n")
    assert v.is_root is False and v.source == "base-image"


@pytest.mark.parametrize(
    "base",
    [
        "dhi.io/python:3.13",
        "dhi.io/node:22-alpine3.21",
        "myorg/dhi-python:3.13-debian13",
        "gcr.io/distroless/static-debian12:nonroot",
        "gcr.io/distroless/java21-debian12:debug-nonroot",
        "cgr.dev/chainguard/static:latest",
        "cgr.dev/chainguard/python",
    ],
)
def test_well_known_non_root_bases_without_user(base: str) -> None:
    v = verdict(f"FROM {base}\nCOPY app /app\n")
    assert v.is_root is False
    assert not v.depends_on_base


@pytest.mark.parametrize(
    "base",
    [
        "scratch",
        "dhi.io/python:3.13-dev",
        "gcr.io/distroless/static-debian12",
        "gcr.io/distroless/base:debug",
        "cgr.dev/chainguard/wolfi-base",
    ],
)
def test_known_root_bases(base: str) -> None:
    v = verdict(f"FROM {base}\n")
    assert v.is_root is True and not v.depends_on_base


def test_unknown_base_depends_on_the_base() -> None:
    v = verdict("FROM python:3.13-slim\n")
    assert v.is_root is True and v.depends_on_base
    assert "unless base image python:3.13-slim sets a non-root user" in v.explanation


def test_unresolvable_base_depends_on_the_base() -> None:
    v = verdict("ARG BASE\nFROM $BASE\n")
    assert v.is_root is True and v.depends_on_base and v.source == "unresolved-base"


def test_digest_only_hardened_image_is_undecided() -> None:
    assert base_default_user("dhi.io/python@sha256:" + "a" * 64).kind == "unknown"


def test_parse_image() -> None:
    ref = parse_image("localhost:5000/team/app:1.2@sha256:" + "b" * 64)
    assert (ref.registry, ref.repository, ref.tag, ref.pinned) == (
        "localhost:5000",
        "team/app",
        "1.2",
        True,
    )
    hub = parse_image("docker.io/library/python:3")
    assert (hub.registry, hub.repository, hub.tag) == (None, "python", "3")
    assert not parse_image("alpine@sha256:" + "A" * 64).pinned
