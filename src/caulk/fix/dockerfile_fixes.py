"""``caulk fix`` for Dockerfiles: non-root final stage, OCI labels, hadolint hygiene.

Driven by the audit's findings, file by file (every Dockerfile :mod:`caulk.dockerfile.load`
finds, ``Containerfile`` and ``*.Dockerfile`` included), so a finding silenced by a
``# hadolint ignore=`` pragma or deselected with ``--select``/``--ignore`` is not fixed:

* CK1001/DL3002 (:mod:`caulk.fix.dockerfile_user`): ``USER 10001:0`` in the final stage, with
  the user created by the base's own tooling. A BREAKING change: every such fix says so, and
  the README gets a "Breaking changes" section (once) with the ``--user 0:0`` escape hatch
  and the suggestion of a maintenance tag;
* CK1003 (:mod:`caulk.fix.dockerfile_labels`): the missing ``org.opencontainers.image.*``
  labels;
* DL3015, DL3019, DL3042, DL3009, DL4006, DL3025 (:mod:`caulk.fix.dockerfile_hygiene`).

All of a file's edits are computed from the same parse of its original text and merged by
:class:`~caulk.fix.dockerfile_edit.DockerfileEdits`, so they never overlap. A file with
parse errors is not touched (one FAILED note per finding that would have been fixed).
Idempotent: a fixed file no longer has the findings, so a second run plans nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from caulk.checks.dockerfile.rules import repo_facts
from caulk.checks.scorecard.license import find_license_file
from caulk.dockerfile.load import dockerfiles
from caulk.dockerfile.model import ParsedDockerfile
from caulk.findings import TextEdit
from caulk.fix import dockerfile_hygiene as hygiene
from caulk.fix.dockerfile_edit import DockerfileEdits
from caulk.fix.dockerfile_labels import (
    description_from_readme,
    fix_labels,
    present_labels,
    shorten,
    spdx_from_license_text,
)
from caulk.fix.dockerfile_user import fix_non_root, readme_edit
from caulk.fix.engine import Outcome
from caulk.fix.run import FixContext
from caulk.repo.checkout import Repository

NON_ROOT = ("CK1001", "DL3002")
LABELS = "CK1003"
HYGIENE: dict[str, Callable[[ParsedDockerfile, DockerfileEdits, set[int]], list[hygiene.Note]]] = {
    "DL3015": hygiene.no_install_recommends,
    "DL3019": hygiene.apk_no_cache,
    "DL3042": hygiene.pip_no_cache_dir,
    "DL3009": hygiene.apt_lists_cleanup,
    "DL4006": hygiene.pipefail_shell,
    "DL3025": hygiene.exec_form,
}
FIXABLE = frozenset({*NON_ROOT, LABELS, *HYGIENE})
_README_NAMES = ("readme.md", "readme.markdown", "readme")


def _findings_by_file(ctx: FixContext) -> dict[str, dict[str, set[int]]]:
    out: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for finding in ctx.audit.findings:
        if finding.rule_id not in FIXABLE or finding.location is None:
            continue
        if not ctx.options.wants(finding.rule_id):
            continue
        out[finding.location.path][finding.rule_id].add(finding.location.line)
    return out


def readme_path(repo: Repository) -> str | None:
    """The repository's top-level Markdown README, if any."""
    for name in _README_NAMES:
        for path in repo.files:
            if "/" not in path and path.lower() == name:
                return path
    return None


class _LabelValues:
    """Label values shared by every Dockerfile of the repository (computed once)."""

    def __init__(self, ctx: FixContext) -> None:
        self.values: dict[str, str | None] = {}
        self.reasons: dict[str, str] = {}
        repository = ctx.info.repository
        if repository:
            self.values["source"] = f"https://github.com/{repository}"
        else:
            self.reasons["source"] = "the git remote is not a GitHub repository"
        license_file = find_license_file(ctx.repo)
        text = ctx.repo.read_text(license_file.path) if license_file else None
        spdx = spdx_from_license_text(text) if text else None
        if spdx is not None:
            self.values["licenses"] = spdx
        elif license_file is None:
            self.reasons["licenses"] = "the repository has no LICENSE file"
        else:
            self.reasons["licenses"] = (
                f"caulk does not recognise the license in {license_file.path}"
            )
        readme = readme_path(ctx.repo)
        readme_text = ctx.repo.read_text(readme) if readme else None
        description = description_from_readme(readme_text) if readme_text else None
        name = repository.rsplit("/", 1)[-1] if repository else ctx.repo.root.name
        self.values["description"] = description or shorten(name)


def fix(ctx: FixContext) -> None:
    """Plan the Dockerfile fixes of every automatable Dockerfile finding."""
    by_file = _findings_by_file(ctx)
    if not by_file:
        return
    label_values: _LabelValues | None = None
    broke = False
    for df in dockerfiles(ctx.repo):
        rules = by_file.get(df.path)
        if not rules:
            continue
        if df.errors:
            error = df.errors[0]
            for rule_id in sorted(rules):
                ctx.changes.note(
                    rule_id,
                    df.path,
                    error.line,
                    Outcome.FAILED,
                    f"not fixed: BuildKit cannot parse this Dockerfile ({error.message} at line "
                    f"{error.line}); the file was left as it was",
                )
            continue
        if LABELS in rules and label_values is None:
            label_values = _LabelValues(ctx)
        broke |= _fix_file(ctx, df, rules, label_values)
    if broke:
        _readme(ctx)


def _fix_file(
    ctx: FixContext,
    df: ParsedDockerfile,
    rules: dict[str, set[int]],
    label_values: _LabelValues | None,
) -> bool:
    edits = DockerfileEdits(df)
    changes = ctx.changes
    broke = False
    final = df.final_stage
    final_lines = (
        {final.from_.line, *(i.line for i in final.instructions)} if final is not None else set()
    )
    for line in sorted(rules.get("DL3002", set()) - final_lines):
        changes.note(
            "DL3002",
            df.path,
            line,
            Outcome.SKIPPED,
            "USER root in a build stage is left alone: that stage's user does not ship "
            "(switch back to a non-root user there if later stages build FROM it)",
        )
    if "CK1001" in rules or rules.get("DL3002", set()) & final_lines:
        plan = fix_non_root(df, edits)
        rule_id = "CK1001" if "CK1001" in rules else "DL3002"
        if plan is not None:
            changes.note(rule_id, df.path, plan.line, Outcome.FIXED, plan.message)
            broke = True
    if LABELS in rules and label_values is not None:
        already = present_labels(df) | set(repo_facts(ctx.repo).workflow_labels)
        label_plan = fix_labels(
            df,
            edits,
            already_set=already,
            values=label_values.values,
            reasons=label_values.reasons,
        )
        if label_plan is not None:
            if label_plan.added:
                names = ", ".join(label_plan.added)
                changes.note(
                    LABELS,
                    df.path,
                    label_plan.line,
                    Outcome.FIXED,
                    f"added the OCI labels {names} to the final stage"
                    + (
                        " (revision and created come from the REVISION and CREATED build "
                        "arguments the publish workflow passes)"
                        if {"revision", "created"} & set(label_plan.added)
                        else ""
                    ),
                )
            for name, reason in label_plan.skipped:
                changes.note(
                    LABELS,
                    df.path,
                    label_plan.line,
                    Outcome.SKIPPED,
                    f"org.opencontainers.image.{name} not added: {reason}",
                )
    for rule_id, fixer in HYGIENE.items():
        lines = rules.get(rule_id)
        if not lines:
            continue
        before = len(edits.edits())
        for line, reason in fixer(df, edits, lines):
            changes.note(rule_id, df.path, line, Outcome.SKIPPED, reason)
        if len(edits.edits()) > before:
            changes.note(rule_id, df.path, min(lines), Outcome.FIXED, _HYGIENE_DONE[rule_id])
    if edits:
        changes.original(df.path, df.text)
        for edit in edits.edits():
            changes.edit(edit)
    return broke


_HYGIENE_DONE = {
    "DL3015": "added --no-install-recommends to apt-get install",
    "DL3019": "added --no-cache to apk add",
    "DL3042": "added --no-cache-dir to pip install",
    "DL3009": "removed the apt lists (/var/lib/apt/lists/*) in the RUN that downloads them",
    "DL4006": "set a SHELL with -o pipefail before RUN instructions with a pipe",
    "DL3025": "rewrote CMD/ENTRYPOINT in JSON (exec) form",
}


def _readme(ctx: FixContext) -> None:
    path = readme_path(ctx.repo)
    text = ctx.repo.read_text(path) if path else None
    if path is not None and text is None:
        ctx.changes.note(
            "CK1001",
            path,
            None,
            Outcome.FAILED,
            "cannot read the README to add the Breaking changes section",
        )
        return
    planned = readme_edit(text, ctx.info.image)
    if planned is None:
        return
    offset, insertion = planned
    if path is None or text is None:
        path = "README.md"
        ctx.changes.create(path, insertion)
    else:
        ctx.changes.original(path, text)
        ctx.changes.edit(TextEdit(path, offset, offset, insertion))
    ctx.changes.note(
        "CK1001",
        path,
        None,
        Outcome.FIXED,
        "documented the BREAKING switch to a non-root user in a 'Breaking changes' section "
        "with the --user 0:0 escape hatch; publish a maintenance tag (e.g. :<version>-root) "
        "built before this change for users who cannot migrate yet, and put its name in the "
        "README",
    )
