"""License: scores equal to Scorecard --local (checks/raw/license.go, filename SPDX ids only).

The name vectors come from Scorecard's checks/raw/license_test.go; the SPDX ids were
cross-checked against the Go implementation run on 8,000 names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.license import check_license_name, license_check
from caulk.repo.checkout import Repository


def repo_with(tmp_path: Path, *names: str) -> Repository:
    for name in names:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("license text\n")
    return Repository(tmp_path)


@pytest.mark.parametrize(
    ("name", "score"),
    [
        ("LICENSE", 9),  # no SPDX id in the name: NOASSERTION (Scorecard's e2e test expects 9)
        ("COPYING", 9),
        ("LICENSE.md", 9),
        ("LICENSE-MIT", 10),
        ("MIT-LICENSE", 10),
        ("LICENSE-Apache-2.0.txt", 10),
        ("LICENSES/Apache-2.0.txt", 10),
        ("LICENSE-binary", 9),
        ("UNLICENSE.md", 10),  # "un" is read as the Unlicense
        ("LICENSE_LPPL-1.3c", 10),
        ("GPL-LICENSE", 9),  # bare "GPL" is not in the FSF/OSI map
    ],
)
def test_scores(tmp_path: Path, name: str, score: int) -> None:
    result = license_check(repo_with(tmp_path, name))
    assert result.score == score
    assert result.reason == "license file detected"


def test_no_license_scores_0_with_ck3003(tmp_path: Path) -> None:
    result = license_check(repo_with(tmp_path, "README.md", "docs/LICENSE"))
    assert result.score == 0
    assert result.reason == "license file not detected"
    assert [(f.rule_id, f.check) for f in result.findings] == [("CK3003", "License")]


def test_first_license_file_in_walk_order(tmp_path: Path) -> None:
    # "COPYING" sorts before "LICENSE-MIT": Scorecard stops at COPYING (9).
    assert license_check(repo_with(tmp_path, "LICENSE-MIT", "COPYING")).score == 9


@pytest.mark.parametrize(
    ("name", "spdx"),
    [
        ("LICENSE", "NOASSERTION"),
        ("LICENSE-MIT", "MIT"),
        ("GPL-2.0-LICENSE", "GPL-2.0"),
        ("LICENSE-MPL-2.0", "MPL-2.0"),
        ("LICENSE_LPPL-1.3c", "LPPL-1.3c"),
        ("license-CC-BY-4.0.md", "CC-BY-4.0"),
        ("Licenses/GPL-3.0.md", "GPL-3.0"),
        ("mit.2.0.0.LICENSE", "mit.2.0.0."),  # the trailing separator stays, as in Go
        ("UNLICENSE.md", "UNLICENSE"),
        ("COPYING-MIT", "MIT"),
        ("LICENSE-ASL.txt", "ASL"),
    ],
)
def test_spdx_id_from_the_file_name(name: str, spdx: str) -> None:
    found = check_license_name(name)
    assert found is not None
    assert found.spdx_id == spdx


@pytest.mark.parametrize(
    "name",
    [
        "LICENSE",
        "LICENCE.txt",
        "COPYING.rst",
        "COPYRIGHT",
        "PATENTS.txt",
        "LICENSES",
        "MIT-COPYING",
        "APACHE_LICENSETEXT.md",
        "LICENSE_RELEASE",
        "GPL2LICENCES",
        "license.md",
        "unlicense",
        "MIT_kjahdskhaskjdhk_LICENSE",
    ],
)
def test_accepted_names(name: str) -> None:
    assert check_license_name(name) is not None


@pytest.mark.parametrize(
    "name",
    [
        "OFL",
        "OFL.md",
        "GPLv3",
        "LICENSE,",
        "license.yaml",
        "licenserc.yaml",
        ".licenserc.yaml",
        "Artistic-1.0-Perl LICENSE",
        "examples-trunk/LICENSE",
        "python-phoenixdb/LICENSE",
        "static/fonts/OFL.txt",
        ".github/workflows/license.yml",
        "content/dev/apply-license.md",
    ],
)
def test_rejected_names(name: str) -> None:
    assert check_license_name(name) is None


def test_long_names_do_not_backtrack_for_ever() -> None:
    assert check_license_name("a" * 250 + "!") is None
    assert check_license_name("a.1" * 80) is None


def test_dangling_symlink_is_not_a_license(tmp_path: Path) -> None:
    (tmp_path / "LICENSE").symlink_to(tmp_path / "missing")
    assert license_check(Repository(tmp_path)).score == 0
