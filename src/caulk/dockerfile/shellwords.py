"""A small shell reader for Dockerfile ``RUN`` rules: simple commands, arguments, pipes.

hadolint's rules look at ShellCheck's AST through a few questions: which commands run (the
first word of each simple command, nested ones in ``$(...)``, backticks and subshells
included), with which arguments (quotes removed, expansions kept as ``${...}``), which flags
(``getAllFlags``: ``--name[=v]`` gives ``name``, ``-abc`` gives ``a``, ``b``, ``c``), and
whether a pipe appears (reference: hadolint ``src/Hadolint/Shell.hs``). This module answers
the same questions without a full bash grammar: it splits on control operators, skips
assignments, redirections and their targets, reserved words and heredoc bodies, and records
each command's offset in the script so findings can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

_RESERVED = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "do",
        "done",
        "while",
        "until",
        "case",
        "esac",
        "for",
        "select",
        "function",
        "{",
        "}",
        "!",
        "time",
        "in",
        "[[",
        "]]",
    }
)
_SEPARATORS = frozenset({"&&", "||", "|", "|&", ";", ";;", "&", "(", ")", "\n"})
_REDIRECTS = frozenset({">", ">>", ">|", "<", "<>", ">&", "<&", "&>", "&>>", "<<<", "<<", "<<-"})


@dataclass(frozen=True)
class Command:
    """One simple command."""

    name: str
    args: tuple[str, ...]
    start: int
    """Offset of the command name in the script."""
    end: int
    """Offset just past the command's last word."""
    piped: bool = False
    """Whether its standard input is the previous command's output (``a | b``)."""

    @property
    def flags(self) -> tuple[str, ...]:
        """hadolint ``getAllFlags``."""
        out: list[str] = []
        for arg in self.args:
            if arg in ("--", "-"):
                continue
            if arg.startswith("--"):
                out.append(arg[2:].split("=", 1)[0])
            elif arg.startswith("-"):
                out.extend(arg[1:])
        return tuple(out)

    def has_flag(self, flag: str) -> bool:
        return flag in self.flags

    def has_arg(self, *values: str) -> bool:
        """hadolint ``cmdHasArgs``: any argument equal to one of ``values``."""
        return any(a in values for a in self.args)

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]

    def non_flag_args(self) -> list[str]:
        return [a for a in self.args if not a.startswith("-")]


@dataclass
class Script:
    """The commands of a script and whether it has a pipe."""

    text: str
    commands: list[Command] = field(default_factory=list)
    has_pipe: bool = False
    complete: bool = True
    """False when a quote or substitution was left open."""

    def named(self, *names: str) -> list[Command]:
        return [c for c in self.commands if c.basename in names]


@dataclass
class _Tok:
    kind: str  # "word" or "op"
    value: str
    start: int
    end: int
    raw: str = ""


def parse_script(text: str) -> Script:
    """Read ``text`` as a POSIX/bash script; never raises."""
    script = Script(text)
    try:
        _Reader(text, 0, script).run()
    except RecursionError:
        script.complete = False
    script.commands.sort(key=lambda c: c.start)
    return script


class _Reader:
    def __init__(self, text: str, base: int, script: Script) -> None:
        self.text = text
        self.base = base
        self.script = script

    def run(self) -> None:
        tokens = self._tokens()
        self._commands(tokens)

    # -- tokens ---------------------------------------------------------------------------

    def _tokens(self) -> list[_Tok]:
        text = self.text
        n = len(text)
        toks: list[_Tok] = []
        i = 0
        pending_heredocs: list[tuple[str, bool]] = []
        expect_heredoc_word: bool | None = None
        while i < n:
            ch = text[i]
            if ch == "\\" and i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            if ch in " \t\r":
                i += 1
                continue
            if ch == "\n":
                toks.append(_Tok("op", "\n", i, i + 1))
                i += 1
                if pending_heredocs:
                    i = self._skip_heredocs(i, pending_heredocs)
                    pending_heredocs = []
                continue
            if ch == "#":
                nl = text.find("\n", i)
                i = n if nl < 0 else nl
                continue
            op = self._operator(i)
            if op:
                # Process substitution <( ... ) and >( ... ) is a word.
                if op in ("<", ">") and i + 1 < n and text[i + 1] == "(":
                    start = i
                    i = self._word_end(i)
                    toks.append(_Tok("word", "${VAR}", start, i, text[start:i]))
                    continue
                toks.append(_Tok("op", op, i, i + len(op)))
                if op in ("<<", "<<-"):
                    expect_heredoc_word = op == "<<-"
                i += len(op)
                continue
            start = i
            end = self._word_end(i)
            raw = text[start:end]
            value = self._word_value(raw, start)
            if expect_heredoc_word is not None:
                pending_heredocs.append((value, expect_heredoc_word))
                expect_heredoc_word = None
            toks.append(_Tok("word", value, start, end, raw))
            i = end if end > start else start + 1
        return toks

    def _operator(self, i: int) -> str:
        text = self.text
        j = i
        while j < len(text) and text[j].isdigit():
            j += 1
        if j > i and j < len(text) and text[j] in "<>":
            op = self._operator(j)
            return text[i:j] + op if op else ""
        for op in (
            "&>>",
            "<<<",
            "<<-",
            "&&",
            "||",
            "|&",
            ";;",
            ">>",
            ">|",
            "<>",
            ">&",
            "<&",
            "&>",
            "<<",
            "|",
            "&",
            ";",
            "(",
            ")",
            "<",
            ">",
        ):
            if text.startswith(op, i):
                return op
        return ""

    def _skip_heredocs(self, i: int, pending: list[tuple[str, bool]]) -> int:
        text = self.text
        for delimiter, strip_tabs in pending:
            while i < len(text):
                nl = text.find("\n", i)
                end = len(text) if nl < 0 else nl
                line = text[i:end].rstrip("\r")
                i = end + 1
                if (line.lstrip("\t") if strip_tabs else line) == delimiter:
                    break
        return min(i, len(text))

    def _matching(self, i: int, open_: str, close: str) -> int:
        """Index just past the ``close`` matching the ``open_`` at ``i``."""
        text = self.text
        depth = 0
        j = i
        while j < len(text):
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == "'" and open_ != "{":
                k = text.find("'", j + 1)
                j = len(text) if k < 0 else k + 1
                continue
            if c == '"':
                j = self._dquote_end(j)
                continue
            if c == open_:
                depth += 1
            elif c == close:
                depth -= 1
                if depth == 0:
                    return j + 1
            j += 1
        self.script.complete = False
        return len(text)

    def _dquote_end(self, i: int) -> int:
        text = self.text
        j = i + 1
        while j < len(text):
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == '"':
                return j + 1
            if c == "$" and text.startswith("$(", j):
                j = self._matching(j + 1, "(", ")")
                continue
            if c == "`":
                k = text.find("`", j + 1)
                j = len(text) if k < 0 else k + 1
                continue
            j += 1
        self.script.complete = False
        return len(text)

    def _word_end(self, i: int) -> int:
        text = self.text
        n = len(text)
        j = i
        while j < n:
            c = text[j]
            if c in " \t\r\n;&|":
                return j
            if c in "()":
                if j > i and text[j - 1] in "$<>" and c == "(":
                    j = self._matching(j, "(", ")")
                    continue
                return j
            if c in "<>" and not (j + 1 < n and text[j + 1] == "("):
                return j
            if c in "<>":
                j = self._matching(j + 1, "(", ")")
                continue
            if c == "\\":
                j += 2
                continue
            if c == "'":
                k = text.find("'", j + 1)
                if k < 0:
                    self.script.complete = False
                    return n
                j = k + 1
                continue
            if c == '"':
                j = self._dquote_end(j)
                continue
            if c == "`":
                k = text.find("`", j + 1)
                if k < 0:
                    self.script.complete = False
                    return n
                j = k + 1
                continue
            if c == "$" and j + 1 < n and text[j + 1] == "{":
                j = self._matching(j + 1, "{", "}")
                continue
            j += 1
        return n

    def _word_value(self, raw: str, offset: int) -> str:
        """Quotes removed, escapes applied, substitutions read and kept as ``${...}``."""
        out: list[str] = []
        i = 0
        n = len(raw)
        while i < n:
            c = raw[i]
            if c == "\\":
                if i + 1 < n:
                    out.append(raw[i + 1])
                i += 2
            elif c == "'":
                k = raw.find("'", i + 1)
                k = n if k < 0 else k
                out.append(raw[i + 1 : k])
                i = k + 1
            elif c == '"':
                i += 1
                while i < n and raw[i] != '"':
                    if raw[i] == "\\" and i + 1 < n and raw[i + 1] in '"\\$`\n':
                        out.append(raw[i + 1])
                        i += 2
                    elif raw[i] == "$" or raw[i] == "`":
                        i = self._substitution(raw, i, offset, out)
                    else:
                        out.append(raw[i])
                        i += 1
                i += 1
            elif c in "$`" or (c in "<>" and i + 1 < n and raw[i + 1] == "("):
                i = self._substitution(raw, i, offset, out)
            else:
                out.append(c)
                i += 1
        return "".join(out)

    def _substitution(self, raw: str, i: int, offset: int, out: list[str]) -> int:
        n = len(raw)
        if raw[i] == "`":
            k = raw.find("`", i + 1)
            k = n if k < 0 else k
            self._nested(raw[i + 1 : k], offset + i + 1)
            out.append("${VAR}")
            return k + 1
        if raw[i] in "<>":
            end = _match_in(raw, i + 1, "(", ")")
            self._nested(raw[i + 2 : end - 1], offset + i + 2)
            out.append("${VAR}")
            return end
        # raw[i] == "$"
        if raw.startswith("$((", i):
            end = _match_in(raw, i + 1, "(", ")")
            out.append("${VAR}")
            return end
        if raw.startswith("$(", i):
            end = _match_in(raw, i + 1, "(", ")")
            self._nested(raw[i + 2 : end - 1], offset + i + 2)
            out.append("${VAR}")
            return end
        if raw.startswith("${", i):
            end = _match_in(raw, i + 1, "{", "}")
            out.append(raw[i:end])
            return end
        if raw.startswith("$'", i):
            k = raw.find("'", i + 2)
            k = n if k < 0 else k
            out.append(raw[i + 2 : k])
            return k + 1
        j = i + 1
        if j < n and (raw[j].isalnum() or raw[j] == "_"):
            while j < n and (raw[j].isalnum() or raw[j] == "_"):
                j += 1
            out.append("${" + raw[i + 1 : j] + "}")
            return j
        if j < n and raw[j] in "@*#?$!-":
            out.append("${" + raw[j] + "}")
            return j + 1
        out.append("$")
        return j

    def _nested(self, inner: str, offset: int) -> None:
        _Reader(inner, self.base + offset, self.script).run()

    # -- commands -------------------------------------------------------------------------

    def _commands(self, toks: list[_Tok]) -> None:
        words: list[_Tok] = []
        piped = False
        skip_next = False
        for tok in toks:
            if tok.kind == "op":
                if tok.value in _SEPARATORS:
                    self._emit(words, piped)
                    words = []
                    piped = tok.value in ("|", "|&")
                    if piped:
                        self.script.has_pipe = True
                elif tok.value.lstrip("0123456789") in _REDIRECTS:
                    skip_next = True
                continue
            if skip_next:
                skip_next = False
                continue
            words.append(tok)
        self._emit(words, piped)

    def _emit(self, words: list[_Tok], piped: bool) -> None:
        i = 0
        # Reserved words and assignments before the command name.
        while i < len(words):
            w = words[i]
            if w.raw in _RESERVED:
                if w.raw in ("for", "select", "case"):
                    return
                i += 1
                continue
            if _is_assignment(w.raw):
                i += 1
                continue
            break
        if i >= len(words):
            return
        name = words[i]
        if len(words) > i + 1 and words[i + 1].raw == "()":
            return
        self.script.commands.append(
            Command(
                name=name.value,
                args=tuple(w.value for w in words[i + 1 :]),
                start=self.base + name.start,
                end=self.base + words[-1].end,
                piped=piped,
            )
        )


def _is_assignment(raw: str) -> bool:
    name, eq, _ = raw.partition("=")
    if not eq or not name:
        return False
    name = name.removesuffix("+")
    return (name[0].isalpha() or name[0] == "_") and all(c.isalnum() or c == "_" for c in name)


def _match_in(raw: str, i: int, open_: str, close: str) -> int:
    depth = 0
    j = i
    while j < len(raw):
        c = raw[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and open_ == "(":
            k = raw.find("'", j + 1)
            j = len(raw) if k < 0 else k + 1
            continue
        if c == open_:
            depth += 1
        elif c == close:
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    return len(raw)
