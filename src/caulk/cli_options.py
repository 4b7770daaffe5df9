"""Command-line options shared by several verbs (one definition, one help text)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
]
PlatformOption = Annotated[
    str | None,
    typer.Option(
        "--platform", help="os/arch or os/arch/variant to pick from an index (default linux/amd64)."
    ),
]
MirrorOption = Annotated[
    list[str] | None,
    typer.Option(
        "--registry-mirror",
        help="REGISTRY=HOST[:PORT] pull-through mirror, e.g. docker.io=mirror:5000 (repeatable).",
    ),
]
InsecureOption = Annotated[
    list[str] | None,
    typer.Option("--insecure-registry", help="HOST:PORT on loopback reached over plain HTTP."),
]
OfflineCacheOption = Annotated[
    bool, typer.Option("--offline", help="Never use the network (cached blobs only).")
]
