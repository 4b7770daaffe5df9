"""Comparisons per second of each version comparator over the real vector files.

Usage: ``python benchmarks/bench_versions.py [--rounds N]``. Reads
``../shared/data/version-vectors/<ecosystem>.tsv`` relative to the project root and prints, per
ecosystem, the pairs compared and the rate with cold parse caches (first pass: every version
parsed once) and warm caches (the matcher's steady state: the same versions compared again).
Rows the reference implementation rejects are skipped.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable
from pathlib import Path

from caulk.vuln.versions import (
    InvalidVersion,
    apk,
    comparator_for,
    dpkg,
    golang,
    maven,
    pep440,
    rpm,
    semver,
)

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "version-vectors"

CASES: list[tuple[str, str, list[Callable[[], None]]]] = [
    ("debian", "Debian:12", [dpkg.key.cache_clear, dpkg._part_key.cache_clear]),
    ("alpine", "Alpine:v3.20", [apk._parse.cache_clear, apk._lenient_parse.cache_clear]),
    ("rpm", "Rocky Linux:9", [rpm.key.cache_clear, rpm.segment_key.cache_clear]),
    ("pypi", "PyPI", [pep440.key.cache_clear]),
    ("semver", "npm", [semver.key.cache_clear, semver.osv_key.cache_clear]),
    ("go", "Go", [golang.key.cache_clear]),
    ("maven", "Maven", [maven._parsed.cache_clear]),
]


def load_pairs(name: str) -> list[tuple[str, str]]:
    with (DATA / f"{name}.tsv").open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        return [(a, b) for a, b, _ in reader]


def rate(compare: Callable[[str, str], int], pairs: list[tuple[str, str]]) -> float:
    start = time.perf_counter()
    for a, b in pairs:
        compare(a, b)
    return len(pairs) / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="warm passes to average (default 5)")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"vectors not found at {DATA}", file=sys.stderr)
        return 2
    print(f"{'ecosystem':<10} {'scheme':<7} {'pairs':>7} {'cold cmp/s':>12} {'warm cmp/s':>12}")
    for name, ecosystem, clear_caches in CASES:
        comparator = comparator_for(ecosystem)
        pairs = []
        for a, b in load_pairs(name):
            try:
                comparator.compare(a, b)
            except InvalidVersion:
                continue
            pairs.append((a, b))
        for clear in clear_caches:
            clear()
        cold = rate(comparator.compare, pairs)
        warm = sum(rate(comparator.compare, pairs) for _ in range(args.rounds)) / args.rounds
        print(f"{name:<10} {comparator.scheme:<7} {len(pairs):>7} {cold:>12,.0f} {warm:>12,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
