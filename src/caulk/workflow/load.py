"""Load a repository's GitHub Actions workflows into :mod:`caulk.workflow.model` objects.

Which files are workflows, and which are skipped, mirrors OpenSSF Scorecard
(``checks/fileparser/github_workflow.go`` ``IsWorkflowFile`` and ``CheckFileContainsCommands``;
../shared/reference/scorecard-checks.md §1): a ``.yml``/``.yaml`` file (extension compared
case-sensitively) directly under ``.github/workflows/`` (directory compared lower-cased);
files holding only comments and blank lines are skipped.

YAML is parsed with ruamel.yaml's round-trip loader, which keeps ``on:`` a string key and gives
line/column positions; it never constructs Python objects from tags. A YAML syntax error
(including a duplicate key, which go-yaml also rejects) records a
:class:`~caulk.findings.Problem` and a :class:`WorkflowFailure`: Scorecard's actionlint returns
a nil workflow for it, which makes every workflow-based check a runtime error (-1).

Deviation: ruamel resolves YAML anchors, aliases and ``<<`` merge keys, so steps reached through
an alias are analysed. actionlint v1.7.9 (Scorecard's parser) does not resolve aliases and
silently ignores what they stand for, so Scorecard can miss what caulk reports.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from caulk.repo.checkout import Repository
from caulk.workflow.model import (
    UNDECLARED,
    Job,
    Permissions,
    PermissionsKind,
    Pos,
    Scalar,
    SourceText,
    Step,
    Workflow,
    WorkflowFailure,
    WorkflowSet,
)
from caulk.yamlwarnings import quiet_yaml

WORKFLOW_DIR = ".github/workflows"


def is_workflow_path(path: str) -> bool:
    """Scorecard's ``IsWorkflowFile``: ``.yml``/``.yaml`` directly under ``.github/workflows``."""
    return posixpath.splitext(path)[1] in (".yml", ".yaml") and (
        posixpath.dirname(path.lower()) == WORKFLOW_DIR
    )


def contains_commands(text: str) -> bool:
    """Scorecard's ``CheckFileContainsCommands(content, "#")``: a line that is not a comment."""
    return any(line.strip() and not line.strip().startswith("#") for line in text.splitlines())


def workflow_set(repo: Repository) -> WorkflowSet:
    """Every workflow of ``repo`` (parsed once per repository)."""
    return repo.memo("workflow:set", lambda: _load_all(repo))


def workflows(repo: Repository) -> list[Workflow]:
    """The repository's parsed workflows, in lexical path order."""
    return list(workflow_set(repo).workflows)


def failures(repo: Repository) -> list[WorkflowFailure]:
    """Workflow files that could not be parsed."""
    return list(workflow_set(repo).failures)


def _load_all(repo: Repository) -> WorkflowSet:
    paths = [p for p in repo.files if is_workflow_path(p)]
    parsed: list[Workflow] = []
    failed: list[WorkflowFailure] = []
    skipped: list[str] = []
    for path in paths:
        text = repo.read_text(path)
        if text is None:
            # read_text recorded why (binary, too large, unreadable); Scorecard cannot parse it.
            failed.append(WorkflowFailure(path, "could not be read"))
            continue
        if not contains_commands(text):
            skipped.append(path)
            continue
        result = parse_workflow(path, text)
        if isinstance(result, WorkflowFailure):
            repo.add_problem(path, result.message, result.line, result.column)
            failed.append(result)
        else:
            parsed.append(result)
    return WorkflowSet(tuple(paths), tuple(parsed), tuple(failed), tuple(skipped))


def parse_workflow(path: str, text: str) -> Workflow | WorkflowFailure:
    """Parse one workflow's text; a YAML error gives a :class:`WorkflowFailure`."""
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        with quiet_yaml():
            documents = yaml.load_all(text)
            # go-yaml's Unmarshal reads only the first document.
            root: Any = next(iter(documents), None)
    except Exception as exc:  # any parser error is bad input, never a traceback
        return _failure(path, exc)
    return _Builder(path, SourceText.of(text)).workflow(root)


def _failure(path: str, exc: Exception) -> WorkflowFailure:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    first_line = str(exc).splitlines()[0] if str(exc) else ""
    problem = getattr(exc, "problem", None) or first_line
    message = f"invalid YAML: {problem or exc.__class__.__name__}"
    if mark is not None and hasattr(mark, "line"):
        return WorkflowFailure(path, message, mark.line + 1, mark.column + 1)
    return WorkflowFailure(path, message)


class _Builder:
    """Turns a ruamel round-trip document into the model, keeping positions."""

    def __init__(self, path: str, source: SourceText) -> None:
        self.path = path
        self.source = source

    # -- scalars ---------------------------------------------------------------------------

    def scalar(self, value: Any, line0: int, col0: int) -> Scalar:
        pos = Pos(line0 + 1, col0 + 1)
        first = self.source.line(pos.line)[col0 : col0 + 1]
        style = first if first in ("|", ">", "'", '"') else ""
        if isinstance(value, str):
            text = str(value)
        else:
            # Numbers, booleans and nulls: actionlint sees the source token as a string.
            raw = self.source.line(pos.line)[col0:]
            if " #" in raw:
                raw = raw[: raw.index(" #")]
            text = raw.strip() if value is not None else ""
            if text in ("~", "null", "Null", "NULL"):
                text = ""
            style = ""
        return Scalar(text, pos, style, self.source)

    def value_of(self, mapping: CommentedMap, key: str) -> Scalar | None:
        if key not in mapping:
            return None
        value = mapping[key]
        if isinstance(value, (CommentedMap, CommentedSeq, dict, list)):
            return None
        line0, col0 = _value_pos(mapping, key)
        return self.scalar(value, line0, col0)

    def key_pos(self, mapping: CommentedMap, key: str) -> Pos:
        try:
            line0, col0 = mapping.lc.key(key)
        except (KeyError, AttributeError, TypeError):
            return Pos(mapping.lc.line + 1, mapping.lc.col + 1)
        return Pos(line0 + 1, col0 + 1)

    def string_map(self, node: Any) -> tuple[tuple[str, Scalar], ...]:
        if not isinstance(node, CommentedMap):
            return ()
        out = []
        for key in node:
            value = self.value_of(node, key)
            if value is not None:
                out.append((str(key), value))
        return tuple(out)

    def scalars(self, node: Any, parent: CommentedMap, key: str) -> tuple[Scalar, ...]:
        if isinstance(node, CommentedSeq):
            out = []
            for index, item in enumerate(node):
                if isinstance(item, (CommentedMap, CommentedSeq)):
                    continue
                line0, col0 = node.lc.item(index)
                out.append(self.scalar(item, line0, col0))
            return tuple(out)
        scalar = self.value_of(parent, key)
        return (scalar,) if scalar is not None else ()

    # -- workflow --------------------------------------------------------------------------

    def workflow(self, root: Any) -> Workflow:
        if not isinstance(root, CommentedMap):
            return Workflow(self.path, self.source)
        root_pos = self.key_pos(root, next(iter(root))) if root else Pos(1, 1)
        triggers, crons = self.triggers(root)
        name = root.get("name")
        on = root.get("on")
        push = on.get("push") if isinstance(on, CommentedMap) else None
        push_filters = tuple(str(k) for k in push) if isinstance(push, CommentedMap) else ()
        return Workflow(
            path=self.path,
            source=self.source,
            triggers=triggers,
            on_pos=self.key_pos(root, "on") if "on" in root else None,
            permissions=self.permissions(root),
            env=self.string_map(root.get("env")),
            jobs=tuple(self.jobs(root.get("jobs"))),
            name=name if isinstance(name, str) else None,
            root_pos=root_pos,
            schedule_crons=crons,
            push_filters=push_filters,
        )

    def triggers(
        self, root: CommentedMap
    ) -> tuple[tuple[tuple[str, Pos], ...], tuple[Scalar, ...]]:
        if "on" not in root:
            return (), ()
        on = root["on"]
        events: list[tuple[str, Pos]] = []
        crons: list[Scalar] = []
        if isinstance(on, str):
            line0, col0 = _value_pos(root, "on")
            events.append((on, Pos(line0 + 1, col0 + 1)))
        elif isinstance(on, CommentedSeq):
            for index, item in enumerate(on):
                if isinstance(item, str):
                    line0, col0 = on.lc.item(index)
                    events.append((item, Pos(line0 + 1, col0 + 1)))
        elif isinstance(on, CommentedMap):
            for key in on:
                events.append((str(key), self.key_pos(on, key)))
            schedule = on.get("schedule")
            if isinstance(schedule, CommentedSeq):
                for entry in schedule:
                    if isinstance(entry, CommentedMap):
                        cron = self.value_of(entry, "cron")
                        if cron is not None:
                            crons.append(cron)
        return tuple(events), tuple(crons)

    def permissions(self, mapping: CommentedMap) -> Permissions:
        if "permissions" not in mapping:
            return UNDECLARED
        key_pos = self.key_pos(mapping, "permissions")
        node = mapping["permissions"]
        if isinstance(node, CommentedMap):
            scopes: list[tuple[str, Scalar, Pos]] = []
            seen: set[str] = set()
            for key in node:
                scope = str(key).lower()
                if scope in seen:
                    continue
                seen.add(scope)
                value = self.value_of(node, key)
                if value is None:
                    line0, col0 = _value_pos(node, key)
                    value = Scalar("", Pos(line0 + 1, col0 + 1), "", self.source)
                scopes.append((scope, value, self.key_pos(node, key)))
            if not scopes:
                return Permissions(PermissionsKind.NONE, key_pos)
            return Permissions(PermissionsKind.SCOPES, key_pos, scopes=tuple(scopes))
        if isinstance(node, CommentedSeq):
            return Permissions(PermissionsKind.NONE, key_pos)
        value = self.value_of(mapping, "permissions")
        if value is None or value.value == "":
            return Permissions(PermissionsKind.NONE, key_pos, value)
        if value.value.lower() == "read-all":
            return Permissions(PermissionsKind.READ_ALL, key_pos, value)
        if value.value == "write-all":
            return Permissions(PermissionsKind.WRITE_ALL, key_pos, value)
        return Permissions(PermissionsKind.OTHER, key_pos, value)

    # -- jobs and steps --------------------------------------------------------------------

    def jobs(self, node: Any) -> Iterator[Job]:
        if not isinstance(node, CommentedMap):
            return
        for job_id in node:
            body = node[job_id]
            pos = self.key_pos(node, job_id)
            if not isinstance(body, CommentedMap):
                yield Job(str(job_id), pos)
                continue
            yield self.job(str(job_id), pos, body)

    def job(self, job_id: str, pos: Pos, body: CommentedMap) -> Job:
        name = body.get("name")
        default_shell = None
        defaults = body.get("defaults")
        if isinstance(defaults, CommentedMap) and isinstance(defaults.get("run"), CommentedMap):
            default_shell = self.value_of(defaults["run"], "shell")
        steps_node = body.get("steps")
        steps: list[Step] = []
        if isinstance(steps_node, CommentedSeq):
            for index, item in enumerate(steps_node):
                if isinstance(item, CommentedMap):
                    line0, col0 = steps_node.lc.item(index)
                    steps.append(self.step(index, Pos(line0 + 1, col0 + 1), item))
        return Job(
            id=job_id,
            pos=pos,
            name=str(name) if isinstance(name, str) else None,
            permissions=self.permissions(body),
            runs_on=self.runs_on(body),
            matrix_os=self.matrix_os(body),
            uses=self.value_of(body, "uses"),
            steps=tuple(steps),
            container=self.image(body, "container"),
            services=self.services(body.get("services")),
            default_shell=default_shell,
            if_=self.value_of(body, "if"),
            env=self.string_map(body.get("env")),
        )

    def runs_on(self, body: CommentedMap) -> tuple[Scalar, ...]:
        node = body.get("runs-on")
        if isinstance(node, CommentedMap):
            return self.scalars(node.get("labels"), node, "labels")
        return self.scalars(node, body, "runs-on")

    def matrix_os(self, body: CommentedMap) -> tuple[str, ...]:
        """``matrix.os`` rows then ``include`` entries' ``os`` (Scorecard ``GetOSesForJob``)."""
        strategy = body.get("strategy")
        matrix = strategy.get("matrix") if isinstance(strategy, CommentedMap) else None
        if not isinstance(matrix, CommentedMap):
            return ()
        values: list[str] = []
        for key in matrix:
            if str(key).lower() == "os" and isinstance(matrix[key], CommentedSeq):
                values.extend(_plain(v).strip("'\"") for v in matrix[key])
        include = matrix.get("include")
        if isinstance(include, CommentedSeq):
            for entry in include:
                if isinstance(entry, CommentedMap):
                    for key in entry:
                        if str(key).lower() == "os" and entry[key] is not None:
                            values.append(_plain(entry[key]).strip("'\""))
        return tuple(values)

    def image(self, body: CommentedMap, key: str) -> Scalar | None:
        node = body.get(key)
        if isinstance(node, CommentedMap):
            return self.value_of(node, "image")
        return self.value_of(body, key)

    def services(self, node: Any) -> tuple[tuple[str, Scalar], ...]:
        if not isinstance(node, CommentedMap):
            return ()
        out = []
        for name in node:
            image = self.image(node, name)
            if image is not None:
                out.append((str(name), image))
        return tuple(out)

    def step(self, index: int, pos: Pos, body: CommentedMap) -> Step:
        inputs: list[tuple[str, Scalar, Pos]] = []
        with_node = body.get("with")
        if isinstance(with_node, CommentedMap):
            for key in with_node:
                value = self.value_of(with_node, key)
                if value is None:
                    continue
                inputs.append((str(key).lower(), value, self.key_pos(with_node, key)))
        step_id = body.get("id")
        name = body.get("name")
        return Step(
            index=index,
            pos=pos,
            uses=self.value_of(body, "uses"),
            run=self.value_of(body, "run"),
            shell=self.value_of(body, "shell"),
            with_=tuple(inputs),
            env=self.string_map(body.get("env")),
            if_=self.value_of(body, "if"),
            id=str(step_id) if step_id is not None else None,
            name=str(name) if isinstance(name, str) else None,
        )


def _value_pos(mapping: CommentedMap, key: Any) -> tuple[int, int]:
    try:
        line0, col0 = mapping.lc.value(key)
    except (KeyError, AttributeError, TypeError):
        return mapping.lc.line, mapping.lc.col
    return int(line0), int(col0)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)
