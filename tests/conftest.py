"""Shared fixtures: real test images (built once, cached) and a real registry on loopback."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import images


@pytest.fixture(scope="session")
def built_image() -> Callable[[str], images.BuiltImage]:
    """``built_image("minbase")`` → a :class:`tests.support.images.BuiltImage` (cached on disk).

    Images: minbase, extra (curl + python3), distroless (status.d, user 65532), whiteouts,
    gobinary (Debian's shfmt), multiarch (index: amd64 + arm64/v8 + attestation manifests).
    Skips when mmdebstrap/apt are unavailable and the image is not cached yet.
    """

    def get(name: str) -> images.BuiltImage:
        if not images.can_build():
            pytest.skip("building test images needs root, mmdebstrap, apt-get and dpkg-deb")
        try:
            return images.build(name)
        except subprocess.CalledProcessError as exc:
            stderr = (exc.stderr or b"").decode(errors="replace")[-500:]
            pytest.skip(f"could not build test image {name}: {stderr}")

    return get


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Registry:
    """A running ``docker-registry`` (distribution 2.8) on 127.0.0.1."""

    def __init__(self, host: str) -> None:
        self.host = host

    def push(self, source: str, repository: str, *, all_platforms: bool = False) -> str:
        """``skopeo copy`` ``source`` (e.g. ``oci:DIR:latest``) to ``HOST/repository``."""
        dest = f"docker://{self.host}/{repository}"
        cmd = ["skopeo", "copy", "-q", "--dest-tls-verify=false"]
        if all_platforms:
            cmd.append("--all")
        subprocess.run([*cmd, source, dest], check=True, capture_output=True)
        return f"{self.host}/{repository}"


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Registry]:
    """Debian's ``docker-registry serve`` with a temp config and root; stopped afterwards."""
    program = shutil.which("docker-registry")
    if program is None or shutil.which("skopeo") is None:
        pytest.skip("docker-registry and skopeo are needed for registry tests")
    root = tmp_path_factory.mktemp("registry")
    port = _free_port()
    config = root / "config.yml"
    config.write_text(
        "version: 0.1\n"
        "log:\n  level: error\n"
        "storage:\n"
        f"  filesystem:\n    rootdirectory: {root / 'data'}\n"
        "  delete:\n    enabled: true\n"
        "http:\n"
        f"  addr: 127.0.0.1:{port}\n"
    )
    log = open(root / "registry.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen([program, "serve", str(config)], stdout=log, stderr=log)
    host = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://{host}/v2/", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.skip(f"docker-registry did not start: {(root / 'registry.log').read_text()}")
            time.sleep(0.1)
        yield Registry(host)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def blob_cache(tmp_path: Path) -> Path:
    """A private blob cache directory for one test."""
    path = tmp_path / "blob-cache"
    path.mkdir()
    return path


def pytest_configure(config: pytest.Config) -> None:
    # built images must not land in a test's tmp dir: keep them in the shared cache
    os.environ.setdefault(
        "CAULK_TEST_IMAGE_CACHE", str(Path.home() / ".cache" / "caulk-test-images")
    )
