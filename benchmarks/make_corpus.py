"""Write a deterministic corpus of Dockerfiles and GitHub workflows for benchmarking.

``python benchmarks/make_corpus.py DIR`` writes ``DIR/services/svc-NNN/Dockerfile`` (200 by
default) and ``DIR/.github/workflows/wf-NNN.yml`` (100), so that ``caulk audit DIR`` sees one
repository with many images, hadolint can be run once per Dockerfile, and zizmor once on the
workflows directory. The files vary (bases, package managers, stages, users, heredocs, pins,
triggers, permissions, injections) and are the same bytes on every run for a given seed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from pathlib import Path

BASES = [
    "python:3.12",
    "python:3.12-slim-bookworm",
    "python:latest",
    "node:20",
    "node:latest",
    "golang:1.24-bookworm",
    "debian:bookworm-slim",
    "ubuntu:24.04",
    "alpine:3.20",
    "alpine",
    "eclipse-temurin:21-jre",
    "nginx:1.27",
]
RUNTIME_BASES = [
    "gcr.io/distroless/static-debian12:nonroot",
    "gcr.io/distroless/base-debian12",
    "dhi.io/python:3.13",
    "cgr.dev/chainguard/static:latest",
    "debian:bookworm-slim",
    "alpine:3.20",
]
APT_PACKAGES = ["curl", "ca-certificates", "git", "build-essential", "libpq-dev", "jq", "tini"]
APK_PACKAGES = ["curl", "ca-certificates", "git", "build-base", "postgresql-dev", "jq", "tini"]
ACTIONS = [
    ("actions/checkout", "v4"),
    ("actions/setup-python", "v5"),
    ("actions/setup-node", "v4"),
    ("actions/cache", "v4"),
    ("docker/setup-buildx-action", "v3"),
    ("docker/login-action", "v3"),
    ("docker/metadata-action", "v5"),
    ("docker/build-push-action", "v6"),
    ("sigstore/cosign-installer", "v3"),
    ("aquasecurity/trivy-action", "0.31.0"),
    ("hadolint/hadolint-action", "v3.1.0"),
]
UNTRUSTED = [
    "github.event.pull_request.title",
    "github.event.issue.body",
    "github.head_ref",
    "github.event.comment.body",
]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _sha(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _image(rng: random.Random, name: str) -> str:
    return f"{name}@sha256:{_digest(name)}" if rng.random() < 0.35 else name


def _install(rng: random.Random, base: str) -> list[str]:
    if base.startswith("alpine"):
        pkgs = " ".join(rng.sample(APK_PACKAGES, rng.randint(1, 4)))
        flag = "--no-cache " if rng.random() < 0.5 else ""
        return [f"RUN apk add {flag}{pkgs}"]
    pkgs = " ".join(rng.sample(APT_PACKAGES, rng.randint(1, 4)))
    recommends = "--no-install-recommends " if rng.random() < 0.5 else ""
    clean = " \\\n    && rm -rf /var/lib/apt/lists/*" if rng.random() < 0.5 else ""
    return [f"RUN apt-get update \\\n    && apt-get install -y {recommends}{pkgs}{clean}"]


def dockerfile(index: int, rng: random.Random) -> str:
    """One varied Dockerfile."""
    base = rng.choice(BASES)
    lines = ["# syntax=docker/dockerfile:1.7"] if rng.random() < 0.4 else []
    multi = rng.random() < 0.5
    lines.append(f"FROM {_image(rng, base)}" + (" AS build" if multi else ""))
    if rng.random() < 0.3:
        lines.append('SHELL ["/bin/bash", "-o", "pipefail", "-c"]')
    lines += _install(rng, base)
    if rng.random() < 0.25:
        lines.append("RUN curl -fsSL https://example.com/install.sh | sh")
    if rng.random() < 0.2:
        lines.append(f"ADD https://example.com/releases/tool-{index}.tar.gz /opt/")
    lines.append("WORKDIR /src")
    lines.append("COPY . .")
    if base.startswith("python"):
        lines.append(
            rng.choice(
                [
                    "RUN pip install -r requirements.txt",
                    "RUN pip install --no-cache-dir --require-hashes -r requirements.txt",
                    "RUN pip install flask==3.0.3",
                ]
            )
        )
    elif base.startswith("node"):
        lines.append(rng.choice(["RUN npm install", "RUN npm ci --omit=dev"]))
    elif base.startswith("golang"):
        lines.append("RUN CGO_ENABLED=0 go build -o /out/app .")
    if rng.random() < 0.2:
        lines += ["RUN <<EOF", "set -eu", "echo building service " + str(index), "EOF"]
    if multi:
        runtime = rng.choice(RUNTIME_BASES)
        lines.append(f"FROM {_image(rng, runtime)}")
        lines.append("COPY --from=build /src /app")
    if rng.random() < 0.3:
        lines.append('LABEL org.opencontainers.image.source="https://github.com/example/svc"')
    if rng.random() < 0.45:
        lines.append(rng.choice(["USER 10001:0", "USER nobody", "USER root", "USER 65532"]))
    lines.append(f"EXPOSE {8000 + index % 100}")
    lines.append(
        rng.choice(['CMD ["/app/run"]', "CMD /app/run --port 8000", 'ENTRYPOINT ["/app/run"]'])
    )
    return "\n".join(lines) + "\n"


def _uses(rng: random.Random, action: str, ref: str) -> str:
    if rng.random() < 0.4:
        return f"{action}@{_sha(action + ref)} # {ref}"
    return f"{action}@{ref}"


def workflow(index: int, rng: random.Random) -> str:
    """One varied GitHub Actions workflow."""
    trigger = rng.choice(
        [
            "on:\n  push:\n    branches: [main]\n  pull_request:\n",
            "on: [push, pull_request]\n",
            "on:\n  pull_request_target:\n    types: [opened, synchronize]\n",
            "on:\n  issue_comment:\n    types: [created]\n",
            "on:\n  schedule:\n    - cron: '17 4 * * 1'\n  workflow_dispatch:\n",
        ]
    )
    out = [f"name: wf-{index:03d}", "", trigger.rstrip("\n"), ""]
    top = rng.choice([None, "contents: read", "write-all", "read-all"])
    if top is not None:
        if ":" in top:
            out += ["permissions:", f"  {top}", ""]
        else:
            out += [f"permissions: {top}", ""]
    out.append("jobs:")
    for job in range(rng.randint(1, 3)):
        out.append(f"  job{job}:")
        out.append(f"    runs-on: {rng.choice(['ubuntu-latest', 'ubuntu-24.04'])}")
        if rng.random() < 0.4:
            out += ["    permissions:", "      contents: read"]
            if rng.random() < 0.5:
                out.append("      packages: write")
        out.append("    steps:")
        out.append(f"      - uses: {_uses(rng, 'actions/checkout', 'v4')}")
        if "pull_request_target" in trigger and rng.random() < 0.5:
            out += ["        with:", "          ref: ${{ github.event.pull_request.head.sha }}"]
        elif rng.random() < 0.5:
            out += ["        with:", "          persist-credentials: false"]
        for action, ref in rng.sample(ACTIONS[1:], rng.randint(1, 4)):
            out.append(f"      - uses: {_uses(rng, action, ref)}")
            if action == "docker/build-push-action":
                out += ["        with:", "          push: true", "          context: ."]
                if rng.random() < 0.5:
                    out += ["          sbom: true", "          provenance: mode=max"]
        if rng.random() < 0.3:
            out.append(f'      - run: echo "${{{{ {rng.choice(UNTRUSTED)} }}}}"')
        out.append(rng.choice(["      - run: make test", "      - run: pip install -r req.txt"]))
    return "\n".join(out) + "\n"


def write_corpus(root: Path, dockerfiles: int = 200, workflows: int = 100, seed: int = 7) -> None:
    """Write the corpus under ``root`` (created if needed)."""
    rng = random.Random(seed)
    for i in range(dockerfiles):
        path = root / "services" / f"svc-{i:03d}" / "Dockerfile"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dockerfile(i, rng), encoding="utf-8")
    wf_dir = root / ".github" / "workflows"
    wf_dir.mkdir(parents=True, exist_ok=True)
    for i in range(workflows):
        (wf_dir / f"wf-{i:03d}.yml").write_text(workflow(i, rng), encoding="utf-8")
    (root / "README.md").write_text("# benchmark corpus (generated by make_corpus.py)\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--dockerfiles", type=int, default=200)
    parser.add_argument("--workflows", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write_corpus(args.directory, args.dockerfiles, args.workflows, args.seed)
    print(
        f"wrote {args.dockerfiles} Dockerfiles and {args.workflows} workflows to {args.directory}"
    )


if __name__ == "__main__":
    main()
