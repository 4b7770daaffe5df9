"""Scorecard's shell analysis: unpinned downloads and package installs in shell code.

A port of OpenSSF Scorecard's ``checks/raw/shell_download_validate.go`` (@40c1e35; reference:
../shared/reference/scorecard-checks.md §2.1). Scorecard walks mvdan.cc/sh's syntax tree;
:mod:`caulk.shell.parser` builds the same shape, and the walk below visits statements,
simple commands and pipes in the same depth-first order, so file taint flows the same way.

Per simple command Scorecard keeps only *literal words*: a single literal, a single-quoted
string (kept with its quotes) or a double-quoted literal (kept with its quotes); words with an
expansion or made of several parts are dropped, and ``sudo`` is removed. On those words:

* ``downloadThenRun`` (always unpinned): ``D … | I`` unless every URL of ``D`` is
  ``https://raw.githubusercontent.com/<o>/<r>/<40 hex>/…``; ``I <(D …)``; a file downloaded
  by an earlier ``D … > f``, ``wget [-O f] URL``, ``gsutil gs://… dest`` or
  ``aws s3api get-object … dest`` (not ``curl -o``) and later run as ``I … f`` or ``f``;
  ``sh|bash… -c "…"`` strings are analysed recursively.
* ``goCommand``, ``pipCommand``, ``npmCommand``, ``chocoCommand``, ``nugetCommand``: the first
  matching package manager decides, pinned or not, with Scorecard's exact rules.

Locations are exact: the file line (and column) of the command, where Scorecard reports the
script's start line plus the node's line. Deliberate deviations, all in rare corners: for a
``-c`` string Scorecard's line is one too high (it adds the outer node's 1-based line to the
inner one), caulk's is exact; a URL that Go cannot parse in a ``wget``/``gsutil``/``aws``
command stops the analysis of that script with an uncounted processing error, where Scorecard
aborts the file walk or the whole check.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from caulk.checks.scorecard.pinning_model import Dependency, DependencyType
from caulk.findings import Location
from caulk.shell import gocompat
from caulk.shell.parser import (
    ArithmExp,
    BinaryCmd,
    CallExpr,
    CmdSubst,
    Compound,
    DblQuoted,
    Lit,
    ParamExp,
    Part,
    ProcSubst,
    SglQuoted,
    ShellSyntaxError,
    Stmt,
    Word,
    parse,
)

__all__ = ["ShellState", "analyze_script"]


@dataclass
class ShellState:
    """Taint shared across scripts: files downloaded so far (one per Dockerfile or job)."""

    downloaded: dict[str, None] = field(default_factory=dict)
    """Scorecard's ``taintedFiles``: names as written in the download command (ordered)."""


def analyze_script(
    script: str,
    *,
    path: str,
    line: int,
    state: ShellState | None = None,
    column: int = 1,
    indent: int = 0,
) -> list[Dependency]:
    """Dependencies in ``script``, which starts at ``line`` (and ``column``) of ``path``.

    Never raises for bad input: a syntax error gives one uncounted Dependency whose note is
    ``processing error: …`` (Scorecard logs it and skips the script). ``column`` is the file
    column of the script's first character; on later lines a character at column ``c`` of the
    script's line is at file column ``indent + c`` (``indent`` is what a YAML block scalar
    strips; 0 when the script's lines are the file's lines).
    """
    analysis = _Analysis(path, state if state is not None else ShellState(), indent)
    analysis.run(script.replace("\r\n", "\n").replace("\x00", ""), line, column)
    return analysis.found


# -- Scorecard's vocabulary ------------------------------------------------------------------

_SUPPORTED_SHELLS = ("sh", "bash", "mksh")
_SHELL_NAMES = (*_SUPPORTED_SHELLS, "dash", "ksh")
_PYTHON = ("python", "python3", "python2.7")
_SHELL_INTERPRETERS = ("exec", "su", *_SHELL_NAMES)
_OTHER_INTERPRETERS = ("perl", "ruby", "php", "node", "nodejs", "java")
_DOTNET_INTERPRETERS = ("dotnet", "nuget")
# Scorecard's order matters for ``-c`` detection: the first interpreter in this list wins.
_INTERPRETERS = (
    *_DOTNET_INTERPRETERS,
    *_OTHER_INTERPRETERS,
    *_SHELL_INTERPRETERS,
    *_SHELL_NAMES,
    *_PYTHON,
)
_DOWNLOAD_UTILS = ("curl", "wget", "gsutil")
_INTERPRETER_SET = frozenset(_INTERPRETERS)
_DOWNLOAD_SET = frozenset(_DOWNLOAD_UTILS)
_PYTHON_SET = frozenset(_PYTHON)

_COMMIT = re.compile(r"[a-fA-F0-9]{40}", re.ASCII)
_LONG_HASH = re.compile(r"[A-Fa-f0-9]{40,}", re.ASCII)
_SEMVER = re.compile(r"v\d+\.\d+\.\d+(-[0-9A-Za-z-.]+)?(\+[0-9A-Za-z-.]+)?", re.ASCII)
_GO_REMOTE = re.compile(r"\w+\.\w+/\w+", re.ASCII)
_GO_FLAGS = ("-d", "-f", "-t", "-u", "-v", "-fix", "-insecure")
_PIP_FLAG = re.compile(r"(--?\w+)+", re.ASCII)
_PIP_REMOTE = re.compile(r"(git|svn|hg|bzr).+")
_PIP_GIT_PINNED = re.compile(r"git(\+(https?|ssh|git))?://.*(.git)?@[a-fA-F0-9]{40}(#egg=.*)?")

NUGET_REMEDIATION = (
    "pin your dependencies by either enabling central package management "
    "(https://learn.microsoft.com/nuget/consume-packages/Central-Package-Management) "
    "or using a lockfile (https://learn.microsoft.com/nuget/consume-packages/"
    "package-references-in-project-files#locking-dependencies)"
)


def _is_binary_name(expected: str, name: str) -> bool:
    return gocompat.equal_fold(gocompat.path_base(name), expected)


def _first_is(cmd: Sequence[str], names: frozenset[str]) -> bool:
    """Whether ``cmd[0]``'s base name is one of ``names`` (lower-case), case-insensitively."""
    return bool(cmd) and gocompat.path_base(cmd[0]).casefold() in names


def extract_command(args: Sequence[Word]) -> list[str]:
    """Scorecard's ``extractCommand``: the literal words, quotes kept, ``sudo`` removed."""
    out: list[str] = []
    for word in args:
        if len(word.parts) != 1:
            continue
        part = word.parts[0]
        if isinstance(part, Lit):
            if not gocompat.equal_fold(part.value, "sudo"):
                out.append(part.value)
        elif isinstance(part, SglQuoted):
            out.append(f"'{part.value}'")
        elif (
            isinstance(part, DblQuoted) and len(part.parts) == 1 and isinstance(part.parts[0], Lit)
        ):
            out.append(f'"{part.parts[0].value}"')
    return out


def is_download_utility(cmd: Sequence[str]) -> bool:
    if not cmd:
        return False
    if _first_is(cmd, _DOWNLOAD_SET):
        return True
    return (
        _is_binary_name("aws", cmd[0])
        and len(cmd) >= 3
        and gocompat.equal_fold(cmd[1], "s3api")
        and gocompat.equal_fold(cmd[2], "get-object")
    )


def is_interpreter(cmd: Sequence[str]) -> bool:
    return _first_is(cmd, _INTERPRETER_SET)


def has_unpinned_urls(cmd: Sequence[str]) -> bool:
    """False only if every URL-like argument is raw.githubusercontent.com at a commit."""
    urls: list[gocompat.URL] = []
    for arg in cmd:
        clean = arg
        if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"":
            clean = arg[1:-1]
        try:
            urls.append(gocompat.parse_request_uri(clean))
        except gocompat.URLError:
            continue
    pinned = 0
    for url in urls:
        if url.scheme == "https" and url.host == "raw.githubusercontent.com":
            segments = url.path.split("/")
            if len(segments) > 4 and _COMMIT.fullmatch(segments[3]):
                pinned += 1
    return not (pinned > 0 and pinned == len(urls))


def output_file(cmd: Sequence[str]) -> str | None:
    """The file a ``wget``/``gsutil``/``aws s3api get-object`` command writes (``url.Parse``
    errors propagate as :class:`gocompat.URLError`, as Scorecard returns them)."""
    if not cmd:
        return None
    if _is_binary_name("wget", cmd[0]):
        for i in range(1, len(cmd) - 1):
            if gocompat.equal_fold(cmd[i], "-O"):
                return cmd[i + 1]
        for arg in cmd[1:]:
            if arg.startswith("http"):
                return gocompat.path_base(gocompat.parse_url(arg).path)
        return None
    if _is_binary_name("gsutil", cmd[0]):
        for i in range(1, len(cmd) - 1):
            if not cmd[i].startswith("gs://"):
                continue
            dest = cmd[i + 1]
            if gocompat.clean(gocompat.dir_name(dest)) == gocompat.clean(dest):
                base = gocompat.path_base(gocompat.parse_url(cmd[i]).path)
                return gocompat.join(gocompat.dir_name(dest), base)
            return dest
        return None
    if _is_binary_name("aws", cmd[0]):
        if (
            len(cmd) < 3
            or not gocompat.equal_fold(cmd[1], "s3api")
            or not gocompat.equal_fold(cmd[2], "get-object")
        ):
            return None
        source, dest = cmd[-2], cmd[-1]
        if gocompat.clean(gocompat.dir_name(dest)) == gocompat.clean(dest):
            base = gocompat.path_base(gocompat.parse_url(source).path)
            return gocompat.join(gocompat.dir_name(dest), base)
        return dest
    return None


def _interpreter_of_c_flag(cmd: Sequence[str]) -> str | None:
    """``extractInterpreterAndCommand``: the first interpreter (in Scorecard's list order)
    named by some word and followed, later, by a flag containing ``c`` (``-c``, ``-ec``)."""
    bases = [gocompat.path_base(word).casefold() for word in cmd]
    if _INTERPRETER_SET.isdisjoint(bases):
        return None
    for name in _INTERPRETERS:
        seen = False
        for word, base in zip(cmd, bases, strict=True):
            if base == name:
                seen = True
            elif seen and word.startswith("-") and "c" in word:
                return name
    return None


def _is_shell_interpreter_or_command(name: str) -> bool:
    return name not in _PYTHON and name not in _OTHER_INTERPRETERS


def _first_quoted_arg(args: Sequence[Word]) -> tuple[str, int] | None:
    """The first single-quoted or literal double-quoted argument and where its text starts."""
    for word in args:
        if len(word.parts) != 1:
            continue
        part = word.parts[0]
        if isinstance(part, DblQuoted):
            if len(part.parts) == 1 and isinstance(part.parts[0], Lit):
                return part.parts[0].value, part.start
        elif isinstance(part, SglQuoted):
            return part.value, part.start
    return None


# -- package managers (first match decides) ------------------------------------------------


def _is_go_download(cmd: Sequence[str]) -> bool:
    return len(cmd) > 2 and _is_binary_name("go", cmd[0]) and cmd[1] in ("get", "install")


def _is_go_unpinned(cmd: Sequence[str]) -> bool:
    insecure = False
    i = 1
    while i < len(cmd) - 1:
        while i < len(cmd) - 1 and cmd[i + 1] in _GO_FLAGS:
            if cmd[i + 1] == "-insecure":
                insecure = True
            i += 1
        if i + 1 >= len(cmd):
            return False
        package = cmd[i + 1]
        if not _GO_REMOTE.search(package):
            return False
        parts = package.split("@")
        if len(parts) == 2:
            version = parts[1]
            if (
                version == "none"
                or _LONG_HASH.fullmatch(version)
                or (not insecure and _SEMVER.fullmatch(version))
            ):
                return False
        i += 1
    return True


def _is_pip_install(cmd: Sequence[str]) -> bool:
    return (
        len(cmd) >= 2
        and (_is_binary_name("pip", cmd[0]) or _is_binary_name("pip3", cmd[0]))
        and gocompat.equal_fold(cmd[1], "install")
    )


def _python_pip_command(cmd: Sequence[str]) -> Sequence[str] | None:
    if not _first_is(cmd, _PYTHON_SET):
        return None
    for i in range(1, len(cmd) - 1):
        if gocompat.equal_fold(cmd[i], "-m") and gocompat.equal_fold(cmd[i + 1], "pip"):
            return cmd[i + 1 :]
    return None


def _is_pinned_editable_source(source: str) -> bool:
    if not _PIP_REMOTE.fullmatch(source):
        return True
    return bool(_PIP_GIT_PINNED.fullmatch(source))


def _is_unpinned_pip_install(cmd: Sequence[str]) -> bool:
    no_deps = editable = require_hashes = additional = wheel = False
    pinned_editable = True
    for arg in cmd[2:]:
        if gocompat.equal_fold(arg, "--no-deps"):
            no_deps = True
            continue
        if arg in ("-e", "--editable"):
            editable = True
            continue
        if gocompat.equal_fold(arg, "--require-hashes"):
            require_hashes = True
            break
        if _PIP_FLAG.fullmatch(arg):
            continue
        if arg.endswith(".whl"):
            wheel = True
            continue
        if editable:
            if not _is_pinned_editable_source(arg):
                pinned_editable = False
            continue
        additional = True
    if editable:
        return not no_deps or not pinned_editable
    if require_hashes:
        return False
    if additional:
        return True
    return not wheel


def _is_pip_download(cmd: Sequence[str]) -> bool:
    if _is_pip_install(cmd):
        return True
    pip = _python_pip_command(cmd)
    return pip is not None and _is_pip_install(pip)


def _is_pip_unpinned(cmd: Sequence[str]) -> bool:
    if _is_pip_install(cmd) and _is_unpinned_pip_install(cmd):
        return True
    pip = _python_pip_command(cmd)
    return pip is not None and _is_pip_install(pip) and _is_unpinned_pip_install(pip)


_NPM_VERBS = ("install", "i", "install-test", "update", "ci")
_NPM_GIT = ("github:", "git://", "git+http://", "git+https://")


def _is_npm_download(cmd: Sequence[str]) -> bool:
    return _is_binary_name("npm", cmd[0]) and any(
        gocompat.equal_fold(arg, verb) for arg in cmd[1:] for verb in _NPM_VERBS
    )


def _is_npm_unpinned(cmd: Sequence[str]) -> bool:
    for arg in cmd[1:]:
        if gocompat.equal_fold(arg, "ci"):
            return False
        if arg.startswith(_NPM_GIT):
            pieces = arg.split("#", 4)
            if len(pieces) != 2:
                return True
            if _COMMIT.fullmatch(pieces[1]):
                return False
    return True


def _is_choco_download(cmd: Sequence[str]) -> bool:
    return (
        len(cmd) >= 2
        and (_is_binary_name("choco", cmd[0]) or _is_binary_name("choco.exe", cmd[0]))
        and gocompat.equal_fold(cmd[1], "install")
    )


def _is_choco_unpinned(cmd: Sequence[str]) -> bool:
    for arg in cmd[2:]:
        flag = arg.split("=")[0]
        if any(
            gocompat.equal_fold(flag, f)
            for f in ("--requirechecksum", "--requirechecksums", "--require-checksums")
        ):
            return False
    return True


def _is_nuget_exe(name: str) -> bool:
    return _is_binary_name("nuget", name) or _is_binary_name("nuget.exe", name)


def _is_dotnet_exe(name: str) -> bool:
    return _is_binary_name("dotnet", name) or _is_binary_name("dotnet.exe", name)


def _any_fold(args: Sequence[str], *flags: str) -> bool:
    return any(gocompat.equal_fold(arg, flag) for arg in args for flag in flags)


def _nuget_kind(cmd: Sequence[str]) -> list[str]:
    """Which nuget forms ``cmd`` is (Scorecard tests them all)."""
    kinds: list[str] = []
    if (
        len(cmd) >= 4
        and _is_dotnet_exe(cmd[0])
        and gocompat.equal_fold(cmd[1], "add")
        and (gocompat.equal_fold(cmd[2], "package") or gocompat.equal_fold(cmd[3], "package"))
    ):
        kinds.append("dotnet-add")
    if len(cmd) >= 2 and _is_nuget_exe(cmd[0]) and gocompat.equal_fold(cmd[1], "install"):
        kinds.append("nuget-install")
    if len(cmd) >= 2 and _is_dotnet_exe(cmd[0]) and gocompat.equal_fold(cmd[1], "restore"):
        kinds.append("dotnet-restore")
    if len(cmd) >= 2 and _is_nuget_exe(cmd[0]) and gocompat.equal_fold(cmd[1], "restore"):
        kinds.append("nuget-restore")
    if (
        len(cmd) >= 2
        and (_is_binary_name("msbuild", cmd[0]) or _is_binary_name("msbuild.exe", cmd[0]))
        and _any_fold(cmd[1:], "/t:restore")
    ):
        kinds.append("msbuild-restore")
    return kinds


def _is_nuget_unpinned(cmd: Sequence[str], kinds: Sequence[str]) -> bool:
    for kind in kinds:
        if kind == "dotnet-add" and not _any_fold(cmd[3:], "-v", "--version"):
            return True
        if kind == "nuget-install":
            pinned = (
                len(cmd) == 2
                or cmd[2].endswith("packages.config")
                or _any_fold(cmd[2:], "-Version")
            )
            if not pinned:
                return True
        if kind == "dotnet-restore" and not _any_fold(cmd[2:], "--locked-mode"):
            return True
        if kind == "nuget-restore" and not _any_fold(cmd[2:], "-LockedMode"):
            return True
        if kind == "msbuild-restore" and not _any_fold(cmd[2:], "/p:RestoreLockedMode=true"):
            return True
    return False


def package_manager_dependency(cmd: Sequence[str]) -> tuple[DependencyType, bool, str] | None:
    """(type, pinned, note) for a package-manager command, or None (first match decides)."""
    if not cmd:
        return None
    if _is_go_download(cmd):
        pinned = not _is_go_unpinned(cmd)
        return DependencyType.GO_COMMAND, pinned, "" if pinned else _NOTES["go"]
    if _is_pip_download(cmd):
        pinned = not _is_pip_unpinned(cmd)
        return DependencyType.PIP_COMMAND, pinned, "" if pinned else _NOTES["pip"]
    if _is_npm_download(cmd):
        pinned = not _is_npm_unpinned(cmd)
        return DependencyType.NPM_COMMAND, pinned, "" if pinned else _NOTES["npm"]
    if _is_choco_download(cmd):
        pinned = not _is_choco_unpinned(cmd)
        return DependencyType.CHOCO_COMMAND, pinned, "" if pinned else _NOTES["choco"]
    kinds = _nuget_kind(cmd)
    if kinds:
        pinned = not _is_nuget_unpinned(cmd, kinds)
        return DependencyType.NUGET_COMMAND, pinned, "" if pinned else NUGET_REMEDIATION
    return None


_NOTES = {
    "go": "pin the module to a version (pkg@vX.Y.Z) or a commit",
    "pip": "install with --require-hashes (e.g. a hash-pinned requirements file)",
    "npm": "use npm ci with a committed package-lock.json",
    "choco": "install with --require-checksums",
    "download": "verify the download's checksum before running it, or pin it to a commit",
}


# -- the walk ----------------------------------------------------------------------------------


class _Source:
    """Maps offsets of one parsed text to file positions."""

    def __init__(self, text: str, line: int, column: int, indent: int) -> None:
        self.text = text
        self.line = line
        self.column = column
        self.indent = indent
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_left(self.newlines, offset)
        if index == 0:
            return self.line, self.column + offset
        return self.line + index, self.indent + offset - self.newlines[index - 1]

    def location(self, path: str, start: int, end: int) -> Location:
        line, column = self.position(start)
        end_line, end_column = self.position(max(start, end))
        return Location(path, line, column, end_line, end_column)

    def snippet(self, start: int, end: int) -> str:
        text = self.text[start:end].replace("\\\n", " ")
        return " ".join(text.split()) if "\n" not in text else text.strip()


class _StopAnalysis(Exception):
    """Scorecard's walk returned an error: stop analysing this script."""


class _Analysis:
    def __init__(self, path: str, state: ShellState, indent: int) -> None:
        self.path = path
        self.state = state
        self.indent = indent
        self.found: list[Dependency] = []

    def run(self, text: str, line: int, column: int) -> None:
        source = _Source(text, line, column, self.indent)
        try:
            stmts = parse(text)
        except ShellSyntaxError as exc:
            self.processing_error(source, exc.offset, f"error parsing shell code: {exc}")
            return
        except RecursionError:
            self.processing_error(source, 0, "error parsing shell code: nesting too deep")
            return
        try:
            for stmt in stmts:
                self.visit_stmt(source, stmt)
        except _StopAnalysis:
            return
        except RecursionError:
            self.processing_error(source, 0, "shell code nested too deep to analyse")

    def processing_error(self, source: _Source, offset: int, message: str) -> None:
        offset = min(max(offset, 0), len(source.text))
        line_start = source.text.rfind("\n", 0, offset) + 1
        line_end = source.text.find("\n", offset)
        name = source.text[line_start : len(source.text) if line_end < 0 else line_end]
        self.found.append(
            Dependency(
                type=DependencyType.DOWNLOAD_THEN_RUN,
                pinned=False,
                location=source.location(self.path, offset, offset),
                name=name.strip(),
                counted=False,
                note=f"processing error: {message}",
            )
        )

    def add(
        self,
        source: _Source,
        start: int,
        end: int,
        dep_type: DependencyType,
        pinned: bool,
        note: str,
    ) -> None:
        self.found.append(
            Dependency(
                type=dep_type,
                pinned=pinned,
                location=source.location(self.path, start, end),
                name=source.snippet(start, end),
                note=note,
            )
        )

    # -- nodes, in mvdan's Walk order ----------------------------------------------------

    def visit_stmt(self, source: _Source, stmt: Stmt) -> None:
        self.record_download(source, stmt)
        cmd = stmt.cmd
        if isinstance(cmd, CallExpr):
            self.check_call(source, cmd)
            for assign in cmd.assigns:
                if assign.value is not None:
                    self.visit_word(source, assign.value)
                for elem in assign.array:
                    self.visit_word(source, elem)
            for word in cmd.args:
                self.visit_word(source, word)
        elif isinstance(cmd, BinaryCmd):
            self.check_pipe(source, cmd)
            self.visit_stmt(source, cmd.x)
            self.visit_stmt(source, cmd.y)
        elif isinstance(cmd, Compound):
            for child in cmd.children:
                if isinstance(child, Stmt):
                    self.visit_stmt(source, child)
                else:
                    self.visit_word(source, child)
        for redirect in stmt.redirs:
            self.visit_word(source, redirect.word)
            if redirect.hdoc is not None:
                self.visit_word(source, redirect.hdoc)

    def visit_word(self, source: _Source, word: Word) -> None:
        self.visit_parts(source, word.parts)

    def visit_parts(self, source: _Source, parts: Iterable[Part]) -> None:
        for part in parts:
            if isinstance(part, CmdSubst | ProcSubst):
                for stmt in part.stmts:
                    self.visit_stmt(source, stmt)
            elif isinstance(part, DblQuoted | ParamExp | ArithmExp):
                self.visit_parts(source, part.parts)

    # -- Scorecard's collectors ----------------------------------------------------------

    def record_download(self, source: _Source, stmt: Stmt) -> None:
        """``recordFetchFileFromNode``: remember the file an unpinned download writes."""
        if not isinstance(stmt.cmd, CallExpr):
            return
        cmd = extract_command(stmt.cmd.args)
        if not is_download_utility(cmd) or not has_unpinned_urls(cmd):
            return
        for redirect in stmt.redirs:
            if redirect.op != ">" or len(redirect.word.parts) != 1:
                continue
            part = redirect.word.parts[0]
            if isinstance(part, Lit):
                self.state.downloaded[part.value] = None
                return
        try:
            name = output_file(cmd)
        except gocompat.URLError as exc:
            self.processing_error(source, stmt.cmd.start, f"url.Parse: {exc}")
            raise _StopAnalysis from exc
        if name is not None:
            self.state.downloaded[name] = None

    def check_pipe(self, source: _Source, pipe: BinaryCmd) -> None:
        """``collectFetchPipeExecute``: ``curl … | bash``."""
        if pipe.op != "|":
            return
        left, right = pipe.x.cmd, pipe.y.cmd
        if not isinstance(left, CallExpr) or not isinstance(right, CallExpr):
            return
        download = extract_command(left.args)
        if not is_download_utility(download) or not is_interpreter(extract_command(right.args)):
            return
        if not has_unpinned_urls(download):
            return
        self.add(
            source,
            pipe.x.start,
            pipe.y.end,
            DependencyType.DOWNLOAD_THEN_RUN,
            False,
            _NOTES["download"],
        )

    def check_call(self, source: _Source, call: CallExpr) -> None:
        cmd = extract_command(call.args)
        # interpreter -c "CMD": analysed recursively with the same taint.
        interpreter = _interpreter_of_c_flag(cmd)
        if interpreter is not None and _is_shell_interpreter_or_command(interpreter):
            quoted = _first_quoted_arg(call.args)
            if quoted is not None:
                text, start = quoted
                line, column = source.position(start)
                self.run(text, line, column)
        # Running a file downloaded earlier.
        for name in list(self.state.downloaded):
            if self.runs_file(cmd, name):
                self.add(
                    source,
                    call.start,
                    call.end,
                    DependencyType.DOWNLOAD_THEN_RUN,
                    False,
                    _NOTES["download"],
                )
        # interpreter <(download …)
        if is_interpreter(cmd) and len(call.args) >= 2:
            parts = call.args[1].parts
            if len(parts) == 1 and isinstance(parts[0], ProcSubst) and parts[0].op == "<(":
                inner = parts[0].stmts
                first = inner[0].cmd if inner else None
                if isinstance(first, CallExpr) and is_download_utility(extract_command(first.args)):
                    self.add(
                        source,
                        call.start,
                        call.end,
                        DependencyType.DOWNLOAD_THEN_RUN,
                        False,
                        _NOTES["download"],
                    )
        found = package_manager_dependency(cmd)
        if found is not None:
            dep_type, pinned, note = found
            self.add(source, call.start, call.end, dep_type, pinned, note)

    @staticmethod
    def runs_file(cmd: Sequence[str], name: str) -> bool:
        """``isInterpreterWithFile`` or ``isExecuteFile``."""
        if not cmd:
            return False
        target = gocompat.clean(name)
        if gocompat.equal_fold(gocompat.clean(cmd[0]), target):
            return True
        if not is_interpreter(cmd):
            return False
        return any(gocompat.equal_fold(gocompat.clean(arg), target) for arg in cmd[1:])
