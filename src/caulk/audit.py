"""``caulk audit``: run every registered check and rule pack over a checkout.

The flow is one-way: :class:`~caulk.repo.Repository` (source) -> parsed models (memoized on
the repository by ``caulk.dockerfile`` and ``caulk.workflow``) -> checks and rule packs ->
:class:`~caulk.results.AuditResult` -> a renderer.
"""

from __future__ import annotations

import re
import traceback
from pathlib import Path

from caulk.checks.registry import (
    INCONCLUSIVE,
    CheckResult,
    Registry,
    aggregate,
    load_all,
)
from caulk.config import Config, load_config
from caulk.findings import Finding, Problem
from caulk.plan import build_plan
from caulk.repo.checkout import Repository
from caulk.results import AuditResult, Score

_INLINE_IGNORE = re.compile(r"caulk:\s*ignore(?:\[(?P<rules>[A-Za-z0-9_,\s-]*)\])?")


def run_audit(root: Path, config: Config | None = None) -> AuditResult:
    """Audit the checkout at ``root``; raises ``InputError`` for an unusable root or config."""
    root = Path(root)
    if config is None:
        config = load_config(root) if root.is_dir() else Config()
    repo = Repository(root, exclude=config.exclude)
    registry = load_all()

    checks = _run_checks(repo, registry)
    findings: list[Finding] = [f for check in checks for f in check.findings]
    for name, pack in registry.rule_packs.items():
        try:
            findings.extend(pack(repo))
        except Exception as exc:  # a bug in one pack must not sink the audit
            repo.add_problem(".", f"internal error in rule pack {name}: {_describe(exc)}")

    findings = _drop_superseded(_dedupe(findings), registry)
    kept = [f for f in findings if config.keeps(f) and not _inline_ignored(repo, f)]
    suppressed = len(findings) - len(kept)
    kept.sort(key=lambda f: f.sort_key)

    local = aggregate(c for c in checks if c.local)
    estimated_checks = [c for c in checks if c.estimated and not c.inconclusive]
    estimated = (
        aggregate([c for c in checks if c.local] + estimated_checks) if estimated_checks else None
    )
    rules = {f.rule_id: registry.rules[f.rule_id] for f in kept if f.rule_id in registry.rules}
    plan = build_plan(kept, checks, registry.rules)
    problems = tuple(sorted(repo.problems, key=lambda p: (p.path, p.line or 0, p.message)))
    return AuditResult(
        root=str(root),
        score=Score(local=local, estimated=estimated),
        checks=tuple(checks),
        findings=tuple(kept),
        plan=plan,
        problems=problems,
        rules=rules,
        suppressed=suppressed,
    )


def _run_checks(repo: Repository, registry: Registry) -> list[CheckResult]:
    results: list[CheckResult] = []
    for spec in registry.checks.values():
        if spec.run is None:
            results.append(
                CheckResult(
                    name=spec.name,
                    score=INCONCLUSIVE,
                    risk=spec.risk,
                    reason=spec.doc or "needs GitHub API; not computed offline",
                    local=False,
                )
            )
            continue
        try:
            results.append(spec.run(repo))
        except Exception as exc:  # Scorecard turns a check's runtime error into -1, so do we
            repo.add_problem(".", f"internal error in check {spec.name}: {_describe(exc)}")
            results.append(
                CheckResult(
                    name=spec.name,
                    score=INCONCLUSIVE,
                    risk=spec.risk,
                    reason=f"internal error: {exc}",
                    local=spec.local,
                )
            )
    return results


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" ({Path(frame.filename).name}:{frame.lineno})" if frame else ""
    return f"{exc.__class__.__name__}: {exc}{where}"


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[object, ...]] = set()
    unique: list[Finding] = []
    for finding in findings:
        key = (finding.rule_id, finding.location, finding.message)
        if key in seen:
            continue
        seen.add(key)
        unique.append(finding)
    return unique


def _drop_superseded(findings: list[Finding], registry: Registry) -> list[Finding]:
    """Drop a finding when a more precise rule reported the same line (``Rule.supersedes``)."""
    covered: set[tuple[str, str, int]] = set()
    for finding in findings:
        rule = registry.rules.get(finding.rule_id)
        if rule is None or not rule.supersedes or finding.location is None:
            continue
        for other in rule.supersedes:
            covered.add((other, finding.location.path, finding.location.line))
    return [
        f
        for f in findings
        if f.location is None or (f.rule_id, f.location.path, f.location.line) not in covered
    ]


def _file_lines(repo: Repository, path: str) -> list[str]:
    def load() -> list[str]:
        text = repo.read_text(path)
        return text.splitlines() if text is not None else []

    return repo.memo(f"lines:{path}", load)


def _inline_ignored(repo: Repository, finding: Finding) -> bool:
    """``# caulk: ignore[RULE]`` on the finding's line or the line just above it."""
    loc = finding.location
    if loc is None or not repo.exists(loc.path):
        return False
    head = repo.head(loc.path, 8192)
    if head is None or b"\x00" in head:
        return False  # a binary file (e.g. a CK3004 artifact) carries no comments
    lines = _file_lines(repo, loc.path)
    for index in (loc.line - 1, loc.line - 2):
        if 0 <= index < len(lines):
            line = lines[index]
            if "#" not in line:
                continue
            match = _INLINE_IGNORE.search(line[line.index("#") :])
            if match is None:
                continue
            rules = match.group("rules")
            if rules is None:
                return True
            wanted = {r.strip() for r in rules.split(",") if r.strip()}
            if finding.rule_id in wanted:
                return True
    return False


__all__ = ["Problem", "run_audit"]
