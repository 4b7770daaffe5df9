"""apk: the installed database (origin is the source package; L: licences)."""

from __future__ import annotations

from pathlib import Path

from tests.catalog.helpers import by_name, catalog_tree

ALPINE_OS_RELEASE = (
    'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'
)

# Written after apk-tools' database format (wiki "Apk spec"): C: checksum, P: name, V: version,
# A: arch, S/I: sizes, T: description, U: url, L: licence, o: origin, m: maintainer,
# t: build time, c: commit, D: depends, p: provides, F: folder, R: file, Z: file checksum.
INSTALLED = """\
C:Q1Kzs3R7nmXBkqDSs4h7wG4nFTGHQ=
P:musl
V:1.2.5-r0
A:x86_64
S:411323
I:662016
T:the musl c library (libc) implementation
U:https://musl.libc.org/
L:MIT
o:musl
m:Natanael Copa <ncopa@alpinelinux.org>
t:1712600542
c:a2d9c3cbb0b2a7c8d7e6d1b2c0b1b4b1e4a8c8a4
F:lib
R:ld-musl-x86_64.so.1
a:0:0:755
Z:Q1ZGPD9yZV2TKZuvDOeZNJnLfExuQ=
R:libc.musl-x86_64.so.1

C:Q1abc=
P:libcrypto3
V:3.3.2-r0
A:x86_64
L:Apache-2.0
o:openssl
F:usr/lib
R:libcrypto.so.3

C:Q1def=
P:scanelf
V:1.3.7-r2
A:x86_64
L:GPL-2.0-only
o:pax-utils
F:usr/bin
R:scanelf

P:broken-no-version
A:x86_64

C:Q1ghi=
P:busybox
V:1.36.1-r29
A:x86_64
L:GPL2
"""


def test_installed_database(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "lib/apk/db/installed": INSTALLED,
            "etc/os-release": ALPINE_OS_RELEASE,
            "etc/alpine-release": "3.20.3\n",
            "lib/ld-musl-x86_64.so.1": b"\x7fELF",
        },
    )
    packages = by_name(found, "apk")
    assert set(packages) == {"musl", "libcrypto3", "scanelf", "busybox"}
    crypto = packages["libcrypto3"]
    assert (crypto.source_name, crypto.source_version) == ("openssl", "3.3.2-r0")
    assert crypto.purl == "pkg:apk/alpine/libcrypto3@3.3.2-r0?arch=x86_64&distro=3.20.3"
    assert crypto.licenses == ("Apache-2.0",)
    # No origin: the package is its own source; old licence spellings are normalised.
    assert packages["busybox"].source_name == "busybox"
    assert packages["busybox"].licenses == ("GPL-2.0-only",)
    assert any("without P: or V:" in w for w in found.warnings)
    assert found.os is not None and found.os.osv_ecosystem == "Alpine:v3.20"
