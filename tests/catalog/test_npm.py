"""npm: package.json of package directories inside node_modules."""

from __future__ import annotations

import json
from pathlib import Path

from caulk.catalog.npm import is_package_manifest
from tests.catalog.helpers import by_name, catalog_tree


def test_node_modules_manifests(tmp_path: Path) -> None:
    nm = "app/node_modules"
    found = catalog_tree(
        tmp_path,
        {
            "app/package.json": json.dumps({"name": "my-app", "version": "1.0.0"}),
            f"{nm}/lodash/package.json": json.dumps(
                {"name": "lodash", "version": "4.17.21", "license": "MIT"}
            ),
            f"{nm}/@types/node/package.json": json.dumps(
                {"name": "@types/node", "version": "20.11.5", "license": {"type": "MIT"}}
            ),
            f"{nm}/old/package.json": json.dumps(
                {"name": "old", "version": "0.1.0", "licenses": [{"type": "BSD-3-Clause"}]}
            ),
            f"{nm}/lodash/node_modules/nested/package.json": json.dumps(
                {"name": "nested", "version": "2.0.0", "license": "(MIT OR Apache-2.0)"}
            ),
            f"{nm}/esm-pkg/dist/esm/package.json": json.dumps({"type": "module"}),
            f"{nm}/noversion/package.json": json.dumps({"name": "noversion"}),
            f"{nm}/bad/package.json": "{not json",
        },
    )
    packages = by_name(found, "npm")
    # The app's own manifest is not inside node_modules; sub-path manifests are not packages.
    assert set(packages) == {"lodash", "@types/node", "old", "nested"}
    assert packages["@types/node"].purl == "pkg:npm/%40types/node@20.11.5"
    assert packages["@types/node"].licenses == ("MIT",)
    assert packages["old"].licenses == ("BSD-3-Clause",)
    assert packages["nested"].licenses == ("MIT OR Apache-2.0",)
    assert any("bad/package.json: not valid JSON" in w for w in found.warnings)


def test_manifest_paths() -> None:
    assert is_package_manifest("node_modules/a/package.json")
    assert is_package_manifest("x/node_modules/@s/a/package.json")
    assert not is_package_manifest("x/node_modules/a/lib/package.json")
    assert not is_package_manifest("x/node_modules/@s/package.json")
