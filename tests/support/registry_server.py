"""A small OCI distribution endpoint on loopback, for auth-flow and fault tests (test tooling).

It serves only what resolving a tag needs: ``GET``/``HEAD /v2/<name>/manifests/<reference>``
(by tag or digest) with ``Content-Type`` and ``Docker-Content-Digest``. With ``service`` set it
speaks Docker Hub's documented anonymous token flow
(https://distribution.github.io/distribution/spec/auth/token/): a request without a token gets
``401`` and ``WWW-Authenticate: Bearer realm="http://HOST/token",service="…",scope="repository:
<name>:pull"``; ``GET /token?service=…&scope=…`` returns ``{"token": …, "access_token": …}``
(only for the service it announced); the request is then retried with ``Bearer <token>``.

Faults are queued per manifest (:meth:`RegistryServer.fail`), one consumed per ``GET``:
``"500"`` (with ``Retry-After: 0`` so client retries are immediate), ``"wrong-digest"`` (the
body changes, the digest header does not), ``"truncated"`` (``Content-Length`` promises more
than is sent, then the connection closes) and ``"html"`` (a 200 HTML page, no digest).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"

Fault = str  # "500" | "wrong-digest" | "truncated" | "html"


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def index_body(name: str) -> bytes:
    """A well-formed two-platform OCI index (its manifests need not exist to resolve a tag)."""
    manifests = [
        {
            "mediaType": OCI_MANIFEST,
            "digest": sha256(f"{name}/{arch}".encode()),
            "size": 1234,
            "platform": {"architecture": arch, "os": "linux"},
        }
        for arch in ("amd64", "arm64")
    ]
    document = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests}
    return json.dumps(document, indent=3).encode()


@dataclass
class Request:
    method: str
    path: str
    authorization: str | None


@dataclass
class RegistryServer:
    """State of one running server; :attr:`host` is ``127.0.0.1:PORT``."""

    service: str | None = None
    """When set, manifests need a Bearer token issued for this service."""
    host: str = ""
    manifests: dict[tuple[str, str], tuple[bytes, str]] = field(default_factory=dict)
    faults: dict[tuple[str, str], list[Fault]] = field(default_factory=dict)
    sticky: dict[tuple[str, str], Fault] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    deny_tokens: bool = False
    """Answer every token request with 401 (credentials required)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, repository: str, tag: str, body: bytes, media_type: str = OCI_INDEX) -> str:
        """Serve ``body`` under ``repository:tag`` and its digest; returns the digest."""
        digest = sha256(body)
        self.manifests[(repository, tag)] = (body, media_type)
        self.manifests[(repository, digest)] = (body, media_type)
        return digest

    def fail(self, repository: str, tag: str, fault: Fault, *, times: int | None = 1) -> None:
        """Answer the next ``times`` GETs of the manifest with ``fault`` (None: every GET)."""
        if times is None:
            self.sticky[(repository, tag)] = fault
        else:
            self.faults.setdefault((repository, tag), []).extend([fault] * times)

    def manifest_gets(self, repository: str, tag: str) -> int:
        path = f"/v2/{repository}/manifests/{tag}"
        return sum(1 for r in self.requests if r.method == "GET" and r.path == path)

    def next_fault(self, key: tuple[str, str]) -> Fault | None:
        with self.lock:
            queued = self.faults.get(key)
            if queued:
                return queued.pop(0)
            return self.sticky.get(key)


class _Handler(BaseHTTPRequestHandler):
    state: RegistryServer

    def log_message(self, *_args: object) -> None:
        pass

    def _reply(
        self, status: int, body: bytes, headers: dict[str, str], *, length: int | None = None
    ) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        state = self.state
        url = urlsplit(self.path)
        with state.lock:
            state.requests.append(Request(self.command, url.path, self.headers["Authorization"]))
        if url.path == "/token":
            self._token(url.query)
            return
        if state.service is not None and not self._authorized():
            return
        if url.path in ("/v2", "/v2/"):
            self._reply(200, b"{}", {"Content-Type": "application/json"})
            return
        repository, marker, reference = url.path.removeprefix("/v2/").rpartition("/manifests/")
        found = state.manifests.get((repository, reference)) if marker else None
        if found is None:
            error = {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "manifest unknown"}]}
            self._reply(404, json.dumps(error).encode(), {"Content-Type": "application/json"})
            return
        body, media_type = found
        headers = {"Content-Type": media_type, "Docker-Content-Digest": sha256(body)}
        fault = state.next_fault((repository, reference)) if self.command == "GET" else None
        if fault == "500":
            self._reply(500, b'{"errors":[]}', {"Retry-After": "0"})
        elif fault == "wrong-digest":
            self._reply(200, body + b" ", headers)
        elif fault == "truncated":
            self.close_connection = True
            self._reply(200, body[: len(body) // 2], headers, length=len(body))
        elif fault == "html":
            self._reply(200, b"<html>maintenance</html>", {"Content-Type": "text/html"})
        else:
            self._reply(200, body, headers)

    def _authorized(self) -> bool:
        state = self.state
        header = self.headers.get("Authorization") or ""
        if header.startswith("Bearer ") and header.removeprefix("Bearer ") in state.tokens:
            return True
        repository = self.path.removeprefix("/v2/").split("/manifests/")[0]
        scope = f"repository:{repository}:pull"
        challenge = (
            f'Bearer realm="http://{state.host}/token",service="{state.service}",scope="{scope}"'
        )
        error = {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]}
        self._reply(401, json.dumps(error).encode(), {"WWW-Authenticate": challenge})
        return False

    def _token(self, query: str) -> None:
        state = self.state
        params = {k: v[0] for k, v in parse_qs(query).items()}
        with state.lock:
            state.token_requests.append(params)
        if state.deny_tokens or params.get("service") != state.service:
            self._reply(401, b'{"details":"incorrect username or password"}', {})
            return
        token = f"anon-{len(state.tokens) + 1}"
        with state.lock:
            state.tokens.add(token)
        answer = {"token": token, "access_token": token, "expires_in": 300}
        self._reply(200, json.dumps(answer).encode(), {"Content-Type": "application/json"})


@contextmanager
def serve_registry(service: str | None = None) -> Iterator[RegistryServer]:
    """Run a :class:`RegistryServer` on 127.0.0.1 for the duration of the block."""
    state = RegistryServer(service=service)
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    state.host = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
