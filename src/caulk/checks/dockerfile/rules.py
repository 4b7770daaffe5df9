"""The Dockerfile rule pack: CK1001-CK1008 and the hadolint rules caulk keeps.

Rules are declared in :mod:`caulk.checks.dockerfile.catalog` and computed by
:mod:`caulk.checks.dockerfile.analysis`; docs/rules-dockerfile.md documents each one.
Findings honour hadolint's ignore pragmas and ``.hadolint.yaml`` (see
:mod:`caulk.checks.dockerfile.ignores`). A Dockerfile BuildKit cannot parse gives CK1008 at
each error line (its Problem is recorded by the loader); the rest of the file is still
checked as far as it was parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from caulk.checks.dockerfile import catalog
from caulk.checks.dockerfile.analysis import OCI_LABELS, RepoFacts, all_hits
from caulk.checks.dockerfile.ignores import file_ignores, repo_ignores
from caulk.checks.registry import rule_pack
from caulk.dockerfile.load import dockerfiles
from caulk.findings import Finding
from caulk.repo.checkout import Repository

__all__ = ["catalog", "dockerfile_rules", "repo_facts"]

_OCI_KEY = re.compile(r"org\.opencontainers\.image\.(" + "|".join(OCI_LABELS) + r")\b")


def repo_facts(repo: Repository) -> RepoFacts:
    """OCI labels set by the repository's build workflows (a text scan, memoized).

    ``docker/metadata-action`` sets source, revision, created, description and licenses (from
    the repository's metadata); a workflow that names an ``org.opencontainers.image.*`` key
    (in ``labels:`` or ``--label``) sets that key.
    """
    return repo.memo("caulk.checks.dockerfile.repo-facts", lambda: _scan_workflows(repo))


def _scan_workflows(repo: Repository) -> RepoFacts:
    labels: set[str] = set()
    source = ""
    for path in repo.files:
        if not path.startswith(".github/workflows/") or "/" in path[len(".github/workflows/") :]:
            continue
        if not path.endswith((".yml", ".yaml")):
            continue
        text = repo.read_text(path)
        if text is None:
            continue
        if "docker/metadata-action" in text:
            labels.update(OCI_LABELS)
            source = source or path
        found = set(_OCI_KEY.findall(text))
        if found:
            labels |= found
            source = source or path
    return RepoFacts(frozenset(labels), source)


@rule_pack("dockerfile")
def dockerfile_rules(repo: Repository) -> Iterable[Finding]:
    """Every Dockerfile finding of the repository."""
    facts = repo_facts(repo)
    repo_ids = repo_ignores(repo)
    findings: list[Finding] = []
    for df in dockerfiles(repo):
        ignores = file_ignores(df, repo_ids)
        for error in df.errors:
            if ignores.ignored(catalog.UNPARSABLE.id, error.line):
                continue
            findings.append(
                Finding(
                    rule_id=catalog.UNPARSABLE.id,
                    severity=catalog.UNPARSABLE.severity,
                    message=f"BuildKit cannot parse this Dockerfile: {error.message}",
                    location=df.index.line_span(min(error.line, len(df.index.starts))).location(
                        df.path
                    ),
                )
            )
        for hit in all_hits(df, facts):
            if ignores.ignored(hit.rule.id, hit.anchor_line):
                continue
            findings.append(
                Finding(
                    rule_id=hit.rule.id,
                    severity=hit.severity or hit.rule.severity,
                    message=hit.message,
                    location=hit.span.location(df.path),
                    check=hit.rule.check,
                    confidence=hit.confidence,
                )
            )
    findings.sort(key=lambda f: f.sort_key)
    return findings
