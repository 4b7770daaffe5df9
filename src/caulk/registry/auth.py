"""Registry credentials and challenges: docker's ``config.json`` and ``WWW-Authenticate`` parsing.

Credentials come from ``$DOCKER_CONFIG/config.json`` (else ``~/.docker/config.json``):
``auths.<host>.auth`` (base64 ``user:password``) or ``username``/``password``, and
``credHelpers.<host>`` / ``credsStore`` through the ``docker-credential-<helper> get`` protocol.
Docker Hub is looked up under its historical key ``https://index.docker.io/v1/`` as well.
Credentials are never printed or logged; error messages name the host only.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

_CHALLENGE_PARAM = re.compile(r'(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))')


@dataclasses.dataclass(frozen=True)
class Credentials:
    username: str
    password: str = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True)
class Challenge:
    """One ``WWW-Authenticate`` challenge: ``Bearer realm=…,service=…,scope=…`` or ``Basic``."""

    scheme: str
    params: dict[str, str]


def parse_challenge(header: str) -> Challenge | None:
    """Parse the first challenge of a ``WWW-Authenticate`` header (None if unparsable)."""
    header = header.strip()
    if not header:
        return None
    scheme, _, rest = header.partition(" ")
    params = {
        m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
        for m in _CHALLENGE_PARAM.finditer(rest)
    }
    return Challenge(scheme.lower(), params)


def docker_config_path() -> Path:
    base = os.environ.get("DOCKER_CONFIG")
    return Path(base) / "config.json" if base else Path.home() / ".docker" / "config.json"


def _config_keys(host: str) -> list[str]:
    if host in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        hub = ["https://index.docker.io/v1/", "index.docker.io", "docker.io"]
        return [*hub, "registry-1.docker.io", "https://registry-1.docker.io"]
    return [host, f"https://{host}", f"http://{host}", f"https://{host}/v1/", f"https://{host}/v2/"]


def _decode_auth(entry: Any) -> Credentials | None:
    if not isinstance(entry, dict):
        return None
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        try:
            user, sep, password = base64.b64decode(auth, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if sep:
            return Credentials(user, password)
    name, secret = entry.get("username"), entry.get("password")
    if isinstance(name, str) and isinstance(secret, str) and name:
        return Credentials(name, secret)
    return None


def _helper(name: str, server: str) -> Credentials | None:
    program = shutil.which(f"docker-credential-{name}")
    if program is None:
        return None
    try:
        done = subprocess.run(
            [program, "get"], input=server, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        data = json.loads(done.stdout)
    except json.JSONDecodeError:
        return None
    user, secret = data.get("Username"), data.get("Secret")
    if isinstance(user, str) and isinstance(secret, str) and secret:
        return Credentials(user, secret)
    return None


def load_credentials(host: str, config_path: Path | None = None) -> Credentials | None:
    """Credentials for ``host`` from docker's config.json, or None."""
    path = config_path or docker_config_path()
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(config, dict):
        return None
    keys = _config_keys(host)
    helpers = config.get("credHelpers")
    if isinstance(helpers, dict):
        for key in keys:
            helper = helpers.get(key)
            if isinstance(helper, str) and helper:
                return _helper(helper, key)
    auths = config.get("auths")
    if isinstance(auths, dict):
        for key in keys:
            creds = _decode_auth(auths.get(key))
            if creds is not None:
                return creds
    store = config.get("credsStore")
    if isinstance(store, str) and store:
        return _helper(store, keys[0])
    return None
