"""A loopback world for ``caulk fix`` end to end: real action repositories and base images.

Every action the fixture workflows ``uses:`` (found by parsing them, as the fixer does) and
every action of caulk's generated templates (:data:`caulk.fix.generate.ACTION_PINS`) becomes a
real git repository with annotated release tags and lightweight major tags (``v4`` moving with
each release, as actions publish them), served by ``git daemon`` on 127.0.0.1. Every ``FROM``
image of the fixture Dockerfiles is pushed, under its Docker Hub repository name, to the
loopback registry that ``--registry-mirror docker.io=HOST`` points at.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from caulk.dockerfile.parser import parse_dockerfile
from caulk.fix.generate import ACTION_PINS
from caulk.fix.pin_actions import find_uses
from tests.support.gitrepos import ActionRepo, make_action_repo

_SHA = re.compile(r"^[0-9a-f]{40}$")
_MAJOR = re.compile(r"^v(\d+)$")
_FULL = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def workflow_files(root: Path) -> list[Path]:
    return sorted(
        p for p in (root / ".github" / "workflows").glob("*") if p.suffix in {".yml", ".yaml"}
    )


def used_actions(roots: Iterable[Path]) -> dict[str, set[str]]:
    """``owner/repo`` -> refs for every remote ``uses:`` of the workflows under ``roots``,
    plus the release of every action caulk's templates pin."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for root in roots:
        for path in workflow_files(root):
            for site in find_uses(path.name, path.read_text()):
                if site.value.startswith(("./", "docker://")) or "@" not in site.value:
                    continue
                owner_repo = "/".join(site.action.split("/")[:2])
                if not _SHA.match(site.ref):
                    wanted[owner_repo].add(site.ref)
    for action, (_sha, version) in ACTION_PINS.items():
        wanted[action].add(version)
    return dict(wanted)


def _releases(refs: set[str]) -> dict[int, list[str]]:
    """Major version -> full release tags to create (oldest first)."""
    out: dict[int, set[str]] = defaultdict(set)
    for ref in refs:
        if match := _FULL.match(ref):
            out[int(match.group(1))].add(ref)
        elif match := _MAJOR.match(ref):
            major = int(match.group(1))
            out[major].update({f"v{major}.0.0", f"v{major}.3.1"})
        else:
            raise ValueError(f"test world: cannot serve ref {ref!r}")
    return {
        major: sorted(tags, key=lambda t: tuple(int(n) for n in t[1:].split(".")))
        for major, tags in out.items()
    }


def build_action_repos(base: Path, wanted: dict[str, set[str]]) -> dict[str, ActionRepo]:
    """A bare repository per action under ``base`` with one commit per release: an annotated
    ``vX.Y.Z`` tag, an annotated ``vX.Y`` tag and the lightweight major tag ``vX`` moved to the
    newest release of its major, then one more commit on ``main`` (no release)."""
    repos: dict[str, ActionRepo] = {}
    for name, refs in sorted(wanted.items()):
        repo = make_action_repo(base, name)
        for major, tags in sorted(_releases(refs).items()):
            for tag in tags:
                repo.commit(f"{name} {tag}")
                repo.tag(tag, annotated=True)
                repo.tag(tag.rsplit(".", 1)[0], annotated=True, force=True)
                repo.tag(f"v{major}", annotated=False, force=True)
        repo.commit("unreleased work on main")
        repo.push()
        repos[name] = repo
    return repos


def base_images(roots: Iterable[Path]) -> set[str]:
    """Docker Hub ``repository:tag`` of every ``FROM`` (stages and scratch excluded)."""
    out: set[str] = set()
    for root in roots:
        for path in root.rglob("*Dockerfile*"):
            parsed = parse_dockerfile(path.read_text(), path.name)
            for stage in parsed.stages:
                image = stage.image
                if image is None or stage.base_stage is not None or stage.is_scratch:
                    continue
                name, _, tag = image.partition(":")
                if "/" not in name:
                    name = f"library/{name}"
                out.add(f"{name}:{tag or 'latest'}")
    return out
