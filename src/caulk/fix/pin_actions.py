"""Pin every ``uses:`` of an action or reusable workflow to a full commit SHA.

``uses: actions/checkout@v4`` becomes ``uses: actions/checkout@<40-hex> # v4.2.2``: the peeled
commit of the tag (never an annotated tag's object SHA) with the most specific version tag at
that commit as the comment. Existing SHA pins are verified: a tag-object SHA is re-pinned to
its commit, a wrong version comment is corrected, and a SHA that is no tag's or branch head's
commit is reported (a possible imposter commit) and left alone.

Positions come from the YAML document (only real ``uses`` keys of jobs and steps, never text
inside a ``run:`` block); the edit replaces the value and its trailing comment on that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from caulk.findings import TextEdit
from caulk.fix.actions import ActionResolver, Resolution, ResolveError
from caulk.fix.engine import ChangeSet, Outcome, apply_edits
from caulk.repo.checkout import Repository
from caulk.yamlwarnings import quiet_yaml

RULE_ID = "CK2001"
_SHA = re.compile(r"^[0-9a-fA-F]{40}$")
_VALUE = re.compile(
    r"(?P<q>['\"]?)(?P<value>[^'\"\s#]+)(?P=q)(?P<rest>[ \t]*(?:#[^\r\n]*)?)(?=\r?\n|$)"
)
# A version comment: `# v4.2.2`, `# tag=v4`, `# pin@v4`, `# 1.2.3`; whatever follows is the
# user's own note and is kept.
_COMMENT_VERSION = re.compile(
    r"#\s*(?:tag[=:]\s*|pin@)?(?P<version>v?\d[\w.+-]*)(?=[\s,;]|$)[,;]?\s*(?P<note>.*)$"
)


@dataclass(frozen=True)
class UsesSite:
    """One ``uses:`` value in a workflow file."""

    path: str
    line: int
    """1-based line of the value."""
    start: int
    """Offset of the value (its opening quote if quoted)."""
    end: int
    """Offset of the end of the trailing comment (end of line)."""
    quote: str
    value: str
    comment: str

    @property
    def action(self) -> str:
        return self.value.partition("@")[0]

    @property
    def ref(self) -> str:
        return self.value.partition("@")[2]

    @property
    def comment_version(self) -> str | None:
        """The version the trailing comment names (``# v4.2.2``), if it names one."""
        match = _COMMENT_VERSION.match(self.comment.strip())
        return match.group("version") if match else None

    def comment_note(self, *refs: str) -> str:
        """The user's own words in the trailing comment, without a leading version or ref.

        ``refs`` are names that also count as the version part (``release`` for a branch).
        """
        text = self.comment.strip()
        match = _COMMENT_VERSION.match(text)
        if match:
            return match.group("note").strip()
        words = text.removeprefix("#").strip().split(None, 1)
        if words and words[0] in refs:
            return words[1].strip() if len(words) > 1 else ""
        return " ".join(words)


def workflow_paths(repo: Repository) -> list[str]:
    """Workflow files: ``.yml``/``.yaml`` directly under ``.github/workflows``."""
    return [
        f
        for f in repo.files
        if f.startswith(".github/workflows/")
        and f.count("/") == 2
        and f.endswith((".yml", ".yaml"))
    ]


def find_uses(path: str, text: str) -> list[UsesSite]:
    """Every job-level and step-level ``uses:`` in ``text``; raises YAMLError if invalid."""
    with quiet_yaml():
        document = YAML(typ="rt").load(text)
    if not isinstance(document, CommentedMap):
        return []
    jobs = document.get("jobs")
    if not isinstance(jobs, CommentedMap):
        return []
    line_starts = _line_starts(text)
    sites: list[UsesSite] = []

    def visit(mapping: CommentedMap) -> None:
        if "uses" not in mapping or not isinstance(mapping["uses"], str):
            return
        line, column = mapping.lc.value("uses")
        offset = line_starts[line] + column
        match = _VALUE.match(text, offset)
        if match is None:  # a multi-line or flow value; not something we rewrite
            return
        sites.append(
            UsesSite(
                path=path,
                line=line + 1,
                start=match.start(),
                end=match.end("rest"),
                quote=match.group("q"),
                value=match.group("value"),
                comment=match.group("rest").strip(),
            )
        )

    for job in jobs.values():
        if not isinstance(job, CommentedMap):
            continue
        visit(job)
        steps = job.get("steps")
        if isinstance(steps, CommentedSeq):
            for step in steps:
                if isinstance(step, CommentedMap):
                    visit(step)
    return sites


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for index, char in enumerate(text):
        if char == "\n":
            starts.append(index + 1)
    return starts


def _is_remote_action(value: str) -> bool:
    if value.startswith(("./", "docker://")) or "@" not in value:
        return False
    action, _, ref = value.partition("@")
    return bool(ref) and action.count("/") >= 1


def pin_actions(
    repo: Repository, changes: ChangeSet, resolver: ActionResolver | None, *, offline: bool
) -> None:
    """Plan the edits that pin every remote ``uses:``; notes say what could not be done."""
    for path in workflow_paths(repo):
        text = repo.read_text(path)
        if text is None:
            changes.note(RULE_ID, path, None, Outcome.FAILED, "could not read the file")
            continue
        try:
            sites = find_uses(path, text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 1 if mark is not None else None
            changes.note(RULE_ID, path, line, Outcome.FAILED, f"invalid YAML, not changed: {exc}")
            continue
        changes.original(path, text)
        for site in sites:
            if not _is_remote_action(site.value):
                continue
            pinned = bool(_SHA.match(site.ref))
            if offline or resolver is None:
                if not pinned:
                    changes.note(
                        RULE_ID,
                        path,
                        site.line,
                        Outcome.SKIPPED,
                        f"{site.value}: resolving the ref needs the network (--offline)",
                    )
                continue
            try:
                if pinned:
                    resolution = resolver.verify_pin(
                        site.action, site.ref.lower(), site.comment_version
                    )
                else:
                    resolution = resolver.resolve(site.action, site.ref)
            except ResolveError as exc:
                changes.note(RULE_ID, path, site.line, Outcome.FAILED, f"not pinned: {exc}")
                continue
            _plan_edit(changes, site, resolution)


def _plan_edit(changes: ChangeSet, site: UsesSite, resolution: Resolution) -> None:
    new_value = f"{site.action}@{resolution.commit}"
    own = site.comment_note(resolution.comment, site.ref)
    note = f" {own}" if own else ""
    replacement = f"{site.quote}{new_value}{site.quote} # {resolution.comment}{note}"
    current = f"{site.quote}{site.value}{site.quote} {site.comment}".rstrip()
    if replacement == current:
        changes.note(RULE_ID, site.path, site.line, Outcome.UNCHANGED, f"{site.value} is pinned")
        return
    changes.edit(TextEdit(site.path, site.start, site.end, replacement))
    message = f"{site.value} -> {new_value} # {resolution.comment}"
    if resolution.note:
        message += f" ({resolution.note})"
    changes.note(RULE_ID, site.path, site.line, Outcome.FIXED, message)


def verify_generated(changes: ChangeSet, resolver: ActionResolver | None, *, offline: bool) -> None:
    """Check the pins of the workflows ``fix`` is about to create, as existing pins are checked.

    The templates carry the SHAs of caulk's table (:data:`caulk.fix.generate.ACTION_PINS`).
    Online, each is verified against the action's repository (``--github-url``) exactly as
    :func:`pin_actions` verifies an existing pin, so a second run has nothing to change: a pin
    the repository contradicts is re-pinned to the commit of its version tag, and a file with a
    pin that cannot be verified is not created (FAILED). ``--offline`` creates the files with
    the table's pins and says they were not checked (SKIPPED).
    """
    for path in sorted(changes.new_files):
        if not (path.startswith(".github/workflows/") and path.endswith((".yml", ".yaml"))):
            continue
        text = changes.new_files[path]
        sites = [s for s in find_uses(path, text) if _is_remote_action(s.value)]
        if not sites:
            continue
        if offline or resolver is None:
            changes.note(
                RULE_ID,
                path,
                None,
                Outcome.SKIPPED,
                "pins taken from caulk's table, not checked against the action repositories "
                "(--offline)",
            )
            continue
        edits: list[TextEdit] = []
        fixed: list[tuple[int, str]] = []
        errors: list[str] = []
        for site in sites:
            try:
                resolution = resolver.verify_pin(
                    site.action, site.ref.lower(), site.comment_version
                )
            except ResolveError as exc:
                errors.append(f"line {site.line}: {exc}")
                continue
            pin = f"{site.action}@{resolution.commit} # {resolution.comment}"
            replacement = f"{site.quote}{site.action}@{resolution.commit}{site.quote}"
            replacement += f" # {resolution.comment}"
            if replacement != f"{site.quote}{site.value}{site.quote} {site.comment}".rstrip():
                edits.append(TextEdit(path, site.start, site.end, replacement))
                why = f" ({resolution.note})" if resolution.note else ""
                fixed.append((site.line, f"generated {site.value} -> {pin}{why}"))
        if errors:
            del changes.new_files[path]
            changes.notes[:] = [n for n in changes.notes if n.path != path]
            changes.note(
                RULE_ID,
                path,
                None,
                Outcome.FAILED,
                "not created: its pins could not be verified: " + "; ".join(errors),
            )
            continue
        changes.new_files[path] = apply_edits(text, edits)
        for line, message in fixed:
            changes.note(RULE_ID, path, line, Outcome.FIXED, message)
