"""Python: dist-info METADATA, egg-info PKG-INFO and egg-info files."""

from __future__ import annotations

import importlib.metadata
import shutil
import sys
from pathlib import Path

from caulk.catalog.purl import pep503
from tests.catalog.helpers import by_name, catalog_tree


def test_this_venvs_distributions_match_importlib_metadata(tmp_path: Path) -> None:
    """Every dist-info in caulk's own site-packages, against importlib.metadata's answer."""
    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    root = tmp_path / "root"
    dest = root / "usr/lib/python3/site-packages"
    dest.mkdir(parents=True)
    expected = set()
    for dist in importlib.metadata.distributions(path=[str(site)]):
        meta_dir = Path(str(dist._path))  # type: ignore[attr-defined]
        if not meta_dir.name.endswith(".dist-info"):
            continue
        shutil.copytree(meta_dir, dest / meta_dir.name)
        expected.add((dist.metadata["Name"], dist.version))
    assert len(expected) > 20
    found = catalog_tree(root)
    got = {(p.name, p.version) for p in found.packages if p.type == "pypi"}
    assert got == expected
    for package in found.packages:
        assert package.purl == f"pkg:pypi/{pep503(package.name)}@{package.version}"


def test_metadata_licences_and_egg_info(tmp_path: Path) -> None:
    found = catalog_tree(
        tmp_path,
        {
            "app/lib/Zope.Interface-6.1.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: Zope.Interface\nVersion: 6.1\n"
                "License: ZPL 2.1\n"
                "Classifier: License :: OSI Approved :: Zope Public License\n\nBody\n"
            ),
            "app/lib/pep639-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.4\nName: pep639\nVersion: 1.0\n"
                "License-Expression: MIT OR Apache-2.0\n"
            ),
            "app/lib/classic-2.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: classic\nVersion: 2.0\nLicense: UNKNOWN\n"
                "Classifier: License :: OSI Approved :: MIT License\n"
                "Classifier: License :: OSI Approved :: BSD License\n"
            ),
            "app/lib/fulltext-1.0.dist-info/METADATA": (
                "Metadata-Version: 2.1\nName: fulltext\nVersion: 1.0\n"
                "License: Copyright (c) someone\n        Permission is hereby granted...\n"
            ),
            "usr/lib/python3/dist-packages/six-1.16.0.egg-info": (
                "Metadata-Version: 1.2\nName: six\nVersion: 1.16.0\nLicense: MIT\n"
            ),
            "usr/lib/python3/dist-packages/chardet-5.1.0.egg-info/PKG-INFO": (
                "Metadata-Version: 2.1\nName: chardet\nVersion: 5.1.0\nLicense: LGPL\n"
            ),
            "app/lib/broken-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nSummary: x\n",
        },
    )
    packages = by_name(found, "pypi")
    assert packages["Zope.Interface"].purl == "pkg:pypi/zope-interface@6.1"
    assert packages["pep639"].licenses == ("MIT OR Apache-2.0",)
    # "BSD License" is ambiguous (2- or 3-clause): not guessed.
    assert packages["classic"].licenses == ("MIT",)
    assert packages["fulltext"].licenses == ()
    assert packages["six"].licenses == ("MIT",)
    assert packages["chardet"].licenses == ("LGPL-2.0-or-later",)
    assert "broken" not in packages
    assert any("no Name or Version" in w for w in found.warnings)
