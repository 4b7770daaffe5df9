"""Go standard-library behaviour that Scorecard's shell rules depend on, ported exactly.

Scorecard decides whether a download is pinned with ``net/url.ParseRequestURI`` (so a bare
``/tmp/x`` argument or an ``Accept: text/plain`` header counts as a URL), names downloaded
files with ``path.Base``/``filepath.Dir``/``filepath.Join``, and compares commands with
``strings.EqualFold``. Python's ``urllib``/``posixpath`` differ in edge cases, hence these.
"""

from __future__ import annotations

from dataclasses import dataclass


def equal_fold(a: str, b: str) -> bool:
    """``strings.EqualFold`` (simple Unicode case folding)."""
    return a == b or a.casefold() == b.casefold()


def path_base(p: str) -> str:
    """``path.Base``: the last element; ``.`` for an empty path, ``/`` for only slashes."""
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p[p.rfind("/") + 1 :]


def clean(p: str) -> str:
    """``path/filepath.Clean`` on a Unix system."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out: list[str] = []
    for element in p.split("/"):
        if element in ("", "."):
            continue
        if element == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(element)
    joined = "/".join(out)
    if rooted:
        return "/" + joined
    return joined or "."


def dir_name(p: str) -> str:
    """``path/filepath.Dir``."""
    return clean(p[: p.rfind("/") + 1])


def join(*elements: str) -> str:
    """``path/filepath.Join``: empty elements are ignored, the result is cleaned."""
    kept = [e for e in elements if e]
    return clean("/".join(kept)) if kept else ""


@dataclass(frozen=True)
class URL:
    """The fields of Go's ``url.URL`` that Scorecard reads."""

    scheme: str
    host: str
    path: str
    """Unescaped path (empty for an opaque URL such as ``mailto:x``)."""


class URLError(ValueError):
    """What Go's URL parser would return as an error."""


_HEX = frozenset("0123456789abcdefABCDEF")
_HOST_OK = frozenset("!$&'()*+,;=:[]<>\"-_.~")
_USERINFO_OK = frozenset("-._:~!$&'()*+,;=%@")


def parse_request_uri(raw: str) -> URL:
    """``url.ParseRequestURI``: an absolute URI or an absolute path (no fragment split)."""
    return _parse(raw, via_request=True)


def parse_url(raw: str) -> URL:
    """``url.Parse``: the fragment is split off (and validated) first."""
    u, sep, frag = raw.partition("#")
    url = _parse(u, via_request=False)
    if sep:
        _unescape(frag, host=False)
    return url


def _parse(raw: str, *, via_request: bool) -> URL:
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in raw):
        raise URLError("invalid control character in URL")
    if raw == "" and via_request:
        raise URLError("empty url")
    if raw == "*":
        return URL("", "", "*")
    scheme, rest = _get_scheme(raw)
    scheme = scheme.lower()
    # A lone trailing "?" is Go's ForceQuery; otherwise the query is cut off.
    single_trailing = rest.endswith("?") and rest.count("?") == 1
    rest = rest[:-1] if single_trailing else rest.partition("?")[0]
    if not rest.startswith("/"):
        if scheme:
            return URL(scheme, "", "")  # opaque
        if via_request:
            raise URLError("invalid URI for request")
        if ":" in rest.partition("/")[0]:
            raise URLError("first path segment in URL cannot contain colon")
    host = ""
    if (scheme or (not via_request and not rest.startswith("///"))) and rest.startswith("//"):
        authority, rest = rest[2:], ""
        slash = authority.find("/")
        if slash >= 0:
            authority, rest = authority[:slash], authority[slash:]
        host = _parse_authority(authority)
    return URL(scheme, host, _unescape(rest, host=False))


def _get_scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def _parse_authority(authority: str) -> str:
    at = authority.rfind("@")
    if at >= 0:
        userinfo = authority[:at]
        if not all((c.isascii() and c.isalnum()) or c in _USERINFO_OK for c in userinfo):
            raise URLError("net/url: invalid userinfo")
        _unescape(userinfo, host=False)
        authority = authority[at + 1 :]
    return _parse_host(authority)


def _parse_host(host: str) -> str:
    if host.startswith("["):
        end = host.rfind("]")
        if end < 0:
            raise URLError("missing ']' in host")
        if not _valid_optional_port(host[end + 1 :]):
            raise URLError("invalid port after host")
    else:
        colon = host.rfind(":")
        if colon >= 0 and not _valid_optional_port(host[colon:]):
            raise URLError("invalid port after host")
    return _unescape(host, host=True)


def _valid_optional_port(port: str) -> bool:
    if port == "":
        return True
    return port[0] == ":" and all("0" <= c <= "9" for c in port[1:])


def _unescape(s: str, *, host: bool) -> str:
    """``url.unescape`` for path/fragment/userinfo (``host=False``) and host mode."""
    out = bytearray()
    i = 0
    n = len(s)
    while i < n:
        c = s[i]
        if c == "%":
            if i + 2 >= n or s[i + 1] not in _HEX or s[i + 2] not in _HEX:
                raise URLError("invalid URL escape")
            if host and int(s[i + 1], 16) < 8 and s[i : i + 3] != "%25":
                raise URLError("invalid URL escape")
            out.append(int(s[i + 1 : i + 3], 16))
            i += 3
            continue
        if host and c.isascii() and not (c.isalnum() or c in _HOST_OK):
            raise URLError("invalid character in host name")
        out += c.encode("utf-8")
        i += 1
    return out.decode("utf-8", errors="surrogateescape")
