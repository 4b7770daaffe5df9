"""Language packages an OS package manager installed are marked ``installed_by`` (Trivy's rule).

Debian's python3-idna ships ``idna-3.3.dist-info``: PyPI's advisories must not be matched
against Debian's copy (caulk/catalog/ownership.py). Ownership comes from dpkg's ``.list``
files, apk's ``F:``/``R:`` lines and rpm's file lists.
"""

from __future__ import annotations

from pathlib import Path

from caulk.catalog.models import OperatingSystem, Package
from caulk.catalog.ownership import INSTALLED_BY
from caulk.vuln.matcher import match_target
from tests.catalog.helpers import DEBIAN_OS_RELEASE, by_name, catalog_tree, install_rpms

ALPINE_OS_RELEASE = 'ID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME="Alpine Linux v3.20"\n'


def metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"


DPKG_STATUS = """\
Package: python3-idna
Status: install ok installed
Architecture: all
Source: python-idna
Version: 3.3-1

Package: python3-requests
Status: install ok installed
Architecture: all
Source: requests
Version: 2.28.1+dfsg-1
"""


def test_dpkg_list_files_mark_what_dpkg_installed(tmp_path: Path) -> None:
    idna = "usr/lib/python3/dist-packages/idna-3.3.dist-info/METADATA"
    pip_requests = "usr/local/lib/python3.11/dist-packages/requests-2.32.3.dist-info/METADATA"
    found = catalog_tree(
        tmp_path,
        {
            "etc/os-release": DEBIAN_OS_RELEASE,
            "var/lib/dpkg/status": DPKG_STATUS,
            # the two spellings dpkg uses: NAME:ARCH.list (multi-arch) and NAME.list
            "var/lib/dpkg/info/python3-idna.list": (
                "/.\n/usr\n/usr/lib/python3/dist-packages\n"
                "/usr/lib/python3/dist-packages/idna-3.3.dist-info\n"
                f"/{idna}\n/usr/lib/python3/dist-packages/idna/__init__.py\n"
            ),
            "var/lib/dpkg/info/python3-requests:all.list": "/usr/lib/python3/dist-packages\n",
            idna: metadata("idna", "3.3"),
            pip_requests: metadata("requests", "2.32.3"),  # pip's own: not dpkg's
        },
    )
    python = by_name(found, "pypi")
    debs = by_name(found, "deb")
    assert python["idna"].meta(INSTALLED_BY) == debs["python3-idna"].purl
    assert python["requests"].meta(INSTALLED_BY) is None
    assert debs["python3-idna"].meta(INSTALLED_BY) is None  # OS packages are never marked
    assert found.warnings == ()


def test_apk_file_lines_mark_what_apk_installed(tmp_path: Path) -> None:
    site = "usr/lib/python3.12/site-packages"
    installed = (
        "C:Q1abc=\nP:py3-idna\nV:3.7-r0\nA:noarch\no:py3-idna\nL:BSD-3-Clause\n"
        f"F:{site}/idna-3.7.dist-info\nR:METADATA\nR:RECORD\n\n"
    )
    found = catalog_tree(
        tmp_path,
        {
            "etc/os-release": ALPINE_OS_RELEASE,
            "lib/apk/db/installed": installed,
            f"{site}/idna-3.7.dist-info/METADATA": metadata("idna", "3.7"),
            f"{site}/flask-3.0.0.dist-info/METADATA": metadata("flask", "3.0.0"),
        },
    )
    python = by_name(found, "pypi")
    assert python["idna"].meta(INSTALLED_BY) == by_name(found, "apk")["py3-idna"].purl
    assert python["flask"].meta(INSTALLED_BY) is None


def test_a_package_installed_by_the_os_is_not_matched_as_a_language_package() -> None:
    debian = OperatingSystem("debian", "12", osv_ecosystem="Debian:12")
    pip_installed = Package("idna", "3.3", "pypi", "pkg:pypi/idna@3.3")
    by_dpkg = Package(
        "idna",
        "3.3",
        "pypi",
        "pkg:pypi/idna@3.3",
        metadata=((INSTALLED_BY, "pkg:deb/debian/python3-idna@3.3-1?arch=all"),),
    )
    target = match_target(pip_installed, debian)
    assert target is not None and target.ecosystem == "PyPI"
    assert match_target(by_dpkg, debian) is None


PY_SPEC = """\
Name: python3-caulkdemo
Version: 1.0
Release: 1.fc40
Summary: a Python package as Fedora packages it
License: MIT
BuildArch: noarch
%description
test
%install
mkdir -p %{buildroot}/usr/lib/python3.12/site-packages/caulkdemo-1.0.dist-info
printf 'Metadata-Version: 2.1\\nName: caulkdemo\\nVersion: 1.0\\n' \\
  > %{buildroot}/usr/lib/python3.12/site-packages/caulkdemo-1.0.dist-info/METADATA
%files
/usr/lib/python3.12/site-packages/caulkdemo-1.0.dist-info/METADATA
"""


def test_rpm_file_lists_mark_what_rpm_installed(tmp_path: Path) -> None:
    """A real rpmdb: rpmbuild a package that ships a dist-info, install it with ``--justdb``."""
    install_rpms(PY_SPEC, tmp_path, tmp_path / "root/var/lib/rpm")
    site = "usr/lib/python3.12/site-packages"
    found = catalog_tree(
        tmp_path / "root",
        {
            "etc/os-release": 'ID=fedora\nVERSION_ID=40\nNAME="Fedora Linux"\n',
            f"{site}/caulkdemo-1.0.dist-info/METADATA": metadata("caulkdemo", "1.0"),
            f"{site}/other-2.0.dist-info/METADATA": metadata("other", "2.0"),
        },
    )
    python = by_name(found, "pypi")
    owner = by_name(found, "rpm")["python3-caulkdemo"].purl
    assert python["caulkdemo"].meta(INSTALLED_BY) == owner
    assert python["other"].meta(INSTALLED_BY) is None
