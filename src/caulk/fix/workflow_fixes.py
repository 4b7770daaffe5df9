"""``caulk fix`` for GitHub workflows: least-privilege tokens, no persisted credentials,
strict shell scripts and safer image publishing, as text edits on the original file.

What is fixed (each with a note naming the rule, file and line):

* CK2002/CK2014: a missing top-level ``permissions:`` is inserted as ``contents: read`` right
  before ``jobs:`` (above the comments that introduce ``jobs:``, keeping the file's blank-line
  convention); a top-level ``write-all`` becomes ``contents: read`` and top-level write scopes
  are dropped (``contents: write`` becomes ``read``). Whenever the top level is narrowed, every
  job without its own ``permissions:`` gets one (after ``runs-on:``) with ``contents: read`` and
  exactly what its steps need (:mod:`caulk.fix.workflow_needs`), plus the other top-level scopes
  it inherited that caulk does not judge (``issues``, ``pull-requests``…). A job calling a local
  reusable workflow gets what the called workflow's jobs use; a remote one cannot be judged.
  When the top level is already safe, inheriting jobs are left alone: their token does not
  change, and Scorecard and zizmor are satisfied.
* CK2003: a job-level ``write-all`` becomes the job's needs; an unneeded job-level
  ``contents``/``packages`` write becomes ``read`` and ``id-token: write`` becomes ``none``.
* CK2006: ``persist-credentials: false`` on actions/checkout, unless the job pushes with git.
* CK2005: each attacker-controlled ``${{ … }}`` of a ``run:`` script moves into the step's
  ``env:`` (a new block before ``run:``, or appended to its block ``env:``; an env var already
  holding that expression is reused) and the script reads it as ``${NAME}`` (bash/sh) or
  ``$env:NAME`` (pwsh); an expression inside single quotes, a quoted here-document, or on a
  line that evaluates its text again (``bash -c``, ``eval``) is left for a human
  (:mod:`caulk.fix.script_injection`).
* CK2008: ``set -euo pipefail`` as the first line of multi-line ``run: |`` scripts run by the
  default shell (bash on Linux and macOS runners) that have a pipe or several commands.
* CK2007: ``sbom: true`` and ``provenance: mode=max`` added to a pushing build-push-action.
* CK2009: ``push-to-registry: true`` → ``false`` for an attestation of a Docker Hub image.
* CK2010: ``,enable={{is_default_branch}}`` appended to an unrestricted ``type=sha`` or
  ``type=raw,value=latest`` tag of docker/metadata-action (other constant tags need a human).
* CK2011: a weekly ``schedule:`` trigger added to the first image publish workflow.

Everything is located through ruamel.yaml's positions and written as insertions of whole lines
(indented like their siblings: 2 or 4 spaces, indented or flush sequences) or replacements of
one-line values, so the rest of the file keeps its bytes. A construct in flow style, a value
spread over lines, or a job whose token use cannot be told is reported FAILED ("edit by hand")
and left as it was. Running the fixes on their own output changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from caulk.checks.workflow import analysis
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.run import FixContext
from caulk.fix.script_injection import (
    Shell,
    base_name,
    expansion_blockers,
    free_name,
    nested_interpreter,
    reference,
    yaml_value,
)
from caulk.fix.workflow_needs import SCOPE_ORDER, JobNeeds, job_needs, pushes_with_git
from caulk.fix.workflow_text import (
    EditPlan,
    WorkflowText,
    first_key_column,
    is_flow,
    key_position,
    value_position,
)
from caulk.workflow.expressions import Expression, UnclosedExpression, expressions, is_untrusted
from caulk.workflow.load import workflow_set
from caulk.workflow.model import Job, Permissions, PermissionsKind, Pos, Scalar, Step, Workflow
from caulk.yamlwarnings import quiet_yaml

TOP_PERMISSIONS = "CK2002"
JOB_PERMISSIONS = "CK2003"
SCRIPT_INJECTION = "CK2005"
PERSISTED_CREDENTIALS = "CK2006"
ATTESTATIONS = "CK2007"
STRICT_SHELL = "CK2008"
DOCKER_HUB_REFERRERS = "CK2009"
MUTABLE_TAGS = "CK2010"
SCHEDULED_REBUILD = "CK2011"
# sha- tags only on branch pushes: never again on a scheduled rebuild or a release tag push.
_SHA_GATE = "${{ github.event_name == 'push' && github.ref_type == 'branch' }}"
TOP_WRITE = "CK2014"
UNPARSABLE = "CK2013"

WEEKLY_CRON = "17 5 * * 2"
"""The weekly rebuild's schedule (the same as the generated publish workflow's)."""

DERIVED_SCOPES = frozenset({"contents", "packages", "id-token"})
"""Scopes granted from what the steps do; other inherited scopes are carried over as they were."""

_HAND = "edit by hand"
_SET_E = re.compile(r"\bset\b[^\n;]*?\s(-[a-zA-Z]*e[a-zA-Z]*\b|-o\s+errexit\b)")
_PIPEFAIL = re.compile(r"\bset\b[^\n;]*?\s-[a-zA-Z]*o\s+pipefail\b")
_SINGLE_PIPE = re.compile(r"(?<!\|)\|(?![|&])")
_BLOCK_HEADER = re.compile(r"\|[-+]?[ \t]*(#.*)?$")
_SOLE_EXPRESSION = re.compile(r"\s*\$\{\{(?P<text>.*?)\}\}\s*", re.DOTALL)
_ANY_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCALAR_LINE = re.compile(r"[^\s#'\"][^#]*?(?=[ \t]+#|[ \t]*$)|'[^'\n]*'|\"[^\"\n]*\"")


def fix(ctx: FixContext) -> None:
    """Plan every workflow fix the options ask for (the fixer ``caulk fix`` imports by name)."""
    wset = workflow_set(ctx.repo)
    fixers: dict[str, _FileFixer] = {}
    for failure in wset.failures:
        ctx.changes.note(
            UNPARSABLE,
            failure.path,
            failure.line,
            Outcome.FAILED,
            f"not changed: {failure.message}",
        )
    to_schedule: set[str] = set()
    if ctx.options.wants(SCHEDULED_REBUILD):
        to_schedule = {
            f.location.path
            for f in analysis.no_scheduled_rebuild(list(wset.workflows))
            if f.location is not None
        }
    for workflow in wset.workflows:
        text = ctx.repo.read_text(workflow.path)
        if text is None:
            continue
        fixer = _FileFixer.create(ctx, workflow, text)
        if fixer is None:
            continue
        # sha- tags must be gated against the schedule this run is about to add.
        fixer.gains_schedule = workflow.path in to_schedule
        fixers[workflow.path] = fixer
        fixer.run()
    for path in sorted(to_schedule):
        if path in fixers:
            fixers[path].add_schedule()
    for fixer in fixers.values():
        fixer.flush()


# -- one file ---------------------------------------------------------------------------------


@dataclass
class _Layout:
    """How the file indents: mapping step and block-sequence dash offset and gap."""

    step: int = 2
    dash_offset: int = 2
    dash_gap: int = 2


@dataclass
class _FileFixer:
    ctx: FixContext
    workflow: Workflow
    root: CommentedMap
    src: WorkflowText
    plan: EditPlan
    layout: _Layout
    job_nodes: dict[str, Any] = field(default_factory=dict)
    job_keys: dict[str, Any] = field(default_factory=dict)
    gains_schedule: bool = False
    """This run adds a ``schedule:`` trigger (CK2011) to the workflow."""
    _reported: set[tuple[int, int]] | None = None

    @classmethod
    def create(cls, ctx: FixContext, workflow: Workflow, text: str) -> _FileFixer | None:
        path = workflow.path
        try:
            with quiet_yaml():
                root = next(iter(YAML(typ="rt", pure=True).load_all(text)), None)
        except Exception as exc:  # already parsed once by the model; be defensive anyway
            ctx.changes.note(UNPARSABLE, path, None, Outcome.FAILED, f"not changed: {exc}")
            return None
        if not isinstance(root, CommentedMap):
            return None
        src = WorkflowText(text)
        fixer = cls(ctx, workflow, root, src, EditPlan(path, src), _Layout())
        if is_flow(root):
            fixer.note(TOP_PERMISSIONS, 1, Outcome.FAILED, f"workflow in flow style: {_HAND}")
            return None
        jobs = root.get("jobs")
        if isinstance(jobs, CommentedMap) and not is_flow(jobs):
            fixer.job_nodes = {str(k): v for k, v in jobs.items()}
            fixer.job_keys = {str(k): k for k in jobs}
        fixer.layout = fixer.detect_layout()
        return fixer

    # -- plumbing ------------------------------------------------------------------------

    @property
    def path(self) -> str:
        return self.workflow.path

    @property
    def changes(self) -> ChangeSet:
        return self.ctx.changes

    def note(self, rule: str, line: int | None, outcome: Outcome, message: str) -> None:
        self.changes.note(rule, self.path, line, outcome, message)

    def wants(self, rule: str) -> bool:
        return self.ctx.options.wants(rule)

    def flush(self) -> None:
        if self.plan.empty:
            return
        self.changes.original(self.path, self.src.text)
        for edit in self.plan.edits():
            self.changes.edit(edit)

    def detect_layout(self) -> _Layout:
        layout = _Layout()
        jobs = self.root.get("jobs")
        if not isinstance(jobs, CommentedMap) or not jobs:
            return layout
        root_col = first_key_column(self.root) or 0
        job_col = first_key_column(jobs)
        if job_col is not None and job_col > root_col:
            layout.step = job_col - root_col
        for body in jobs.values():
            steps = body.get("steps") if isinstance(body, CommentedMap) else None
            if not isinstance(steps, CommentedSeq) or is_flow(steps) or not steps:
                continue
            steps_col = key_position(body, "steps")[1]
            line0, item_col = (int(v) for v in steps.lc.item(0))
            dash = self.src.line(line0).rfind("-", 0, item_col)
            if dash >= steps_col:
                layout.dash_offset = dash - steps_col
                layout.dash_gap = item_col - dash
            break
        return layout

    def lines_under(self, col: int, head: str, children: list[str]) -> list[str]:
        """``head`` at column ``col`` with ``children`` one indentation step deeper."""
        pad = " " * col
        inner = " " * (col + self.layout.step)
        return [pad + head] + [inner + child for child in children]

    def single_line_value(self, mapping: CommentedMap, key: Any) -> tuple[int, int, int] | None:
        """(line0, start, end) offsets of a one-line scalar value written on its key's line."""
        try:
            k_line, _ = key_position(mapping, key)
            v_line, v_col = value_position(mapping, key)
        except (KeyError, TypeError):
            return None
        if k_line != v_line or isinstance(mapping[key], (CommentedMap, CommentedSeq)):
            return None
        match = _SCALAR_LINE.match(self.src.line(v_line), v_col)
        if match is None:
            return None
        text = match.group(0)
        value = mapping[key]
        plain = text.strip("'\"") if text[:1] in "'\"" else text
        if value is not None and not isinstance(value, bool) and str(value) != plain:
            return None  # a value continued on the next lines
        return v_line, self.src.offset(v_line, v_col), self.src.offset(v_line, match.end())

    # -- run all per-file fixes ----------------------------------------------------------

    def run(self) -> None:
        if self.wants(TOP_PERMISSIONS) or self.wants(TOP_WRITE) or self.wants(JOB_PERMISSIONS):
            self.fix_permissions()
        for job in self.workflow.jobs:
            node = self.job_nodes.get(job.id)
            steps = (
                node.get("steps") if isinstance(node, CommentedMap) and not is_flow(node) else None
            )
            step_nodes = steps if isinstance(steps, CommentedSeq) and not is_flow(steps) else None
            for step in job.steps:
                step_node = step_nodes[step.index] if step_nodes is not None else None
                self.fix_step(job, step, step_node)
        if self.wants(MUTABLE_TAGS):
            self.fix_sha_tags()
        if self.wants(DOCKER_HUB_REFERRERS):
            self.fix_docker_hub_referrers()

    def fix_step(self, job: Job, step: Step, node: Any) -> None:
        runs = step.run is not None and step.uses is None
        if not isinstance(node, CommentedMap) or is_flow(node):
            if self._step_wanted(job, step):
                self.note(
                    _rule_for(step), step.pos.line, Outcome.FAILED, f"step in flow style: {_HAND}"
                )
            elif runs and self.wants(SCRIPT_INJECTION) and self._injections(step):
                self.note(
                    SCRIPT_INJECTION, step.pos.line, Outcome.FAILED, f"step in flow style: {_HAND}"
                )
            return
        if step.action == "actions/checkout" and step.run is None:
            if self.wants(PERSISTED_CREDENTIALS):
                self.fix_checkout(job, step, node)
        elif analysis.is_pushing_build(step):
            if self.wants(ATTESTATIONS):
                self.fix_build_attestations(job, step, node)
        elif step.action == "actions/github-script":
            if self.wants(SCRIPT_INJECTION):
                self.refuse_github_script(step)
        elif runs:
            if self.wants(SCRIPT_INJECTION):
                self.fix_script_injection(job, step, node)
            if self.wants(STRICT_SHELL):
                self.fix_strict_shell(job, step)

    def _step_wanted(self, job: Job, step: Step) -> bool:
        if step.action == "actions/checkout":
            value = step.input("persist-credentials")
            return value is None or value.value.strip().lower() != "false"
        return analysis.is_pushing_build(step)

    # -- permissions ---------------------------------------------------------------------

    def fix_permissions(self) -> None:
        top = self.workflow.permissions
        rule = TOP_PERMISSIONS if top.kind is PermissionsKind.UNDECLARED else TOP_WRITE
        narrowing = self.wants(rule) and (
            top.kind is PermissionsKind.UNDECLARED
            or top.kind is PermissionsKind.WRITE_ALL
            or (top.kind is PermissionsKind.SCOPES and bool(top.writes()))
        )
        inherited = self._inherited_scopes(top)
        blocked: list[str] = []
        job_plans: list[tuple[Job, CommentedMap, JobNeeds]] = []
        for job in self.workflow.jobs:
            if job.permissions.declared:
                continue
            node = self.job_nodes.get(job.id)
            if not isinstance(node, CommentedMap) or is_flow(node):
                blocked.append(f"job '{job.id}' is not a block mapping")
                continue
            needs = self._needs(job)
            if needs.unknown:
                blocked.append(f"job '{job.id}': {'; '.join(needs.unknown)}")
                if narrowing:
                    self.note(
                        JOB_PERMISSIONS,
                        job.pos.line,
                        Outcome.FAILED,
                        f"cannot tell what job '{job.id}' needs ({'; '.join(needs.unknown)}): "
                        "set its permissions by hand",
                    )
                continue
            job_plans.append((job, node, _with_inherited(needs, inherited)))
        if narrowing and blocked:
            line = top.key_pos.line if top.key_pos else self.workflow.root_pos.line
            self.note(
                rule,
                line,
                Outcome.FAILED,
                "top-level permissions not changed: " + "; ".join(blocked),
            )
        elif narrowing and self.fix_top_permissions(top):
            for job, node, needs in job_plans:
                self.insert_job_permissions(rule, job, node, needs)
        if self.wants(JOB_PERMISSIONS):
            self.fix_job_permissions()

    def _needs(self, job: Job) -> JobNeeds:
        if job.uses is None:
            return job_needs(self.workflow, job)
        return self._reusable_needs(job)

    def _reusable_needs(self, job: Job) -> JobNeeds:
        assert job.uses is not None
        target = job.uses.value.strip()
        reason = (f"reusable workflow {target}: set permissions by hand",)
        if not target.startswith("./"):
            return JobNeeds((), reason)
        callee = workflow_set(self.ctx.repo).workflow(target[2:].split("@", 1)[0])
        if callee is None:
            return JobNeeds((), reason)
        levels: dict[str, str] = {"contents": "read"}
        for called in callee.jobs:
            perms = called.permissions
            if not perms.declared:
                perms = callee.permissions
            if perms.kind is PermissionsKind.SCOPES:
                scopes = [(s, v.value.strip().lower()) for s, v, _ in perms.scopes]
            elif perms.kind is PermissionsKind.UNDECLARED and called.uses is None:
                needs = job_needs(callee, called)
                if needs.unknown:
                    return JobNeeds((), reason)
                scopes = list(needs.scopes)
            elif perms.kind is PermissionsKind.NONE:
                scopes = []
            else:
                return JobNeeds((), reason)
            for scope, level in scopes:
                if levels.get(scope) != "write" and level in ("read", "write"):
                    levels[scope] = level
        return _needs_of(levels)

    def _inherited_scopes(self, top: Permissions) -> dict[str, str]:
        """Top-level scopes that jobs keep when they get their own block (not derived here)."""
        if top.kind is not PermissionsKind.SCOPES:
            return {}
        return {
            scope: value.value.strip().lower()
            for scope, value, _ in top.scopes
            if scope not in DERIVED_SCOPES and value.value.strip().lower() in ("read", "write")
        }

    def fix_top_permissions(self, top: Permissions) -> bool:
        if top.kind is PermissionsKind.UNDECLARED:
            return self.insert_top_permissions()
        if top.kind is PermissionsKind.WRITE_ALL:
            return self.replace_scalar_permissions(
                self.root, TOP_WRITE, "top-level write-all", ["contents: read"]
            )
        return self.narrow_top_scopes(top)

    def insert_top_permissions(self) -> bool:
        line = self.workflow.root_pos.line
        if "jobs" not in self.root:
            self.note(TOP_PERMISSIONS, line, Outcome.FAILED, "no jobs: key")
            return False
        jobs_line, root_col = key_position(self.root, "jobs")
        at = jobs_line
        while (
            at > 0
            and self.src.is_comment(at - 1)
            and (self.src.indent_of(self.src.line(at - 1)) <= root_col)
        ):
            at -= 1
        lines = self.lines_under(root_col, "permissions:", ["contents: read"])
        if at > 0 and self.src.is_blank(at - 1):
            lines.append("")
        if not self.plan.insert_lines(self.src.offset(at), lines, rank=1):
            self.note(TOP_PERMISSIONS, at + 1, Outcome.FAILED, f"overlapping edit: {_HAND}")
            return False
        self.note(
            TOP_PERMISSIONS, at + 1, Outcome.FIXED, "added top-level permissions: contents: read"
        )
        return True

    def replace_scalar_permissions(
        self, mapping: CommentedMap, rule: str, what: str, children: list[str]
    ) -> bool:
        """Replace ``permissions: <string>`` by a block of ``children`` scopes."""
        span = self.single_line_value(mapping, "permissions")
        k_line, k_col = key_position(mapping, "permissions")
        if span is None:
            self.note(rule, k_line + 1, Outcome.FAILED, f"{what} is not a one-line value: {_HAND}")
            return False
        line0, start, end = span
        line_text = self.src.line(line0)
        colon = line_text.rfind(":", 0, start - self.src.offset(line0))
        comment = line_text[end - self.src.offset(line0) :]
        child_pad = " " * (k_col + self.layout.step)
        newline = self.src.newline
        replacement = (
            ":" + comment.rstrip() + "".join(newline + child_pad + child for child in children)
        )
        if not self.plan.replace(
            self.src.offset(line0, colon), self.src.line_end(line0), replacement
        ):
            self.note(rule, line0 + 1, Outcome.FAILED, f"overlapping edit: {_HAND}")
            return False
        self.note(rule, line0 + 1, Outcome.FIXED, f"{what} replaced by {', '.join(children)}")
        return True

    def narrow_top_scopes(self, top: Permissions) -> bool:
        node = self.root.get("permissions")
        if not isinstance(node, CommentedMap) or is_flow(node):
            line = top.key_pos.line if top.key_pos else None
            self.note(TOP_WRITE, line, Outcome.FAILED, f"permissions in flow style: {_HAND}")
            return False
        keys = {str(k).lower(): k for k in node}
        spans = {}
        for scope, value, _key in top.writes():
            span = self.single_line_value(node, keys[scope])
            if span is None:
                self.note(TOP_WRITE, value.pos.line, Outcome.FAILED, f"'{scope}' value: {_HAND}")
                return False
            spans[scope] = span
        has_contents = "contents" in keys
        for index, (scope, (line0, start, end)) in enumerate(spans.items()):
            if scope == "contents":
                ok = self.plan.replace(start, end, "read")
                message = "top-level contents: write narrowed to read"
            elif index == 0 and not has_contents:
                key_start = self.src.offset(line0, key_position(node, keys[scope])[1])
                ok = self.plan.replace(key_start, end, "contents: read")
                message = f"top-level {scope}: write replaced by contents: read"
            else:
                ok = self.plan.replace(self.src.offset(line0), self.src.line_start_after(line0), "")
                message = f"top-level {scope}: write removed (granted to the jobs that use it)"
            self.note(TOP_WRITE, line0 + 1, Outcome.FIXED if ok else Outcome.FAILED, message)
            if not ok:
                return False
        return True

    def insert_job_permissions(
        self, rule: str, job: Job, node: CommentedMap, needs: JobNeeds
    ) -> None:
        key_col = first_key_column(node)
        if key_col is None:
            return
        at = key_position(self.job_nodes_parent(), self.job_keys[job.id])[0] + 1
        if "runs-on" in node:
            span = self.single_line_value(node, "runs-on")
            if span is not None:
                at = span[0] + 1
        lines = self.lines_under(key_col, "permissions:", needs.lines())
        ok = self.plan.insert_lines(self.src.offset(at), lines)
        self.note(
            rule,
            job.pos.line,
            Outcome.FIXED if ok else Outcome.FAILED,
            f"job '{job.id}' granted {', '.join(needs.lines())}"
            if ok
            else f"overlapping edit in job '{job.id}': {_HAND}",
        )

    def job_nodes_parent(self) -> CommentedMap:
        jobs = self.root["jobs"]
        assert isinstance(jobs, CommentedMap)
        return jobs

    def fix_job_permissions(self) -> None:
        """CK2003 on jobs that declare permissions: write-all or unneeded writes."""
        findings = analysis.excessive_job_permissions(self.workflow)
        at = {(f.location.line, f.location.column) for f in findings if f.location is not None}
        for job in self.workflow.jobs:
            perms = job.permissions
            node = self.job_nodes.get(job.id)
            if not perms.declared or not isinstance(node, CommentedMap) or is_flow(node):
                continue
            if perms.kind is PermissionsKind.WRITE_ALL and perms.value is not None:
                if (perms.value.pos.line, perms.value.pos.column) not in at:
                    continue
                needs = self._needs(job)
                if needs.unknown:
                    self.note(
                        JOB_PERMISSIONS,
                        perms.value.pos.line,
                        Outcome.FAILED,
                        f"job '{job.id}' write-all: cannot tell what it needs "
                        f"({'; '.join(needs.unknown)})",
                    )
                    continue
                self.replace_scalar_permissions(
                    node, JOB_PERMISSIONS, f"job '{job.id}' write-all", needs.lines()
                )
                continue
            block = node.get("permissions")
            if perms.kind is not PermissionsKind.SCOPES or not isinstance(block, CommentedMap):
                continue
            keys = {str(k).lower(): k for k in block}
            for scope, _value, key_pos in perms.writes():
                if (key_pos.line, key_pos.column) not in at:
                    continue
                span = None if is_flow(block) else self.single_line_value(block, keys[scope])
                if span is None:
                    self.note(JOB_PERMISSIONS, key_pos.line, Outcome.FAILED, f"'{scope}': {_HAND}")
                    continue
                level = "none" if scope == "id-token" else "read"
                ok = self.plan.replace(span[1], span[2], level)
                self.note(
                    JOB_PERMISSIONS,
                    key_pos.line,
                    Outcome.FIXED if ok else Outcome.FAILED,
                    f"job '{job.id}': unused {scope}: write set to {level}",
                )

    # -- steps ---------------------------------------------------------------------------

    def add_inputs(
        self, rule: str, step: Step, node: CommentedMap, inputs: list[str], what: str
    ) -> None:
        """Append ``inputs`` (``key: value`` lines) to the step's ``with:``, creating it."""
        line = step.pos.line
        if "with" in node:
            with_node = node["with"]
            w_line, w_col = key_position(node, "with")
            if (
                with_node is None
                and not self.src.rest_after(w_line, w_col).split(":", 1)[1].strip()
            ):
                lines = [" " * (w_col + self.layout.step) + i for i in inputs]
                at = w_line + 1
            elif isinstance(with_node, CommentedMap) and with_node and not is_flow(with_node):
                col = first_key_column(with_node)
                assert col is not None
                first_line = key_position(with_node, next(iter(with_node)))[0]
                at = self.src.block_end_line(first_line, col) + 1
                lines = [" " * col + i for i in inputs]
            else:
                self.note(rule, w_line + 1, Outcome.FAILED, f"with: in flow style: {_HAND}")
                return
        else:
            if "uses" not in node or self.single_line_value(node, "uses") is None:
                self.note(rule, line, Outcome.FAILED, f"uses: is not a one-line value: {_HAND}")
                return
            u_line, u_col = key_position(node, "uses")
            lines = self.lines_under(u_col, "with:", inputs)
            at = u_line + 1
        ok = self.plan.insert_lines(self.src.offset(at), lines)
        self.note(
            rule,
            line,
            Outcome.FIXED if ok else Outcome.FAILED,
            what if ok else f"overlapping edit: {_HAND}",
        )

    def fix_checkout(self, job: Job, step: Step, node: CommentedMap) -> None:
        value = step.input("persist-credentials")
        if value is not None and value.value.strip().lower() == "false":
            return
        pusher = pushes_with_git(job)
        if pusher is not None:
            self.note(
                PERSISTED_CREDENTIALS,
                step.pos.line,
                Outcome.FAILED,
                f"job '{job.id}' pushes with git ({pusher}): authenticate that push explicitly, "
                "then set persist-credentials: false",
            )
            return
        if value is not None:
            self.note(
                PERSISTED_CREDENTIALS,
                value.pos.line,
                Outcome.FAILED,
                f"persist-credentials is set to '{value.value}' on purpose? {_HAND}",
            )
            return
        self.add_inputs(
            PERSISTED_CREDENTIALS,
            step,
            node,
            ["persist-credentials: false"],
            f"actions/checkout in job '{job.id}': persist-credentials: false",
        )

    def fix_build_attestations(self, job: Job, step: Step, node: CommentedMap) -> None:
        wanted: list[str] = []
        sbom = step.input("sbom")
        provenance = step.input("provenance")
        for name, value, good, line in (
            ("sbom", sbom, "true", "sbom: true"),
            ("provenance", provenance, "mode=max", "provenance: mode=max"),
        ):
            if value is None:
                wanted.append(line)
            elif value.value.strip().lower().replace(" ", "") != good:
                self.note(
                    ATTESTATIONS,
                    value.pos.line,
                    Outcome.FAILED,
                    f"{name} is set to '{value.value}' explicitly: {_HAND}",
                )
        if wanted:
            self.add_inputs(
                ATTESTATIONS,
                step,
                node,
                wanted,
                f"docker/build-push-action in job '{job.id}': {', '.join(wanted)}",
            )

    def fix_strict_shell(self, job: Job, step: Step) -> None:
        run = step.run
        assert run is not None
        if self._shell(job, step) is not None or not self._unix_runner(job):
            return
        if run.style != "|":
            return
        commands = [
            line.strip()
            for line in run.value.split("\n")
            if line.strip() and not line.strip().startswith("#")
        ]
        if len(commands) < 2 and not any(_SINGLE_PIPE.search(c) for c in commands):
            return
        if _SET_E.search(run.value) and _PIPEFAIL.search(run.value):
            return
        header_line0 = run.pos.line - 1
        header = self.src.line(header_line0)[run.pos.column - 1 :]
        if not _BLOCK_HEADER.match(header):
            self.note(
                STRICT_SHELL,
                run.pos.line,
                Outcome.FAILED,
                f"block scalar header '{header}': {_HAND}",
            )
            return
        first = header_line0 + 1
        while first < self.src.line_count and self.src.is_blank(first):
            first += 1
        indent = self.src.indent_of(self.src.line(first))
        ok = self.plan.insert_lines(self.src.offset(first), [" " * indent + "set -euo pipefail"])
        self.note(
            STRICT_SHELL,
            first + 1,
            Outcome.FIXED if ok else Outcome.FAILED,
            f"set -euo pipefail added to '{step.label}' in job '{job.id}'"
            if ok
            else f"overlapping edit: {_HAND}",
        )

    # -- script injection (CK2005) -------------------------------------------------------

    def _reported_injections(self) -> set[tuple[int, int]]:
        """(line, column) of every CK2005 the audit reports in this file: a finding silenced
        by the configuration is not fixed."""
        if self._reported is None:
            self._reported = {
                (f.location.line, f.location.column)
                for f in self.ctx.audit.findings
                if f.rule_id == SCRIPT_INJECTION
                and f.location is not None
                and f.location.path == self.path
            }
        return self._reported

    def _injections(self, step: Step, value: Scalar | None = None) -> list[tuple[Expression, Pos]]:
        """The reported attacker-controlled expressions of ``value`` (the step's ``run:``)."""
        value = value if value is not None else step.run
        if value is None:
            return []
        try:
            found = [e for e in expressions(value.value) if is_untrusted(e.text)]
        except UnclosedExpression:
            return []  # the audit records it as a problem; nothing can be moved safely
        reported = self._reported_injections()
        out = []
        for expr in found:
            pos = value.position_of(expr.start, needle=expr.source)
            if (pos.line, pos.column) in reported:
                out.append((expr, pos))
        return out

    def fix_script_injection(self, job: Job, step: Step, node: CommentedMap) -> None:
        """CK2005: pass each attacker-controlled ``${{ … }}`` of the script through ``env:``.

        zizmor's ``template-injection`` fix and GitHub's hardening guide: the value reaches
        the shell as data in a variable instead of being pasted into the script's text.
        """
        run = step.run
        assert run is not None
        flagged = self._injections(step)
        if not flagged:
            return
        shell, why = self._script_shell(job, step)
        if shell is None:
            for expr, pos in flagged:
                shown = expr.source.strip()
                self.note(SCRIPT_INJECTION, pos.line, Outcome.FAILED, f"{shown}: {why}: {_HAND}")
            return
        blockers = expansion_blockers(run.value, shell)
        env = self._effective_env(job, step)
        holding: dict[str, str] = {}
        for name, value in env.items():
            match = _SOLE_EXPRESSION.fullmatch(value)
            if match and "}}" not in match.group("text"):
                holding.setdefault(match.group("text").strip(), name)
        script_words = _WORD.findall(_ANY_EXPRESSION.sub(" ", run.value))
        taken = {name.upper() for name in env} | {word.upper() for word in script_words}
        names: dict[str, str] = {}
        new_vars: list[str] = []
        replacements: list[tuple[int, int, str, int, str]] = []
        for expr, pos in flagged:
            shown = expr.source.strip()
            start = self.src.offset(pos.line - 1, pos.column - 1)
            end = start + len(expr.source)
            nested = nested_interpreter(run.value, expr.start)
            reason: str | None = blockers.get(expr.start, "quoting could not be told")
            if reason is None and nested is not None:
                reason = f"evaluated again by '{nested}'"
            if reason is None and self.src.text[start:end] != expr.source:
                reason = "written over several lines or with escapes"
            if reason is not None:
                self.note(SCRIPT_INJECTION, pos.line, Outcome.FAILED, f"{shown} {reason}: {_HAND}")
                continue
            key = expr.text.strip()
            var = names.get(key) or holding.get(key)
            if var is None:
                var = free_name(base_name(key), taken)
                taken.add(var.upper())
                new_vars.append(f"{var}: {yaml_value('${{ ' + key + ' }}')}")
            names[key] = var
            following = run.value[expr.end : expr.end + 1]
            replacements.append((start, end, reference(var, shell, following), pos.line, key))
        if not replacements or (new_vars and not self._add_env(step, node, new_vars)):
            return
        done: set[str] = set()
        for start, end, text, line, key in replacements:
            if not self.plan.replace(start, end, text):
                self.note(SCRIPT_INJECTION, line, Outcome.FAILED, f"overlapping edit: {_HAND}")
            elif key not in done:
                done.add(key)
                self.note(
                    SCRIPT_INJECTION,
                    line,
                    Outcome.FIXED,
                    f"'{step.label}' in job '{job.id}': ${{{{ {key} }}}} passed through "
                    f"env {names[key]}",
                )

    def _add_env(self, step: Step, node: CommentedMap, entries: list[str]) -> bool:
        """Add ``entries`` (``NAME: value`` lines) to the step's ``env:``, creating it before
        ``run:``; False (with a FAILED note) when that cannot be done as whole lines."""
        line = step.run.pos.line if step.run is not None else step.pos.line
        if "env" not in node:
            r_line, r_col = key_position(node, "run")
            newline = self.src.newline
            inner = " " * (r_col + self.layout.step)
            text = "env:" + newline + "".join(inner + e + newline for e in entries) + " " * r_col
            ok = self.plan.insert(self.src.offset(r_line, r_col), text)
        else:
            env_node = node["env"]
            e_line, e_col = key_position(node, "env")
            if env_node is None and not self.src.rest_after(e_line, e_col).split(":", 1)[1].strip():
                lines = [" " * (e_col + self.layout.step) + e for e in entries]
                at = e_line + 1
            elif isinstance(env_node, CommentedMap) and env_node and not is_flow(env_node):
                col = first_key_column(env_node)
                assert col is not None
                first_line = key_position(env_node, next(iter(env_node)))[0]
                at = self.src.block_end_line(first_line, col) + 1
                lines = [" " * col + e for e in entries]
            else:
                self.note(
                    SCRIPT_INJECTION,
                    e_line + 1,
                    Outcome.FAILED,
                    f"env: is not a block mapping: {_HAND}",
                )
                return False
            ok = self.plan.insert_lines(self.src.offset(at), lines)
        if not ok:
            self.note(SCRIPT_INJECTION, line, Outcome.FAILED, f"overlapping edit: {_HAND}")
        return ok

    def _effective_env(self, job: Job, step: Step) -> dict[str, str]:
        """The step's environment from ``env:`` (workflow, then job, then step overrides)."""
        env: dict[str, str] = {}
        for entries in (self.workflow.env, job.env, step.env):
            for name, value in entries:
                env[name] = value.value
        return env

    def _script_shell(self, job: Job, step: Step) -> tuple[Shell | None, str]:
        """The shell that runs the step (bash/sh or pwsh), or None and why it is neither."""
        shell = self._shell(job, step)
        if shell is not None:
            words = shell.value.strip().split()
            program = words[0].rsplit("/", 1)[-1].lower() if words else ""
            if program in ("bash", "sh"):
                return "bash", ""
            if program in ("pwsh", "powershell"):
                return "pwsh", ""
            return None, f"shell '{shell.value.strip()}'"
        if self._unix_runner(job):
            return "bash", ""
        if self._windows_runner(job):
            return "pwsh", ""
        return None, "the runner's default shell cannot be told"

    def refuse_github_script(self, step: Step) -> None:
        """CK2005 in ``actions/github-script``: JavaScript quoting needs a human."""
        for _expr, pos in self._injections(step, step.input("script")):
            self.note(
                SCRIPT_INJECTION,
                pos.line,
                Outcome.FAILED,
                "actions/github-script: read context.payload or process.env instead of "
                f"expanding ${{{{ … }}}} in the script: {_HAND}",
            )

    def _shell(self, job: Job, step: Step) -> Scalar | None:
        if step.shell is not None:
            return step.shell
        if job.default_shell is not None:
            return job.default_shell
        defaults = self.root.get("defaults")
        run = defaults.get("run") if isinstance(defaults, CommentedMap) else None
        if isinstance(run, CommentedMap) and "shell" in run:
            return Scalar(str(run["shell"]), self.workflow.root_pos)
        return None

    @staticmethod
    def _windows_runner(job: Job) -> bool:
        labels = [label.value.lower() for label in job.runs_on]
        if not labels:
            return False
        if any("${{" in label for label in labels):
            oses = [os.lower() for os in job.matrix_os or ()]
            return bool(oses) and all("windows" in os for os in oses)
        return any("windows" in label for label in labels)

    @staticmethod
    def _unix_runner(job: Job) -> bool:
        labels = [label.value.lower() for label in job.runs_on]
        if not labels:
            return False
        if any("${{" in label for label in labels):
            oses = [os.lower() for os in job.matrix_os or ()]
            return bool(oses) and not any("windows" in os or "${{" in os for os in oses)
        return not any("windows" in label for label in labels)

    # -- publishing ----------------------------------------------------------------------

    def fix_docker_hub_referrers(self) -> None:
        for finding in analysis.attestation_push_to_docker_hub(self.workflow):
            location = finding.location
            if location is None or location.end_column is None:
                continue
            start = self.src.offset(location.line - 1, location.column - 1)
            end = self.src.offset(location.line - 1, location.end_column - 1)
            if self.src.text[start:end].strip("'\"").lower() != "true":
                self.note(DOCKER_HUB_REFERRERS, location.line, Outcome.FAILED, _HAND)
                continue
            ok = self.plan.replace(start, end, "false")
            self.note(
                DOCKER_HUB_REFERRERS,
                location.line,
                Outcome.FIXED if ok else Outcome.FAILED,
                "push-to-registry: false (Docker Hub rejects attestation referrers; the "
                "attestation stays in GitHub's attestation store)",
            )

    def fix_sha_tags(self) -> None:
        """CK2010: gate ``type=sha`` to branch pushes and ``type=raw,value=latest`` to the
        default branch.

        ``{{is_default_branch}}`` is not enough for ``sha-`` tags when the workflow also runs on
        a schedule: the scheduled rebuild runs on the default branch and pushes the same
        ``sha-`` tag again, which an immutable-tag registry rejects.
        """
        findings = analysis.mutable_tags_on_push(self.workflow)
        if self.gains_schedule:
            findings += analysis.sha_tags_gated_to_default_branch(self.workflow)
        for finding in findings:
            location = finding.location
            if location is None:
                continue
            line0 = location.line - 1
            entry = self.src.line(line0)[location.column - 1 :].rstrip()
            attrs = dict(part.partition("=")[::2] for part in entry.split(","))
            is_sha = attrs.get("type") == "sha"
            gateable = is_sha or (attrs.get("type") == "raw" and attrs.get("value") == "latest")
            enable = attrs.get("enable")
            replace_default_branch_gate = is_sha and enable == "{{is_default_branch}}"
            if (
                not gateable
                or (enable is not None and not replace_default_branch_gate)
                or "docker/metadata-action" not in finding.message
                or any(c in entry for c in "#'\" ")
            ):
                self.note(
                    MUTABLE_TAGS, location.line, Outcome.FAILED, f"{finding.message}: {_HAND}"
                )
                continue
            gate = _SHA_GATE if is_sha else "{{is_default_branch}}"
            if replace_default_branch_gate:
                start = self.src.offset(line0, location.column - 1 + entry.index("enable=") + 7)
                ok = self.plan.replace(start, start + len("{{is_default_branch}}"), gate)
            else:
                offset = self.src.offset(line0, location.column - 1 + len(entry))
                ok = self.plan.insert(offset, f",enable={gate}")
            self.note(
                MUTABLE_TAGS,
                location.line,
                Outcome.FIXED if ok else Outcome.FAILED,
                f"'{entry}' gated: enable={gate}",
            )

    def add_schedule(self) -> None:
        """CK2011: a weekly schedule trigger in ``on:`` (a block mapping)."""
        on = self.root.get("on")
        on_line = self.workflow.on_pos.line if self.workflow.on_pos else None
        if not isinstance(on, CommentedMap) or is_flow(on) or not on:
            self.note(
                SCHEDULED_REBUILD,
                on_line,
                Outcome.FAILED,
                f"on: is not a block mapping: add 'schedule: - cron: \"{WEEKLY_CRON}\"' by hand",
            )
            return
        col = first_key_column(on)
        assert col is not None
        first_line = key_position(on, next(iter(on)))[0]
        at = self.src.block_end_line(first_line, col) + 1
        pad = " " * col
        dash = " " * (col + self.layout.dash_offset) + "-" + " " * (self.layout.dash_gap - 1)
        lines = [pad + "schedule:", f'{dash}cron: "{WEEKLY_CRON}"']
        ok = self.plan.insert_lines(self.src.offset(at), lines)
        self.note(
            SCHEDULED_REBUILD,
            at + 1,
            Outcome.FIXED if ok else Outcome.FAILED,
            f'weekly rebuild: schedule cron "{WEEKLY_CRON}"' if ok else f"overlap: {_HAND}",
        )


def _rule_for(step: Step) -> str:
    return PERSISTED_CREDENTIALS if step.action == "actions/checkout" else ATTESTATIONS


def _needs_of(levels: dict[str, str]) -> JobNeeds:
    ordered = sorted(
        levels.items(), key=lambda i: SCOPE_ORDER.index(i[0]) if i[0] in SCOPE_ORDER else 99
    )
    return JobNeeds(tuple(ordered))


def _with_inherited(needs: JobNeeds, inherited: dict[str, str]) -> JobNeeds:
    levels = dict(needs.scopes)
    for scope, level in inherited.items():
        if levels.get(scope) != "write":
            levels[scope] = level
    return _needs_of(levels)
