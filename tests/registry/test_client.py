"""The registry client against a real distribution 2.8 registry on loopback.

Images are pushed with skopeo; an auth proxy (a small real HTTP server in front of the
registry) adds the Bearer token flow that Docker Hub and GHCR use, and can corrupt blobs.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from caulk.image.errors import DigestMismatchError, ImageError
from caulk.image.open import open_image
from caulk.image.reference import parse_registry_ref
from caulk.registry.client import RegistryClient, RegistryOptions
from tests.conftest import Registry
from tests.support.images import BuiltImage

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def pushed(registry: Registry, built_image: Callable[[str], BuiltImage]) -> dict[str, str]:
    multi = built_image("multiarch")
    distroless = built_image("distroless")
    return {
        "multi": registry.push(multi.oci_ref, "caulk/multiarch:latest", all_platforms=True),
        "distroless": registry.push(distroless.oci_ref, "caulk/distroless:v1"),
        "index_digest": multi.facts["index_digest"],
        "amd64_digest": multi.facts["amd64_digest"],
        "distroless_digest": distroless.facts["manifest_digest"],
    }


def options(registry: Registry, cache: Path, **extra: object) -> RegistryOptions:
    return RegistryOptions(insecure=frozenset({registry.host}), cache_dir=cache, **extra)  # type: ignore[arg-type]


def test_a_multi_platform_image_with_attestations(
    registry: Registry, pushed: dict[str, str], blob_cache: Path
) -> None:
    with open_image(pushed["multi"], registry_options=options(registry, blob_cache)) as image:
        assert image.index_digest == pushed["index_digest"]
        assert image.manifest_digest == pushed["amd64_digest"]
        att = image.attestations
        fs = image.filesystem()
        facts = image.facts
    assert att.sbom and att.provenance_mode == "max"
    assert len([p for p in fs.paths() if p.startswith("var/lib/dpkg/status.d/")]) == 20
    assert facts.user == "65532:65532"
    # every blob landed in the cache under its digest
    layer_hex = image.layers[0].digest.split(":")[1]
    assert (blob_cache / "sha256" / layer_hex).is_file()


def test_resolve_digest_gives_the_index_digest(
    registry: Registry, pushed: dict[str, str], blob_cache: Path
) -> None:
    with RegistryClient(options(registry, blob_cache)) as client:
        assert client.resolve_digest(pushed["multi"]) == pushed["index_digest"]
        assert client.resolve_digest(pushed["distroless"]) == pushed["distroless_digest"]
        assert "v1" in client.list_tags(parse_registry_ref(pushed["distroless"]))


def test_the_registry_hides_oci_manifests_without_the_oci_accept_type(
    registry: Registry, pushed: dict[str, str]
) -> None:
    url = f"http://{registry.host}/v2/caulk/distroless/manifests/v1"
    docker_only = {"Accept": "application/vnd.docker.distribution.manifest.v2+json"}
    assert httpx.get(url, headers=docker_only).status_code == 404  # why caulk always sends OCI


def test_cached_blobs_are_reused_offline(
    registry: Registry, pushed: dict[str, str], blob_cache: Path
) -> None:
    with open_image(pushed["distroless"], registry_options=options(registry, blob_cache)) as img:
        img.filesystem()
        digest, size = img.layers[0].digest, img.layers[0].size
        ref = img.source.ref  # type: ignore[attr-defined]
    with RegistryClient(options(registry, blob_cache, offline=True)) as client:
        with client.open_blob(ref, digest, size) as reader:
            reader.drain()
        with pytest.raises(ImageError, match="--offline"):
            client.get_manifest(ref)


class RecordedProgress:
    """A DownloadProgress that remembers what it was told."""

    def __init__(self) -> None:
        self.updates: list[tuple[str, int, int | None]] = []
        self.ends: list[tuple[str, int, bool]] = []

    def update(self, digest: str, received: int, total: int | None) -> None:
        self.updates.append((digest, received, total))

    def end(self, digest: str, received: int, ok: bool) -> None:
        self.ends.append((digest, received, ok))


def test_blob_downloads_report_progress_once_per_blob(
    registry: Registry, pushed: dict[str, str], blob_cache: Path
) -> None:
    progress = RecordedProgress()
    opts = options(registry, blob_cache, progress=progress)
    with open_image(pushed["distroless"], registry_options=opts) as img:
        img.filesystem()
        layers = {(layer.digest, layer.size) for layer in img.layers}
        config = (img.config_digest, None)
    downloaded = {(digest, received) for digest, received, ok in progress.ends if ok}
    assert {(d, s) for d, s in layers} <= downloaded
    assert all(ok for *_, ok in progress.ends)
    for digest, received, total in progress.updates:
        assert total is None or received <= total
        assert digest in {d for d, _ in downloaded}
    assert config[0] in {d for d, _ in downloaded}
    # a second run reads the cache: nothing is downloaded, nothing reported
    again = RecordedProgress()
    with open_image(
        pushed["distroless"], registry_options=options(registry, blob_cache, progress=again)
    ) as img:
        img.filesystem()
    assert again.updates == again.ends == []


def test_a_mirror_serves_docker_hub_names(
    registry: Registry, pushed: dict[str, str], blob_cache: Path
) -> None:
    opts = RegistryOptions.from_cli(
        mirrors=[f"docker.io={registry.host}"], insecure=[registry.host]
    )
    opts = RegistryOptions(
        mirrors=opts.mirrors, insecure=opts.insecure, cache_dir=blob_cache, retries=0
    )
    with open_image("caulk/distroless:v1", registry_options=opts) as image:
        assert image.manifest_digest == pushed["distroless_digest"]


def test_plain_http_only_for_loopback() -> None:
    with pytest.raises(ImageError, match="only allowed for loopback"):
        RegistryOptions.from_cli(insecure=["registry.example.com:5000"])
    with pytest.raises(ImageError, match="REGISTRY=HOST"):
        RegistryOptions.from_cli(mirrors=["mirror.example.com"])


# -- an auth proxy: Bearer tokens (Docker Hub's flow) in front of the real registry ------------

TOKEN = "tok-123"


class _Proxy(BaseHTTPRequestHandler):
    upstream = ""
    credentials = ("alice", "s3cret")
    corrupt_blobs = False
    token_requests: list[str] = []  # noqa: RUF012

    def log_message(self, *_args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        host = self.headers["Host"]
        if self.path.startswith("/token"):
            expected = base64.b64encode(":".join(self.credentials).encode()).decode()
            if self.headers.get("Authorization") != f"Basic {expected}":
                self._reply(401, b"{}", {})
                return
            type(self).token_requests.append(self.path)
            self._reply(200, json.dumps({"token": TOKEN}).encode(), {})
            return
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            challenge = (
                f'Bearer realm="http://{host}/token",service="test",'
                'scope="repository:caulk/distroless:pull"'
            )
            self._reply(401, b"{}", {"WWW-Authenticate": challenge})
            return
        upstream = httpx.request(
            self.command,
            f"http://{self.upstream}{self.path}",
            headers={"Accept": self.headers.get("Accept", "*/*")},
        )
        body = upstream.content
        if self.corrupt_blobs and "/blobs/" in self.path and body:
            body = body[:-1] + bytes([body[-1] ^ 1])
        keep = ("content-type", "docker-content-digest")
        self._reply(
            upstream.status_code, body, {k: v for k, v in upstream.headers.items() if k in keep}
        )


@pytest.fixture
def auth_proxy(registry: Registry, pushed: dict[str, str]) -> Iterator[tuple[str, type[_Proxy]]]:
    handler = type("Proxy", (_Proxy,), {"upstream": registry.host, "token_requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()


def docker_config(tmp_path: Path, host: str, user: str, password: str) -> Path:
    path = tmp_path / "config.json"
    auth = base64.b64encode(f"{user}:{password}".encode()).decode()
    path.write_text(json.dumps({"auths": {host: {"auth": auth}}}))
    return path


def test_bearer_token_flow_with_docker_config_credentials(
    auth_proxy: tuple[str, type[_Proxy]], pushed: dict[str, str], tmp_path: Path
) -> None:
    host, handler = auth_proxy
    opts = RegistryOptions(
        insecure=frozenset({host}),
        cache_dir=tmp_path / "cache",
        docker_config=docker_config(tmp_path, host, "alice", "s3cret"),
    )
    with open_image(f"{host}/caulk/distroless:v1", registry_options=opts) as image:
        assert image.manifest_digest == pushed["distroless_digest"]
        assert image.filesystem().read("etc/os-release") is not None
    assert (
        handler.token_requests
        and "scope=repository%3Acaulk%2Fdistroless%3Apull" in (handler.token_requests[0])
    )


def test_wrong_credentials_are_a_clear_error(
    auth_proxy: tuple[str, type[_Proxy]], tmp_path: Path
) -> None:
    host, _ = auth_proxy
    opts = RegistryOptions(
        insecure=frozenset({host}),
        cache_dir=tmp_path / "cache",
        docker_config=docker_config(tmp_path, host, "alice", "wrong"),
    )
    with pytest.raises(ImageError, match="access denied") as caught:
        open_image(f"{host}/caulk/distroless:v1", registry_options=opts)
    assert "wrong" not in str(caught.value)


def test_a_corrupted_registry_blob_is_rejected_and_not_cached(
    auth_proxy: tuple[str, type[_Proxy]], tmp_path: Path
) -> None:
    host, handler = auth_proxy
    handler.corrupt_blobs = True
    cache = tmp_path / "cache"
    opts = RegistryOptions(
        insecure=frozenset({host}),
        cache_dir=cache,
        docker_config=docker_config(tmp_path, host, "alice", "s3cret"),
    )
    progress = RecordedProgress()
    opts = dataclasses.replace(opts, progress=progress)
    with pytest.raises(DigestMismatchError, match="sha256:"):
        open_image(f"{host}/caulk/distroless:v1", registry_options=opts)
    assert not [p for p in cache.rglob("*") if p.is_file()]
    assert progress.ends and progress.ends[-1][2] is False  # the failed download is ended
