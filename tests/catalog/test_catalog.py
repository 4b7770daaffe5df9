"""catalog(): every cataloger, sorted output, and the image reader's wanted_path predicate."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.catalog import CATALOGERS, _candidate, wanted_path
from caulk.catalog.directory import DirectoryFileSource
from tests.catalog.helpers import catalog_tree

SAMPLE_PATHS = [
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/libc6",
    "var/lib/dpkg/status.d/libc6.md5sums",
    "var/lib/dpkg/info/libc6:amd64.list",
    "var/lib/dpkg/info/libc6:amd64.md5sums",
    "usr/share/doc/libc6/copyright",
    "usr/share/doc/libc6/changelog.Debian.gz",
    "lib/apk/db/installed",
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/Packages",
    "usr/lib/python3/dist-packages/six-1.16.0.egg-info",
    "usr/lib/python3.11/site-packages/pip-24.0.dist-info/METADATA",
    "usr/lib/python3.11/site-packages/pip-24.0.dist-info/RECORD",
    "app/node_modules/@types/node/package.json",
    "app/node_modules/lodash/lib/package.json",
    "usr/local/bin/kubectl",
    "usr/bin/bash",
    "opt/tool/bin/tool",
    "usr/libexec/docker/cli-plugins/docker-buildx",
    "manager",
    "app/server",
    "ko-app/hello",
    "srv/app/LIB/Thing.JAR",
    "usr/share/java/x.war",
    "etc/os-release",
    "usr/lib/os-release",
    "etc/passwd",
    "usr/lib/x86_64-linux-gnu/libc.so.6",
    "usr/share/zoneinfo/UTC",
    "README.md",
]


@pytest.mark.parametrize("path", SAMPLE_PATHS)
def test_fast_prefilter_is_a_superset_of_every_cataloger(path: str) -> None:
    if any(c.wants(path) for c in CATALOGERS):
        assert _candidate(path)
        assert wanted_path(path)


def test_wanted_path_keeps_few_bodies() -> None:
    wanted = {p for p in SAMPLE_PATHS if wanted_path(p)}
    assert "etc/passwd" not in wanted
    assert "usr/lib/x86_64-linux-gnu/libc.so.6" not in wanted
    assert "usr/share/doc/libc6/changelog.Debian.gz" not in wanted
    assert "var/lib/dpkg/status.d/libc6.md5sums" not in wanted
    assert "var/lib/dpkg/info/libc6:amd64.md5sums" not in wanted
    assert "var/lib/dpkg/info/libc6:amd64.list" in wanted  # who installed a language package
    assert "app/node_modules/lodash/lib/package.json" not in wanted
    assert {"etc/os-release", "var/lib/dpkg/status", "usr/bin/bash", "manager"} <= wanted


def test_mixed_root_is_sorted_and_deterministic(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "var/lib/dpkg/status": "Package: zlib1g\nStatus: install ok installed\nVersion: 1\n\n"
        "Package: apt\nStatus: install ok installed\nVersion: 2\n",
        "app/node_modules/a/package.json": '{"name": "a", "version": "1.0.0"}',
        "usr/lib/python3/dist-packages/b-1.0.dist-info/METADATA": "Name: b\nVersion: 1.0\n",
    }
    first = catalog_tree(tmp_path, files)
    second = catalog_tree(tmp_path)
    assert first == second
    assert [(p.type, p.name) for p in first.packages] == [
        ("deb", "apt"),
        ("deb", "zlib1g"),
        ("npm", "a"),
        ("pypi", "b"),
    ]


def test_symlinks_resolve_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/os-release").write_text("ID=debian\nVERSION_ID=12\n")
    (root / "etc/os-release").symlink_to("../usr/lib/os-release")
    (root / "etc/escape").symlink_to("/../../../../etc/hostname")
    fs = DirectoryFileSource(root)
    assert fs.read("etc/os-release") == b"ID=debian\nVERSION_ID=12\n"
    assert fs.read("etc/escape") is None  # resolved inside root, where it does not exist
    assert fs.read("etc/os-release", limit=4) is None
    assert "etc/os-release" in fs.paths()
