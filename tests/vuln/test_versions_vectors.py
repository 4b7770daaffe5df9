"""Every comparator against the real ordering vectors in ../shared/data/version-vectors.

Each row of ``<ecosystem>.tsv`` is ``a, b, expected`` copied from a reference implementation's
own test suite (dpkg, apk-tools, rpm, packaging, node-semver, golang.org/x/mod, Maven) or from
osv-scalibr's generated data (see SOURCE.md there). Rows that ``verification.json`` records as
rejected by the reference (``errors``) or as contradicted by it (``disagree``) are excluded from
the 100 % agreement check, as SOURCE.md documents, and get their own tests below: on a rejected
row a comparator must reject the input too or agree with the row; on a disputed row it must give
the reference implementation's answer.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from caulk.vuln.versions import InvalidVersion, apk, comparator_for, pep440, semver

DATA = Path(__file__).parents[2] / ".." / "shared" / "data" / "version-vectors"

pytestmark = pytest.mark.skipif(
    not (DATA / "SOURCE.md").is_file(),
    reason=f"version vectors not present at {DATA} (../shared/data is provided by the workspace)",
)


@dataclass(frozen=True)
class Row:
    line: int
    a: str
    b: str
    expected: int


def read_rows(name: str) -> list[Row]:
    with (DATA / f"{name}.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader)
        assert header == ["a", "b", "expected"]
        return [Row(n, a, b, int(e)) for n, (a, b, e) in enumerate(reader, start=2)]


@functools.cache
def verification() -> dict[str, dict[str, list[list[object]]]]:
    return json.loads((DATA / "verification.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@functools.cache
def excluded_lines(name: str) -> dict[int, str]:
    """Lines SOURCE.md marks invalid (rejected by the reference) or disputed."""
    entry = verification().get(name, {})
    out = {int(str(row[0])): "rejected by the reference" for row in entry.get("errors", [])}
    out |= {int(str(row[0])): "disputed" for row in entry.get("disagree", [])}
    return out


Compare = Callable[[str, str], int]


@dataclass(frozen=True)
class Case:
    file: str
    label: str
    compare: Compare
    key: Callable[[str], object] | None


CASES = [
    Case(
        "debian",
        "dpkg via Debian:12",
        comparator_for("Debian:12").compare,
        comparator_for("Debian:12").key,
    ),
    Case(
        "alpine",
        "apk via Alpine:v3.20",
        comparator_for("Alpine:v3.20").compare,
        comparator_for("Alpine:v3.20").key,
    ),
    Case(
        "rpm",
        "rpm via Rocky Linux:9",
        comparator_for("Rocky Linux:9").compare,
        comparator_for("Rocky Linux:9").key,
    ),
    Case("pypi", "pep440 via PyPI", comparator_for("PyPI").compare, comparator_for("PyPI").key),
    Case("semver", "semver strict", semver.compare, semver.key),
    Case(
        "semver",
        "semver via npm (osv.dev coercion)",
        comparator_for("npm").compare,
        comparator_for("npm").key,
    ),
    Case("go", "go via Go", comparator_for("Go").compare, comparator_for("Go").key),
    Case("maven", "maven via Maven", comparator_for("Maven").compare, comparator_for("Maven").key),
]


def _key_sign(key: Callable[[str], object], a: str, b: str) -> int:
    ka, kb = key(a), key(b)
    return int((ka > kb) - (ka < kb))  # type: ignore[operator]


def _ids() -> Iterator[str]:
    for case in CASES:
        if (DATA / f"{case.file}.tsv").is_file():
            rows = len(read_rows(case.file))
            kept = rows - len(excluded_lines(case.file))
            yield f"{case.file}-{case.label}-{kept}of{rows}rows"
        else:
            yield f"{case.file}-{case.label}"


@pytest.mark.parametrize("case", CASES, ids=list(_ids()))
def test_comparator_agrees_with_every_vector_row(case: Case) -> None:
    excluded = excluded_lines(case.file)
    disagreements: list[str] = []
    checked = 0
    for row in read_rows(case.file):
        if row.line in excluded:
            continue
        checked += 1
        got = case.compare(row.a, row.b)
        if got != row.expected:
            disagreements.append(
                f"line {row.line}: {row.a!r} vs {row.b!r} expected {row.expected}, got {got}"
            )
        elif case.key is not None and _key_sign(case.key, row.a, row.b) != row.expected:
            disagreements.append(
                f"line {row.line}: key order of {row.a!r}, {row.b!r} differs from compare"
            )
    assert checked > 0
    assert not disagreements, f"{len(disagreements)} of {checked} rows disagree:\n" + "\n".join(
        disagreements[:30]
    )


@pytest.mark.parametrize(
    ("file", "compare"),
    [
        ("rpm", comparator_for("Red Hat:enterprise_linux:9").compare),
        ("pypi", pep440.compare),
        ("semver", semver.compare),
        ("semver", semver.osv_compare),
    ],
    ids=["rpm", "pypi-strict", "semver-strict", "semver-osv"],
)
def test_rows_the_reference_rejects_are_rejected_or_agreed_with(
    file: str, compare: Compare
) -> None:
    rejected = [
        row
        for row in read_rows(file)
        if excluded_lines(file).get(row.line) == "rejected by the reference"
    ]
    assert rejected, "verification.json lists rejected rows for this file"
    contradicted = []
    for row in rejected:
        try:
            got = compare(row.a, row.b)
        except InvalidVersion:
            continue
        if got != row.expected:
            contradicted.append((row.line, row.a, row.b, row.expected, got))
    assert not contradicted


def test_legacy_pypi_ordering_agrees_with_all_rows_including_the_non_pep440_ones() -> None:
    # The 72 rows packaging refuses encode osv-scanner's LegacyVersion ordering.
    rows = read_rows("pypi")
    bad = [row for row in rows if pep440.compare_legacy(row.a, row.b) != row.expected]
    assert not bad
    rejected = [
        row for row in rows if excluded_lines("pypi").get(row.line) == "rejected by the reference"
    ]
    assert len(rejected) == 72
    for row in rejected:
        with pytest.raises(InvalidVersion):
            pep440.compare(row.a, row.b)


def test_disputed_maven_rows_follow_maven_itself() -> None:
    # verification.json: [line, a, b, expected by osv-scalibr, what Maven 3.8.7 says].
    disputed = verification()["maven"]["disagree"]
    assert len(disputed) == 19
    maven = comparator_for("Maven")
    for line, a, b, _expected, reference in disputed:
        assert maven.compare(str(a), str(b)) == reference, f"line {line}: {a!r} vs {b!r}"


def test_apk_validity_matches_apk_tools() -> None:
    with (DATA / "alpine-validity.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        rows = [(version, valid == "1") for version, valid in reader]
    assert len(rows) > 20
    assert [(v, apk.validate(v)) for v, _ in rows] == rows
