"""Scorecard's Fuzzing check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/fuzzing.go``, the ``fuzzed`` probe and ``checks/evaluation/fuzzing.go``
(ossf/scorecard @ 40c1e359). Any detected fuzzer gives 10, none gives 0. Detectors:

* ClusterFuzzLite: the first file matching ``.clusterfuzzlite/Dockerfile`` (case-sensitive)
  has a line that is neither blank nor a ``#`` comment.
* Language harnesses: for every language (``--local`` reports "all languages"), files whose
  lowercased basename matches one of its globs (Go ``path.Match``; ``testdata/`` and
  ``src/test/`` excluded) are searched line by line for its regex (:data:`LANGUAGE_FUZZERS`).
* OSS-Fuzz: Scorecard looks the repository's URI up in OSS-Fuzz's project list, fetched over
  the network; a ``file://`` URI never matches, so ``--local`` never finds it. caulk does not
  look either and says so in the details.

Regexes are Go RE2 patterns; ``\\s`` is spelled ``[\\t\\n\\f\\r ]`` because Python's bytes
``\\s`` also matches ``\\v``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.checks.registry import MAX_SCORE, CheckResult, Risk, scorecard_check
from caulk.checks.repository.rules import NO_FUZZING
from caulk.checks.scorecard.binary_artifacts import is_dangling_symlink, is_testdata_path
from caulk.findings import Finding
from caulk.repo.checkout import Repository

NAME = "Fuzzing"

CLUSTERFUZZLITE_DOCKERFILE = ".clusterfuzzlite/Dockerfile"

_S = r"[\t\n\f\r ]"
_FAST_CHECK = (
    rf"(from{_S}+['\"](fast-check|@fast-check/(ava|jest|vitest))['\"]|"
    rf"require\({_S}*['\"](fast-check|@fast-check/(ava|jest|vitest))['\"]{_S}*\))"
)


@dataclass(frozen=True)
class LanguageFuzzer:
    """``languageFuzzConfig``: Scorecard's fuzzer name, basename globs and a line regex."""

    name: str
    globs: tuple[str, ...]
    pattern: re.Pattern[bytes]


def _rx(pattern: str) -> re.Pattern[bytes]:
    return re.compile(pattern.encode(), re.ASCII)


LANGUAGE_FUZZERS: tuple[LanguageFuzzer, ...] = (
    LanguageFuzzer(
        "GoBuiltInFuzzer", ("*_test.go",), _rx(rf"func{_S}+Fuzz\w+{_S}*\(\w+{_S}+\*testing.F\)")
    ),
    LanguageFuzzer(
        "ErlangPropertyBasedTesting",
        ("*.erl", "*.hrl"),
        _rx(r'-include_lib\("(eqc|proper)/include/(eqc|proper).hrl"\)\.'),
    ),
    LanguageFuzzer(
        "HaskellPropertyBasedTesting",
        ("*.hs", "*.lhs"),
        _rx(
            rf"import{_S}+(qualified{_S}+)?Test\.((Hspec|Tasty)\.)?"
            r"(QuickCheck|Hedgehog|Validity|SmallCheck)"
        ),
    ),
    LanguageFuzzer(
        "ElixirPropertyBasedTesting",
        ("*.ex", "*.exs"),
        _rx(rf"use{_S}+(PropCheck|ExUnitProperties)"),
    ),
    LanguageFuzzer("GleamPropertyBasedTesting", ("*.gleam",), _rx(rf"import{_S}+qcheck")),
    LanguageFuzzer("JavaScriptPropertyBasedTesting", ("*.js", "*.jsx"), _rx(_FAST_CHECK)),
    LanguageFuzzer("TypeScriptPropertyBasedTesting", ("*.ts", "*.tsx"), _rx(_FAST_CHECK)),
    LanguageFuzzer("PythonAtherisFuzzer", ("*.py",), _rx(r"import atheris")),
    LanguageFuzzer("CLibFuzzer", ("*.c",), _rx(r"LLVMFuzzerTestOneInput")),
    LanguageFuzzer("CppLibFuzzer", ("*.cc", "*.cpp"), _rx(r"LLVMFuzzerTestOneInput")),
    LanguageFuzzer("RustCargoFuzzer", ("*.rs",), _rx(r"libfuzzer_sys")),
    LanguageFuzzer(
        "JavaJazzerFuzzer",
        ("*.java",),
        _rx(r"com.code_intelligence.jazzer.api.FuzzedDataProvider;"),
    ),
    LanguageFuzzer("SwiftLibFuzzer", ("*.swift",), _rx(r"LLVMFuzzerTestOneInput")),
    LanguageFuzzer(
        "CSharpPropertyBasedTesting",
        ("*.cs",),
        _rx(rf"(using{_S}+(FsCheck|FsCheck\.(NUnit|Xunit)|Expecto\.ExpectoFsCheck));"),
    ),
    LanguageFuzzer(
        "FSharpPropertyBasedTesting",
        ("*.fs",),
        _rx(rf"(open{_S}+(FsCheck|FsCheck\.(NUnit|Xunit)|Expecto\.ExpectoFsCheck))"),
    ),
)


@dataclass(frozen=True)
class FuzzerHit:
    """A detected fuzzer and, for language harnesses, where."""

    fuzzer: str
    path: str | None = None
    line: int | None = None


def matches_glob(path: str, pattern: str) -> bool:
    """``isMatchingPath`` for the language globs: Go ``path.Match`` on the lowercased basename.

    The full-path attempt can only succeed for a top-level file, whose basename is the same,
    and every glob here is ``*`` followed by a literal suffix, so the match is a suffix test.
    """
    if not pattern.startswith("*") or any(c in pattern[1:] for c in "*?[\\"):
        raise ValueError(f"unsupported glob {pattern!r}")
    return path.rsplit("/", 1)[-1].lower().endswith(pattern[1:].lower())


def has_commands(content: bytes, comment: bytes = b"#") -> bool:
    """``fileparser.CheckFileContainsCommands``: a line that is not blank or a comment."""
    for line in content.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith(comment):
            return True
    return False


MAX_SOURCE_BYTES = 64 * 1024 * 1024
"""Largest source file searched for a harness; bigger ones are skipped with a problem."""


@dataclass
class _Scan:
    hits: list[FuzzerHit]
    unreadable: list[str]
    """Files Scorecard would fail on (a symlink out of the checkout, not a regular file)."""
    skipped: list[str]
    """Files too large to search."""


def _read(repo: Repository, path: str, scan: _Scan) -> bytes | None:
    if is_dangling_symlink(repo, path):
        return None  # not listed by Scorecard
    try:
        too_large = (repo.root / path).stat().st_size > MAX_SOURCE_BYTES
    except OSError:
        too_large = False
    data = repo.read_bytes(path, limit=MAX_SOURCE_BYTES)
    if data is None:
        (scan.skipped if too_large else scan.unreadable).append(path)
    return data


def detect_fuzzers(repo: Repository) -> tuple[list[FuzzerHit], list[str], list[str]]:
    """Fuzzers Scorecard ``--local`` would find; files it would fail on; files too large."""
    scan = _Scan([], [], [])
    hits = scan.hits
    for path in repo.files:
        if path == CLUSTERFUZZLITE_DOCKERFILE:  # path.Match, case-sensitive, no testdata here
            data = _read(repo, path, scan)
            if data is not None and has_commands(data):
                hits.append(FuzzerHit("ClusterFuzzLite", path, 1))
            break  # Scorecard reads only the first matching file
    sources = [p for p in repo.files if not is_testdata_path(p)]
    for fuzzer in LANGUAGE_FUZZERS:
        for glob in fuzzer.globs:
            for path in sources:
                if not matches_glob(path, glob):
                    continue
                data = _read(repo, path, scan)
                if data is None:
                    continue
                for number, line in enumerate(data.split(b"\n"), start=1):
                    if fuzzer.pattern.search(line):
                        hits.append(FuzzerHit(fuzzer.name, path, number))
    return hits, scan.unreadable, scan.skipped


@scorecard_check(NAME, Risk.MEDIUM)
def fuzzing(repo: Repository) -> CheckResult:
    """Fuzzing: ClusterFuzzLite or a language fuzz harness in the checkout."""
    hits, unreadable, skipped = detect_fuzzers(repo)
    oss_fuzz = "Info: OSS-Fuzz enrolment is not checked offline (Scorecard --local cannot either)"
    notes = tuple(f"Warn: {p} is larger than 64 MiB; not searched" for p in skipped)
    if unreadable:
        return CheckResult(
            name=NAME,
            score=-1,
            risk=Risk.MEDIUM,
            reason=f"cannot read {unreadable[0]}",
            details=tuple(f"Warn: cannot read {p}" for p in unreadable),
        )
    if hits:
        details = [
            f"Info: {hit.fuzzer} integration found: {hit.path}:{hit.line}"
            if hit.path
            else f"Info: {hit.fuzzer} integration found"
            for hit in hits
        ]
        return CheckResult(
            name=NAME,
            score=MAX_SCORE,
            risk=Risk.MEDIUM,
            reason="project is fuzzed",
            details=(*details, *notes, oss_fuzz),
        )
    return CheckResult(
        name=NAME,
        score=0,
        risk=Risk.MEDIUM,
        reason="project is not fuzzed",
        details=("Warn: no fuzzer integrations found", *notes, oss_fuzz),
        findings=(
            Finding(
                rule_id=NO_FUZZING.id,
                severity=NO_FUZZING.severity,
                message="no fuzzing integration found (ClusterFuzzLite, OSS-Fuzz or a harness)",
                location=None,
                check=NAME,
            ),
        ),
    )
