"""dpkg: status and status.d parsing, source mapping, licences from copyright files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from caulk.catalog.directory import DirectoryFileSource
from caulk.catalog.dpkg import (
    DpkgCataloger,
    copyright_licenses,
    split_epoch,
    split_source,
)
from caulk.catalog.interface import CatalogContext
from tests.catalog.helpers import DEBIAN_OS_RELEASE, by_name, catalog_tree

STATUS = """\
Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Description: GNU C Library
 continuation line: not a field

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7

Package: login
Status: install ok installed
Architecture: amd64
Source: shadow (1:4.13+dfsg1-1)
Version: 1:4.13+dfsg1-1+b1

Package: bsdutils
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5)
Version: 1:2.38.1-5+b1

Package: removed-but-config
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: purged
Status: purge ok not-installed
Architecture: amd64
Version: 1.0-1

Package: pending
Status: install ok triggers-pending
Architecture: all
Version: 3.0

Package: held
Status: hold ok installed
Architecture: all
Version: 2.0
"""


def test_status_entries_follow_dpkg(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "var/lib/dpkg/status": STATUS,
            "etc/os-release": DEBIAN_OS_RELEASE,
            "etc/debian_version": "12.7\n",
        },
    )
    rows = sorted((p.name, p.version, p.source_name, p.source_version) for p in found.packages)
    # Config-files-only and purged packages have no files in the image; triggers-pending and
    # held packages do. Multi-arch copies stay separate.
    assert rows == [
        ("bsdutils", "1:2.38.1-5+b1", "util-linux", "2.38.1-5"),
        ("held", "2.0", "held", "2.0"),
        ("libc6", "2.36-9+deb12u7", "glibc", "2.36-9+deb12u7"),
        ("libc6", "2.36-9+deb12u7", "glibc", "2.36-9+deb12u7"),
        ("login", "1:4.13+dfsg1-1+b1", "shadow", "1:4.13+dfsg1-1"),
        ("pending", "3.0", "pending", "3.0"),
    ]
    purls = {p.purl for p in found.packages}
    # Trivy's purl shape: epoch as a qualifier, version without it, distro from debian_version.
    assert "pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&distro=debian-12.7&epoch=1" in purls
    assert "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=i386&distro=debian-12.7" in purls
    assert found.os is not None and found.os.osv_ecosystem == "Debian:12"


def test_source_field_forms() -> None:
    assert split_source("", "bash", "5.2.15-2+b2") == ("bash", "5.2.15-2+b2")
    assert split_source("glibc", "libc6", "2.36-9") == ("glibc", "2.36-9")
    assert split_source("shadow (1:4.13+dfsg1-1)", "login", "1:4.13+dfsg1-1+b1") == (
        "shadow",
        "1:4.13+dfsg1-1",
    )
    assert split_epoch("1:2.38.1-5") == ("1", "2.38.1-5")
    assert split_epoch("2.38.1-5") == ("", "2.38.1-5")


def test_distroless_status_d_has_no_status_line(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "var/lib/dpkg/status.d/base-files": (
                "Package: base-files\nVersion: 12.4+deb12u6\nArchitecture: amd64\n"
            ),
            "var/lib/dpkg/status.d/base-files.md5sums": "0123  etc/debian_version\n",
            "var/lib/dpkg/status.d/libssl3": (
                "Package: libssl3\nVersion: 3.0.13-1~deb12u1\nArchitecture: amd64\n"
                "Source: openssl\n"
            ),
        },
    )
    packages = by_name(found, "deb")
    assert set(packages) == {"base-files", "libssl3"}
    assert packages["libssl3"].source_name == "openssl"
    assert packages["libssl3"].locations == ("var/lib/dpkg/status.d/libssl3",)


def test_malformed_stanzas_are_warnings(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "var/lib/dpkg/status": (
                "Package: ok\nStatus: install ok installed\nVersion: 1\n\n"
                "Package: noversion\nStatus: install ok installed\n\n"
                "Package: badstatus\nStatus: installed\nVersion: 1\n\n"
                "\x00\xff garbage line without colon\n"
            ),
        },
    )
    assert [p.name for p in found.packages] == ["ok"]
    assert any("noversion" not in w and "without Package or Version" in w for w in found.warnings)
    assert any("badstatus: malformed Status" in w for w in found.warnings)


DEP5 = """\
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: example
License: GPL-2+

Files: *
Copyright: 2020 Someone
License: GPL-2+ or Artistic

Files: lib/*
Copyright: 2021 Else
License: BSD-3-clause
 Redistribution and use in source and binary forms...
 .
 License: this indented line is licence text, not a field

Files: vendor/*
License: public-domain

License: GPL-2+
 This paragraph only defines the text of GPL-2+.

License: Zlib
 A stand-alone definition that no Files paragraph uses is not declared.
"""


def test_dep5_licenses_come_from_header_and_files_paragraphs() -> None:
    assert copyright_licenses(DEP5.encode()) == (
        "GPL-2.0-or-later",
        "GPL-2.0-or-later OR Artistic-1.0-Perl",
        "BSD-3-Clause",
        "LicenseRef-public-domain",
    )


def test_free_form_copyright_uses_common_licenses_references() -> None:
    text = b"This package is under the GPL; see /usr/share/common-licenses/GPL-3.\n"
    assert copyright_licenses(text) == ("GPL-3.0-only",)
    assert copyright_licenses(b"No licence named here.\n") == ()


def test_licenses_are_read_from_the_package_doc_directory(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "var/lib/dpkg/status": STATUS,
            "usr/share/doc/login/copyright": DEP5,
        },
    )
    login = by_name(found)["login"]
    assert "GPL-2.0-or-later OR Artistic-1.0-Perl" in login.licenses


def test_layer_is_the_layer_of_the_info_list(tmp_path: Path) -> None:
    root = tmp_path / "root"
    catalog_tree(
        root,
        {
            "var/lib/dpkg/status": STATUS,
            "var/lib/dpkg/info/libc6:amd64.list": "/usr/lib/x86_64-linux-gnu/libc.so.6\n",
            "var/lib/dpkg/info/login.list": "/usr/bin/login\n",
        },
    )
    ctx = CatalogContext(DirectoryFileSource(root, layer="sha256:" + "a" * 64))
    packages = list(DpkgCataloger().catalog(["var/lib/dpkg/status"], ctx))
    assert {p.layer for p in packages} == {"sha256:" + "a" * 64}


@pytest.mark.skipif(
    not Path("/var/lib/dpkg/status").is_file() or shutil.which("dpkg-query") is None,
    reason="needs a Debian-family host with dpkg-query",
)
def test_this_machines_status_matches_dpkg_query(tmp_path: Path) -> None:
    """dpkg's own answer (``dpkg-query -W``) is the oracle for name, version and source."""
    fmt = "${db:Status-Abbrev}|${Package}|${Version}|${source:Package}|${source:Version}\n"
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", fmt], check=True, capture_output=True, text=True
    ).stdout
    expected = set()
    for line in out.splitlines():
        abbrev, *fields = line.split("|")
        if abbrev[1:2] in ("i", "U", "F", "W", "t", "H"):  # files on disk
            expected.add(tuple(fields))
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    shutil.copy("/var/lib/dpkg/status", root / "var/lib/dpkg/status")
    found = catalog_tree(root)
    got = {(p.name, p.version, p.source_name, p.source_version) for p in found.packages}
    assert got == expected
    assert not found.warnings
