"""os-release → OperatingSystem and OSV ecosystem names (reference/osv.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.catalog.osrelease import osv_ecosystem, parse_os_release
from tests.catalog.helpers import catalog_tree


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n', "Debian:12"),
        ("ID=debian\nVERSION_CODENAME=trixie\n", "Debian:13"),
        ("ID=debian\n", "Debian:sid"),
        ('ID=ubuntu\nVERSION_ID="24.04"\nVERSION="24.04.1 LTS (Noble Numbat)"\n',
         "Ubuntu:24.04:LTS"),
        ('ID=ubuntu\nVERSION_ID="25.10"\nVERSION="25.10 (Questing Quokka)"\n', "Ubuntu:25.10"),
        ("ID=alpine\nVERSION_ID=3.20.3\n", "Alpine:v3.20"),
        ('ID="rocky"\nVERSION_ID="9.3"\n', "Rocky Linux:9"),
        ('ID="almalinux"\nVERSION_ID="9.4"\n', "AlmaLinux:9"),
        ("ID=wolfi\nVERSION_ID=20230201\n", "Wolfi"),
        ('ID="sles"\nVERSION_ID="15.5"\nPRETTY_NAME="SUSE Linux Enterprise Server 15 SP5"\n',
         "SUSE:Linux Enterprise Server 15 SP5"),
        ('ID="rhel"\nVERSION_ID="9.4"\n', None),
    ],
)  # fmt: skip
def test_osv_ecosystems(text: str, expected: str | None) -> None:
    assert osv_ecosystem(parse_os_release(text)) == expected


def test_usr_lib_os_release_and_debian_point_release(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "usr/lib/os-release": 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'
            'VERSION_ID="12"\n',
            "etc/debian_version": "12.7\n",
        },
    )
    assert found.os is not None
    assert (found.os.id, found.os.version_id, found.os.version) == ("debian", "12", "12.7")


def test_os_release_quoting() -> None:
    fields = parse_os_release('# comment\nNAME=\'Single\'\nX="a \\"q\\" b"\njunk\n')
    assert fields == {"NAME": "Single", "X": 'a "q" b'}
