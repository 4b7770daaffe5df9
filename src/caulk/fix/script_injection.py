"""What the CK2005 fixer needs to know about a ``run:`` script: where a variable would expand.

The remediation of zizmor's ``template-injection`` and of GitHub's security hardening guide
("Using an intermediate environment variable") moves an attacker-controlled ``${{ … }}`` into
the step's ``env:`` and reads it as a shell variable. GitHub substitutes ``${{ … }}`` into the
script text before any shell runs, so the expression was valid in every quoting context; a
variable is not: ``'${NAME}'`` (bash) or ``'$env:NAME'`` (PowerShell) stays literal. The
lexers here tell, for each ``${{`` of a script, whether a variable written there expands, and
why not when it does not (single quotes, ``$'…'``, a quoted here-document or here-string).
A bare word stays a bare ``${NAME}``: its value is still split into words and globbed as the
pasted text was, but never parsed as code.

They are deliberately small: enough of the bash and PowerShell grammars to track quotes,
command substitutions, comments and here-documents. A construct they do not model is rare in
``run:`` scripts; the fixer's other guard (:func:`nested_interpreter`) refuses lines that hand
the text to another interpreter, where moving the value to a variable does not remove the
injection (``bash -c "…${NAME}…"``, ``eval``, ``python -c``).
"""

from __future__ import annotations

import re
from typing import Literal

from ruamel.yaml import YAML

from caulk.workflow.expressions import is_untrusted

Shell = Literal["bash", "pwsh"]
"""The shells whose variables the fixer can write: bash/sh (``${NAME}``), pwsh (``$env:NAME``)."""

_BASH_LITERAL = {"sq": "inside single quotes", "ansi": "inside $'…' quotes"}
_PWSH_LITERAL = {"sq": "inside single quotes", "hsq": "inside a single-quoted here-string"}
_HEREDOC = re.compile(r"<<(-?)[ \t]*((?:[^\s;&|<>()'\"\\]|\\.|'[^'\n]*'|\"[^\"\n]*\")+)")
_PWSH_SINGLE = "'\u2018\u2019\u201a\u201b"
_PWSH_DOUBLE = '"\u201c\u201d\u201e'
_NESTED = re.compile(
    r"(?:^|[\s;&|(`])(?:eval|(?:ba|da|k|z)?sh\s+(?:-\w+\s+)*-\w*c|python[0-9.]*\s+-c|"
    r"node\s+-e|perl\s+-e|ruby\s+-e|pwsh\s+(?:-\w+\s+)*-c(?:ommand)?|"
    r"Invoke-Expression|iex|ssh|envsubst)(?=\s|$)",
    re.IGNORECASE,
)


def expansion_blockers(script: str, shell: Shell) -> dict[int, str | None]:
    """For the offset of each ``${{`` in ``script``: None if a variable written there expands,
    else why it would not."""
    return _bash(script) if shell == "bash" else _pwsh(script)


def nested_interpreter(script: str, offset: int) -> str | None:
    """The command on the line of ``offset`` that evaluates its text again, if any."""
    start = script.rfind("\n", 0, offset) + 1
    end = script.find("\n", offset)
    line = script[start : len(script) if end < 0 else end]
    match = _NESTED.search(line)
    return match.group(0).strip(" \t;&|(`") if match else None


def reference(name: str, shell: Shell, following: str) -> str:
    """How the script reads variable ``name`` when ``following`` is the next character."""
    if shell == "bash":
        return "${" + name + "}"
    if following and (following.isalnum() or following in "_:?"):
        return "${env:" + name + "}"
    return "$env:" + name


# -- names ------------------------------------------------------------------------------------

_PATH = re.compile(r"github(?:\.[A-Za-z_][A-Za-z0-9_-]*|\.\*|\[[^\]]*\])+")
_TOJSON = re.compile(r"(?i)tojson\s*\(\s*github(\.event)?\s*\)")
_NAMES = {
    "pull_request.title": "PR_TITLE",
    "pull_request.body": "PR_BODY",
    "pull_request.head.ref": "PR_HEAD_REF",
    "pull_request.head.label": "PR_HEAD_LABEL",
    "pull_request.head.repo.default_branch": "PR_DEFAULT_BRANCH",
    "issue.title": "ISSUE_TITLE",
    "issue.body": "ISSUE_BODY",
    "discussion.title": "DISCUSSION_TITLE",
    "discussion.body": "DISCUSSION_BODY",
    "comment.body": "COMMENT_BODY",
    "review.body": "REVIEW_BODY",
    "review_comment.body": "REVIEW_COMMENT_BODY",
    "head_commit.message": "COMMIT_MESSAGE",
    "head_commit.author.email": "COMMIT_AUTHOR_EMAIL",
    "head_commit.author.name": "COMMIT_AUTHOR_NAME",
}
RESERVED = frozenset(
    {"CI", "HOME", "IFS", "PATH", "PWD", "OLDPWD", "SHELL", "USER", "TMPDIR", "LANG", "TERM"}
)
"""Names a runner or shell already gives a meaning to (plus every ``GITHUB_``/``RUNNER_``…)."""
_RESERVED_PREFIXES = ("GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "BASH", "LC_")


def base_name(expression: str) -> str:
    """The variable name an expression's value is passed in (before clash avoidance).

    ``github.event.pull_request.title`` → ``PR_TITLE``, ``github.head_ref`` → ``HEAD_REF``,
    ``github.event.issue.body`` → ``ISSUE_BODY``, ``toJSON(github.event)`` → ``EVENT_JSON``;
    otherwise the last part of the untrusted path, upper-cased.
    """
    tojson = _TOJSON.search(expression)
    paths = [m.group(0) for m in _PATH.finditer(expression)]
    path = next((p for p in paths if is_untrusted(p)), None)
    if path is None and tojson is not None:
        return "EVENT_JSON" if tojson.group(1) else "CONTEXT_JSON"
    if path is None:
        return "UNTRUSTED_VALUE"
    if path.startswith("github.head_ref"):
        return "HEAD_REF"
    rest = re.sub(r"\[[^\]]*\]|\.\*", "", path.removeprefix("github.event."))
    for suffix, name in _NAMES.items():
        if rest == suffix or rest.endswith("." + suffix):
            return name
    last = re.sub(r"[^A-Za-z0-9_]", "_", rest.rsplit(".", 1)[-1]).upper()
    return last if re.match(r"[A-Z_]", last) else f"VALUE_{last}"


def free_name(base: str, taken: set[str]) -> str:
    """``base``, or ``base_2``, ``base_3``…: the first not in ``taken`` (upper-cased names);
    a name the runner reserves gets an ``UNTRUSTED_`` prefix first."""
    if base.upper() in RESERVED or base.upper().startswith(_RESERVED_PREFIXES):
        base = f"UNTRUSTED_{base}"
    candidate, number = base, 1
    while candidate.upper() in taken:
        number += 1
        candidate = f"{base}_{number}"
    return candidate


def yaml_value(text: str) -> str:
    """``text`` as a YAML scalar for an ``env:`` entry: plain when it reads back the same."""
    try:
        loaded = YAML(typ="safe", pure=True).load(f"k: {text}\n")
    except Exception:  # not a valid plain scalar
        loaded = None
    if isinstance(loaded, dict) and loaded.get("k") == text:
        return text
    return "'" + text.replace("'", "''") + "'"


# -- bash --------------------------------------------------------------------------------------


def _bash(script: str) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    stack = ["code"]  # code | sub ($(…), (…)) | bt (`…`) | dq | sq | ansi ($'…') | comment
    heredocs: list[tuple[str, bool, bool]] = []  # (delimiter, quoted, strip tabs)
    i, n = 0, len(script)
    word_start = True
    while i < n:
        state = stack[-1]
        if script.startswith("${{", i):
            close = script.find("}}", i + 3)
            if close < 0:
                break
            found[i] = _BASH_LITERAL.get(state)
            i, word_start = close + 2, False
            continue
        c = script[i]
        if state == "comment":
            if c == "\n":
                stack.pop()
            else:
                i += 1
            continue
        if state in ("sq", "ansi"):
            if c == "\\" and state == "ansi":
                i += 2
                continue
            if c == "'":
                stack.pop()
            i += 1
            continue
        if state == "dq":
            if c == "\\":
                i += 2
            elif c == '"':
                stack.pop()
                i += 1
            elif script.startswith("$(", i):
                stack.append("sub")
                i += 2
            else:
                if c == "`":
                    stack.append("bt")
                i += 1
            continue
        # Shell code: top level, inside $(…)/(…), inside `…`.
        if c == "\\":
            i, word_start = i + 2, False
            continue
        if c == "#" and word_start:
            stack.append("comment")
            continue
        if script.startswith("$'", i):
            stack.append("ansi")
            i, word_start = i + 2, False
            continue
        if script.startswith("$(", i):
            stack.append("sub")
            i, word_start = i + 2, True
            continue
        if script.startswith("<<<", i):  # a here-string: an ordinary word follows
            i, word_start = i + 3, True
            continue
        if script.startswith("<<", i):
            match = _HEREDOC.match(script, i)
            if match is not None:
                word = match.group(2)
                delimiter = re.sub(r"\\(.)|['\"]", r"\1", word)
                heredocs.append((delimiter, any(q in word for q in "'\"\\"), bool(match.group(1))))
                i, word_start = match.end(), False
                continue
        if c == "\n" and heredocs:
            i = _heredoc_bodies(script, i + 1, heredocs, found)
            heredocs.clear()
            word_start = True
            continue
        if c == "'":
            stack.append("sq")
        elif c == '"':
            stack.append("dq")
        elif c == "(":
            stack.append("sub")
        elif c == ")" and state == "sub":
            stack.pop()
        elif c == "`":
            if state == "bt":
                stack.pop()
            else:
                stack.append("bt")
        word_start = c in " \t\n;&|()`"
        i += 1
    return found


def _heredoc_bodies(
    script: str, pos: int, heredocs: list[tuple[str, bool, bool]], found: dict[int, str | None]
) -> int:
    """Record the expressions of the here-documents starting at ``pos``; returns where the
    script goes on (after the last delimiter line)."""
    n = len(script)
    for delimiter, quoted, strip_tabs in heredocs:
        while pos < n:
            eol = script.find("\n", pos)
            eol = n if eol < 0 else eol
            line = script[pos:eol]
            if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                pos = eol + 1
                break
            at = script.find("${{", pos, eol)
            while at >= 0:
                found[at] = "inside a quoted here-document" if quoted else None
                close = script.find("}}", at + 3)
                if close < 0:
                    return n
                at = script.find("${{", close + 2, eol)
            pos = eol + 1
    return min(pos, n)


# -- PowerShell --------------------------------------------------------------------------------


def _pwsh(script: str) -> dict[int, str | None]:
    found: dict[int, str | None] = {}
    stack = ["code"]  # code | sub | dq | sq | hdq (@"…"@) | hsq (@'…'@) | comment | block
    i, n = 0, len(script)
    while i < n:
        state = stack[-1]
        if script.startswith("${{", i):
            close = script.find("}}", i + 3)
            if close < 0:
                break
            found[i] = _PWSH_LITERAL.get(state)
            i = close + 2
            continue
        c = script[i]
        line_start = i == 0 or script[i - 1] == "\n"
        following = script[i + 1] if i + 1 < n else ""
        if state == "comment":
            if c == "\n":
                stack.pop()
            i += 1
            continue
        if state == "block":
            if script.startswith("#>", i):
                stack.pop()
                i += 1
            i += 1
            continue
        if state == "sq":
            if c in _PWSH_SINGLE:
                if following in _PWSH_SINGLE:
                    i += 1
                else:
                    stack.pop()
            i += 1
            continue
        if state == "hsq":
            if line_start and script.startswith("'@", i):
                stack.pop()
                i += 1
            i += 1
            continue
        if state in ("dq", "hdq"):
            if c == "`":
                i += 2
                continue
            if state == "dq" and c in _PWSH_DOUBLE:
                if following in _PWSH_DOUBLE:
                    i += 1
                else:
                    stack.pop()
            elif state == "hdq" and line_start and script.startswith('"@', i):
                stack.pop()
                i += 1
            elif script.startswith("$(", i):
                stack.append("sub")
                i += 1
            i += 1
            continue
        # Code: top level or inside $(…)/(…).
        if c == "`":
            i += 2
            continue
        if script.startswith("<#", i):
            stack.append("block")
            i += 2
            continue
        if c == "#":
            stack.append("comment")
        elif script.startswith("@'", i) and script[i + 2 : i + 3] in ("\n", "\r"):
            stack.append("hsq")
            i += 1
        elif script.startswith('@"', i) and script[i + 2 : i + 3] in ("\n", "\r"):
            stack.append("hdq")
            i += 1
        elif c in _PWSH_SINGLE:
            stack.append("sq")
        elif c in _PWSH_DOUBLE:
            stack.append("dq")
        elif c == "(":
            stack.append("sub")
        elif c == ")" and state == "sub":
            stack.pop()
        i += 1
    return found
