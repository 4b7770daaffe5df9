"""How to reach registries: mirrors, plain-HTTP loopback registries, timeouts, cache.

Kept apart from the client so that commands can parse and validate these options without
importing httpx (about 0.1 s) when the image turns out to be local.
"""

from __future__ import annotations

import dataclasses
import ipaddress
from collections.abc import Mapping
from pathlib import Path

from caulk.image.errors import ImageError
from caulk.registry.progress import DownloadProgress, terminal_progress


def default_cache_dir() -> Path:
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("caulk")) / "blobs"


def is_loopback_host(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1, with or without a port."""
    name = host
    if name.startswith("["):
        name = name[1 : name.find("]")]
    elif name.count(":") == 1:
        name = name.split(":", 1)[0]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclasses.dataclass(frozen=True)
class RegistryOptions:
    """How to reach registries; built once per command and shared by every request."""

    mirrors: Mapping[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    """Registry (``docker.io``) → mirror hosts tried first."""
    insecure: frozenset[str] = frozenset()
    """``HOST:PORT`` reached over plain HTTP (loopback only)."""
    docker_config: Path | None = None
    cache_dir: Path | None = None
    timeout: float = 30.0
    retries: int = 2
    offline: bool = False
    progress: DownloadProgress | None = None
    """Told about every blob download as it goes (``caulk.registry.progress``)."""

    @classmethod
    def from_cli(
        cls,
        *,
        mirrors: list[str] | None = None,
        insecure: list[str] | None = None,
        offline: bool = False,
    ) -> RegistryOptions:
        """Parse ``--registry-mirror REGISTRY=HOST[:PORT]`` and ``--insecure-registry``.

        Blob downloads are shown on stderr when it is a terminal.
        """
        table: dict[str, list[str]] = {}
        for item in mirrors or ():
            registry, sep, host = item.partition("=")
            if not sep or not registry or not host:
                raise ImageError(f"--registry-mirror {item!r}: want REGISTRY=HOST[:PORT]")
            table.setdefault(registry.strip(), []).append(
                host.strip().removeprefix("https://").removeprefix("http://").rstrip("/")
            )
        plain = set()
        for item in insecure or ():
            host = item.strip().removeprefix("http://").rstrip("/")
            if not is_loopback_host(host):
                raise ImageError(
                    f"--insecure-registry {host}: plain HTTP is only allowed for loopback "
                    "addresses (localhost, 127.0.0.1, [::1])"
                )
            plain.add(host)
        import sys

        return cls(
            mirrors={k: tuple(v) for k, v in table.items()},
            insecure=frozenset(plain),
            offline=offline,
            progress=terminal_progress(sys.stderr),
        )
