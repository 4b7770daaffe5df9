"""Go's URL and path semantics that Scorecard's shell rules inherit."""

from __future__ import annotations

import pytest

from caulk.shell import gocompat


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://example.com/a/b", ("https", "example.com", "/a/b")),
        ("HTTPS://Example.com/a%20b", ("https", "Example.com", "/a b")),
        ("/tmp/file", ("", "", "/tmp/file")),
        ("Accept: text/plain", ("accept", "", "")),  # opaque
        ("mailto:x@y", ("mailto", "", "")),
        ("https://u:p@host:8080/x?q=1", ("https", "host:8080", "/x")),
        ("*", ("", "", "*")),
    ],
)
def test_parse_request_uri_accepts(raw: str, expected: tuple[str, str, str]) -> None:
    url = gocompat.parse_request_uri(raw)
    assert (url.scheme, url.host, url.path) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "-fsSL", "relative/path", "file.txt", ":x", "http://host:port/", "http://[::1", "/a%zz"],
)
def test_parse_request_uri_rejects(raw: str) -> None:
    with pytest.raises(gocompat.URLError):
        gocompat.parse_request_uri(raw)


def test_parse_url_splits_the_fragment() -> None:
    assert gocompat.parse_url("https://x/dir/f.sh#frag").path == "/dir/f.sh"
    with pytest.raises(gocompat.URLError):
        gocompat.parse_url("https://x/f#%zz")


@pytest.mark.parametrize(
    ("func", "arg", "expected"),
    [
        (gocompat.path_base, "", "."),
        (gocompat.path_base, "/", "/"),
        (gocompat.path_base, "/usr/bin/bash", "bash"),
        (gocompat.path_base, "dir/", "dir"),
        (gocompat.clean, "./f", "f"),
        (gocompat.clean, "/tmp//a/../b/", "/tmp/b"),
        (gocompat.clean, "../../x", "../../x"),
        (gocompat.clean, "/..", "/"),
        (gocompat.clean, "", "."),
        (gocompat.dir_name, "f", "."),
        (gocompat.dir_name, "/tmp/", "/tmp"),
        (gocompat.dir_name, "/tmp/f", "/tmp"),
    ],
)
def test_path_functions(func: object, arg: str, expected: str) -> None:
    assert callable(func)
    assert func(arg) == expected


def test_join_ignores_empty_elements() -> None:
    assert gocompat.join(".", "x.sh") == "x.sh"
    assert gocompat.join("/tmp", "x.sh") == "/tmp/x.sh"
    assert gocompat.join("", "") == ""
