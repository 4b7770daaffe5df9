"""Small hadolint fixes on RUN, CMD and ENTRYPOINT, each as hadolint's wiki recommends.

* DL3015: ``--no-install-recommends`` inserted after ``apt-get install``;
* DL3019: ``--no-cache`` inserted after ``apk add``;
* DL3042: ``--no-cache-dir`` inserted after the ``install`` of every ``pip install`` (and
  ``python -m pip install``) that hadolint flags, in the shell form and in heredocs; the exec
  form is left to the author with a note;
* DL3009: ``&& rm -rf /var/lib/apt/lists/*`` appended to the RUN that runs ``apt-get update``
  (shell form without heredocs or comments only);
* DL4006: ``SHELL ["/bin/bash", "-o", "pipefail", "-c"]`` before the stage's first RUN with
  a pipe, when the stage's base is known to have bash (Debian/Ubuntu-like, RHEL-like); on
  Alpine ``SHELL ["/bin/ash", "-o", "pipefail", "-c"]`` (BusyBox ash supports pipefail; the
  form hadolint's DL4006 message suggests); other bases are skipped;
* DL3025: a shell-form ``CMD``/``ENTRYPOINT`` on one line whose words need no shell (no
  variables, globs, redirections, operators) becomes the JSON form; a leading ``exec`` is
  dropped. An ``ENTRYPOINT`` in a stage that also sets ``CMD`` is left alone: in exec form
  the ``CMD`` would become its arguments, which the shell form ignored.

Every function returns ``(line, message)`` notes for the changes it could not make.
"""

from __future__ import annotations

import json
import re
import shlex

from caulk.checks.dockerfile.analysis import pip_install_without_no_cache_dir
from caulk.checks.dockerfile.scripts import RunScript, run_script
from caulk.dockerfile.model import Instruction, ParsedDockerfile, Stage
from caulk.dockerfile.shellwords import Command
from caulk.fix.dockerfile_edit import DockerfileEdits
from caulk.fix.dockerfile_user import base_image, base_tooling

Note = tuple[int, str]


def _runs_at(df: ParsedDockerfile, lines: set[int]) -> list[RunScript]:
    out: list[RunScript] = []
    for instruction in df.instructions:
        if instruction.line not in lines:
            continue
        script = run_script(instruction)
        if script is not None:
            out.append(script)
    return out


def _word_offset(df: ParsedDockerfile, rs: RunScript, command: Command, word: str) -> int | None:
    """The file offset just past the first ``word`` argument of ``command``."""
    if rs.map is None:
        return None
    text = rs.script.text[command.start : command.end]
    # A whole unquoted word: inside quotes (``"install"``) the flag would join the argument.
    pattern = re.compile(r"(?<!\S)" + re.escape(word) + r"(?![^\s;&|)\\])")
    skip = len(command.name)
    match = pattern.search(text, skip)
    if match is None:
        return None
    start = rs.map.to_file(command.start + match.start())
    end = rs.map.to_file(command.start + match.end() - 1) + 1
    if df.text[start:end] != word:
        return None
    return end


def _insert_flag(
    df: ParsedDockerfile,
    edits: DockerfileEdits,
    lines: set[int],
    wants: tuple[str, str],
    flag: str,
    missing: str,
) -> list[Note]:
    tool, sub = wants
    notes: list[Note] = []
    for rs in _runs_at(df, lines):
        for command in rs.script.commands:
            if command.basename != tool or not command.has_arg(sub) or command.has_flag(missing):
                continue
            if tool == "apt-get" and command.has_arg("APT::Install-Recommends=false"):
                continue
            offset = _word_offset(df, rs, command, sub)
            if offset is None or edits.overlaps(offset, offset + 1):
                notes.append((rs.instruction.line, f"cannot place {flag} after `{tool} {sub}`"))
                continue
            edits.replace(offset, offset, f" {flag}")
    return notes


def no_install_recommends(
    df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]
) -> list[Note]:
    """DL3015 at the RUNs starting on ``lines``."""
    return _insert_flag(
        df,
        edits,
        lines,
        ("apt-get", "install"),
        "--no-install-recommends",
        "no-install-recommends",
    )


def apk_no_cache(df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]) -> list[Note]:
    """DL3019 at the RUNs starting on ``lines``."""
    return _insert_flag(df, edits, lines, ("apk", "add"), "--no-cache", "no-cache")


def pip_no_cache_dir(df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]) -> list[Note]:
    """DL3042 at the RUNs starting on ``lines``: every pip install hadolint flags there."""
    notes: list[Note] = []
    for rs in _runs_at(df, lines):
        for command in rs.script.commands:
            if not pip_install_without_no_cache_dir(command):
                continue
            offset = _word_offset(df, rs, command, "install")
            if offset is None or edits.overlaps(offset, offset + 1):
                notes.append(
                    (
                        rs.instruction.line,
                        f"cannot place --no-cache-dir after `{command.name} ... install`; "
                        "add it yourself",
                    )
                )
                continue
            edits.replace(offset, offset, " --no-cache-dir")
    return notes


_CLEANUP = "rm -rf /var/lib/apt/lists/*"


def apt_lists_cleanup(df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]) -> list[Note]:
    """DL3009 at the RUNs starting on ``lines``."""
    notes: list[Note] = []
    for rs in _runs_at(df, lines):
        run = rs.run
        if run.json or run.heredocs or rs.map is None or "#" in run.args:
            notes.append((run.line, f"cannot append `{_CLEANUP}` to this RUN; add it yourself"))
            continue
        args = run.args.rstrip()
        if not args or args.endswith(("&&", "||", "|", "&", df.escape)):
            notes.append((run.line, f"cannot append `{_CLEANUP}` to this RUN; add it yourself"))
            continue
        end = run.args_map.to_file(len(args) - 1) + 1
        joiner = " " if args.endswith(";") else " && "
        last_line = df.index.line_span(df.index.position(end - 1)[0])
        if run.args_span is not None and run.args_span.end_line > run.line:
            line_text = df.text[last_line.start : end]
            indent = line_text[: len(line_text) - len(line_text.lstrip())]
            if args.endswith(";"):
                edits.replace(end, end, f" {_CLEANUP}")
            else:
                edits.replace(end, end, f" {df.escape}{edits.newline}{indent}&& {_CLEANUP}")
        else:
            edits.replace(end, end, f"{joiner}{_CLEANUP}")
    return notes


def _shell_for(df: ParsedDockerfile, stage: Stage) -> str | None:
    image = base_image(df, stage)
    tooling = base_tooling(image)
    if tooling.kind == "useradd":
        return '["/bin/bash", "-o", "pipefail", "-c"]'
    if tooling.kind == "busybox" and image is not None and "alpine" in image.lower():
        return '["/bin/ash", "-o", "pipefail", "-c"]'
    return None


def pipefail_shell(df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]) -> list[Note]:
    """DL4006 at the RUNs starting on ``lines``: one SHELL per stage, before its first."""
    notes: list[Note] = []
    for stage in df.stages:
        flagged = [i for i in stage.instructions if i.cmd == "run" and i.line in lines]
        if not flagged:
            continue
        shell = _shell_for(df, stage)
        if shell is None:
            notes.append(
                (
                    flagged[0].line,
                    "the stage's base is not known to have bash (or BusyBox ash), so no SHELL "
                    "with -o pipefail was added; add `set -o pipefail` or a SHELL yourself",
                )
            )
            continue
        edits.insert_before(flagged[0], [f"SHELL {shell}"])
    return notes


_SHELL_CHARS = re.compile(r"[$|&;<>()*?\[\]{}~`#\\\n]")
_BUILTINS = frozenset(
    {
        "cd",
        "export",
        "set",
        "source",
        ".",
        "eval",
        "if",
        "for",
        "while",
        "until",
        "case",
        "trap",
        "ulimit",
        "umask",
        "wait",
        "true",
        "false",
        "[",
        "test",
        "alias",
        "unset",
        "shift",
        "exit",
    }
)


def json_form(instruction: Instruction) -> list[str] | None:
    """The exec-form words of a shell-form CMD/ENTRYPOINT, or None when it needs a shell."""
    if instruction.json or _SHELL_CHARS.search(instruction.args):
        return None
    try:
        words = shlex.split(instruction.args)
    except ValueError:
        return None
    if words and words[0] == "exec":
        words = words[1:]
    if not words or words[0] in _BUILTINS or "=" in words[0]:
        return None
    return words


def exec_form(df: ParsedDockerfile, edits: DockerfileEdits, lines: set[int]) -> list[Note]:
    """DL3025 at the CMD/ENTRYPOINT instructions starting on ``lines``."""
    notes: list[Note] = []
    for stage in df.stages:
        has_cmd = any(i.cmd == "cmd" for i in stage.instructions)
        for instruction in stage.instructions:
            if instruction.line not in lines or instruction.cmd not in ("cmd", "entrypoint"):
                continue
            span = instruction.args_span
            words = json_form(instruction)
            if span is None or span.line != span.end_line or words is None:
                notes.append(
                    (
                        instruction.line,
                        f"{instruction.keyword.upper()} needs a shell (or spans lines); write "
                        "the JSON form yourself",
                    )
                )
                continue
            if instruction.cmd == "entrypoint" and has_cmd:
                notes.append(
                    (
                        instruction.line,
                        "ENTRYPOINT left in shell form: the stage's CMD would become its "
                        "arguments in the JSON form",
                    )
                )
                continue
            edits.replace(span.start, span.end, json.dumps(words, ensure_ascii=False))
    return notes
