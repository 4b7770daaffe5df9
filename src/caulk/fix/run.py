"""``caulk fix``: audit, plan text edits for every automatable finding, then diff or write.

Each fixer is a function ``(FixContext) -> None`` that adds edits, new files and notes to the
context's :class:`~caulk.fix.engine.ChangeSet`; fixers never write. The orchestrator writes
once at the end (each file atomically) or prints the unified diff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from caulk.audit import run_audit
from caulk.config import Config, load_config
from caulk.fix.actions import ActionResolver
from caulk.fix.engine import ChangeSet, FixNote, Outcome
from caulk.fix.generate import ProjectInfo
from caulk.repo.checkout import Repository
from caulk.results import AuditResult


@dataclass(frozen=True)
class FixOptions:
    """What the user asked ``caulk fix`` to do."""

    offline: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    github_url: str | None = None
    registry_mirrors: tuple[str, ...] = ()
    insecure_registries: tuple[str, ...] = ()

    def wants(self, rule_id: str) -> bool:
        if self.select and not any(rule_id.startswith(s) for s in self.select):
            return False
        return not any(rule_id.startswith(i) for i in self.ignore)


@dataclass
class FixContext:
    """Everything a fixer reads: the repository, its audit, options, and the change set."""

    repo: Repository
    audit: AuditResult
    options: FixOptions
    changes: ChangeSet
    info: ProjectInfo
    resolver: ActionResolver | None = None
    extra: dict[str, object] = field(default_factory=dict)


Fixer = Callable[[FixContext], None]


@dataclass(frozen=True)
class FixReport:
    """The outcome of a ``caulk fix`` run."""

    notes: tuple[FixNote, ...]
    diff: str
    written: tuple[str, ...]
    write_failures: tuple[tuple[str, str], ...]

    @property
    def failed(self) -> bool:
        return bool(self.write_failures) or any(n.outcome is Outcome.FAILED for n in self.notes)


def _fix_actions(ctx: FixContext) -> None:
    from caulk.fix.pin_actions import RULE_ID, pin_actions

    if ctx.options.wants(RULE_ID):
        pin_actions(ctx.repo, ctx.changes, ctx.resolver, offline=ctx.options.offline)


def _create_missing(ctx: FixContext) -> None:
    from caulk.fix.missing import create_missing
    from caulk.fix.pin_actions import verify_generated

    create_missing(ctx.repo, ctx.audit, ctx.changes, ctx.info, ctx.options.wants)
    verify_generated(ctx.changes, ctx.resolver, offline=ctx.options.offline)


def fixers() -> list[Fixer]:
    """Every fixer, in the order they run (each edits different spans)."""
    found: list[Fixer] = [_fix_actions]
    found.extend(_optional_fixers())
    found.append(_create_missing)
    return found


def _optional_fixers() -> list[Fixer]:
    """Fixers of the Dockerfile and workflow models (modules of caulk.fix)."""
    import importlib

    out: list[Fixer] = []
    for module_name in (
        "caulk.fix.pin_images",
        "caulk.fix.dockerfile_fixes",
        "caulk.fix.workflow_fixes",
    ):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        out.append(module.fix)
    return out


def run_fix(root: Path, options: FixOptions, *, dry_run: bool) -> FixReport:
    """Fix the repository at ``root`` (or only compute the diff when ``dry_run``)."""
    config: Config = load_config(root)
    audit = run_audit(root, config)
    repo = Repository(root, exclude=config.exclude)
    from caulk.fix.project import project_info

    ctx = FixContext(
        repo=repo,
        audit=audit,
        options=options,
        changes=ChangeSet(repo.root),
        info=project_info(repo),
        resolver=None if options.offline else ActionResolver(options.github_url),
    )
    for fixer in fixers():
        fixer(ctx)
    diff = ctx.changes.diff()
    written: tuple[str, ...] = ()
    failures: tuple[tuple[str, str], ...] = ()
    if not dry_run:
        results = ctx.changes.results()
        failures = tuple(ctx.changes.write())
        failed_paths = {p for p, _ in failures}
        written = tuple(sorted(p for p in results if p not in failed_paths))
    return FixReport(
        notes=tuple(ctx.changes.notes),
        diff=diff,
        written=written,
        write_failures=failures,
    )
