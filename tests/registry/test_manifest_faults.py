"""Manifest fetches under faults: verified bodies, retries, and failures classified by reason."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from caulk.image.errors import DigestMismatchError
from caulk.image.reference import parse_registry_ref
from caulk.registry.client import RegistryClient, RegistryError, RegistryOptions
from tests.support.registry_server import RegistryServer, index_body, serve_registry


@pytest.fixture
def server() -> Iterator[RegistryServer]:
    with serve_registry() as running:
        yield running


def client(server: RegistryServer) -> RegistryClient:
    return RegistryClient(RegistryOptions(insecure=frozenset({server.host})))


@pytest.mark.parametrize("fault", ["truncated", "wrong-digest", "500"])
def test_one_bad_answer_is_fetched_again(server: RegistryServer, fault: str) -> None:
    digest = server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", fault)
    with client(server) as registry:
        fetched = registry.get_manifest(parse_registry_ref(f"{server.host}/caulk/app:v1"))
    assert fetched.digest == digest
    assert server.manifest_gets("caulk/app", "v1") == 2


def test_a_body_cut_short_every_time_is_a_network_error(server: RegistryServer) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "truncated", times=None)
    with client(server) as registry, pytest.raises(RegistryError) as caught:
        registry.get_manifest(parse_registry_ref(f"{server.host}/caulk/app:v1"))
    assert caught.value.reason == "network"
    assert server.manifest_gets("caulk/app", "v1") == 3


def test_a_body_never_matching_its_digest_is_rejected(server: RegistryServer) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "wrong-digest", times=None)
    with client(server) as registry, pytest.raises(DigestMismatchError):
        registry.get_manifest(parse_registry_ref(f"{server.host}/caulk/app:v1"))


def test_failures_say_why(server: RegistryServer) -> None:
    server.add("caulk/app", "v1", index_body("app"))
    server.fail("caulk/app", "v1", "500", times=None)
    with client(server) as registry:
        with pytest.raises(RegistryError) as missing:
            registry.get_manifest(parse_registry_ref(f"{server.host}/caulk/app:gone"))
        with pytest.raises(RegistryError) as broken:
            registry.get_manifest(parse_registry_ref(f"{server.host}/caulk/app:v1"))
    assert missing.value.reason == "not found"
    assert broken.value.reason == "registry error"
