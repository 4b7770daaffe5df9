"""Binary-Artifacts: max(10 - #binaries, 0), as Scorecard's checks/raw/binary_artifact.go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caulk.checks.scorecard.binary_artifacts import binary_artifacts, binary_kind, is_text
from caulk.findings import Location
from caulk.repo.checkout import Repository

ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 60
PE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56
MACHO = b"\xcf\xfa\xed\xfe" + b"\x07\x00\x00\x01" * 8
WASM = b"\x00asm\x01\x00\x00\x00" + b"\x01\x04"
ZIP = b"PK\x03\x04\x14\x00\x08\x00" + b"\x00" * 30  # a real jar starts like this


def repo_with(tmp_path: Path, files: dict[str, bytes]) -> Repository:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return Repository(tmp_path)


def test_no_binaries_scores_10(tmp_path: Path) -> None:
    result = binary_artifacts(repo_with(tmp_path, {"main.go": b"package main\n"}))
    assert (result.score, result.reason) == (10, "no binaries found in the repo")
    assert result.findings == ()


def test_one_elf_file_scores_9_with_its_location(tmp_path: Path) -> None:
    result = binary_artifacts(repo_with(tmp_path, {"bin/tool": ELF, "README.md": b"# hi\n"}))
    assert result.score == 9
    assert result.reason == "binaries present in source code"
    assert [(f.rule_id, f.location, f.check) for f in result.findings] == [
        ("CK3004", Location("bin/tool"), "Binary-Artifacts")
    ]


def test_two_binaries_and_a_text_jar_score_8(tmp_path: Path) -> None:
    repo = repo_with(
        tmp_path,
        {
            "app.exe": PE,
            "lib/libfoo.so": ELF,
            "gradle/notes.jar": b"this jar is only text\n",
        },
    )
    result = binary_artifacts(repo)
    assert result.score == 8
    assert sorted(f.location.path for f in result.findings if f.location) == [
        "app.exe",
        "lib/libfoo.so",
    ]


def test_a_real_jar_counts_by_extension(tmp_path: Path) -> None:
    # filetype calls it "zip" (not a binary type); the .jar extension and non-text content do.
    result = binary_artifacts(repo_with(tmp_path, {"gradle/wrapper/gradle-wrapper.jar": ZIP}))
    assert result.score == 9  # the gradle-wrapper exception needs the API; never applies locally


@pytest.mark.parametrize(
    "path", ["testdata/tool", "pkg/testdata/x.exe", "src/test/resources/a.so", "a/src/test/b"]
)
def test_testdata_binaries_are_ignored(tmp_path: Path, path: str) -> None:
    assert binary_artifacts(repo_with(tmp_path, {path: ELF})).score == 10


def test_score_floors_at_0(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, {f"bin/tool{i:02}": ELF for i in range(12)})
    result = binary_artifacts(repo)
    assert result.score == 0
    assert len(result.findings) == 12


@pytest.mark.parametrize(
    ("path", "head", "kind"),
    [
        ("x", ELF, "elf"),
        ("x", PE, "exe"),
        ("x", MACHO, "macho"),
        ("x.class", b"\xca\xfe\xba\xbe\x00\x00\x00\x34", "macho"),  # Java's magic is Mach-O's
        ("x", WASM, "wasm"),
        ("x", b"dex\n035\x00" + b"\x00" * 28 + b"\x70\x00", "dex"),
        ("x", b"Cr24\x02\x00\x00\x00", "crx"),
        ("x", b"!<arch>\ndebian-binary   ", "deb"),
        ("x", b"\xed\xab\xee\xdb" + b"\x00" * 100, "rpm"),
        ("notes.txt", b"MZ is how this text file starts", "exe"),  # magic wins over the name
        ("x.pyc", b"\x6f\x0d\x0d\x0a\x00\x00\x00\x00\xe3", "pyc"),
        ("x.o", b"\x01\x02\x03\x04\x05", "o"),
    ],
)
def test_binary_kinds(path: str, head: bytes, kind: str) -> None:
    assert binary_kind(path, head) == kind


@pytest.mark.parametrize(
    ("path", "head"),
    [
        ("x.jar", b"plain text\n"),
        ("X.JAR", ZIP),  # Go's filepath.Ext is case-sensitive: "JAR" is not in the list
        ("x.class", b"abc\x00"),  # the control byte is in the last three bytes: ignored
        ("x.exe", b""),  # empty files are skipped
        ("x.elf", b"\x7fELF short"),  # ELF magic needs more than 52 bytes
        ("archive.zip", ZIP),  # zip is not a binary type
        ("x.png", b"\x89PNG\r\n\x1a\n"),
    ],
)
def test_not_binaries(path: str, head: bytes) -> None:
    assert binary_kind(path, head) is None


def test_is_text_ignores_only_the_last_three_bytes() -> None:
    assert is_text(b"abcd\x00ef")
    assert not is_text(b"ab\x00def")
    assert is_text(b"line\r\n\ttab\n")
    assert is_text(b"\x00\x01")  # shorter than four bytes: nothing is examined


def test_symlink_out_of_the_checkout_makes_the_check_inconclusive(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_bytes(ELF)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "link").symlink_to(outside)
    result = binary_artifacts(Repository(root))
    assert result.score == -1  # Scorecard's os.OpenInRoot refuses it: a runtime error
    assert "link" in result.reason


def test_dangling_symlink_is_skipped_like_scorecard(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "gone").symlink_to(tmp_path / "missing")
    assert binary_artifacts(Repository(root)).score == 10


def test_symlink_inside_the_checkout_is_read(tmp_path: Path) -> None:
    repo_with(tmp_path, {"real/tool": ELF})
    os.symlink("real/tool", tmp_path / "alias")
    result = binary_artifacts(Repository(tmp_path))
    assert result.score == 8  # both names are listed files, as in Scorecard
