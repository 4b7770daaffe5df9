"""A bash parser that builds the part of mvdan.cc/sh's syntax tree Scorecard's analysis reads.

OpenSSF Scorecard parses shell code with ``mvdan.cc/sh/v3/syntax`` (v3.12.0, bash dialect) and
then only looks at a few node kinds: statements and their redirections, simple commands
(``CallExpr``) with their argument words, pipes/``&&``/``||`` (``BinaryCmd``) and the
statements nested in command and process substitutions. This module parses the bash grammar
with exact source offsets and keeps just that: compound commands (``if``, loops, ``case``,
functions, blocks, subshells, ``[[ ]]``, arithmetic) are parsed for their structure and
nested statements but not modelled in detail.

What matters for Scorecard-compatible results is copied from mvdan's lexer, because Scorecard
only keeps words made of *exactly one* part:

* a literal run is one ``Lit`` part; backslash escapes stay in its value, ``\\<newline>`` line
  continuations are dropped from it; a ``[`` after the first character starts a new ``Lit``
  (mvdan splits there to spot ``a[i]=x``), so ``pkg[extra]`` is two parts;
* ``'…'`` and ``$'…'`` are ``SglQuoted``; ``"…"``/``$"…"`` are ``DblQuoted`` whose literal runs
  are split by a ``\\<newline>``; ``$x``, ``${…}``, ``$(…)``, backquotes, ``$((…))``, ``<(…)``,
  ``>(…)`` and extended globs are their own parts, and a lone ``$`` is a separate ``Lit``;
* pipes and ``&&``/``||`` lists are left-associative (``a | b | c`` is ``(a | b) | c``).

Syntax errors raise :class:`ShellSyntaxError` (mvdan's messages, approximately); the caller
turns them into Scorecard's uncounted processing errors. Deliberate simplifications: the
contents of ``[[ ]]``, ``$(( ))``, ``(( ))`` and ``${ }`` are not checked for syntax errors
(mvdan parses them fully), only scanned for nested substitutions.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# -- syntax tree ---------------------------------------------------------------------------
# Plain classes with __slots__ rather than dataclasses: they import ten times faster, and an
# audit pays every millisecond of start-up.


class Lit:
    """A literal run; ``value`` is the raw source text (escapes kept, continuations dropped)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"Lit({self.value!r})"


class SglQuoted:
    """``'…'`` or ``$'…'``; ``value`` is the text between the quotes, ``start`` its offset."""

    __slots__ = ("start", "value")

    def __init__(self, value: str, start: int) -> None:
        self.value = value
        self.start = start


class DblQuoted:
    """``"…"`` or ``$"…"``; ``start`` is the offset of the first character inside."""

    __slots__ = ("parts", "start")

    def __init__(self, parts: list[Part], start: int) -> None:
        self.parts = parts
        self.start = start


class ParamExp:
    """``$x``, ``${…}``; ``parts`` holds substitutions nested in ``${…}`` (for walking)."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Part] | None = None) -> None:
        self.parts: list[Part] = parts if parts is not None else []


class ArithmExp:
    """``$((…))`` or ``$[…]``; ``parts`` holds nested substitutions."""

    __slots__ = ("parts",)

    def __init__(self, parts: list[Part]) -> None:
        self.parts = parts


class CmdSubst:
    """``$(…)`` or a backquoted command."""

    __slots__ = ("stmts",)

    def __init__(self, stmts: list[Stmt]) -> None:
        self.stmts = stmts


class ProcSubst:
    """``<(…)`` or ``>(…)``."""

    __slots__ = ("op", "stmts")

    def __init__(self, op: str, stmts: list[Stmt]) -> None:
        self.op = op
        self.stmts = stmts


class ExtGlob:
    """``@(…)``, ``?(…)``, ``*(…)``, ``+(…)``, ``!(…)``."""

    __slots__ = ("pattern",)

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern


Part = Lit | SglQuoted | DblQuoted | ParamExp | ArithmExp | CmdSubst | ProcSubst | ExtGlob


class Word:
    """A shell word: its parts and ``[start, end)`` offsets in the parsed text."""

    __slots__ = ("end", "parts", "start")

    def __init__(self, parts: list[Part], start: int, end: int) -> None:
        self.parts = parts
        self.start = start
        self.end = end


class Redirect:
    """A redirection: ``op`` is mvdan's operator text (``>``, ``>>``, ``<<``, ``&>`` …)."""

    __slots__ = ("fd", "hdoc", "op", "word")

    def __init__(self, op: str, fd: str | None, word: Word) -> None:
        self.op = op
        self.fd = fd
        self.word = word
        self.hdoc: Word | None = None


class Assign:
    """``name=value`` or ``name=(elems…)``; only the words matter (they are walked)."""

    __slots__ = ("array", "value")

    def __init__(self, value: Word | None, array: list[Word] | None = None) -> None:
        self.value = value
        self.array: list[Word] = array if array is not None else []


class CallExpr:
    """A simple command; ``start``/``end`` span its assignments and words (not redirects)."""

    __slots__ = ("args", "assigns", "end", "start")

    def __init__(self, assigns: list[Assign], args: list[Word], start: int, end: int) -> None:
        self.assigns = assigns
        self.args = args
        self.start = start
        self.end = end


class BinaryCmd:
    """``x | y``, ``x |& y``, ``x && y`` or ``x || y``."""

    __slots__ = ("op", "x", "y")

    def __init__(self, op: str, x: Stmt, y: Stmt) -> None:
        self.op = op
        self.x = x
        self.y = y


class Compound:
    """Any other command; ``children`` are its statements and words in mvdan's walk order."""

    __slots__ = ("children", "kind")

    def __init__(self, kind: str, children: list[Stmt | Word]) -> None:
        self.kind = kind
        self.children = children


Command = CallExpr | BinaryCmd | Compound


class Stmt:
    """A statement: a command (or none, for a bare redirection) and its redirections.

    ``terminated`` is true when ``;`` or ``&`` ended it (mvdan's ``Semicolon`` is valid).
    """

    __slots__ = ("cmd", "end", "redirs", "start", "terminated")

    def __init__(self, cmd: Command | None, redirs: list[Redirect], start: int, end: int = 0):
        self.cmd = cmd
        self.redirs = redirs
        self.start = start
        self.end = end
        self.terminated = False


class ShellSyntaxError(Exception):
    """A parse failure at ``offset`` of the parsed text."""

    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


# -- lexical helpers -----------------------------------------------------------------------

_BREAK = frozenset(" \t\r\n;&|()<>")
_LIT_RUN = re.compile(r"[^ \t\r\n;&|()<>'\"`$\\\[?*+@!]+")
_LITWORD = re.compile(r"[^ \t\r\n;&|()<>'\"`$\\]+")
_REDIR = re.compile(r"(\d+|\{[A-Za-z_][A-Za-z0-9_]*\})?(&>>|&>|<<<|<<-|<<|<>|<&|>>|>&|>\||<|>)")
_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\+?=|\[)")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SINGLE_PARAM = frozenset("@*#$?!-0123456789")
_GLOB_OPS = frozenset("?*+@!")
_DQ_RUN = re.compile(r"[^\"\\$`]+")
_HDOC_RUN = re.compile(r"[^\\$`]+")

_TOP, _SUB, _CASE = 0, 1, 2
"""Contexts: top level, inside ``( )``/``$( )``/``<( )`` (``)`` closes), a ``case`` item."""

_COMPOUND_STARTS = frozenset(
    {"{", "if", "while", "until", "for", "case", "[[", "function", "select", "coproc", "time"}
)
_MISPLACED = {
    "}": '"}" can only be used to close a block',
    "then": '"then" can only be used in an if',
    "elif": '"elif" can only be used in an if',
    "fi": '"fi" can only be used to end an if',
    "do": '"do" can only be used in a loop',
    "done": '"done" can only be used to end a loop',
    "esac": '"esac" can only be used to end a case',
    "]]": '"]]" can only be used to close a test',
}
_DECL = frozenset({"declare", "local", "export", "readonly", "typeset", "nameref"})

MAX_DEPTH = 100
"""Nesting deeper than this is reported as a syntax error instead of exhausting the stack."""


class _Heredoc:
    __slots__ = ("delimiter", "offset", "quoted", "redirect", "strip_tabs")

    def __init__(
        self, redirect: Redirect, delimiter: str, quoted: bool, strip_tabs: bool, offset: int
    ) -> None:
        self.redirect = redirect
        self.delimiter = delimiter
        self.quoted = quoted
        self.strip_tabs = strip_tabs
        self.offset = offset


class _Parser:
    """Recursive descent over ``text``; offsets are mapped through ``origin`` when given."""

    def __init__(self, text: str, origin: Sequence[int] | None = None, depth: int = 0) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.origin = origin
        self.depth = depth
        self.pending: list[_Heredoc] = []

    # -- positions and errors ------------------------------------------------------------

    def pos(self, i: int) -> int:
        if self.origin is None:
            return i
        return self.origin[i] if i < len(self.origin) else self.origin[-1] + 1

    def error(self, message: str, at: int | None = None) -> ShellSyntaxError:
        return ShellSyntaxError(self.pos(self.i if at is None else at), message)

    def tok_name(self) -> str:
        """mvdan's name for the token at the cursor, for error messages."""
        if self.i >= self.n:
            return "EOF"
        for op in (";;&", ";;", ";&", "&&", "||", "|&", "((", "))"):
            if self.s.startswith(op, self.i):
                return op
        c = self.s[self.i]
        if c == "\n":
            return "newline"
        return c

    # -- scanning ------------------------------------------------------------------------

    def skip_blanks(self) -> None:
        """Skip blanks, line continuations and a comment (never a newline)."""
        s, n = self.s, self.n
        i = self.i
        while i < n:
            c = s[i]
            if c in " \t\r":
                i += 1
            elif c == "\\" and i + 1 < n and s[i + 1] == "\n":
                i += 2
            elif c == "#":
                j = s.find("\n", i)
                i = n if j < 0 else j
            else:
                break
        self.i = i

    def skip_space_nl(self) -> bool:
        """Skip blanks, comments and newlines (reading pending heredocs); True if a newline."""
        got = False
        while True:
            self.skip_blanks()
            if self.i < self.n and self.s[self.i] == "\n":
                self.newline()
                got = True
            else:
                return got

    def newline(self) -> None:
        self.i += 1
        if self.pending:
            docs, self.pending = self.pending, []
            for doc in docs:
                self.read_heredoc(doc)

    def read_heredoc(self, doc: _Heredoc) -> None:
        s, n = self.s, self.n
        start = i = self.i
        while True:
            j = s.find("\n", i)
            end = n if j < 0 else j
            line = s[i:end]
            if doc.strip_tabs:
                line = line.lstrip("\t")
            if line == doc.delimiter:
                body_end = i
                self.i = n if j < 0 else j + 1
                break
            if j < 0:
                raise ShellSyntaxError(
                    self.pos(doc.offset), f"unclosed here-document '{doc.delimiter}'"
                )
            i = j + 1
        body = s[start:body_end]
        parts: list[Part] = []
        if body and not doc.quoted:
            sub = self.sub(body, start)
            parts = sub.unquoted_body()
        elif body:
            parts = [Lit(body)]
        doc.redirect.hdoc = Word(parts, self.pos(start), self.pos(body_end))

    def sub(self, text: str, start: int) -> _Parser:
        """A parser for ``self.s[start:start+len(text)]`` (same offsets)."""
        if self.depth >= MAX_DEPTH:
            raise self.error("nesting too deep", start)
        origin: Sequence[int]
        if self.origin is None:
            origin = range(start, start + len(text) + 1)
        else:
            origin = [self.pos(k) for k in range(start, start + len(text) + 1)]
        return _Parser(text, origin, self.depth + 1)

    def peek_litword(self) -> str | None:
        """The token at the cursor if it is one whole literal word (a reserved-word candidate)."""
        m = _LITWORD.match(self.s, self.i)
        if m is None:
            return None
        end = m.end()
        if end < self.n and self.s[end] not in _BREAK:
            return None
        word = m.group()
        if (
            word[-1] in _GLOB_OPS
            and end < self.n
            and self.s[end] == "("
            and not self.s.startswith("()", end)
        ):
            return None
        if "[" in word[1:] and word[0] != "[":
            return None
        return word

    def at_redirect(self) -> re.Match[str] | None:
        m = _REDIR.match(self.s, self.i)
        if m is None:
            return None
        op = m.group(2)
        if op in ("<", ">") and m.end() < self.n and self.s[m.end()] == "(":
            return None
        return m

    def at_stop(self) -> bool:
        """mvdan's ``stopToken``: the end of a simple command's words."""
        if self.i >= self.n:
            return True
        c = self.s[self.i]
        if c in "\n;|)":
            return True
        return c == "&" and not self.s.startswith("&>", self.i)

    # -- statements ------------------------------------------------------------------------

    def parse(self) -> list[Stmt]:
        stmts = self.stmt_list((), _TOP)
        if self.i < self.n:
            raise self.error(self.invalid_start())
        if self.pending:
            doc = self.pending[0]
            raise ShellSyntaxError(
                self.pos(doc.offset), f"unclosed here-document '{doc.delimiter}'"
            )
        return stmts

    def invalid_start(self) -> str:
        tok = self.tok_name()
        if tok in (";", "&", "|", "&&", "||"):
            return f"{tok} can only immediately follow a statement"
        if tok == ")":
            return ") can only be used to close a subshell"
        if tok in (";;", ";&", ";;&"):
            return f"{tok} can only be used in a case clause"
        return f"{tok} is not a valid start for a statement"

    def stmt_list(self, stops: tuple[str, ...], ctx: int) -> list[Stmt]:
        stmts: list[Stmt] = []
        got_end = True
        s = self.s
        while True:
            newline = self.skip_space_nl()
            if self.i >= self.n:
                break
            c = s[self.i]
            if c == ")" and ctx == _SUB:
                break
            if c == ";" and s.startswith((";;", ";&"), self.i):
                if ctx == _CASE:
                    break
                raise self.error(f"{self.tok_name()} can only be used in a case clause")
            if stops and self.peek_litword() in stops:
                break
            if not newline and not got_end:
                raise self.error("statements must be separated by &, ; or a newline")
            stmt = self.get_stmt(ctx, read_end=True, bin_cmd=False)
            if stmt is None:
                raise self.error(self.invalid_start())
            got_end = stmt.terminated
            stmts.append(stmt)
        return stmts

    def get_stmt(self, ctx: int, *, read_end: bool, bin_cmd: bool) -> Stmt | None:
        start = self.i
        negated = False
        if self.peek_litword() == "!":
            self.i += 1
            negated = True
            self.skip_blanks()
            if self.at_stop():
                raise self.error('"!" cannot form a statement alone', start)
            if self.peek_litword() == "!":
                raise self.error("cannot negate a command multiple times", start)
        stmt = self.stmt_pipe(ctx, start, bin_cmd=False)
        if stmt is None:
            if negated:
                raise self.error('"!" cannot form a statement alone', start)
            return None
        while True:
            self.skip_blanks()
            op = self.s[self.i : self.i + 2]
            if op not in ("&&", "||"):
                break
            if bin_cmd:
                return stmt
            op_at = self.i
            self.i += 2
            self.skip_space_nl()
            y = self.get_stmt(ctx, read_end=False, bin_cmd=True)
            if y is None:
                raise self.error(f"{op} must be followed by a statement", op_at)
            stmt = Stmt(BinaryCmd(op, stmt, y), [], stmt.start, y.end)
        if read_end:
            self.skip_blanks()
            if self.i < self.n:
                c = self.s[self.i]
                semicolon = c == ";" and not self.s.startswith((";;", ";&"), self.i)
                background = c == "&" and not self.s.startswith(("&&", "&>"), self.i)
                if semicolon or background:
                    self.i += 1
                    stmt.terminated = True
        return stmt

    def stmt_pipe(self, ctx: int, start: int, *, bin_cmd: bool) -> Stmt | None:
        stmt = Stmt(None, [], self.pos(start))
        self.command(stmt, ctx)
        if stmt.cmd is None and not stmt.redirs:
            return None
        while True:
            self.skip_blanks()
            if self.at_redirect():
                self.redirect(stmt)
                continue
            break
        stmt.end = self.pos(self.i)
        while True:
            self.skip_blanks()
            if self.i >= self.n or self.s[self.i] != "|" or self.s.startswith("||", self.i):
                break
            if bin_cmd:
                return stmt
            op = "|&" if self.s.startswith("|&", self.i) else "|"
            op_at = self.i
            self.i += len(op)
            self.skip_space_nl()
            y = self.stmt_pipe(ctx, self.i, bin_cmd=True)
            if y is None:
                raise self.error(f"{op} must be followed by a statement", op_at)
            stmt = Stmt(BinaryCmd(op, stmt, y), [], stmt.start, y.end)
        return stmt

    def command(self, stmt: Stmt, ctx: int) -> None:
        self.skip_blanks()
        if self.i >= self.n:
            return
        if self.depth >= MAX_DEPTH:
            raise self.error("nesting too deep")
        self.depth += 1
        try:
            self._command(stmt, ctx)
        finally:
            self.depth -= 1

    def _command(self, stmt: Stmt, ctx: int) -> None:
        s = self.s
        c = s[self.i]
        if self.at_redirect():
            self.redirect(stmt)
            self.call_expr(stmt, ctx, None)
            return
        kw = self.peek_litword()
        if kw is not None:
            if kw in _MISPLACED:
                raise self.error(_MISPLACED[kw])
            handler = _KEYWORDS.get(kw)
            if handler is not None:
                stmt.cmd = handler(self, ctx)
                return
            if kw == "!":
                raise self.error('"!" can only be used in full statements')
            if _ASSIGN.match(s, self.i):
                self.call_expr(stmt, ctx, None)
                return
            word = self.word()
            assert word is not None
            self.skip_blanks()
            if self.i < self.n and s[self.i] == "(" and not s.startswith("((", self.i):
                self.i += 1
                self.skip_blanks()
                if self.i >= self.n or s[self.i] != ")":
                    raise self.error("foo( must be followed by )")
                self.i += 1
                stmt.cmd = self.func_body(ctx, word)
                return
            self.call_expr(stmt, ctx, word)
            return
        if c == "(":
            if s.startswith("((", self.i):
                stmt.cmd = self.arithm_cmd()
            else:
                stmt.cmd = self.subshell()
            return
        if c in "\n;&|)":
            return
        if _ASSIGN.match(s, self.i):
            self.call_expr(stmt, ctx, None)
            return
        word = self.word()
        if word is None:
            return
        self.skip_blanks()
        if self.i < self.n and s[self.i] == "(" and not s.startswith("((", self.i):
            raise ShellSyntaxError(word.start, "invalid func name")
        self.call_expr(stmt, ctx, word)

    def call_expr(self, stmt: Stmt, ctx: int, first: Word | None) -> None:
        s = self.s
        assigns: list[Assign] = []
        args: list[Word] = [first] if first is not None else []
        start = first.start if first is not None else -1
        end = first.end if first is not None else -1
        while True:
            self.skip_blanks()
            if self.i >= self.n:
                break
            c = s[self.i]
            if c in "<>&" and self.at_redirect():
                self.redirect(stmt)
                continue
            if c in "\n;&|":
                break
            if c == ")":
                if ctx == _SUB:
                    break
                raise self.error("a command can only contain words and redirects; encountered )")
            if c == "(":
                if s.startswith("((", self.i):
                    raise self.error("(( can only be used to open an arithmetic cmd")
                raise self.error("a command can only contain words and redirects; encountered (")
            if c.isdigit() or c == "{":
                m = self.at_redirect()
                if m is not None:
                    self.redirect(stmt)
                    continue
            if not args and _ASSIGN.match(s, self.i):
                at = self.i
                assign = self.assignment()
                assigns.append(assign)
                if start < 0:
                    start = self.pos(at)
                end = self.pos(self.i)
                continue
            word = self.word()
            if word is None:
                raise self.error(f"a command can only contain words and redirects; encountered {c}")
            args.append(word)
            if start < 0:
                start = word.start
            end = word.end
        if assigns or args:
            stmt.cmd = CallExpr(assigns, args, start, end)

    def assignment(self) -> Assign:
        s = self.s
        m = _ASSIGN.match(s, self.i)
        assert m is not None
        at = self.i
        self.i = m.end()
        if m.group(1) == "[":
            depth = 1
            while self.i < self.n and depth:
                ch = s[self.i]
                depth += ch == "["
                depth -= ch == "]"
                self.i += 1
            if depth:
                raise self.error("reached EOF without matching [ with ]", at)
            if s.startswith("+=", self.i):
                self.i += 2
            elif s.startswith("=", self.i):
                self.i += 1
            else:
                raise self.error("a[b] must be followed by =", at)
        if self.i < self.n and s[self.i] == "(":
            self.i += 1
            elems: list[Word] = []
            while True:
                self.skip_space_nl()
                if self.i >= self.n:
                    raise self.error("reached EOF without matching ( with )", at)
                if s[self.i] == ")":
                    self.i += 1
                    return Assign(None, elems)
                word = self.word()
                if word is None:
                    raise self.error("array element values must be words")
                elems.append(word)
        if self.i >= self.n or s[self.i] in _BREAK:
            return Assign(None)
        return Assign(self.word())

    def redirect(self, stmt: Stmt) -> None:
        m = self.at_redirect()
        assert m is not None
        fd, op = m.group(1), m.group(2)
        at = self.i
        self.i = m.end()
        self.skip_blanks()
        word = self.word()
        if word is None:
            raise self.error(f"{op} must be followed by a word", at)
        redirect = Redirect(op, fd, word)
        stmt.redirs.append(redirect)
        if op in ("<<", "<<-"):
            delimiter, quoted = _heredoc_delimiter(word)
            self.pending.append(_Heredoc(redirect, delimiter, quoted, op == "<<-", at))

    # -- compound commands -----------------------------------------------------------------

    def keyword(self, kw: str) -> None:
        self.i += len(kw)

    def expect(self, kw: str, message: str, at: int) -> None:
        self.skip_space_nl()
        if self.peek_litword() != kw:
            raise self.error(message, at)
        self.i += len(kw)

    def follow_stmts(self, left: str, stops: tuple[str, ...], ctx: int, at: int) -> list[Stmt]:
        self.skip_blanks()
        if self.i < self.n and self.s[self.i] == ";" and not self.s.startswith(";;", self.i):
            self.i += 1
            return []
        newline = self.skip_space_nl()
        stmts = self.stmt_list(stops, ctx)
        if not stmts and not newline:
            raise self.error(f'"{left}" must be followed by a statement list', at)
        return stmts

    def block(self, ctx: int) -> Command:
        at = self.i
        self.keyword("{")
        stmts = self.stmt_list(("}",), ctx)
        if self.peek_litword() != "}":
            raise self.error(f"reached {self.tok_name()} without matching {{ with }}", at)
        self.i += 1
        return Compound("block", list(stmts))

    def subshell(self) -> Command:
        at = self.i
        self.i += 1
        stmts = self.stmt_list((), _SUB)
        if self.i >= self.n or self.s[self.i] != ")":
            raise self.error(f"reached {self.tok_name()} without matching ( with )", at)
        self.i += 1
        return Compound("subshell", list(stmts))

    def if_clause(self, ctx: int) -> Command:
        at = self.i
        self.keyword("if")
        children: list[Stmt | Word] = []
        children += self.follow_stmts("if", ("then",), ctx, at)
        self.expect("then", '"if <cond>" must be followed by "then"', at)
        children += self.follow_stmts("then", ("fi", "elif", "else"), ctx, at)
        while self.peek_litword() == "elif":
            elif_at = self.i
            self.keyword("elif")
            children += self.follow_stmts("elif", ("then",), ctx, elif_at)
            self.expect("then", '"elif <cond>" must be followed by "then"', elif_at)
            children += self.follow_stmts("then", ("fi", "elif", "else"), ctx, elif_at)
        if self.peek_litword() == "else":
            else_at = self.i
            self.keyword("else")
            children += self.follow_stmts("else", ("fi",), ctx, else_at)
        self.expect("fi", 'if statement must end with "fi"', at)
        return Compound("if", children)

    def while_clause(self, ctx: int) -> Command:
        at = self.i
        kw = self.peek_litword() or "while"
        self.keyword(kw)
        children: list[Stmt | Word] = []
        children += self.follow_stmts(kw, ("do",), ctx, at)
        self.expect("do", f'"{kw} <cond>" must be followed by "do"', at)
        children += self.follow_stmts("do", ("done",), ctx, at)
        self.expect("done", f'{kw} statement must end with "done"', at)
        return Compound(kw, children)

    def for_clause(self, ctx: int) -> Command:
        at = self.i
        kw = self.peek_litword() or "for"
        self.keyword(kw)
        self.skip_blanks()
        children: list[Stmt | Word] = []
        if kw == "for" and self.s.startswith("((", self.i):
            children += self.arithm_parts("((", "))")
            self.skip_blanks()
            if self.i < self.n and self.s[self.i] == ";":
                self.i += 1
            self.skip_space_nl()
        else:
            m = _LITWORD.match(self.s, self.i)
            if m is None:
                raise self.error(f'"{kw}" must be followed by a literal', at)
            self.i = m.end()
            self.skip_blanks()
            if self.i < self.n and self.s[self.i] == ";":
                self.i += 1
                self.skip_space_nl()
            else:
                self.skip_space_nl()
                word = self.peek_litword()
                if word == "in":
                    self.keyword("in")
                    while True:
                        self.skip_blanks()
                        if self.at_stop():
                            break
                        item = self.word()
                        if item is None:
                            raise self.error("word list can only contain words")
                        children.append(item)
                    if self.i < self.n and self.s[self.i] == ";":
                        self.i += 1
                    self.skip_space_nl()
                elif word not in ("do", "{"):
                    raise self.error(
                        f'"{kw} foo" must be followed by "in", "do", ;, or a newline', at
                    )
        if kw == "for" and self.peek_litword() == "{":
            self.keyword("{")
            children += self.follow_stmts("{", ("}",), ctx, at)
            self.expect("}", 'for statement must end with "}"', at)
        else:
            self.expect("do", f'"{kw} foo [in words]" must be followed by "do"', at)
            children += self.follow_stmts("do", ("done",), ctx, at)
            self.expect("done", f'{kw} statement must end with "done"', at)
        return Compound(kw, children)

    def case_clause(self, ctx: int) -> Command:
        at = self.i
        self.keyword("case")
        self.skip_blanks()
        subject = self.word()
        if subject is None:
            raise self.error('"case" must be followed by a word', at)
        children: list[Stmt | Word] = [subject]
        self.expect("in", '"case x" must be followed by "in"', at)
        while True:
            self.skip_space_nl()
            if self.i >= self.n or self.peek_litword() == "esac":
                break
            if self.s[self.i] == "(":
                self.i += 1
            while True:
                self.skip_blanks()
                pattern = self.word()
                if pattern is None:
                    raise self.error("case patterns must consist of words")
                children.append(pattern)
                self.skip_blanks()
                if self.i < self.n and self.s[self.i] == ")":
                    self.i += 1
                    break
                if self.i < self.n and self.s[self.i] == "|":
                    self.i += 1
                    continue
                raise self.error("case patterns must be separated with |")
            children += self.stmt_list(("esac",), _CASE)
            for op in (";;&", ";;", ";&"):
                if self.s.startswith(op, self.i):
                    self.i += len(op)
                    break
            else:
                break
        self.expect("esac", 'case statement must end with "esac"', at)
        return Compound("case", children)

    def test_clause(self, ctx: int) -> Command:
        at = self.i
        self.keyword("[[")
        children: list[Stmt | Word] = []
        regex_next = False
        while True:
            self.skip_space_nl()
            if self.i >= self.n:
                raise self.error("reached EOF without matching [[ with ]]", at)
            if self.peek_litword() == "]]":
                if not children:
                    raise self.error("test clause requires at least one expression", at)
                self.i += 2
                return Compound("test", children)
            c = self.s[self.i]
            if regex_next:
                regex_next = False
                self.skip_regex()
                children.append(Word([Lit("")], self.pos(self.i), self.pos(self.i)))
                continue
            if c in "()<>!;":
                self.i += 1
                continue
            if c in "&|":
                self.i += 2 if self.s.startswith(c * 2, self.i) else 1
                continue
            word = self.word()
            if word is None:
                raise self.error("not a valid test operator")
            regex_next = len(word.parts) == 1 and _lit_value(word.parts[0]) == "=~"
            children.append(word)

    def skip_regex(self) -> None:
        depth = 0
        s = self.s
        while self.i < self.n:
            c = s[self.i]
            if c in " \t\n" and depth <= 0:
                return
            if c == "\\":
                self.i += 2
                continue
            if c in "'\"$`":
                self.word_part_at()
                continue
            depth += c == "("
            depth -= c == ")"
            self.i += 1

    def arithm_cmd(self) -> Command:
        return Compound("arithm", list(self.arithm_parts("((", "))")))

    def arithm_parts(self, left: str, right: str) -> list[Word]:
        """Skip ``((…))``-style arithmetic; its nested substitutions become one word."""
        at = self.i
        self.i += len(left)
        start = self.i
        parts: list[Part] = []
        depth = 0
        s = self.s
        while True:
            if self.i >= self.n:
                raise self.error(f"reached EOF without matching {left} with {right}", at)
            c = s[self.i]
            if depth == 0 and s.startswith(right, self.i):
                self.i += len(right)
                break
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
            elif c == "\\":
                self.i += 2
                continue
            elif c in "$`\"'":
                part = self.word_part_at()
                if part is not None:
                    parts.append(part)
                continue
            self.i += 1
        return [Word(parts, self.pos(start), self.pos(self.i))] if parts else []

    def function(self, ctx: int) -> Command:
        at = self.i
        self.keyword("function")
        self.skip_blanks()
        name = self.peek_litword()
        if name is None:
            raise self.error('"function" must be followed by a name', at)
        word = self.word()
        assert word is not None
        self.skip_blanks()
        if self.i < self.n and self.s[self.i] == "(" and not self.s.startswith("((", self.i):
            self.i += 1
            self.skip_blanks()
            if self.i >= self.n or self.s[self.i] != ")":
                raise self.error("foo( must be followed by )")
            self.i += 1
        return self.func_body(ctx, word)

    def func_body(self, ctx: int, name: Word) -> Command:
        self.skip_space_nl()
        body = self.get_stmt(ctx, read_end=False, bin_cmd=False)
        if body is None:
            raise self.error('"foo()" must be followed by a statement', name.start)
        return Compound("function", [body])

    def decl_clause(self, ctx: int) -> Command:
        kw = self.peek_litword() or ""
        self.keyword(kw)
        children: list[Stmt | Word] = []
        while True:
            self.skip_blanks()
            if self.at_stop() or self.at_redirect():
                break
            if _ASSIGN.match(self.s, self.i):
                assign = self.assignment()
                if assign.value is not None:
                    children.append(assign.value)
                children += assign.array
                continue
            word = self.word()
            if word is None:
                raise self.error(f'"{kw}" must be followed by names or assignments')
            children.append(word)
        return Compound("decl", children)

    def let_clause(self, ctx: int) -> Command:
        at = self.i
        self.keyword("let")
        children: list[Stmt | Word] = []
        while True:
            self.skip_blanks()
            if self.i < self.n and self.s[self.i] == "(":
                children += self.arithm_parts("(", ")")
                continue
            if self.at_stop() or self.at_redirect():
                break
            word = self.word()
            if word is None:
                break
            children.append(word)
        if not children:
            raise self.error('"let" must be followed by an expression', at)
        return Compound("let", children)

    def time_clause(self, ctx: int) -> Command:
        self.keyword("time")
        self.skip_blanks()
        if self.peek_litword() == "-p":
            self.i += 2
        inner = self.stmt_pipe(ctx, self.i, bin_cmd=False)
        return Compound("time", [inner] if inner is not None else [])

    def coproc_clause(self, ctx: int) -> Command:
        self.keyword("coproc")
        self.skip_blanks()
        save = self.i
        kw = self.peek_litword()
        if kw is not None and kw not in _COMPOUND_STARTS:
            self.word()
            self.skip_blanks()
            after = self.peek_litword()
            if not (after in _COMPOUND_STARTS or (self.i < self.n and self.s[self.i] == "(")):
                self.i = save
        inner = self.stmt_pipe(ctx, self.i, bin_cmd=False)
        if inner is None:
            raise self.error("coproc clause requires a command", save)
        return Compound("coproc", [inner])

    # -- words -----------------------------------------------------------------------------

    def word(self) -> Word | None:
        """Parse one word at the cursor (None if the cursor is at a word break)."""
        s, n = self.s, self.n
        start = self.i
        parts: list[Part] = []
        buf: list[str] = []
        while self.i < n:
            i = self.i
            m = _LIT_RUN.match(s, i)
            if m is not None:
                buf.append(m.group())
                self.i = m.end()
                continue
            c = s[i]
            if c == "\\":
                if i + 1 < n and s[i + 1] == "\n":
                    self.i = i + 2
                    continue
                buf.append(s[i : i + 2])
                self.i = i + 2
                continue
            if c == "[":
                if buf and buf[0][0] != "[":
                    parts.append(Lit("".join(buf)))
                    buf = []
                buf.append("[")
                self.i = i + 1
                continue
            if c in _GLOB_OPS:
                if i + 1 < n and s[i + 1] == "(" and not s.startswith("()", i + 1):
                    if buf:
                        parts.append(Lit("".join(buf)))
                        buf = []
                    parts.append(self.ext_glob())
                else:
                    buf.append(c)
                    self.i = i + 1
                continue
            if c in _BREAK:
                if c in "<>" and i + 1 < n and s[i + 1] == "(":
                    if buf:
                        parts.append(Lit("".join(buf)))
                        buf = []
                    parts.append(self.proc_subst())
                    continue
                break
            if buf:
                parts.append(Lit("".join(buf)))
                buf = []
            part = self.word_part_at()
            if part is not None:
                parts.append(part)
        if buf:
            parts.append(Lit("".join(buf)))
        if not parts:
            return None
        return Word(parts, self.pos(start), self.pos(self.i))

    def word_part_at(self) -> Part | None:
        """Parse the quote or ``$``/backquote part at the cursor."""
        s = self.s
        c = s[self.i]
        if c == "'":
            return self.sgl_quoted(dollar=False)
        if c == '"':
            return self.dbl_quoted(1)
        if c == "`":
            return self.backquoted()
        if c == "$":
            return self.dollar(in_dq=False)
        self.i += 1
        return None

    def sgl_quoted(self, *, dollar: bool) -> Part:
        at = self.i
        self.i += 2 if dollar else 1
        start = self.i
        s = self.s
        if not dollar:
            j = s.find("'", self.i)
            if j < 0:
                raise self.error("reached EOF without closing quote '", at)
            self.i = j + 1
            return SglQuoted(s[start:j], self.pos(start))
        while self.i < self.n:
            c = s[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == "'":
                self.i += 1
                return SglQuoted(s[start : self.i - 1], self.pos(start))
            self.i += 1
        raise self.error("reached EOF without closing quote '", at)

    def dbl_quoted(self, skip: int) -> Part:
        at = self.i
        self.i += skip
        start = self.i
        s, n = self.s, self.n
        parts: list[Part] = []
        buf: list[str] = []
        while True:
            if self.i >= n:
                raise self.error('reached EOF without closing quote "', at)
            m = _DQ_RUN.match(s, self.i)
            if m is not None:
                buf.append(m.group())
                self.i = m.end()
                continue
            c = s[self.i]
            if c == '"':
                self.i += 1
                break
            if c == "\\":
                if self.i + 1 < n and s[self.i + 1] == "\n":
                    # mvdan ends the literal at an escaped newline: two parts.
                    parts.append(Lit("".join(buf)))
                    buf = []
                    self.i += 2
                    continue
                buf.append(s[self.i : self.i + 2])
                self.i += 2
                continue
            if buf:
                parts.append(Lit("".join(buf)))
                buf = []
            if c == "$":
                parts.append(self.dollar(in_dq=True))
            else:
                parts.append(self.backquoted())
        if buf:
            parts.append(Lit("".join(buf)))
        return DblQuoted(parts, self.pos(start))

    def unquoted_body(self) -> list[Part]:
        """A heredoc body with an unquoted delimiter: literal text and substitutions."""
        s, n = self.s, self.n
        parts: list[Part] = []
        buf: list[str] = []
        while self.i < n:
            m = _HDOC_RUN.match(s, self.i)
            if m is not None:
                buf.append(m.group())
                self.i = m.end()
                continue
            c = s[self.i]
            if c == "\\":
                buf.append(s[self.i : self.i + 2])
                self.i += 2
                continue
            if buf:
                parts.append(Lit("".join(buf)))
                buf = []
            if c == "$":
                parts.append(self.dollar(in_dq=True))
            else:
                parts.append(self.backquoted())
        if buf:
            parts.append(Lit("".join(buf)))
        return parts

    def dollar(self, *, in_dq: bool) -> Part:
        s, n = self.s, self.n
        at = self.i
        nxt = s[at + 1] if at + 1 < n else ""
        if nxt == "'" and not in_dq:
            return self.sgl_quoted(dollar=True)
        if nxt == '"' and not in_dq:
            return self.dbl_quoted(2)
        if nxt == "{":
            return self.param_braced()
        if nxt == "(":
            if s.startswith("((", at + 1):
                self.i = at + 1
                words = self.arithm_parts("((", "))")
                return ArithmExp([p for w in words for p in w.parts])
            return self.cmd_subst()
        if nxt == "[":
            self.i = at + 1
            words = self.arithm_parts("[", "]")
            return ArithmExp([p for w in words for p in w.parts])
        if nxt and nxt in _SINGLE_PARAM:
            self.i = at + 2
            return ParamExp()
        m = _NAME.match(s, at + 1)
        if m is not None:
            self.i = m.end()
            return ParamExp()
        self.i = at + 1
        return Lit("$")

    def param_braced(self) -> Part:
        at = self.i
        self.i += 2
        s = self.s
        parts: list[Part] = []
        depth = 0
        while self.i < self.n:
            c = s[self.i]
            if c == "}":
                if depth == 0:
                    self.i += 1
                    return ParamExp(parts)
                depth -= 1
            elif c == "{":
                depth += 1
            elif c == "\\":
                self.i += 2
                continue
            elif c in "'\"$`":
                part = self.word_part_at()
                if part is not None:
                    parts.append(part)
                continue
            self.i += 1
        raise self.error("reached EOF without matching ${ with }", at)

    def cmd_subst(self) -> Part:
        at = self.i
        self.i += 2
        self.enter()
        stmts = self.stmt_list((), _SUB)
        self.depth -= 1
        if self.i >= self.n or self.s[self.i] != ")":
            raise self.error(f"reached {self.tok_name()} without matching ( with )", at)
        self.i += 1
        return CmdSubst(stmts)

    def proc_subst(self) -> Part:
        at = self.i
        op = self.s[at : at + 2]
        self.i += 2
        self.enter()
        stmts = self.stmt_list((), _SUB)
        self.depth -= 1
        if self.i >= self.n or self.s[self.i] != ")":
            raise self.error(f"reached {self.tok_name()} without matching {op} with )", at)
        self.i += 1
        return ProcSubst(op, stmts)

    def enter(self) -> None:
        self.depth += 1
        if self.depth >= MAX_DEPTH:
            raise self.error("nesting too deep")

    def ext_glob(self) -> Part:
        at = self.i
        self.i += 2
        depth = 1
        s = self.s
        start = self.i
        while self.i < self.n:
            c = s[self.i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    self.i += 1
                    return ExtGlob(s[start : self.i - 1])
            self.i += 1
        raise self.error(f"reached EOF without matching {s[at : at + 2]} with )", at)

    def backquoted(self) -> Part:
        """A backquoted command: one level of ``\\$``, ``\\``` and ``\\\\`` is unescaped."""
        at = self.i
        s, n = self.s, self.n
        j = at + 1
        chars: list[str] = []
        origin: list[int] = []
        while j < n:
            c = s[j]
            if c == "\\" and j + 1 < n and s[j + 1] in "$`\\":
                chars.append(s[j + 1])
                origin.append(self.pos(j + 1))
                j += 2
                continue
            if c == "`":
                break
            chars.append(c)
            origin.append(self.pos(j))
            j += 1
        else:
            raise self.error("reached EOF without closing quote `", at)
        origin.append(self.pos(j))
        self.i = j + 1
        if self.depth >= MAX_DEPTH:
            raise self.error("nesting too deep", at)
        inner = _Parser("".join(chars), origin, self.depth + 1)
        return CmdSubst(inner.parse())


_KEYWORDS = {
    "{": _Parser.block,
    "if": _Parser.if_clause,
    "while": _Parser.while_clause,
    "until": _Parser.while_clause,
    "for": _Parser.for_clause,
    "select": _Parser.for_clause,
    "case": _Parser.case_clause,
    "[[": _Parser.test_clause,
    "function": _Parser.function,
    "let": _Parser.let_clause,
    "time": _Parser.time_clause,
    "coproc": _Parser.coproc_clause,
    **dict.fromkeys(_DECL, _Parser.decl_clause),
}


def _lit_value(part: Part) -> str | None:
    return part.value if isinstance(part, Lit) else None


def _heredoc_delimiter(word: Word) -> tuple[str, bool]:
    """The delimiter text of a heredoc word and whether any of it was quoted."""
    text: list[str] = []
    quoted = False
    for part in word.parts:
        if isinstance(part, Lit):
            if "\\" in part.value:
                quoted = True
                text.append(re.sub(r"\\(.)", r"\1", part.value, flags=re.DOTALL))
            else:
                text.append(part.value)
        elif isinstance(part, SglQuoted):
            quoted = True
            text.append(part.value)
        elif isinstance(part, DblQuoted):
            quoted = True
            text.extend(p.value for p in part.parts if isinstance(p, Lit))
        else:
            quoted = True
    return "".join(text), quoted


def parse(text: str) -> list[Stmt]:
    """Parse a bash script; raises :class:`ShellSyntaxError` with mvdan-like messages.

    ``\\r\\n`` must already be normalised to ``\\n`` (mvdan reads it as a newline); offsets in
    the tree index ``text``.
    """
    return _Parser(text).parse()
