"""The shell script a ``RUN`` executes, read with exact file offsets.

BuildKit runs a ``RUN`` as follows (``dockerfile2llb``): a RUN whose only argument is one
heredoc runs the heredoc body as the script (a non-shell shebang such as ``#!/usr/bin/env
python3`` runs another interpreter); otherwise the shell form's text is the script and any
heredocs are fed to it as here-documents (``RUN cat <<EOF > /etc/x``). The exec form runs
its words without a shell; caulk joins them with spaces, as hadolint and Scorecard do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.dockerfile.model import Instruction, OffsetMap, ParsedDockerfile, Span
from caulk.dockerfile.shellwords import Command, Script, parse_script

_HEREDOC_WORD = re.compile(r"^\d*<<-?\S+$")
_SHELLS = ("sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox")


@dataclass(frozen=True)
class RunScript:
    """A RUN's script, and where its characters are in the file."""

    instruction: Instruction
    """The top-level instruction (``ONBUILD`` for a wrapped RUN)."""
    run: Instruction
    """The RUN itself."""
    script: Script
    map: OffsetMap | None
    """None for the exec form (positions then fall back to the instruction)."""

    def span_of(self, df: ParsedDockerfile, command: Command) -> Span:
        """The command's span in the file, or the instruction's when it cannot be mapped."""
        if self.map is None:
            return self.instruction.span
        start = self.map.to_file(command.start)
        end = self.map.to_file(max(command.end - 1, command.start)) + 1
        return df.index.span(start, max(end, start))


def run_script(instruction: Instruction) -> RunScript | None:
    """The script of a RUN (or of ``ONBUILD RUN``); None if it is not a shell script."""
    run = instruction.sub if instruction.cmd == "onbuild" else instruction
    if run is None or run.cmd != "run":
        return None
    if run.json:
        return RunScript(instruction, run, parse_script(" ".join(run.json_args)), None)
    words = run.args.split()
    if run.heredocs and words and all(_HEREDOC_WORD.match(w) for w in words):
        body = run.heredocs[0].text
        first = body.split("\n", 1)[0]
        if first.startswith("#!") and not any(
            first.split()[0].endswith("/" + s) or first.split()[-1] == s for s in _SHELLS
        ):
            return None
        return RunScript(instruction, run, parse_script(body), run.heredocs[0].body_map)
    text = run.args
    segments = list(run.args_map.segments)
    for heredoc in run.heredocs:
        text += "\n"
        base = len(text)
        segments.extend((base + d, f) for d, f in heredoc.body_map.segments)
        text += heredoc.text
        if not text.endswith("\n"):
            text += "\n"
        text += heredoc.name
    return RunScript(instruction, run, parse_script(text), OffsetMap(tuple(segments)))


def mounts(run: Instruction) -> list[dict[str, str]]:
    """The ``--mount`` options of a RUN as dicts (``type`` defaults to ``bind``)."""
    out: list[dict[str, str]] = []
    for value in run.flag_values("mount"):
        options: dict[str, str] = {"type": "bind"}
        for part in value.split(","):
            key, _, val = part.partition("=")
            options[key.strip().lower()] = val.strip()
        out.append(options)
    return out


def has_cache_mount(run: Instruction, fragment: str) -> bool:
    """hadolint ``hasCacheOrTmpfsMountWith``: a cache/tmpfs mount whose target has ``fragment``."""
    for options in mounts(run):
        if options.get("type") not in ("cache", "tmpfs"):
            continue
        target = options.get("target") or options.get("dst") or options.get("destination") or ""
        if fragment in target:
            return True
    return False
