"""How long does ``caulk scan`` take on the extra test image against a big database? (not a test)

1. Generates OSV records: ``--advisories`` (default 100,000) for package names the image does
   not have (Debian:12, Debian:11, PyPI, npm, Go, Maven, crates.io; 1–3 ranges each, aliases,
   CVSS vectors), plus records in the real shapes for every source package of the
   ``extra`` image (tests/support/images.py: minbase + curl + python3): a third fixed just above
   the installed version, a third fixed at it, a third unfixed, each with a DSA-style sibling
   for dedup; plus the real records of ../shared/data/osv.
2. Imports them once into a fresh database (timed separately; not part of the scan figure).
3. Times the scan of the extra image (an OCI layout, gzip layers), median of ``--runs``:
   in-process ``caulk.scan.scan_image`` (the library call: image read, catalog, match, VEX,
   policies) and the whole CLI (``python -m caulk scan --format json``, interpreter start-up
   included). Prints the matched counts.

    python benchmarks/bench_scan.py [--advisories 100000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "src"))

from tests.support import images  # noqa: E402

OSV_DATA = PROJECT.parent / "shared" / "data" / "osv"
VECTORS = (
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
    "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
    "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L",
    "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N",
)
OTHER_ECOSYSTEMS = (
    ("Debian:12", "ECOSYSTEM", "{a}.{b}.{c}-{d}+deb12u{e}"),
    ("Debian:11", "ECOSYSTEM", "{a}.{b}.{c}-{d}+deb11u{e}"),
    ("PyPI", "ECOSYSTEM", "{a}.{b}.{c}"),
    ("npm", "SEMVER", "{a}.{b}.{c}"),
    ("Go", "SEMVER", "{a}.{b}.{c}"),
    ("Maven", "ECOSYSTEM", "{a}.{b}.{c}"),
    ("crates.io", "SEMVER", "{a}.{b}.{c}"),
)


def synthetic(index: int, rng: random.Random) -> dict[str, Any]:
    ecosystem, kind, pattern = OTHER_ECOSYSTEMS[index % len(OTHER_ECOSYSTEMS)]
    name = f"synth-{index // 3:06d}"
    if ecosystem == "Maven":
        name = f"org.synth:{name}"
    elif ecosystem == "Go":
        name = f"example.com/synth/{name}"
    ranges = []
    for _ in range(rng.randint(1, 3)):
        numbers = {k: rng.randint(0, 9) for k in "abcde"}
        fixed = pattern.format(**numbers)
        ranges.append({"type": kind, "events": [{"introduced": "0"}, {"fixed": fixed}]})
    cve = f"CVE-2090-{index:06d}"
    return {
        "id": f"SYNTH-{index:06d}",
        "modified": "2025-01-01T00:00:00Z",
        "published": "2024-12-01T00:00:00Z",
        "aliases": [cve],
        "summary": f"synthetic advisory {index}",
        "severity": [{"type": "CVSS_V3", "score": VECTORS[index % len(VECTORS)]}],
        "affected": [{"package": {"ecosystem": ecosystem, "name": name}, "ranges": ranges}],
    }


def image_records(ref: str) -> list[dict[str, Any]]:
    from caulk.sbom.generate import catalog_image

    found = catalog_image(ref).catalog
    sources: dict[tuple[str, str], str] = {}
    for p in found.packages:
        if p.type == "deb":
            sources[("Debian:12", p.source_name)] = p.source_version
        elif p.type == "pypi":
            sources[("PyPI", p.name)] = p.version
    out: list[dict[str, Any]] = []
    for index, ((ecosystem, name), version) in enumerate(sorted(sources.items())):
        kind = index % 3
        if kind == 0:
            fixed = version + ("+bench1" if ecosystem != "PyPI" else ".post1")
            events: list[dict[str, str]] = [{"introduced": "0"}, {"fixed": fixed}]
        elif kind == 1:
            events = [{"introduced": "0"}, {"fixed": version}]
        else:
            events = [{"introduced": "0"}]
        cve = f"CVE-2091-{index:05d}"
        affected = [
            {
                "package": {"ecosystem": ecosystem, "name": name},
                "ranges": [{"type": "ECOSYSTEM", "events": events}],
            }
        ]
        out.append(
            {
                "id": f"DEBIAN-{cve}" if ecosystem != "PyPI" else f"PYSEC-2091-{index}",
                "modified": "2025-01-01T00:00:00Z",
                "upstream" if ecosystem != "PyPI" else "aliases": [cve],
                "severity": [{"type": "CVSS_V3", "score": VECTORS[index % len(VECTORS)]}],
                "affected": affected,
            }
        )
        if ecosystem != "PyPI":
            out.append(
                {
                    "id": f"DSA-{7000 + index}-1",
                    "modified": "2025-01-01T00:00:00Z",
                    "upstream": [cve],
                    "affected": affected,
                }
            )
    return out


def write_zip(path: Path, records: list[dict[str, Any]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for rec in records:
            archive.writestr(f"{rec['id']}.json", json.dumps(rec))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--advisories", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="keep the generated database in DIR")
    args = parser.parse_args()

    extra = images.build("extra")
    ref = extra.oci_ref
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="caulk-bench-scan-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / "osv.sqlite3"
    rng = random.Random(20260801)
    if not db.exists():
        from caulk.vuln.importer import import_path

        real = image_records(ref)
        records = [synthetic(i, rng) for i in range(args.advisories)] + real
        archive = work / "all.zip"
        write_zip(archive, records)
        started = time.perf_counter()
        report = import_path(db, archive)
        imported = time.perf_counter() - started
        if OSV_DATA.is_dir():
            report2 = import_path(db, OSV_DATA)
            extra_records = report2.records
        else:
            extra_records = 0
        print(
            f"database: {report.records:,} generated records ({len(real)} for the image's "
            f"packages) + {extra_records} real records, imported in {imported:.1f} s -> {db}"
        )

    from caulk.scan import ScanOptions, scan_image

    options = ScanOptions(db=db, offline=True)
    scan_image(ref, options)  # warm-up (page cache, imports)
    times = []
    result = None
    for _ in range(args.runs):
        started = time.perf_counter()
        result = scan_image(ref, options)
        times.append(time.perf_counter() - started)
    assert result is not None

    from caulk.catalog import catalog, wanted_path
    from caulk.image.open import open_image
    from caulk.vuln.matcher import match_packages
    from caulk.vuln.store import Store

    read_times, match_times = [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        with open_image(ref) as image:
            found = catalog(image.filesystem(wanted_path))
        read_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        with Store.open(db) as store:
            match_packages(found.packages, found.os, store)
        match_times.append(time.perf_counter() - started)

    cli_times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "caulk",
                "scan",
                ref,
                "--db",
                str(db),
                "--offline",
                "--format",
                "json",
                "--output",
                str(work / "scan.json"),
            ],
            check=True,
            env={"PYTHONPATH": str(PROJECT / "src"), "PATH": "/usr/bin:/bin"},
        )
        cli_times.append(time.perf_counter() - started)

    with Store.open(db) as store:
        total = store.stats().advisories
    counts = result.counts
    print(f"image: {ref}")
    print(f"advisories in the database: {total:,}")
    print(
        f"packages: {len(result.packages)} ({result.packages_checked} matched against the "
        f"database); advisories matched: {result.advisories_matched}; findings: "
        f"{len(result.vulnerabilities)}; distinct vulnerabilities: {sum(counts.values())} "
        f"({', '.join(f'{k} {v}' for k, v in counts.items() if v)}); fixable: "
        f"{len({v.id for v in result.vulnerabilities if v.fixable})}; grade {result.grade.text}"
    )
    print(
        f"scan_image (library), median of {args.runs}: {statistics.median(times):.3f} s "
        f"(min {min(times):.3f})"
    )
    print(
        f"  of which image read + catalog: {statistics.median(read_times):.3f} s; "
        f"matching: {statistics.median(match_times):.3f} s"
    )
    print(
        f"caulk scan (CLI, fresh interpreter), median of {args.runs}: "
        f"{statistics.median(cli_times):.3f} s"
    )
    target = statistics.median(times) < 1.0
    print(f"target < 1 s (library scan): {'met' if target else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
