"""Find and parse a repository's Dockerfiles once (memoized on the repository).

caulk's view of what a Dockerfile is (wider than Scorecard's, which only matches
``*Dockerfile*``; see :mod:`caulk.dockerfile.pinning`): a basename, compared
case-insensitively, equal to ``Dockerfile`` or ``Containerfile``, or ending in
``.dockerfile``/``.containerfile``, or starting with ``Dockerfile.``/``Containerfile.``.
Skipped: templates (a basename part, split on ``.-_``, equal to ``template``, ``tmpl``,
``tpl``, ``j2``, ``jinja``, ``jinja2``, ``erb``, ``mustache`` or ``in``), BuildKit's
per-Dockerfile ignore files (``Dockerfile.dockerignore``) and documentation or backup copies
(``.md``, ``.rst``, ``.txt``, ``.orig``, ``.bak``, ``.rej``, ``.patch``, ``.diff``, ``.swp``).

Unreadable files (binary, larger than the repository's text limit, escaping symlinks) are
reported as problems by :class:`~caulk.repo.checkout.Repository` and left out; syntax errors
are recorded as problems here and kept in the parse result.
"""

from __future__ import annotations

import re

from caulk.dockerfile.model import ParsedDockerfile
from caulk.dockerfile.parser import parse_dockerfile
from caulk.repo.checkout import Repository

_TEMPLATE_PARTS = frozenset(
    {"template", "tmpl", "tpl", "j2", "jinja", "jinja2", "erb", "mustache", "in"}
)
_SKIP_SUFFIXES = (
    ".dockerignore",
    ".md",
    ".rst",
    ".txt",
    ".orig",
    ".bak",
    ".rej",
    ".patch",
    ".diff",
    ".swp",
)
_NAMES = ("dockerfile", "containerfile")


def is_template_name(basename: str) -> bool:
    """A template by name (caulk's list, a superset of Scorecard's ``IsTemplateFile``)."""
    return any(p.lower() in _TEMPLATE_PARTS for p in re.split(r"[._-]", basename) if p)


def is_dockerfile_path(path: str) -> bool:
    """Whether caulk treats ``path`` as a Dockerfile."""
    base = path.rsplit("/", 1)[-1]
    lower = base.lower()
    if lower.endswith(_SKIP_SUFFIXES) or is_template_name(base):
        return False
    return any(lower == n or lower.endswith("." + n) or lower.startswith(n + ".") for n in _NAMES)


def dockerfiles(repo: Repository) -> list[ParsedDockerfile]:
    """Every Dockerfile of ``repo``, parsed, in the repository's walk order."""
    return repo.memo("caulk.dockerfile.load.dockerfiles", lambda: _load(repo))


def parse_once(repo: Repository, path: str, text: str) -> ParsedDockerfile:
    """Parse ``path`` once per repository (shared by the rules and the Scorecard collector)."""
    key = f"caulk.dockerfile.parse:{path}"
    return repo.memo(key, lambda: parse_dockerfile(text, path))


def _load(repo: Repository) -> list[ParsedDockerfile]:
    out: list[ParsedDockerfile] = []
    for path in repo.files:
        if not is_dockerfile_path(path):
            continue
        text = repo.read_text(path)
        if text is None:
            continue
        parsed = parse_once(repo, path, text)
        for error in parsed.errors:
            repo.add_problem(path, f"Dockerfile: {error.message}", error.line)
        out.append(parsed)
    return out
