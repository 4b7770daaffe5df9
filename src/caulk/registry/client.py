"""An OCI distribution API client (httpx): manifests, blobs, digests, auth, mirrors, a blob cache.

One client serves every verb that talks to registries (``sbom``/``scan`` pulling images,
``fix`` resolving a tag to the index digest with :meth:`RegistryClient.resolve_digest`).

- **Accept**: every manifest request sends the OCI *and* Docker manifest and index types.
  distribution 2.8 answers 404 ``MANIFEST_UNKNOWN`` for an OCI manifest without an OCI Accept
  type, even by digest (reference/tools-on-this-machine.md §2).
- **Auth**: a 401 with ``WWW-Authenticate: Bearer realm,service,scope`` fetches a token from
  the realm (with docker ``config.json`` credentials when present, anonymous otherwise) and
  retries; ``Basic`` challenges send the credentials. Tokens are cached per host and scope.
  Credentials are sent only to the realm the registry names, and only over HTTPS (or to a
  loopback realm), never logged.
- **Digests**: a manifest fetched by digest must hash to it; one fetched by tag must match the
  ``Docker-Content-Digest`` header when the registry sends one. Blobs are streamed to the cache
  (``platformdirs.user_cache_dir("caulk")/blobs/sha256/<hex>``) while hashing and only renamed
  into place once the digest and size match; a cached blob is re-verified as it is read.
- **Mirrors**: ``docker.io=HOST[:PORT]`` makes requests for that registry try the mirror
  first, falling back to the origin when the mirror fails or lacks the content (Docker's
  ``registry-mirrors`` behaviour).
- **Plain HTTP** only for ``--insecure-registry HOST:PORT`` on a loopback address.
- Timeouts on every request; connection errors, 429 and 5xx are retried with backoff; a
  manifest whose body is cut short or does not hash to its digest is fetched again.
- Failures are :class:`RegistryError` with a :attr:`~RegistryError.reason` (not found,
  authentication required, network, registry error) so reports can say why; a digest mismatch
  is a :class:`~caulk.image.errors.DigestMismatchError`.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import os
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, Literal
from urllib.parse import urlsplit

import httpx

from caulk.fsutil import create_temp
from caulk.image.errors import DigestMismatchError, ImageError
from caulk.image.reference import RegistryRef, is_digest, parse_registry_ref
from caulk.image.streams import CHUNK, FileRegion, VerifyingReader
from caulk.registry.auth import Credentials, load_credentials, parse_challenge
from caulk.registry.options import RegistryOptions, default_cache_dir, is_loopback_host

MANIFEST_ACCEPT = ", ".join(
    [
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    ]
)
DOCKER_HUB_API = "registry-1.docker.io"
MAX_MANIFEST_BYTES = 8 << 20
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclasses.dataclass(frozen=True)
class FetchedManifest:
    body: bytes
    media_type: str | None
    digest: str


class _NotFoundError(Exception):
    pass


FailureReason = Literal["not found", "authentication required", "network", "registry error"]


class RegistryError(ImageError):
    """A registry request failed; :attr:`reason` classifies why."""

    def __init__(self, message: str, reason: FailureReason) -> None:
        super().__init__(message)
        self.reason: FailureReason = reason


class _BodyError(Exception):
    """A manifest body was cut short (retried by :meth:`RegistryClient.get_manifest`)."""

    def __init__(self, error: RegistryError) -> None:
        super().__init__(str(error))
        self.error = error


class RegistryClient:
    """OCI distribution client. Use as a context manager, or call :meth:`close`."""

    def __init__(self, options: RegistryOptions | None = None) -> None:
        self.options = options or RegistryOptions()
        from caulk import __version__

        self._http = httpx.Client(
            timeout=httpx.Timeout(self.options.timeout, connect=min(self.options.timeout, 10)),
            follow_redirects=True,
            headers={"User-Agent": f"caulk/{__version__}"},
        )
        self._tokens: dict[tuple[str, str], str] = {}
        self._basic: dict[str, Credentials] = {}
        self._credentials: dict[str, Credentials | None] = {}

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RegistryClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- endpoints -----------------------------------------------------------------------------
    def _hosts(self, registry: str) -> list[str]:
        origin = DOCKER_HUB_API if registry == "docker.io" else registry
        return [*self.options.mirrors.get(registry, ()), origin]

    def _base_url(self, host: str) -> str:
        scheme = "http" if host in self.options.insecure else "https"
        return f"{scheme}://{host}"

    def _creds(self, registry: str) -> Credentials | None:
        if registry not in self._credentials:
            self._credentials[registry] = load_credentials(registry, self.options.docker_config)
        return self._credentials[registry]

    # -- requests ------------------------------------------------------------------------------
    def _send(
        self,
        method: str,
        registry: str,
        repository: str,
        path: str,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send with mirrors, auth and retries; the response is open (streamed) — close it."""
        if self.options.offline:
            raise ImageError(f"{registry}/{repository}: the network is off (--offline)")
        hosts = self._hosts(registry)
        last_error: str = ""
        for position, host in enumerate(hosts):
            is_last = position == len(hosts) - 1
            try:
                response = self._send_host(method, host, registry, repository, path, headers)
            except ImageError as exc:
                if is_last:
                    raise
                last_error = str(exc)
                continue
            if response.status_code in (404, 401, 403) and not is_last:
                response.close()
                last_error = f"{host}: HTTP {response.status_code}"
                continue  # a mirror without the content: try the next host
            return response
        raise ImageError(last_error or f"{registry}: unreachable")  # pragma: no cover

    def _send_host(
        self,
        method: str,
        host: str,
        registry: str,
        repository: str,
        path: str,
        headers: Mapping[str, str] | None,
    ) -> httpx.Response:
        url = f"{self._base_url(host)}/v2/{repository}/{path}"
        scope = f"repository:{repository}:pull"
        attempt = 0
        authed_once = False
        while True:
            request_headers = dict(headers or {})
            token = self._tokens.get((host, scope))
            if token:
                request_headers["Authorization"] = f"Bearer {token}"
            elif host in self._basic:
                creds = self._basic[host]
                pair = f"{creds.username}:{creds.password}".encode()
                request_headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            try:
                request = self._http.build_request(method, url, headers=request_headers)
                response = self._http.send(request, stream=True)
            except httpx.HTTPError as exc:
                if attempt < self.options.retries:
                    attempt += 1
                    time.sleep(0.5 * 2**attempt)
                    continue
                raise RegistryError(f"{host}: {type(exc).__name__}: {exc}", "network") from None
            if response.status_code == 401 and not authed_once:
                challenge_header = response.headers.get("www-authenticate", "")
                response.close()
                authed_once = True
                self._authenticate(host, registry, scope, challenge_header)
                continue
            if response.status_code in RETRY_STATUS and attempt < self.options.retries:
                response.close()
                attempt += 1
                delay = 0.5 * 2**attempt
                with contextlib.suppress(ValueError):
                    delay = min(float(response.headers.get("retry-after", delay)), 10.0)
                time.sleep(delay)
                continue
            return response

    def _authenticate(self, host: str, registry: str, scope: str, header: str) -> None:
        challenge = parse_challenge(header)
        creds = self._creds(registry)
        auth_error: FailureReason = "authentication required"
        if challenge is None:
            raise RegistryError(
                f"{host}: authentication required but no challenge was sent", auth_error
            )
        if challenge.scheme == "basic":
            if creds is None:
                raise RegistryError(
                    f"{host}: authentication required; log in (docker login {registry})",
                    auth_error,
                )
            self._basic[host] = creds
            return
        if challenge.scheme != "bearer" or "realm" not in challenge.params:
            raise RegistryError(
                f"{host}: unsupported authentication scheme {challenge.scheme!r}", auth_error
            )
        realm = challenge.params["realm"]
        realm_parts = urlsplit(realm)
        if realm_parts.scheme != "https" and not (
            realm_parts.scheme == "http" and is_loopback_host(realm_parts.netloc)
        ):
            raise RegistryError(
                f"{host}: refusing a token realm that is not HTTPS ({realm})", auth_error
            )
        params = {"scope": challenge.params.get("scope", scope)}
        if "service" in challenge.params:
            params["service"] = challenge.params["service"]
        auth = httpx.BasicAuth(creds.username, creds.password) if creds else None
        try:
            response = self._http.get(realm, params=params, auth=auth)
        except httpx.HTTPError as exc:
            raise RegistryError(
                f"{host}: token request failed: {type(exc).__name__}", "network"
            ) from None
        if response.status_code in (401, 403):
            raise RegistryError(
                f"{host}: access denied by the token service (check credentials)", auth_error
            )
        if response.status_code != 200:
            raise RegistryError(
                f"{host}: token request returned HTTP {response.status_code}", "registry error"
            )
        try:
            data = response.json()
        except ValueError:
            raise RegistryError(f"{host}: token response is not JSON", "registry error") from None
        token = data.get("token") or data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            raise RegistryError(f"{host}: token response has no token", "registry error")
        self._tokens[(host, scope)] = token

    @staticmethod
    def _read_bounded(response: httpx.Response, limit: int, what: str) -> bytes:
        parts: list[bytes] = []
        total = 0
        try:
            for chunk in response.iter_bytes(CHUNK):
                total += len(chunk)
                if total > limit:
                    raise RegistryError(
                        f"{what}: larger than the {limit}-byte limit", "registry error"
                    )
                parts.append(chunk)
        except httpx.HTTPError as exc:
            raise RegistryError(f"{what}: {type(exc).__name__}: {exc}", "network") from None
        finally:
            response.close()
        return b"".join(parts)

    @staticmethod
    def _status_error(response: httpx.Response, ref: str, what: str) -> RegistryError:
        code = response.status_code
        if code == 404:
            return RegistryError(f"{ref}: {what} not found (HTTP 404)", "not found")
        if code in (401, 403):
            return RegistryError(
                f"{ref}: access denied (HTTP {code}); check your registry login",
                "authentication required",
            )
        return RegistryError(f"{ref}: HTTP {code} fetching {what}", "registry error")

    # -- API -----------------------------------------------------------------------------------
    def get_manifest(self, ref: RegistryRef, reference: str | None = None) -> FetchedManifest:
        """The manifest or index at ``reference`` (default: the ref's digest or tag), verified.

        A body that is cut short or does not hash to its digest is fetched again (up to
        ``retries`` times) before the error is raised.
        """
        attempt = 0
        while True:
            try:
                return self._get_manifest_once(ref, reference)
            except (DigestMismatchError, _BodyError) as exc:
                if attempt >= self.options.retries:
                    if isinstance(exc, _BodyError):
                        raise exc.error from None
                    raise
                attempt += 1
                time.sleep(0.1 * 2**attempt)

    def _get_manifest_once(self, ref: RegistryRef, reference: str | None) -> FetchedManifest:
        target = reference or ref.reference
        response = self._send(
            "GET",
            ref.registry,
            ref.repository,
            f"manifests/{target}",
            {"Accept": MANIFEST_ACCEPT},
        )
        if response.status_code != 200:
            response.close()
            raise self._status_error(response, str(ref), f"manifest {target}")
        media_type = response.headers.get("content-type", "").split(";")[0].strip() or None
        header_digest = response.headers.get("docker-content-digest")
        try:
            body = self._read_bounded(response, MAX_MANIFEST_BYTES, f"{ref} manifest")
        except RegistryError as exc:
            if exc.reason != "network":
                raise
            raise _BodyError(exc) from None
        actual = "sha256:" + hashlib.sha256(body).hexdigest()
        expected = target if is_digest(target) else header_digest
        if expected and expected.startswith("sha512:"):
            actual = "sha512:" + hashlib.sha512(body).hexdigest()
        if expected and expected != actual:
            raise DigestMismatchError(
                f"{ref}: manifest {target} hashes to {actual}, not {expected}"
            )
        return FetchedManifest(body, media_type, expected or actual)

    def resolve_digest(self, ref: str | RegistryRef) -> str:
        """The digest a tag points at (the index digest for a multi-platform image)."""
        parsed = parse_registry_ref(ref) if isinstance(ref, str) else ref
        if parsed.digest:
            return parsed.digest
        response = self._send(
            "HEAD",
            parsed.registry,
            parsed.repository,
            f"manifests/{parsed.reference}",
            {"Accept": MANIFEST_ACCEPT},
        )
        response.close()
        digest = str(response.headers.get("docker-content-digest") or "")
        if response.status_code == 200 and is_digest(digest):
            return digest
        if response.status_code not in (200, 405):
            raise self._status_error(response, str(parsed), "manifest")
        return self.get_manifest(parsed).digest

    def list_tags(self, ref: RegistryRef) -> list[str]:
        """Every tag of the repository (follows ``Link`` pagination when the registry sends it)."""
        tags: list[str] = []
        path = "tags/list?n=1000"
        while path:
            response = self._send("GET", ref.registry, ref.repository, path)
            if response.status_code != 200:
                response.close()
                raise self._status_error(response, str(ref), "tag list")
            link = response.headers.get("link", "")
            body = self._read_bounded(response, MAX_MANIFEST_BYTES, f"{ref} tags")
            try:
                import json

                data = json.loads(body)
            except ValueError:
                raise ImageError(f"{ref}: tag list is not JSON") from None
            tags.extend(t for t in (data.get("tags") or []) if isinstance(t, str))
            path = ""
            if link.startswith("<") and ">" in link:
                next_url = link[1 : link.index(">")]
                marker = f"/v2/{ref.repository}/"
                path = next_url.split(marker, 1)[1] if marker in next_url else ""
        return tags

    # -- blobs ---------------------------------------------------------------------------------
    def _cache_path(self, digest: str) -> Path:
        algorithm, _, hexdigest = digest.partition(":")
        base = self.options.cache_dir or default_cache_dir()
        return base / algorithm / hexdigest

    @contextlib.contextmanager
    def open_blob(
        self, ref: RegistryRef, digest: str, size: int | None
    ) -> Iterator[VerifyingReader]:
        """A verified stream of a blob, downloaded into the cache first if needed."""
        if not is_digest(digest):
            raise ImageError(f"{ref}: invalid blob digest {digest!r}")
        path = self._cache_path(digest)
        if not path.exists():
            self._download(ref, digest, size, path)
        with path.open("rb") as fh:
            region = FileRegion.whole_file(fh.fileno())
            yield VerifyingReader(fh, digest, size, f"{digest} (cached from {ref})", region=region)

    def _download(self, ref: RegistryRef, digest: str, size: int | None, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        response = self._send("GET", ref.registry, ref.repository, f"blobs/{digest}")
        if response.status_code != 200:
            response.close()
            raise self._status_error(response, str(ref), f"blob {digest}")
        fd, tmp = create_temp(path.parent, ".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                self._stream_verified(response, out, digest, size, str(ref))
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _stream_verified(
        self, response: httpx.Response, out: IO[bytes], digest: str, size: int | None, ref: str
    ) -> None:
        class _Body:
            def __init__(self) -> None:
                self._chunks = response.iter_bytes(CHUNK)

            def read(self, _size: int = -1) -> bytes:
                return next(self._chunks, b"")

        reader = VerifyingReader(_Body(), digest, size, f"{digest} from {ref}")
        progress = self.options.progress
        ok = False
        try:
            while chunk := reader.read(CHUNK):
                out.write(chunk)
                if progress is not None:
                    progress.update(digest, reader.bytes_read, size)
            ok = True
        except httpx.HTTPError as exc:
            raise ImageError(f"{ref}: blob {digest}: {type(exc).__name__}: {exc}") from None
        finally:
            response.close()
            if progress is not None:
                progress.end(digest, reader.bytes_read, ok)


def client_for(options: RegistryOptions | None = None) -> RegistryClient:
    """A new client (callers share one per command)."""
    return RegistryClient(options)


def manifest_json(fetched: FetchedManifest) -> Any:
    import json

    try:
        return json.loads(fetched.body)
    except ValueError:
        raise ImageError(f"manifest {fetched.digest} is not JSON") from None
