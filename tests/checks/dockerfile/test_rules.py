"""The Dockerfile rules: each with a failing and a passing fixture, at exact locations."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.dockerfile.catalog import ALL_RULES
from caulk.checks.dockerfile.rules import dockerfile_rules
from caulk.checks.registry import REGISTRY
from caulk.findings import Finding, Severity
from caulk.repo.checkout import Repository

DIGEST = "0" * 64
PINNED = f"debian:12@sha256:{DIGEST}"
LABELS = (
    "LABEL org.opencontainers.image.source=https://github.com/o/r "
    "org.opencontainers.image.licenses=MIT org.opencontainers.image.description=x "
    "org.opencontainers.image.revision=abc org.opencontainers.image.created=now\n"
)


DL3042_TRUTHY = ("1", "on", "yes", "true")
DL3042_FALSY = ("0", "off", "no", "false")


def run(tmp_path: Path, text: str, name: str = "Dockerfile", **extra: str) -> list[Finding]:
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(text)
    for rel, content in extra.items():
        path = tmp_path / rel.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return list(dockerfile_rules(Repository(tmp_path)))


def at(findings: list[Finding], rule: str) -> list[tuple[int, int]]:
    return [
        (f.location.line, f.location.column)
        for f in findings
        if f.rule_id == rule and f.location is not None
    ]


def clean(body: str, base: str = PINNED) -> str:
    """A Dockerfile that passes every rule except what ``body`` adds."""
    return f"FROM {base}\n{LABELS}{body}USER 10001\n"


def test_every_rule_is_registered_and_documented() -> None:
    doc = (Path(__file__).parents[3] / "docs" / "rules-dockerfile.md").read_text()
    for rule in ALL_RULES:
        assert REGISTRY.rules[rule.id] is rule
        assert f"\n## {rule.id.lower()}\n" in doc


def test_clean_dockerfile_has_no_findings(tmp_path: Path) -> None:
    assert run(tmp_path, clean("RUN echo hi\n")) == []


# CK1001 / DL3002 ---------------------------------------------------------------------------


def test_ck1001_no_user_on_unknown_base(tmp_path: Path) -> None:
    findings = run(tmp_path, f"FROM {PINNED}\n{LABELS}RUN echo hi\n")
    assert at(findings, "CK1001") == [(1, 1)]
    (finding,) = [f for f in findings if f.rule_id == "CK1001"]
    assert "unless base image" in finding.message
    assert finding.severity is Severity.HIGH


@pytest.mark.parametrize(
    "base",
    [
        f"dhi.io/python:3.13@sha256:{DIGEST}",
        f"gcr.io/distroless/static-debian12:nonroot@sha256:{DIGEST}",
        f"cgr.dev/chainguard/static:latest@sha256:{DIGEST}",
    ],
)
def test_ck1001_hardened_non_root_base_without_user_passes(tmp_path: Path, base: str) -> None:
    assert at(run(tmp_path, f"FROM {base}\n{LABELS}COPY app /app\n"), "CK1001") == []


def test_ck1001_known_root_base(tmp_path: Path) -> None:
    findings = run(tmp_path, f"FROM gcr.io/distroless/static:latest@sha256:{DIGEST}\n{LABELS}")
    (finding,) = [f for f in findings if f.rule_id == "CK1001"]
    assert "distroless images run as root" in finding.message


def test_ck1001_inherited_root_user_from_builder_stage(tmp_path: Path) -> None:
    text = f"FROM {PINNED} AS base\nUSER root\nFROM base\n{LABELS}"
    findings = run(tmp_path, text)
    assert at(findings, "CK1001") == [(3, 1)]
    assert at(findings, "DL3002") == [(2, 1)]


def test_dl3002_final_user_root_is_not_double_reported(tmp_path: Path) -> None:
    findings = run(tmp_path, f"FROM {PINNED}\n{LABELS}USER app\nUSER root\n")
    assert at(findings, "DL3002") == [(4, 1)]
    assert at(findings, "CK1001") == []


def test_dl3002_passes_when_switching_back(tmp_path: Path) -> None:
    assert at(run(tmp_path, clean("USER root\nRUN id\n")), "DL3002") == []


# base images ------------------------------------------------------------------------------


def test_dl3006_dl3007_ck1002(tmp_path: Path) -> None:
    text = clean("", base="ubuntu") + "FROM alpine:latest\nFROM alpine:latest@sha256:" + DIGEST
    findings = run(tmp_path, text + "\nUSER 1\n" + LABELS)
    assert at(findings, "DL3006") == [(1, 6)]
    assert at(findings, "DL3007") == [(4, 6)]
    assert at(findings, "CK1002") == [(1, 6), (4, 6)]


def test_ck1002_skips_scratch_stage_refs_and_unresolvable_args(tmp_path: Path) -> None:
    text = (
        "ARG BASE\nARG DIGEST\n"
        f"FROM {PINNED} AS build\nFROM build\nFROM scratch\nFROM $BASE\n"
        "FROM alpine@sha256:${DIGEST}\n"
    )
    assert at(run(tmp_path, text), "CK1002") == []


def test_ck1002_resolves_arg_defaults(tmp_path: Path) -> None:
    findings = run(tmp_path, "ARG BASE=python:3.13\nFROM ${BASE}\n")
    (finding,) = [f for f in findings if f.rule_id == "CK1002"]
    assert "python:3.13" in finding.message
    assert finding.check == "Pinned-Dependencies"


def test_ck1002_says_when_scorecard_does_not_see_it(tmp_path: Path) -> None:
    (container,) = [
        f for f in run(tmp_path, "FROM alpine:3\n", "Containerfile") if f.rule_id == "CK1002"
    ]
    assert "Scorecard does not see this file" in container.message
    (lower,) = [f for f in run(tmp_path / "b", "from alpine:3\n") if f.rule_id == "CK1002"]
    assert "non-upper-case `from`" in lower.message


# CK1003 ------------------------------------------------------------------------------------


def test_ck1003_lists_missing_labels_at_the_final_from(tmp_path: Path) -> None:
    text = f"FROM {PINNED}\nLABEL org.opencontainers.image.source=x\nUSER 1\n"
    (finding,) = [f for f in run(tmp_path, text) if f.rule_id == "CK1003"]
    assert finding.location is not None and finding.location.line == 1
    assert "licenses" in finding.message and ".source" not in finding.message


def test_ck1003_labels_from_metadata_action_count(tmp_path: Path) -> None:
    workflow = "jobs:\n  b:\n    steps:\n      - uses: docker/metadata-action@v5\n"
    findings = run(
        tmp_path, f"FROM {PINNED}\nUSER 1\n", **{".github__workflows__release.yml": workflow}
    )
    assert at(findings, "CK1003") == []


def test_ck1003_labels_passed_by_the_workflow_count(tmp_path: Path) -> None:
    workflow = (
        "jobs:\n  b:\n    steps:\n      - run: docker build --label "
        "org.opencontainers.image.revision=${{ github.sha }} "
        "--label org.opencontainers.image.created=now .\n"
    )
    text = (
        f"FROM {PINNED}\nLABEL org.opencontainers.image.source=x "
        "org.opencontainers.image.licenses=MIT org.opencontainers.image.description=d\n"
    )
    findings = run(tmp_path, text + "USER 1\n", **{".github__workflows__ci.yaml": workflow})
    assert at(findings, "CK1003") == []


# CK1004 ------------------------------------------------------------------------------------


def test_ck1004_build_tools_in_single_stage(tmp_path: Path) -> None:
    findings = run(tmp_path, clean("RUN apk add --no-cache gcc make curl\n"))
    (finding,) = [f for f in findings if f.rule_id == "CK1004"]
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (3, 5)
    assert "curl, gcc, make" in finding.message


def test_ck1004_passes_when_removed_or_multi_stage(tmp_path: Path) -> None:
    removed = clean(
        "RUN apk add --no-cache --virtual .build-deps gcc make && make && apk del .build-deps\n"
    )
    assert at(run(tmp_path, removed), "CK1004") == []
    multi = f"FROM {PINNED} AS build\nRUN apk add --no-cache gcc\n" + clean("")
    assert at(run(tmp_path / "m", multi), "CK1004") == []


# CK1005 ------------------------------------------------------------------------------------


def test_ck1005_download_then_extract_without_checksum(tmp_path: Path) -> None:
    body = "RUN curl -fsSLo /tmp/t.tgz https://example.com/t.tgz \\\n    && tar -xzf /tmp/t.tgz\n"
    findings = run(tmp_path, f"FROM {PINNED} AS b\n{body}" + clean(""))
    assert at(findings, "CK1005") == [(2, 5)]


def test_ck1005_passes_with_sha256sum(tmp_path: Path) -> None:
    body = (
        "RUN curl -fsSLo t.tgz https://example.com/t.tgz \\\n"
        '    && echo "abc  t.tgz" | sha256sum -c - && tar -xzf t.tgz\n'
    )
    assert at(run(tmp_path, f"FROM {PINNED} AS b\n{body}" + clean("")), "CK1005") == []


def test_ck1005_pipe_to_shell_in_heredoc(tmp_path: Path) -> None:
    body = "RUN <<EOF\nset -e\nwget -qO- https://x.example/install.sh | sh\nEOF\n"
    findings = run(tmp_path, f"FROM {PINNED} AS b\n{body}" + clean(""))
    assert at(findings, "CK1005") == [(4, 1)]


# CK1006 / DL3020 ---------------------------------------------------------------------------


def test_ck1006_and_dl3020(tmp_path: Path) -> None:
    body = (
        "ADD https://example.com/a.tgz /a\n"
        f"ADD --checksum=sha256:{DIGEST} https://example.com/b.tgz /b\n"
        "ADD https://github.com/o/r.git#v1 /src\n"
        f"ADD https://github.com/o/r.git#{'c' * 40} /src2\n"
        "ADD local.txt /c\n"
        "ADD rootfs.tar.gz /\n"
    )
    findings = run(tmp_path, clean(body))
    assert at(findings, "CK1006") == [(3, 5), (5, 5)]
    assert at(findings, "DL3020") == [(7, 1)]


# CK1007 ------------------------------------------------------------------------------------


def test_ck1007_secrets_in_arg_and_env(tmp_path: Path) -> None:
    body = (
        "ARG NPM_TOKEN\n"
        "ENV DB_PASSWORD=hunter2 SUNFLOWER=yes\n"
        "ENV GPG_KEY A035C8C19219BA821ECEA86B64E628F8D684696D\n"
        "ARG PUBLIC_KEY=x\n"
        "ENV API_TOKEN_FILE=/run/secrets/t\n"
    )
    findings = [f for f in run(tmp_path, clean(body)) if f.rule_id == "CK1007"]
    assert [(f.location.line, f.severity) for f in findings if f.location] == [
        (3, Severity.HIGH),
        (4, Severity.CRITICAL),
    ]
    assert findings[1].location is not None and findings[1].location.column == 5


# CK1008 ------------------------------------------------------------------------------------


def test_ck1008_parse_error_is_a_finding_and_a_problem(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(clean("RUN <<EOF\necho hi\n"))
    repo = Repository(tmp_path)
    findings = list(dockerfile_rules(repo))
    assert at(findings, "CK1008") == [(3, 1)]
    assert repo.problems[0].line == 3


# hadolint RUN hygiene ----------------------------------------------------------------------


def test_dl3015_dl3009(tmp_path: Path) -> None:
    body = (
        "RUN apt-get update && apt-get install -y curl\n"
        "RUN apt-get update && apt-get install -y --no-install-recommends curl "
        "&& rm -rf /var/lib/apt/lists/*\n"
        "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n"
    )
    findings = run(tmp_path, clean(body))
    assert at(findings, "DL3015") == [(3, 1)]
    assert at(findings, "DL3009") == [(3, 1)]


def test_dl3009_ignores_builder_stages_not_used_as_base(tmp_path: Path) -> None:
    text = f"FROM {PINNED} AS build\nRUN apt-get update\n" + clean("")
    assert at(run(tmp_path, text), "DL3009") == []


def test_dl3019(tmp_path: Path) -> None:
    body = (
        "RUN apk add curl\nRUN apk add --no-cache curl\n"
        "RUN --mount=type=cache,target=/var/cache/apk apk add curl\n"
    )
    assert at(run(tmp_path, clean(body)), "DL3019") == [(3, 1)]


# DL3042: hadolint's own spec (test/Hadolint/Rule/DL3042Spec.hs), each RUN also under ONBUILD.
DL3042_RUNS = [
    ("RUN pip2 install MySQL_python", True),
    ("RUN pip3 install MySQL_python", True),
    ("RUN pip install MySQL_python", True),
    ("RUN pip2 install MySQL_python --no-cache-dir", False),
    ("RUN pip3 install --no-cache-dir MySQL_python", False),
    ("RUN pip install MySQL_python --no-cache-dir", False),
    ("RUN pipx install software", False),
    ("RUN pipenv install library", False),
    *((f"RUN PIP_NO_CACHE_DIR={v} pip install MySQL_python", False) for v in DL3042_TRUTHY),
    *(
        (f"RUN export PIP_NO_CACHE_DIR={v} && pip install MySQL_python", False)
        for v in DL3042_TRUTHY
    ),
    *((f"RUN PIP_NO_CACHE_DIR={v} pip install MySQL_python", True) for v in DL3042_FALSY),
    *((f"RUN export PIP_NO_CACHE_DIR={v} && pip install MySQL_python", True) for v in DL3042_FALSY),
    ("RUN --mount=type=cache,target=/root/.cache/pip pip install foobar", False),
    ("RUN --mount=type=tmpfs,target=/root/.cache/pip pip install foobar", False),
    # Beyond hadolint's spec, checked against the hadolint binary:
    ("RUN python3 -m pip install x", True),
    ("RUN python3 -m pip --quiet install x", False),  # hadolint needs `-m pip install` adjacent
    ("RUN python -m pipx install x", False),
    ("RUN /usr/bin/pip install x", False),  # the command name is compared as written
    ("RUN pip3.11 install x", True),
    ("RUN pip install --no-cache-dir=1 x", True),  # only the bare flag counts
    ("RUN pip install x; pipenv install y", True),
    ("RUN python -m pip install x --no-cache-dir && python -m pip install y", True),
    ("RUN $(pip install x)", True),
    ('RUN ["pip", "install", "x"]', True),
    ("RUN pip download x", False),
    ("RUN sudo pip install x", False),  # hadolint sees `sudo`, not pip
    ("RUN --mount=type=bind,target=/root/.cache/pip pip install x", True),
    ("RUN pip install x # PIP_NO_CACHE_DIR=1", False),  # anywhere in the RUN's text
    ("RUN pip install x && echo PIP_NO_CACHE_DIR=10", False),  # a truthy prefix is enough
    ("RUN echo FOO_PIP_NO_CACHE_DIR=0 && PIP_NO_CACHE_DIR=1 pip install x", True),  # the first
]


@pytest.mark.parametrize("onbuild", ["", "ONBUILD "])
@pytest.mark.parametrize(("line", "reported"), DL3042_RUNS)
def test_dl3042_pip_install_without_no_cache_dir(
    tmp_path: Path, line: str, reported: bool, onbuild: str
) -> None:
    findings = run(tmp_path, f"FROM {PINNED}\n{onbuild}{line}\n")
    assert at(findings, "DL3042") == ([(2, 1)] if reported else [])


@pytest.mark.parametrize(
    ("env", "reported"),
    [
        *((f"ENV PIP_NO_CACHE_DIR={v}", False) for v in DL3042_TRUTHY),
        *((f"ENV PIP_NO_CACHE_DIR={v}", True) for v in DL3042_FALSY),
        ('ENV PIP_NO_CACHE_DIR="1"', False),
        ("ENV PIP_NO_CACHE_DIR 1", False),
        ("ENV PIP_NO_CACHE_DIR=truely", True),
        ("ENV PIP_NO_CACHE_DIR=0 PIP_NO_CACHE_DIR=1", True),  # the first pair decides
        ("ENV PIP_NO_CACHE_DIR=1\nENV PIP_NO_CACHE_DIR=0", False),  # a falsy ENV resets nothing
    ],
)
def test_dl3042_env_pip_no_cache_dir_before_the_run(
    tmp_path: Path, env: str, reported: bool
) -> None:
    text = f"FROM {PINNED}\n{env}\nRUN pip install MySQL_python\n"
    expected = [(text.count("\n"), 1)] if reported else []
    assert at(run(tmp_path, text), "DL3042") == expected


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # hadolint's spec: inherited from the stage it is built FROM, not from its image.
        (
            "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install six\n",
            [],
        ),
        (
            "FROM debian:buster as base\nENV PIP_NO_CACHE_DIR=1\nFROM debian:buster\n"
            "RUN pip install six\n",
            [4],
        ),
        # Stages without an alias are keyed by image name (tag and domain.tld/ registry
        # dropped), so a later FROM of the same image inherits too; aliases are case-sensitive.
        ("FROM a\nENV PIP_NO_CACHE_DIR=1\nFROM a:2 AS c\nRUN pip install x\n", []),
        ("FROM my.reg/py:1\nENV PIP_NO_CACHE_DIR=1\nFROM py:2\nRUN pip install x\n", []),
        ("FROM a AS B\nENV PIP_NO_CACHE_DIR=1\nFROM b\nRUN pip install x\n", [4]),
        (
            "FROM a\nENV PIP_NO_CACHE_DIR=on FOO=1\nRUN pip install six\nFROM a AS z\n"
            "RUN pip install six\nFROM z\nRUN pip install six\nFROM b\nRUN pip install six\n",
            [9],
        ),
        # ONBUILD instructions are followed on their own, across stages.
        (
            "FROM a\nONBUILD RUN pip install x\nONBUILD ENV PIP_NO_CACHE_DIR=1\n"
            "ONBUILD RUN pip install x\nFROM b\nONBUILD RUN pip install x\nRUN pip install y\n",
            [2, 7],
        ),
        ("FROM a\nENV PIP_NO_CACHE_DIR=1\nONBUILD RUN pip install x\nRUN pip install y\n", [3]),
        # A continuation is joined before PIP_NO_CACHE_DIR= is read; heredocs are scripts too.
        ("FROM a\nRUN PIP_NO_CACHE_DIR=\\\n1 pip install x\nRUN pip \\\n  install y\n", [4]),
        ("# syntax=docker/dockerfile:1\nFROM a\nRUN <<EOF\npip install x\nEOF\n", [3]),
    ],
)
def test_dl3042_follows_pip_no_cache_dir_through_stages(
    tmp_path: Path, text: str, lines: list[int]
) -> None:
    assert [line for line, _ in at(run(tmp_path, text), "DL3042")] == lines


def test_dl3003_dl3004(tmp_path: Path) -> None:
    body = "RUN cd /src && make\nRUN sudo make install\nONBUILD RUN sudo true\n"
    findings = run(tmp_path, clean(body))
    assert at(findings, "DL3003") == [(3, 1)]
    assert at(findings, "DL3004") == [(4, 1), (5, 1)]


def test_dl4006_honours_shell_and_set_pipefail(tmp_path: Path) -> None:
    body = (
        "RUN curl -s x | grep y\n"
        "RUN set -euo pipefail; curl -s x | grep y\n"
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
        "RUN curl -s x | grep y\n"
    )
    assert at(run(tmp_path, clean(body)), "DL4006") == [(3, 1)]


def test_dl3025_dl4000_dl3000(tmp_path: Path) -> None:
    body = (
        "MAINTAINER me\nWORKDIR app\nWORKDIR /srv\nWORKDIR $HOME\n"
        'CMD python app.py\nENTRYPOINT ["tini"]\nHEALTHCHECK CMD curl -f localhost\n'
    )
    findings = run(tmp_path, clean(body))
    assert at(findings, "DL4000") == [(3, 1)]
    assert at(findings, "DL3000") == [(4, 9)]
    assert at(findings, "DL3025") == [(7, 1), (9, 1)]


# ignores -----------------------------------------------------------------------------------


def test_hadolint_ignore_pragmas(tmp_path: Path) -> None:
    body = "# hadolint ignore=DL3019,CK1004\nRUN apk add curl\nRUN apk add wget\n"
    findings = run(tmp_path, "# hadolint global ignore=DL3003\n" + clean(body + "RUN cd /x\n"))
    assert at(findings, "DL3019") == [(6, 1)]
    assert at(findings, "CK1004") == [(6, 5)]
    assert at(findings, "DL3003") == []


def test_hadolint_config_ignored_list(tmp_path: Path) -> None:
    findings = run(
        tmp_path, "FROM ubuntu\n", **{".hadolint.yaml": "ignored:\n  - DL3006\n  - CK1001\n"}
    )
    assert at(findings, "DL3006") == []
    assert at(findings, "CK1001") == []
    assert at(findings, "CK1002") == [(1, 6)]
