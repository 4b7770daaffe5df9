"""Pinning base and job images to verified digests (CK1002), against real servers on loopback.

The multi-platform case uses Debian's ``docker-registry`` with a real OCI index pushed by
skopeo; Docker Hub's token flow and the faults use :mod:`tests.support.registry_server`.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.fix.engine import ChangeSet, FixNote, Outcome
from caulk.fix.pin_images import ImageResolver, pin_images
from caulk.registry.client import RegistryClient, RegistryOptions
from caulk.repo.checkout import Repository
from tests.conftest import Registry
from tests.support.images import BuiltImage
from tests.support.registry_server import RegistryServer, index_body, serve_registry


@pytest.fixture(autouse=True)
def no_docker_login(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No credentials from the machine's ``~/.docker/config.json``."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path_factory.mktemp("docker-config")))


@pytest.fixture
def server() -> Iterator[RegistryServer]:
    with serve_registry() as running:
        yield running


def write(root: Path, files: dict[str, str]) -> Repository:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return Repository(root)


def pin(
    repo: Repository, *, mirrors: tuple[str, ...] = (), insecure: tuple[str, ...] = ()
) -> ChangeSet:
    """Run the fixer as ``caulk fix`` would: one client from the CLI's registry options."""
    changes = ChangeSet(repo.root)
    options = RegistryOptions.from_cli(mirrors=list(mirrors), insecure=list(insecure))
    with RegistryClient(options) as client:
        pin_images(repo, changes, ImageResolver(client), offline=False)
    return changes


def note_at(changes: ChangeSet, path: str, line: int) -> FixNote:
    return next(n for n in changes.notes if n.path == path and n.line == line)


# -- a real multi-platform image on a real registry ---------------------------------------------


@pytest.fixture(scope="module")
def pushed(registry: Registry, built_image: Callable[[str], BuiltImage]) -> dict[str, str]:
    multi = built_image("multiarch")
    distroless = built_image("distroless")
    return {
        "multi": registry.push(multi.oci_ref, "caulk/multi:latest", all_platforms=True),
        "single": registry.push(distroless.oci_ref, "caulk/single:v1"),
        "index_digest": multi.facts["index_digest"],
        "manifest_digest": distroless.facts["manifest_digest"],
    }


DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG BASE=debian:bookworm
# the builder (this comment stays)
FROM --platform=$BUILDPLATFORM {multi} AS build
RUN echo build

from {single} as runtime-base
FROM \\
    {multi} \\
    AS continued
FROM build AS again
FROM ${{BASE}}
FROM scratch
COPY --from=build /x /x
"""


@pytest.mark.slow
def test_a_multi_platform_image_is_pinned_to_its_index_digest(
    registry: Registry, pushed: dict[str, str], tmp_path: Path
) -> None:
    text = DOCKERFILE.format(multi=pushed["multi"], single=pushed["single"])
    repo = write(tmp_path, {"Dockerfile": text})
    changes = pin(repo, insecure=(registry.host,))

    index = pushed["index_digest"]
    # skopeo's view of the same tag: the raw index, hashed.
    raw = subprocess.run(
        ["skopeo", "inspect", "--raw", "--tls-verify=false", f"docker://{pushed['multi']}"],
        check=True,
        capture_output=True,
    ).stdout
    assert index == "sha256:" + hashlib.sha256(raw).hexdigest()

    expected = (
        text.replace(
            f"$BUILDPLATFORM {pushed['multi']} AS",
            f"$BUILDPLATFORM {pushed['multi']}@{index} AS",
        )
        .replace(f"    {pushed['multi']} \\", f"    {pushed['multi']}@{index} \\")
        .replace(
            f"from {pushed['single']} as", f"from {pushed['single']}@{pushed['manifest_digest']} as"
        )
    )
    assert changes.results() == {"Dockerfile": expected}
    # The stage reference, ${BASE} and scratch keep their bytes; ${BASE} is reported.
    assert note_at(changes, "Dockerfile", 12).outcome is Outcome.SKIPPED
    assert "built from ARG" in note_at(changes, "Dockerfile", 12).message
    assert [n.line for n in changes.notes if n.outcome is Outcome.FIXED] == [4, 7, 9]
    assert {n.line for n in changes.notes} == {4, 7, 9, 12}


@pytest.mark.slow
def test_a_second_run_changes_nothing(
    registry: Registry, pushed: dict[str, str], tmp_path: Path
) -> None:
    text = DOCKERFILE.format(multi=pushed["multi"], single=pushed["single"])
    repo = write(tmp_path, {"Containerfile": text})
    assert pin(repo, insecure=(registry.host,)).write() == []

    again = pin(Repository(tmp_path), insecure=(registry.host,))
    assert again.results() == {}
    assert {n.outcome for n in again.notes if n.line != 12} == {Outcome.UNCHANGED}


# -- Docker Hub's token flow through a mirror ---------------------------------------------------


def test_docker_hub_names_resolve_through_a_mirror_with_an_anonymous_token(
    tmp_path: Path,
) -> None:
    with serve_registry(service="registry.docker.io") as hub:
        digest = hub.add("library/ubuntu", "24.04", index_body("ubuntu"))
        repo = write(tmp_path, {"Dockerfile": "FROM ubuntu:24.04\n"})
        changes = pin(repo, mirrors=(f"docker.io={hub.host}",), insecure=(hub.host,))

    assert changes.results() == {"Dockerfile": f"FROM ubuntu:24.04@{digest}\n"}
    assert hub.token_requests == [
        {"service": "registry.docker.io", "scope": "repository:library/ubuntu:pull"}
    ]
    gets = [r for r in hub.requests if r.path == "/v2/library/ubuntu/manifests/24.04"]
    assert [r.authorization for r in gets] == [None, "Bearer anon-1"]


def test_a_refused_token_is_an_authentication_failure(tmp_path: Path) -> None:
    with serve_registry(service="registry.example") as private:
        private.add("team/base", "1", index_body("base"))
        private.deny_tokens = True
        repo = write(tmp_path, {"Dockerfile": f"FROM {private.host}/team/base:1\n"})
        changes = pin(repo, insecure=(private.host,))
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "(authentication required)" in changes.notes[0].message


# -- faults: retried, then reported, never pinned -----------------------------------------------


def dockerfile_for(server: RegistryServer, tmp_path: Path, tag: str = "v1") -> Repository:
    return write(tmp_path, {"Dockerfile": f"FROM {server.host}/caulk/app:{tag}  # base\n"})


def test_a_registry_answering_500_is_reported_and_nothing_is_pinned(
    server: RegistryServer, tmp_path: Path
) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "500", times=None)
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "(registry error)" in changes.notes[0].message
    assert "HTTP 500" in changes.notes[0].message
    assert server.manifest_gets("caulk/app", "v1") == 3  # the first try and two retries


def test_one_500_is_retried_and_the_image_pinned(server: RegistryServer, tmp_path: Path) -> None:
    digest = server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "500")
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert changes.results() == {
        "Dockerfile": f"FROM {server.host}/caulk/app:v1@{digest}  # base\n"
    }
    assert changes.notes[0].outcome is Outcome.FIXED


def test_a_body_that_does_not_match_its_digest_is_never_pinned(
    server: RegistryServer, tmp_path: Path
) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "wrong-digest", times=None)
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "(digest mismatch)" in changes.notes[0].message
    assert server.manifest_gets("caulk/app", "v1") == 3


def test_a_wrong_digest_once_is_fetched_again(server: RegistryServer, tmp_path: Path) -> None:
    digest = server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "wrong-digest")
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert f"@{digest}" in changes.results()["Dockerfile"]


def test_a_truncated_body_is_retried_then_reported(server: RegistryServer, tmp_path: Path) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "truncated", times=None)
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "(network)" in changes.notes[0].message
    assert server.manifest_gets("caulk/app", "v1") == 3


def test_an_html_page_served_with_200_is_not_a_manifest(
    server: RegistryServer, tmp_path: Path
) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "html", times=None)
    changes = pin(dockerfile_for(server, tmp_path), insecure=(server.host,))
    assert changes.results() == {}
    assert "(invalid manifest)" in changes.notes[0].message


def test_an_unknown_tag_is_not_found(server: RegistryServer, tmp_path: Path) -> None:
    changes = pin(dockerfile_for(server, tmp_path, tag="gone"), insecure=(server.host,))
    assert changes.results() == {}
    assert "(not found)" in changes.notes[0].message


@pytest.mark.slow
def test_an_unreachable_registry_is_a_network_failure(tmp_path: Path) -> None:
    with serve_registry() as closed:
        host = closed.host  # the port is free again once the server stops
    repo = write(tmp_path, {"Dockerfile": f"FROM {host}/caulk/app:v1\n"})
    changes = pin(repo, insecure=(host,))
    assert changes.results() == {}
    assert "(network)" in changes.notes[0].message


def test_each_reference_is_resolved_once_per_run(server: RegistryServer, tmp_path: Path) -> None:
    digest = server.add("caulk/app", "v1", index_body("app"))
    line = f"FROM {server.host}/caulk/app:v1\n"
    repo = write(tmp_path, {"Dockerfile": line, "sub/Dockerfile.dev": line + line})
    changes = pin(repo, insecure=(server.host,))
    assert changes.results()["sub/Dockerfile.dev"].count(f"@{digest}") == 2
    assert server.manifest_gets("caulk/app", "v1") == 1


# -- workflows --------------------------------------------------------------------------------

WORKFLOW = """\
name: ci  # comments survive
on: push
jobs:
  test:
    runs-on: ubuntu-24.04
    container: {host}/caulk/node:20   # the job container
    services:
      db:
        image: "{host}/caulk/postgres:16"
        ports: ["5432:5432"]
      cache:
        image: ${{{{ matrix.cache }}}}
    steps:
      - run: |
          echo "container: {host}/caulk/node:20 is text here"
  other:
    runs-on: ubuntu-24.04
    container:
      image: '{host}/caulk/node:20'
      options: --user 1001
"""


def test_job_containers_and_service_images_are_pinned(
    server: RegistryServer, tmp_path: Path
) -> None:
    node = server.add("caulk/node", "20", index_body("node"))
    postgres = server.add("caulk/postgres", "16", index_body("postgres"))
    text = WORKFLOW.format(host=server.host)
    repo = write(tmp_path, {".github/workflows/ci.yml": text})
    changes = pin(repo, insecure=(server.host,))

    h = server.host
    expected = (
        text.replace(
            f"container: {h}/caulk/node:20   #", f"container: {h}/caulk/node:20@{node}   #"
        )
        .replace(f'"{h}/caulk/postgres:16"', f'"{h}/caulk/postgres:16@{postgres}"')
        .replace(f"'{h}/caulk/node:20'", f"'{h}/caulk/node:20@{node}'")
    )
    assert changes.results() == {".github/workflows/ci.yml": expected}
    assert "is text here" in expected and f"{h}/caulk/node:20 is text here" in expected
    skipped = note_at(changes, ".github/workflows/ci.yml", 12)
    assert skipped.outcome is Outcome.SKIPPED
    assert "expression" in skipped.message
    assert server.manifest_gets("caulk/node", "20") == 1


def test_offline_skips_and_says_why(server: RegistryServer, tmp_path: Path) -> None:
    repo = write(
        tmp_path,
        {
            "Dockerfile": f"FROM {server.host}/caulk/app:v1\n",
            ".github/workflows/ci.yml": WORKFLOW.format(host=server.host),
        },
    )
    changes = ChangeSet(tmp_path)
    pin_images(repo, changes, None, offline=True)
    assert changes.results() == {}
    offline = [n for n in changes.notes if "--offline" in n.message]
    assert len(offline) == 4 and {n.outcome for n in offline} == {Outcome.SKIPPED}
    assert server.requests == []


# -- bad input --------------------------------------------------------------------------------


def test_unparseable_files_are_reported_and_not_written(
    server: RegistryServer, tmp_path: Path
) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    repo = write(
        tmp_path,
        {
            "Dockerfile": f"FROM {server.host}/caulk/app:v1\nRUN <<EOF\necho never closed\n",
            ".github/workflows/ci.yml": "jobs:\n  a:\n    container: [unclosed\n",
        },
    )
    changes = pin(repo, insecure=(server.host,))
    assert changes.results() == {}
    assert {n.outcome for n in changes.notes} == {Outcome.FAILED}
    messages = {n.path: n.message for n in changes.notes}
    assert "does not parse" in messages["Dockerfile"]
    assert "invalid YAML" in messages[".github/workflows/ci.yml"]
    assert server.requests == []


def test_an_invalid_reference_is_reported(tmp_path: Path) -> None:
    repo = write(tmp_path, {"Dockerfile": "FROM Not/Valid:tag\n"})
    changes = pin(repo)
    assert changes.results() == {}
    assert changes.notes[0].outcome is Outcome.FAILED
    assert "invalid" in changes.notes[0].message


# -- the command: exit codes ------------------------------------------------------------------

runner = CliRunner()


def test_caulk_fix_exit_codes(server: RegistryServer, tmp_path: Path) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    good = write(tmp_path / "good", {"Dockerfile": f"FROM {server.host}/caulk/app:v1\n"})
    bad = write(tmp_path / "bad", {"Dockerfile": f"FROM {server.host}/caulk/app:gone\n"})
    flags = ["--select", "CK1002", "--insecure-registry", server.host]

    fixed = runner.invoke(app, ["fix", str(good.root), *flags])
    assert fixed.exit_code == 0, fixed.output
    assert "@sha256:" in (good.root / "Dockerfile").read_text()

    failed = runner.invoke(app, ["fix", str(bad.root), *flags])
    assert failed.exit_code == 1, failed.output
    assert "not found" in failed.output
    assert (bad.root / "Dockerfile").read_text() == f"FROM {server.host}/caulk/app:gone\n"

    refused = runner.invoke(
        app,
        ["fix", str(bad.root), "--select", "CK1002", "--insecure-registry", "example.com:5000"],
    )
    assert refused.exit_code == 2
    assert "only allowed for loopback" in refused.output


def test_from_an_arg_whose_default_is_pinned_is_not_reported_as_skipped() -> None:
    from caulk.dockerfile.parser import parse_dockerfile
    from caulk.fix.engine import Outcome
    from caulk.fix.pin_images import dockerfile_sites

    digest = "sha256:" + "a" * 64
    df = parse_dockerfile(f"ARG BASE=python:3.12@{digest}\nFROM ${{BASE}}\nFROM $UNSET\n")
    sites, left = dockerfile_sites(df)
    assert sites == []
    assert [(x.line, x.outcome) for x in left] == [(2, Outcome.UNCHANGED), (3, Outcome.SKIPPED)]
