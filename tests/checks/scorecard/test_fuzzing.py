"""Fuzzing: 10 with any fuzzer, else 0, as Scorecard's checks/raw/fuzzing.go (--local)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.fuzzing import fuzzing, matches_glob
from caulk.repo.checkout import Repository

GO_FUZZ = """package parse

import "testing"

func FuzzParse(f *testing.F) {
\tf.Fuzz(func(t *testing.T, data []byte) { Parse(data) })
}
"""


def repo_with(tmp_path: Path, files: dict[str, str]) -> Repository:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return Repository(tmp_path)


def test_go_fuzz_function_scores_10_with_its_line(tmp_path: Path) -> None:
    result = fuzzing(repo_with(tmp_path, {"parse/parse_test.go": GO_FUZZ}))
    assert (result.score, result.reason) == (10, "project is fuzzed")
    assert "Info: GoBuiltInFuzzer integration found: parse/parse_test.go:5" in result.details
    assert any("OSS-Fuzz" in line for line in result.details)


def test_no_fuzzer_scores_0_with_ck3006(tmp_path: Path) -> None:
    result = fuzzing(repo_with(tmp_path, {"main.go": "package main\n"}))
    assert (result.score, result.reason) == (0, "project is not fuzzed")
    assert [(f.rule_id, f.check) for f in result.findings] == [("CK3006", "Fuzzing")]
    assert any("OSS-Fuzz enrolment is not checked offline" in d for d in result.details)


def test_fuzz_function_outside_a_test_file_does_not_count(tmp_path: Path) -> None:
    assert fuzzing(repo_with(tmp_path, {"parse/fuzz.go": GO_FUZZ})).score == 0


def test_testdata_is_excluded(tmp_path: Path) -> None:
    files = {"testdata/parse_test.go": GO_FUZZ, "x/src/test/fuzz.py": "import atheris\n"}
    assert fuzzing(repo_with(tmp_path, files)).score == 0


@pytest.mark.parametrize(
    ("path", "content"),
    [
        ("fuzz/fuzz_target.c", "int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) {"),
        ("fuzz/target.CPP", 'extern "C" int LLVMFuzzerTestOneInput(const uint8_t *d) {'),
        ("fuzz/FUZZ.PY", "import atheris\n"),  # basename globs are matched lowercased
        ("fuzz/fuzz_targets/a.rs", "use libfuzzer_sys::fuzz_target;"),
        (
            "src/main/java/FuzzTest.java",
            "import com.code_intelligence.jazzer.api.FuzzedDataProvider;",
        ),
        ("test/prop.test.ts", "import fc from 'fast-check';"),
        ("test/prop.js", 'const fc = require( "@fast-check/jest" );'),
        ("test/Spec.hs", "import qualified Test.QuickCheck as QC"),
        ("test/prop_test.exs", "  use ExUnitProperties"),
        ("test/prop.erl", '-include_lib("proper/include/proper.hrl").'),
        ("test/qc.gleam", "import qcheck"),
        ("Tests/Props.cs", "using FsCheck.Xunit;"),
        ("Tests/Props.fs", "open FsCheck"),
        ("Fuzz/main.swift", "public func LLVMFuzzerTestOneInput(_ d: UnsafePointer<UInt8>) {"),
    ],
)
def test_language_harnesses(tmp_path: Path, path: str, content: str) -> None:
    assert fuzzing(repo_with(tmp_path, {path: content})).score == 10


def test_clusterfuzzlite_dockerfile_with_an_instruction(tmp_path: Path) -> None:
    files = {".clusterfuzzlite/Dockerfile": "# build\nFROM gcr.io/oss-fuzz-base/base-builder\n"}
    result = fuzzing(repo_with(tmp_path, files))
    assert result.score == 10
    assert any("ClusterFuzzLite" in d for d in result.details)


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (".clusterfuzzlite/Dockerfile", "# only a comment\n\n"),
        (".clusterfuzzlite/dockerfile", "FROM base\n"),  # the pattern is case-sensitive
        ("x/.clusterfuzzlite/Dockerfile", "FROM base\n"),  # only at the top level
    ],
)
def test_clusterfuzzlite_not_detected(tmp_path: Path, path: str, content: str) -> None:
    assert fuzzing(repo_with(tmp_path, {path: content})).score == 0


def test_glob_matching_is_on_the_lowercased_basename() -> None:
    assert matches_glob("a/b/Parse_Test.GO", "*_test.go")
    assert not matches_glob("a_test.go/readme", "*_test.go")
    with pytest.raises(ValueError, match="unsupported glob"):
        matches_glob("x", "a*b")
