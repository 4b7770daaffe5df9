"""Which findings the repository asked to ignore: hadolint pragmas and ``.hadolint.yaml``.

Mirrors hadolint (``src/Hadolint/Pragma.hs``, ``Process.hs``): a comment
``# hadolint ignore=DL3008,DL3009`` applies to the instruction on the next line;
``# hadolint global ignore=...`` to the whole file; the ``ignored:`` list of a
``.hadolint.yaml``/``.hadolint.yml`` at the repository root to every Dockerfile. caulk's own
``CKxxxx`` IDs are accepted in all three places (hadolint's grammar only knows ``DL``/``SC``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from caulk.dockerfile.model import ParsedDockerfile
from caulk.repo.checkout import Repository
from caulk.yamlwarnings import quiet_yaml

_PRAGMA = re.compile(
    r"^[ \t]*hadolint[ \t]+(?:(global)[ \t]+)?ignore[ \t]*=[ \t]*"
    r"([A-Za-z0-9]+(?:[ \t]*,[ \t]*[A-Za-z0-9]+)*)"
)
CONFIG_FILES = (".hadolint.yaml", ".hadolint.yml")


@dataclass
class Ignores:
    """Rule IDs ignored per line, per file and per repository."""

    by_line: dict[int, set[str]] = field(default_factory=dict)
    """Line of the instruction → IDs (the pragma's line + 1)."""
    file: set[str] = field(default_factory=set)
    repo: frozenset[str] = frozenset()

    def ignored(self, rule_id: str, anchor_line: int) -> bool:
        return (
            rule_id in self.repo
            or rule_id in self.file
            or rule_id in self.by_line.get(anchor_line, set())
        )


def _ids(text: str) -> set[str]:
    return {part.strip().upper() for part in text.split(",") if part.strip()}


def file_ignores(df: ParsedDockerfile, repo_ids: frozenset[str]) -> Ignores:
    """The ignores that apply to one Dockerfile."""
    result = Ignores(repo=repo_ids)
    for comment in df.comments:
        m = _PRAGMA.match(comment.text)
        if not m:
            continue
        if m.group(1):
            result.file |= _ids(m.group(2))
        else:
            result.by_line.setdefault(comment.line + 1, set()).update(_ids(m.group(2)))
    return result


def repo_ignores(repo: Repository) -> frozenset[str]:
    """The ``ignored:`` list of the repository's hadolint configuration (memoized)."""
    return repo.memo("caulk.checks.dockerfile.hadolint-config", lambda: _load_config(repo))


def _load_config(repo: Repository) -> frozenset[str]:
    for name in CONFIG_FILES:
        if not repo.exists(name):
            continue
        text = repo.read_text(name)
        if text is None:
            return frozenset()
        try:
            with quiet_yaml():
                data = YAML(typ="safe", pure=True).load(text)
        except YAMLError as exc:
            repo.add_problem(name, f"invalid YAML: {exc.__class__.__name__}")
            return frozenset()
        ignored = data.get("ignored") if isinstance(data, dict) else None
        if ignored is None:
            return frozenset()
        if not isinstance(ignored, list):
            repo.add_problem(name, "`ignored` must be a list of rule IDs")
            return frozenset()
        return frozenset(str(item).strip().upper() for item in ignored)
    return frozenset()
