"""Licence names → SPDX expressions (DEP-5 short names, apk/rpm spellings, SPDX itself)."""

from __future__ import annotations

import pytest

from caulk.catalog.licenses import is_spdx_id, license_refs, to_spdx_expression


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        # DEP-5 short names and operators (comma = low-precedence and)
        ("GPL-2+", "GPL-2.0-or-later"),
        ("GPL-2", "GPL-2.0-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("Expat", "MIT"),
        ("Artistic", "Artistic-1.0-Perl"),
        ("GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0-Perl"),
        (
            "GPL-2+ or Artistic-2.0, and BSD-3-clause",
            "(GPL-2.0-or-later OR Artistic-2.0) AND BSD-3-Clause",
        ),
        ("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
        ("GPL-2 and Perl", "GPL-2.0-only AND (Artistic-1.0-Perl OR GPL-1.0-or-later)"),
        ("GPL-2+ with Autoconf exception", "GPL-2.0-or-later WITH Autoconf-exception-2.0"),
        # apk / rpm spellings
        ("MIT AND BSD-2-Clause", "MIT AND BSD-2-Clause"),
        ("GPL2+", "GPL-2.0-or-later"),
        ("GPLv3+", "GPL-3.0-or-later"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("(MIT OR Apache-2.0) AND Zlib", "(MIT OR Apache-2.0) AND Zlib"),
        ("Apache-2.0 WITH LLVM-exception", "Apache-2.0 WITH LLVM-exception"),
        ("mit", "MIT"),
        # unknown names are kept as LicenseRef, never dropped
        ("public-domain", "LicenseRef-public-domain"),
        ("BSD", "LicenseRef-BSD"),
        ("custom", "LicenseRef-custom"),
        ("Some Weird (licence", "LicenseRef-Some-Weird-licence"),
    ],
)
def test_license_fields(field: str, expected: str) -> None:
    assert to_spdx_expression(field) == expected


def test_empty_field_has_no_expression() -> None:
    assert to_spdx_expression("  ") is None


def test_unknown_exception_falls_back_to_the_base_licence() -> None:
    assert to_spdx_expression("GPL-2+ with Frobnicator exception") == "GPL-2.0-or-later"


def test_license_refs_and_ids() -> None:
    assert license_refs("MIT AND LicenseRef-a.b AND (LicenseRef-c OR GPL-2.0-only)") == [
        "LicenseRef-a.b",
        "LicenseRef-c",
    ]
    assert is_spdx_id("MIT")
    assert not is_spdx_id("mit")
    assert not is_spdx_id("LicenseRef-x")


def test_the_shipped_spdx_list_is_the_full_one() -> None:
    """caulk ships the SPDX License List itself, so an installed caulk needs no other package."""
    from caulk.catalog.licenses import _spdx_ids

    ids = _spdx_ids()
    assert len(ids) > 700
    assert ids["0bsd"] == "0BSD"
    assert ids["classpath-exception-2.0"] == "Classpath-exception-2.0"
