"""Create the policy and workflow files an audit found missing.

Driven by the audit's findings, so ``fix`` creates exactly what ``audit`` asked for:
CK3001 (no security policy), CK3002 (no dependency updates for docker and github-actions),
CK2012 (no Scorecard workflow), CK2015 (no SAST tool: a hadolint lint workflow), CK3007 (an
image no workflow publishes: Packaging inconclusive) and a missing ``.hadolint.yaml``
(``--select lint-config``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from caulk.checks.repository.rules import image_dockerfiles
from caulk.findings import TextEdit
from caulk.fix import generate
from caulk.fix.engine import ChangeSet, Outcome
from caulk.fix.generate import ProjectInfo
from caulk.repo.checkout import Repository
from caulk.results import AuditResult
from caulk.yamlwarnings import quiet_yaml

DEPENDABOT = ".github/dependabot.yml"
LINT_CONFIG = "lint-config"
"""Not a rule: the label under which ``.hadolint.yaml`` is created (``--select lint-config``)."""
_ECOSYSTEMS = ("docker", "github-actions")


def create_missing(
    repo: Repository,
    audit: AuditResult,
    changes: ChangeSet,
    info: ProjectInfo,
    wants: Callable[[str], bool],
) -> None:
    """Plan the creation of every missing file the audit's findings call for.

    ``wants(rule_id)`` honours ``--select``/``--ignore``: a file is only created for a rule
    the user asked to fix.
    """
    rules = {f.rule_id for f in audit.findings if wants(f.rule_id)}
    if "CK3001" in rules:
        _create(changes, "SECURITY.md", generate.security_policy(info), "CK3001")
    if "CK3002" in rules:
        _dependabot(repo, changes)
    if "CK2012" in rules:
        _create(
            changes,
            ".github/workflows/scorecard.yml",
            generate.scorecard_workflow(info),
            "CK2012",
        )
    publish = next((f for f in audit.findings if f.rule_id == "CK3007"), None)
    if "CK3007" in rules and publish is not None and publish.location is not None:
        dockerfile = publish.location.path
        context = dockerfile.rsplit("/", 1)[0] if "/" in dockerfile else "."
        publish_info = replace(info, dockerfile=dockerfile, context=context)
        _create(
            changes,
            ".github/workflows/publish.yml",
            generate.publish_workflow(publish_info),
            "CK3007",
        )
    dockerfiles = image_dockerfiles(repo)
    if "CK2015" in rules and dockerfiles:
        lint_info = replace(info, dockerfile=dockerfiles[0])
        _create(changes, ".github/workflows/lint.yml", generate.lint_workflow(lint_info), "CK2015")
    lint_config_missing = not any(repo.exists(name) for name in (".hadolint.yaml", ".hadolint.yml"))
    if wants(LINT_CONFIG) and lint_config_missing and dockerfiles:
        _create(changes, ".hadolint.yaml", generate.hadolint_config(), LINT_CONFIG)


def _create(changes: ChangeSet, path: str, text: str, rule_id: str) -> None:
    if (changes.root / path).exists():
        changes.note(rule_id, path, None, Outcome.UNCHANGED, f"{path} already exists")
        return
    changes.create(path, text)
    changes.note(rule_id, path, None, Outcome.FIXED, f"created {path}")


def _dependabot(repo: Repository, changes: ChangeSet) -> None:
    path = next(
        (p for p in (DEPENDABOT, ".github/dependabot.yaml") if repo.exists(p)),
        None,
    )
    if path is None:
        _create(changes, DEPENDABOT, generate.dependabot_config(), "CK3002")
        return
    text = repo.read_text(path)
    if text is None:
        changes.note("CK3002", path, None, Outcome.FAILED, "could not read the file")
        return
    try:
        with quiet_yaml():
            document = YAML(typ="rt").load(text)
    except YAMLError as exc:
        changes.note("CK3002", path, None, Outcome.FAILED, f"invalid YAML, not changed: {exc}")
        return
    updates = document.get("updates") if isinstance(document, CommentedMap) else None
    if not isinstance(updates, CommentedSeq) or not updates:
        changes.note(
            "CK3002", path, None, Outcome.FAILED, "no 'updates:' list to extend; edit it by hand"
        )
        return
    present = {str(u.get("package-ecosystem")) for u in updates if isinstance(u, CommentedMap)}
    missing = [e for e in _ECOSYSTEMS if e not in present]
    if not missing:
        changes.note("CK3002", path, None, Outcome.UNCHANGED, "docker and github-actions covered")
        return
    if list(document.keys())[-1] != "updates":
        changes.note(
            "CK3002",
            path,
            None,
            Outcome.FAILED,
            f"'updates:' is not the last key; add {', '.join(missing)} by hand",
        )
        return
    # Append new items after the last one, indented like the existing items.
    item_line, _ = updates.lc.item(0)
    line_text = text.splitlines()[item_line]
    dash_indent = line_text[: len(line_text) - len(line_text.lstrip())]
    body_indent = dash_indent + "  "
    block = "".join(
        f"{dash_indent}- package-ecosystem: {eco}\n"
        f"{body_indent}directory: /\n"
        f"{body_indent}schedule:\n"
        f"{body_indent}  interval: weekly\n"
        for eco in missing
    )
    changes.original(path, text)
    prefix = "" if text.endswith("\n") else "\n"
    changes.edit(TextEdit(path, len(text), len(text), prefix + block))
    changes.note("CK3002", path, None, Outcome.FIXED, f"added {', '.join(missing)} updates")
