"""Facts about the repository that generated files need: GitHub name, image, default branch."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from caulk.fix.generate import ProjectInfo
from caulk.repo.checkout import Repository
from caulk.yamlwarnings import quiet_yaml

_GITHUB_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<repo>[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)


def _git(root: Path, *args: str) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 and proc.stdout.strip() else None


def github_repository(root: Path) -> str | None:
    """``owner/name`` from the ``origin`` remote when it is a GitHub URL."""
    url = _git(root, "config", "--get", "remote.origin.url")
    if url is None:
        return None
    match = _GITHUB_REMOTE.match(url)
    return match.group("repo") if match else None


def default_branch(root: Path) -> str:
    """``origin/HEAD``'s branch, else the current branch, else ``main``."""
    head = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
    if head and "/" in head:
        return head.split("/", 1)[1]
    return _git(root, "symbolic-ref", "--short", "HEAD") or "main"


def image_from_workflows(repo: Repository) -> str | None:
    """The image a workflow already publishes (``docker/metadata-action`` ``images:``)."""
    for path in repo.files:
        if not (path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))):
            continue
        text = repo.read_text(path)
        if text is None or "metadata-action" not in text:
            continue
        try:
            with quiet_yaml():
                data = YAML(typ="safe").load(text)
        except YAMLError:
            continue
        jobs = data.get("jobs") if isinstance(data, dict) else None
        for job in (jobs or {}).values():
            for step in (job or {}).get("steps") or []:
                if not isinstance(step, dict) or "metadata-action" not in str(step.get("uses")):
                    continue
                images = str((step.get("with") or {}).get("images") or "").strip()
                first = images.splitlines()[0].strip() if images else ""
                if first and "${{" not in first:
                    return first.split(",")[0].strip()
    return None


def project_info(repo: Repository, dockerfile: str = "Dockerfile") -> ProjectInfo:
    """What generated files need, read from git and the existing workflows."""
    repository = github_repository(repo.root)
    # Without a GitHub remote the workflow names the image from its own repository at run time.
    fallback = f"ghcr.io/{repository.lower()}" if repository else "ghcr.io/${{ github.repository }}"
    image = image_from_workflows(repo) or fallback
    context = dockerfile.rsplit("/", 1)[0] if "/" in dockerfile else "."
    return ProjectInfo(
        repository=repository,
        image=image,
        default_branch=default_branch(repo.root),
        dockerfile=dockerfile,
        context=context,
    )
