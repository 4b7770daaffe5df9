"""The layer reader: whiteouts, links, and untrusted tars (traversal, bombs, huge headers).

Every hostile layer must end in a clear warning or a clear ImageError — never a traceback,
never unbounded memory, never a write outside a temporary directory (caulk writes nothing).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from caulk.cli import app
from caulk.image.errors import DigestMismatchError, ImageError, LayerError
from caulk.image.open import open_image
from caulk.image.streams import Limits
from tests.image.synthetic import Member, blob_path, make_tar, oci_image, raw_header
from tests.support.images import Layer

BASE = make_tar(
    [
        Member("etc/", kind="dir"),
        Member("etc/os-release", b'ID=debian\nVERSION_ID="12"\nPRETTY_NAME="Debian 12"\n'),
        Member("a/", kind="dir"),
        Member("a/b", b"lower b\n"),
        Member("a/sub/", kind="dir"),
        Member("a/sub/c", b"lower c\n"),
        Member("d/", kind="dir"),
        Member("d/f1", b"f1\n"),
        Member("keep", b"keep\n"),
        Member("gone", b"gone\n"),
        Member("bin", kind="symlink", linkname="usr/bin"),
        Member("usr/bin/tool", b"#!/bin/sh\n", mode=0o755),
    ]
)


def test_whiteouts_and_opaque_directories_give_the_final_filesystem(tmp_path: Path) -> None:
    upper = make_tar(
        [
            Member("a/", kind="dir"),
            Member("a/.wh..wh..opq"),  # hides lower a/b and a/sub, not this layer's a/new
            Member("a/new", b"new\n"),
            Member(".wh.gone"),
            Member("same", b"same layer\n"),
            Member(".wh.same"),  # a whiteout only hides lower layers: same stays
            Member("d", b"d is a file now\n"),  # a file replacing a directory drops d/f1
        ]
    )
    ref = oci_image(tmp_path / "img", [BASE, upper])
    with open_image(ref) as image:
        fs = image.filesystem()
        paths = fs.paths()
        lower, top = (layer.diff_id for layer in image.layers)
    assert "a/new" in paths and "a/b" not in paths and "a/sub/c" not in paths
    assert "gone" not in paths and "keep" in paths and "same" in paths
    assert fs.read("d") == b"d is a file now\n" and "d/f1" not in paths
    assert fs.layer_of("keep") == lower and fs.layer_of("a/new") == top


def test_symlinks_resolve_inside_the_image(tmp_path: Path) -> None:
    ref = oci_image(tmp_path / "img", [BASE])
    with open_image(ref) as image:
        fs = image.filesystem()
    assert fs.read("bin/tool") == b"#!/bin/sh\n"
    info = fs.stat("bin/tool", follow_symlinks=True)
    assert info is not None and info.path == "usr/bin/tool" and info.executable


def test_bodies_are_kept_for_wanted_paths_and_reread_for_others(tmp_path: Path) -> None:
    ref = oci_image(tmp_path / "img", [BASE])
    with open_image(ref) as image:
        fs = image.filesystem(lambda p: p == "keep")
    assert fs.read("keep") == b"keep\n"
    assert fs.read("a/sub/c") == b"lower c\n"  # not wanted: served by re-reading the layer
    assert dict(fs.read_many(["a/b", "keep", "missing"])) == {
        "a/b": b"lower b\n",
        "keep": b"keep\n",
    }


def test_zstd_and_uncompressed_layers(tmp_path: Path) -> None:
    upper = make_tar([Member("z", b"zstd\n")])
    top = make_tar([Member("u", b"plain\n")])
    ref = oci_image(tmp_path / "img", [BASE, Layer(upper, compression="zstd"), Layer(top, "none")])
    with open_image(ref) as image:
        fs = image.filesystem()
        assert [layer.media_type.rsplit(".", 1)[-1] for layer in image.layers] == [
            "tar+gzip",
            "tar+zstd",
            "tar",
        ]
        assert fs.read("z") == b"zstd\n" and fs.read("u") == b"plain\n"
        assert image.facts.uncompressed_size == len(BASE) + len(upper) + len(top)


def test_path_traversal_and_absolute_paths_stay_inside(tmp_path: Path) -> None:
    evil = make_tar(
        [
            Member("../../../../escaped.txt", b"x"),
            Member("/abs.txt", b"absolute\n"),
        ]
    )
    ref = oci_image(tmp_path / "img", [BASE, evil])
    with open_image(ref) as image:
        fs = image.filesystem()
        warnings = image.facts.warnings
    assert "escaped.txt" not in fs.paths()
    assert fs.read("abs.txt") == b"absolute\n"
    assert any("escapes the image root" in w for w in warnings)
    assert any("absolute path" in w for w in warnings)
    assert not (tmp_path.parent / "escaped.txt").exists()


def test_a_symlink_that_escapes_cannot_carry_a_write_outside(tmp_path: Path) -> None:
    evil = make_tar(
        [
            Member("link", kind="symlink", linkname="../../../../../tmp"),
            Member("link/planted.txt", b"planted\n"),
            Member("abs", kind="symlink", linkname="/etc"),
            Member("abs/planted2", b"p2\n"),
        ]
    )
    ref = oci_image(tmp_path / "img", [BASE, evil])
    with open_image(ref) as image:
        fs = image.filesystem()
        warnings = image.facts.warnings
    # the write lands where the link points *inside* the image root
    assert fs.read("tmp/planted.txt") == b"planted\n"
    assert fs.read("link/planted.txt") == b"planted\n"
    assert fs.read("etc/planted2") == b"p2\n"
    assert any("written through a symlink" in w for w in warnings)
    assert not Path("/tmp/planted.txt").exists()


def test_hard_links(tmp_path: Path) -> None:
    layer = make_tar(
        [
            Member("orig", b"data\n"),
            Member("copy", kind="hardlink", linkname="orig"),
            Member("dangling", kind="hardlink", linkname="no/such/file"),
        ]
    )
    ref = oci_image(tmp_path / "img", [layer])
    with open_image(ref) as image:
        fs = image.filesystem()
        warnings = image.facts.warnings
    assert fs.read("copy") == b"data\n"
    assert "dangling" not in fs.paths()
    assert any("hard link 'dangling'" in w and "missing" in w for w in warnings)


def test_device_files_are_listed_never_read(tmp_path: Path) -> None:
    layer = make_tar(
        [Member("dev/", kind="dir"), Member("dev/null", kind="char"), Member("p", kind="fifo")]
    )
    ref = oci_image(tmp_path / "img", [layer])
    with open_image(ref) as image:
        fs = image.filesystem()
        warnings = image.facts.warnings
    assert "dev/null" in fs.all_paths() and "dev/null" not in fs.paths()
    assert fs.read("dev/null") is None
    assert any("device file" in w for w in warnings)


def test_gzip_bomb_stops_at_the_uncompressed_budget(tmp_path: Path) -> None:
    bomb = make_tar([Member("zeros", b"\0" * (32 << 20))])
    ref = oci_image(tmp_path / "img", [bomb])
    assert blob_path(ref, json_layer_digest(ref)).stat().st_size < 200_000
    with (
        open_image(ref, limits=Limits(max_uncompressed_bytes=4 << 20)) as image,
        pytest.raises(LayerError, match="decompression bomb"),
    ):
        image.filesystem()


def test_per_file_size_limit(tmp_path: Path) -> None:
    ref = oci_image(tmp_path / "img", [make_tar([Member("big", b"x" * 10_000)])])
    with (
        open_image(ref, limits=Limits(max_file_bytes=4096)) as image,
        pytest.raises(LayerError, match="'big' declares 10000 bytes"),
    ):
        image.filesystem()


def test_huge_pax_header_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # a PAX header claiming 1 GiB, with no body at all: refused from the header alone
    layer = raw_header("PaxHeaders/x", 1 << 30, b"x") + b"\0" * 1024
    ref = oci_image(tmp_path / "img", [Layer(layer, compression="none")])
    with (
        open_image(ref) as image,
        pytest.raises(LayerError, match="PAX header of 1073741824 bytes exceeds"),
    ):
        image.filesystem()


def test_huge_gnu_long_name_is_refused(tmp_path: Path) -> None:
    layer = raw_header("././@LongLink", 50 << 20, b"L") + b"\0" * 1024
    ref = oci_image(tmp_path / "img", [Layer(layer, compression="none")])
    with open_image(ref) as image, pytest.raises(LayerError, match="GNU long-name header"):
        image.filesystem()


def test_a_long_pax_path_within_limits_is_read(tmp_path: Path) -> None:
    name = "deep/" + "d" * 150 + "/file"
    ref = oci_image(tmp_path / "img", [make_tar([Member(name, b"ok")])])
    with open_image(ref) as image:
        assert image.filesystem().read(name) == b"ok"


def test_garbage_and_truncated_layers_are_clear_errors(tmp_path: Path) -> None:
    garbage = oci_image(tmp_path / "g", [Layer(b"not a tar" * 100, compression="none")])
    with open_image(garbage) as image, pytest.raises(LayerError, match="corrupt tar header"):
        image.filesystem()
    truncated = oci_image(tmp_path / "t", [Layer(BASE[:3000], compression="none")])
    with open_image(truncated) as image, pytest.raises(LayerError, match="truncated"):
        image.filesystem()


def json_layer_digest(ref: str) -> str:
    directory = Path(ref.removeprefix("oci:").rsplit(":", 1)[0])
    index = json.loads((directory / "index.json").read_text())
    manifest = json.loads(blob_path(ref, index["manifests"][0]["digest"]).read_text())
    return str(manifest["layers"][0]["digest"])


def test_a_tampered_layer_blob_is_a_hard_error_naming_it(tmp_path: Path) -> None:
    ref = oci_image(tmp_path / "img", [BASE])
    digest = json_layer_digest(ref)
    path = blob_path(ref, digest)
    raw = gzip.decompress(path.read_bytes()).replace(b"lower b", b"LOWER B")
    path.write_bytes(gzip.compress(raw, mtime=0))
    with open_image(ref) as image, pytest.raises(DigestMismatchError, match=digest):
        image.filesystem()


def test_a_tampered_config_fails_at_open(tmp_path: Path) -> None:
    ref = oci_image(tmp_path / "img", [BASE])
    directory = Path(ref.removeprefix("oci:").rsplit(":", 1)[0])
    index = json.loads((directory / "index.json").read_text())
    manifest = json.loads(blob_path(ref, index["manifests"][0]["digest"]).read_text())
    config = blob_path(ref, manifest["config"]["digest"])
    config.write_bytes(config.read_bytes().replace(b"65532", b"00000"))
    with pytest.raises(DigestMismatchError, match=manifest["config"]["digest"]):
        open_image(ref)


def test_cli_reports_unsafe_layers_in_one_line(tmp_path: Path) -> None:
    layer = raw_header("PaxHeaders/x", 1 << 30, b"x") + b"\0" * 1024
    ref = oci_image(tmp_path / "img", [Layer(layer, compression="none")])
    result = CliRunner().invoke(app, ["inspect", ref])
    assert result.exit_code == 2
    assert "caulk: error:" in result.output and "Traceback" not in result.output


def test_missing_layout_and_unknown_tag(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="no such directory"):
        open_image(f"oci:{tmp_path / 'nope'}")
    ref = oci_image(tmp_path / "img", [BASE])
    with pytest.raises(ImageError, match=r"no image tagged 'v2' \(tags: latest\)"):
        open_image(ref.rsplit(":", 1)[0] + ":v2")
