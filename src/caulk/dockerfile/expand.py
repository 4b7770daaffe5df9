"""Variable expansion in Dockerfile words, as BuildKit's shell lexer does it for ``FROM``.

Supports ``$VAR``, ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:+alt}``,
``${VAR+alt}``, ``${VAR:?msg}``, quotes and the escape token (BuildKit
``frontend/dockerfile/shell/lex.go``). The result is None when the word depends on a value
caulk cannot know: a variable that is not declared, declared without a default (it comes from
``--build-arg``), a platform variable such as ``TARGETARCH``, or an unsupported operator
(``${VAR#x}``, ``${VAR/a/b}``).

Deliberate deviation: BuildKit expands an undeclared variable to the empty string; caulk
calls the word unresolvable instead, so no rule judges an image reference it cannot see.
An ``ARG`` declared without a default counts as unset for ``:-``/``-`` (the default is what a
build without ``--build-arg`` uses).
"""

from __future__ import annotations

from collections.abc import Mapping

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


class _Unresolvable(Exception):
    pass


def expand(word: str, env: Mapping[str, str | None], escape: str = "\\") -> str | None:
    """Expand ``word`` with ``env`` (None values: declared, value unknown)."""
    try:
        return _Expander(word, env, escape).run()
    except _Unresolvable:
        return None


def has_variable(word: str) -> bool:
    """Whether the word contains a ``$`` expansion."""
    return "$" in word


class _Expander:
    def __init__(self, text: str, env: Mapping[str, str | None], escape: str) -> None:
        self.text = text
        self.env = env
        self.escape = escape
        self.pos = 0

    def run(self) -> str:
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == self.escape:
                self.pos += 1
                if self.pos < len(text):
                    out.append(text[self.pos])
                    self.pos += 1
            elif ch == "'":
                end = text.find("'", self.pos + 1)
                if end < 0:
                    raise _Unresolvable
                out.append(text[self.pos + 1 : end])
                self.pos = end + 1
            elif ch == '"':
                self.pos += 1
                out.append(self._double_quoted())
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
                self.pos += 1
        return "".join(out)

    def _double_quoted(self) -> str:
        out: list[str] = []
        text = self.text
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == self.escape and self.pos + 1 < len(text):
                nxt = text[self.pos + 1]
                if nxt in ('"', "$", self.escape):
                    out.append(nxt)
                else:
                    out.append(ch + nxt)
                self.pos += 2
            elif ch == "$":
                out.append(self._dollar())
            else:
                out.append(ch)
                self.pos += 1
        raise _Unresolvable

    def _dollar(self) -> str:
        text = self.text
        self.pos += 1
        if self.pos >= len(text):
            return "$"
        ch = text[self.pos]
        if ch == "{":
            depth = 1
            i = self.pos + 1
            while i < len(text) and depth:
                if text[i] == "{":
                    depth += 1
                elif text[i] == "}":
                    depth -= 1
                i += 1
            if depth:
                raise _Unresolvable
            inner = text[self.pos + 1 : i - 1]
            self.pos = i
            return self._braced(inner)
        if ch in _NAME_START:
            start = self.pos
            while self.pos < len(text) and text[self.pos] in _NAME_CHARS:
                self.pos += 1
            return self._lookup(text[start : self.pos])
        return "$"

    def _lookup(self, name: str) -> str:
        if name not in self.env:
            raise _Unresolvable
        value = self.env[name]
        if value is None:
            raise _Unresolvable
        return value

    def _braced(self, inner: str) -> str:
        i = 0
        while i < len(inner) and inner[i] in _NAME_CHARS:
            i += 1
        name, op = inner[:i], inner[i:]
        if not name:
            raise _Unresolvable
        declared = name in self.env
        value = self.env.get(name)
        if op == "":
            return self._lookup(name)
        colon = op.startswith(":")
        kind = op[1:2] if colon else op[:1]
        arg = op[2:] if colon else op[1:]
        is_set = value is not None and (value != "" or not colon)
        if kind == "-":
            return value if is_set and value is not None else self._sub(arg)
        if kind == "+":
            if not declared or value is not None:
                return self._sub(arg) if is_set else ""
            raise _Unresolvable
        if kind == "?":
            if is_set and value is not None:
                return value
            raise _Unresolvable
        raise _Unresolvable

    def _sub(self, word: str) -> str:
        result = expand(word, self.env, self.escape)
        if result is None:
            raise _Unresolvable
        return result
