"""Scorecard's Pinned-Dependencies collector for Dockerfiles, reproduced exactly.

Reference: ossf/scorecard ``checks/raw/pinned_dependencies.go`` (``validateDockerfilesPinning``
and ``validateDockerfileInsecureDownloads``) at the commit named in
../shared/reference/scorecard-checks.md §2.1. What Scorecard does, and so what this does:

* files: the path's basename matches ``*Dockerfile*`` case-insensitively (so a
  ``Containerfile`` is never scanned); ``testdata/`` and ``src/test/`` paths are dropped; a
  path component ``vendor`` or ``third_party`` is skipped; ``.go .c .cpp .rs .js .py .pyc
  .java`` files and shell scripts (a shebang naming sh/bash/mksh/dash/ksh/exec/su, or a
  ``.sh``-like extension) are skipped; comment-only files are skipped; template names
  (``template``/``tmpl``/``tpl`` as a ``.-_`` part of the basename) are skipped for ``FROM``
  but **not** for ``RUN``;
* only instructions spelled exactly ``FROM``, ``ARG`` and ``RUN`` count (BuildKit keeps the
  keyword's case and Scorecard compares with upper-case names);
* ``ARG k=v`` records ``k``; later ``FROM`` words get ``${k}`` (not ``$k``) replaced;
* pinned iff the name matches ``.*@sha256:([a-f\\d]{64}|\\${.*})`` or is an earlier pinned
  stage; ``FROM scratch`` is not a dependency; stage references are dependencies and
  inherit the pinned state; a ``FROM`` with any word count other than 1 or 3 (``x AS y``) is
  an internal error, as is a file BuildKit's parser rejects, or an empty ``RUN``: the whole
  check becomes inconclusive (:class:`CollectorError`);
* ``RUN`` bodies (shell form; exec form joined with spaces; heredoc bodies, and then only
  those) go to the shell analyzer with one taint state per file.

Deliberate deviations: a file the repository cannot read as text (binary, too large) is left
out with a problem recorded rather than parsed; the line reported for a second heredoc of one
``RUN`` is its real line (Scorecard's offset arithmetic drifts there; the score is the same).
"""

from __future__ import annotations

import re

from caulk.checks.scorecard.pinning_model import CollectorError, Dependency, DependencyType
from caulk.dockerfile.load import parse_once
from caulk.dockerfile.model import Instruction, ParsedDockerfile
from caulk.findings import Location
from caulk.repo.checkout import Repository

PINNED_IMAGE = re.compile(r".*@sha256:([a-f\d]{64}|\$\{.*})", re.ASCII)
_SOURCE_EXTENSIONS = (".go", ".c", ".cpp", ".rs", ".js", ".py", ".pyc", ".java")
_SHELL_INTERPRETERS = ("exec", "su", "sh", "bash", "mksh", "dash", "ksh")


def _is_testdata(path: str) -> bool:
    return (
        path.startswith("testdata/")
        or "/testdata/" in path
        or path.startswith("src/test/")
        or "/src/test/" in path
    )


def scorecard_sees(path: str) -> bool:
    """Whether Scorecard's ``*Dockerfile*`` file matcher selects ``path`` at all."""
    return not _is_testdata(path) and "dockerfile" in path.rsplit("/", 1)[-1].lower()


def is_vendored(path: str) -> bool:
    """Scorecard ``fileIsInVendorDir``."""
    return any(part.lower() in ("vendor", "third_party") for part in path.split("/"))


def is_scorecard_template(path: str) -> bool:
    """Scorecard ``fileparser.IsTemplateFile``."""
    base = path.rsplit("/", 1)[-1]
    return any(p.lower() in ("template", "tmpl", "tpl") for p in re.split(r"[._-]", base) if p)


def _is_shell_script(path: str, text: str) -> bool:
    """Scorecard ``isShellScriptFile`` (shebang first, else the extension)."""
    has_extension = any(path.endswith("." + name) for name in _SHELL_INTERPRETERS)
    first = text.split("\n", 1)[0] if text else ""
    if not text or not first.startswith("#!"):
        return has_extension
    parts = first[2:].split(" ")

    def named(expected: str, word: str) -> bool:
        return word.rsplit("/", 1)[-1].lower() == expected

    for name in _SHELL_INTERPRETERS:
        if parts and named(name, parts[0]):
            return True
        if len(parts) >= 2 and named("env", parts[0]) and named(name, parts[1]):
            return True
    return False


def _contains_commands(text: str) -> bool:
    """Scorecard ``CheckFileContainsCommands(content, "#")``."""
    return any(line.strip() and not line.strip().startswith("#") for line in text.split("\n"))


def scorecard_scans_from(path: str, text: str) -> bool:
    """Whether Scorecard reads this file's ``FROM`` lines (``validateDockerfilesPinning``)."""
    return scorecard_scans_run(path, text) and not is_scorecard_template(path)


def scorecard_scans_run(path: str, text: str) -> bool:
    """Whether Scorecard reads this file's ``RUN`` lines (templates included)."""
    return (
        scorecard_sees(path)
        and not is_vendored(path)
        and not path.endswith(_SOURCE_EXTENSIONS)
        and not _is_shell_script(path, text)
        and _contains_commands(text)
    )


def dockerfile_dependencies(repo: Repository) -> list[Dependency]:
    """Every Dockerfile dependency Scorecard counts; raises :class:`CollectorError`."""
    deps: list[Dependency] = []
    for path in repo.files:
        # Source files are skipped for FROM and RUN alike, so they are never read.
        if not scorecard_sees(path) or path.endswith(_SOURCE_EXTENSIONS):
            continue
        text = repo.read_text(path)
        if text is None:
            continue
        scan_from = scorecard_scans_from(path, text)
        scan_run = scorecard_scans_run(path, text)
        if not (scan_from or scan_run):
            continue
        parsed = parse_once(repo, path, text)
        if not parsed.syntax_ok:
            error = next(e for e in parsed.errors if e.kind == "syntax")
            raise CollectorError(
                path, f"internal error: invalid Dockerfile: {error.message}", error.line
            )
        if scan_from:
            deps.extend(from_dependencies(parsed))
        if scan_run:
            deps.extend(run_dependencies(parsed))
    return deps


def from_dependencies(parsed: ParsedDockerfile) -> list[Dependency]:
    """``validateDockerfilesPinning`` for one parsed file."""
    path = parsed.path
    pinned_as: dict[str, bool] = {}
    args: dict[str, str] = {}
    deps: list[Dependency] = []
    for instruction in parsed.instructions:
        if instruction.keyword == "ARG":
            for word in instruction.words:
                key, eq, value = word.value.partition("=")
                if eq:
                    args[key] = value
            continue
        if instruction.keyword != "FROM":
            continue
        values = []
        for word in instruction.words:
            value = word.value
            for key, replacement in args.items():
                value = value.replace("${" + key + "}", replacement)
            values.append(value)
        location = Location(path, instruction.line, 1, instruction.end_line)
        if values and values[0].lower() == "scratch":
            if len(values) == 3 and values[1].lower() == "as":
                pinned_as[values[2]] = True
            continue
        if len(values) == 3 and values[1].lower() == "as":
            name, as_name = values[0], values[2]
            pinned = pinned_as.get(name, False) or bool(PINNED_IMAGE.match(name))
            pinned_as[as_name] = pinned
            deps.append(_image_dep(name, pinned, location, instruction))
        elif len(values) == 1:
            name = values[0]
            pinned = pinned_as.get(name, False) or bool(PINNED_IMAGE.match(name))
            deps.append(_image_dep(name, pinned, location, instruction))
        else:
            raise CollectorError(path, "internal error: invalid Dockerfile", instruction.line)
    return deps


def _image_dep(name: str, pinned: bool, location: Location, instruction: Instruction) -> Dependency:
    return Dependency(
        type=DependencyType.CONTAINER_IMAGE,
        pinned=pinned,
        location=location,
        name=name,
        note="" if pinned else "pin the image by digest: FROM image:tag@sha256:<digest>",
    )


def run_dependencies(parsed: ParsedDockerfile) -> list[Dependency]:
    """``validateDockerfileInsecureDownloads`` for one parsed file.

    The shell analysis is :func:`caulk.shell.analyze.analyze_script`, with one
    :class:`~caulk.shell.analyze.ShellState` (Scorecard's ``taintedFiles``) per Dockerfile.
    If that module is absent from an install, ``RUN`` bodies contribute nothing; an empty
    ``RUN`` is still an internal error, as in Scorecard, so whether the check is conclusive
    does not depend on the analyzer.
    """
    try:
        from caulk.shell.analyze import ShellState, analyze_script
    except ImportError:  # pragma: no cover - the analyzer ships with caulk
        analyze = None
    else:
        analyze = analyze_script
        state = ShellState()
    deps: list[Dependency] = []
    for instruction in parsed.instructions:
        if instruction.keyword != "RUN":
            continue
        if instruction.heredocs:
            # Scorecard analyses only the heredoc bodies of such a RUN.
            for heredoc in instruction.heredocs:
                if analyze is not None:
                    deps.extend(
                        analyze(
                            heredoc.content,
                            path=parsed.path,
                            line=heredoc.body_span.line,
                            state=state,
                        )
                    )
            continue
        if instruction.json:
            values = list(instruction.json_args)
        else:
            values = [instruction.args] if instruction.args else []
        if not values:
            raise CollectorError(
                parsed.path, "internal error: invalid Dockerfile", instruction.line
            )
        if analyze is not None:
            span = instruction.args_span
            deps.extend(
                analyze(
                    " ".join(values),
                    path=parsed.path,
                    line=span.line if span else instruction.line,
                    column=span.column if span and not instruction.json else 1,
                    state=state,
                )
            )
    return deps
