"""A Dockerfile parser that follows BuildKit and keeps exact spans.

Reference: moby/buildkit ``frontend/dockerfile/parser/parser.go``, ``line_parsers.go`` and
``directives.go`` (v0.26), plus the argument checks of ``frontend/dockerfile/instructions``.
What it reproduces:

* parser directives at the top (``# syntax=``, ``# escape=``, ``# check=``); a blank line,
  another comment or an instruction ends them; a repeated directive is an error;
* comments, and continuation lines ending with the escape token (``\\`` or, after
  ``# escape=`````, a backtick); comment lines and blank lines inside a continuation are
  skipped; a continuation token preceded by the escape token is not one (BuildKit's regex);
* builder flags split off as ``extractBuilderFlags`` does (``--platform``, ``--mount=...``,
  ``--from``, ``--chown``, ``--link``, ``--network``, ``--security``...);
* JSON (exec) form: a JSON array of strings, decoded as Go's ``json.Decoder`` does (the first
  value; trailing text ignored); invalid JSON is shell form; a non-string array is an error;
* heredocs (``<<EOF``, ``<<-EOF``, quoted delimiters, several per line) on ``RUN``/``COPY``/
  ``ADD``, also under ``ONBUILD``; an unterminated heredoc is an error;
* instruction names in any case (the keyword keeps its case); ``ONBUILD`` sub-instructions;
* global ``ARG`` defaults substituted into ``FROM``; stages with names and indices.

The parser never raises: problems become :class:`~caulk.dockerfile.model.ParseError` entries
and parsing goes on where BuildKit's own recovery would make sense.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from caulk.dockerfile.expand import expand
from caulk.dockerfile.model import (
    Comment,
    ErrorKind,
    Flag,
    FromInfo,
    Heredoc,
    Instruction,
    KeyValue,
    LineIndex,
    OffsetMap,
    ParsedDockerfile,
    ParseError,
    Span,
    Stage,
    Word,
)

_WS = "\t\v\f\r "
_RE_WS_WORD = re.compile(r"[^\t\v\f\r ]+")
_RE_DIRECTIVE = re.compile(r"^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$")
_RE_HEREDOC = re.compile(r"^(\d*)<<(-?)\s*([^<]*)$", re.DOTALL)
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_MAX_LINE = 64 * 1024 - 1
"""``bufio.MaxScanTokenSize - 1``: BuildKit rejects longer lines."""

KNOWN_INSTRUCTIONS = frozenset(
    {
        "add",
        "arg",
        "cmd",
        "copy",
        "entrypoint",
        "env",
        "expose",
        "from",
        "healthcheck",
        "label",
        "maintainer",
        "onbuild",
        "run",
        "shell",
        "stopsignal",
        "user",
        "volume",
        "workdir",
    }
)
_HEREDOC_INSTRUCTIONS = frozenset({"run", "copy", "add"})
_MAYBE_JSON = frozenset({"run", "cmd", "entrypoint", "shell"})
_MAYBE_JSON_LIST = frozenset({"copy", "add", "volume"})
_SINGLE_STRING = frozenset({"maintainer", "user", "workdir", "stopsignal"})

# Platform arguments BuildKit defines automatically in the global scope; their values depend on
# the build, so a FROM that uses them cannot be resolved offline.
_AUTOMATIC_ARGS = (
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
    "BUILDKIT_SYNTAX",
)

_STAGE_NAME = re.compile(r"^[a-z][a-z0-9\-_.]*$")


def _is_space(ch: str) -> bool:
    return ch.isspace()


@dataclass
class _Logical:
    """A logical line (continuations joined) and where each character came from."""

    text: str
    map: OffsetMap
    start_line: int
    end_offset: int
    """File offset just past the last content character of the instruction."""


class _ErrorStop(Exception):
    """Parsing cannot continue (BuildKit stops at the same point)."""


def parse_dockerfile(text: str, path: str = "Dockerfile") -> ParsedDockerfile:
    """Parse ``text`` (the file's content); never raises."""
    text = text.removeprefix("\ufeff")
    result = ParsedDockerfile(path=path, text=text, index=LineIndex(text))
    try:
        _Parser(result).run()
    except _ErrorStop:
        pass
    except (RecursionError, ValueError, IndexError) as exc:  # defensive: never raise out
        result.errors.append(ParseError(f"internal parser error: {exc}", 1))
    _build_stages(result)
    return result


class _Parser:
    def __init__(self, result: ParsedDockerfile) -> None:
        self.r = result
        self.text = result.text
        self.index = result.index
        # Physical lines: (start offset, end offset without "\r\n", end offset with newline).
        self.lines: list[tuple[int, int, int]] = []
        pos = 0
        text = self.text
        while pos < len(text):
            nl = text.find("\n", pos)
            full_end = len(text) if nl < 0 else nl + 1
            end = len(text) if nl < 0 else nl
            while end > pos and text[end - 1] in "\r\n":
                end -= 1
            self.lines.append((pos, end, full_end))
            pos = full_end
        self.escape = "\\"
        self._set_continuation("\\")
        self.directives_done = False
        self.directive_seen: set[str] = set()

    # -- helpers --------------------------------------------------------------------------

    def _set_continuation(self, token: str) -> None:
        e = re.escape(token)
        self.continuation = re.compile(r"([^" + e + r"])" + e + r"[ \t]*$|^" + e + r"[ \t]*$")

    def _line_text(self, i: int) -> str:
        start, end, _ = self.lines[i]
        return self.text[start:end]

    def _error(self, message: str, line: int, kind: ErrorKind = "syntax") -> None:
        self.r.errors.append(ParseError(message, line, kind))

    def _directive(self, line_text: str, line_no: int) -> bool:
        """BuildKit ``DirectiveParser.ParseLine``; True when the line is a directive."""
        if self.directives_done:
            return False
        if not line_text.startswith("#"):
            self.directives_done = True
            return False
        m = _RE_DIRECTIVE.match(line_text[1:].lstrip())
        if not m:
            self.directives_done = True
            return False
        key = m.group(1).lower()
        if key not in _VALID_DIRECTIVES:
            self.directives_done = True
            return False
        if key in self.directive_seen:
            self._error(f"only one {key} parser directive can be used", line_no)
            raise _ErrorStop
        self.directive_seen.add(key)
        value = m.group(2)
        self.r.directives[key] = value
        if key == "escape":
            if value not in ("`", "\\"):
                self._error(f"invalid escape token '{value}' does not match ` or \\", line_no)
                raise _ErrorStop
            self.escape = value
            self.r.escape = value
            self._set_continuation(value)
        return True

    def _trim_continuation(self, s: str) -> tuple[str, bool]:
        m = self.continuation.search(s)
        if m:
            return s[: m.start()] + (m.group(1) or ""), False
        return s, True

    # -- main loop ------------------------------------------------------------------------

    def run(self) -> None:
        lines = self.lines
        n = len(lines)
        i = 0
        pending_comments: list[str] = []
        while i < n:
            start, end, _ = lines[i]
            raw = self.text[start:end]
            if len(raw.encode("utf-8", "surrogatepass")) > _MAX_LINE:
                self._error(f"dockerfile line greater than max allowed size of {_MAX_LINE}", i + 1)
                raise _ErrorStop
            stripped = raw.lstrip()
            lead = len(raw) - len(stripped)
            is_comment = stripped.startswith("#")
            if is_comment:
                body = stripped[1:].strip()
                self.r.comments.append(Comment(i + 1, body, self.index.span(start + lead, end)))
                pending_comments = [*pending_comments, body] if body else []
            if self._directive(stripped, i + 1) and pending_comments:
                pending_comments = pending_comments[:-1]
            content = "" if is_comment else stripped
            i += 1
            start_line = i
            content, eol = self._trim_continuation(content)
            if eol and not content:
                continue
            pieces: list[tuple[str, int]] = [(content, start + lead)]
            last_end = end
            while not eol and i < n:
                s2, e2, _ = lines[i]
                raw2 = self.text[s2:e2]
                self._directive(raw2, i + 1)
                i += 1
                if raw2.lstrip().startswith("#"):
                    continue
                if not raw2.strip():
                    continue
                c2, eol = self._trim_continuation(raw2)
                pieces.append((c2, s2))
                last_end = e2
            logical = _join(pieces, self.text, last_end)
            logical.start_line = start_line
            instruction, i = self._instruction(logical, i, tuple(pending_comments))
            if instruction is not None:
                self.r.instructions.append(instruction)
            pending_comments = []

    # -- one instruction ------------------------------------------------------------------

    def _instruction(
        self, logical: _Logical, next_line: int, comments: tuple[str, ...]
    ) -> tuple[Instruction | None, int]:
        node = self._node(logical.text, logical.map, logical.start_line, comments)
        if node is None:
            return None, next_line
        heredoc_target = node.sub if node.cmd == "onbuild" and node.sub is not None else node
        heredocs: list[Heredoc] = []
        end_offset = logical.end_offset
        unterminated = False
        if (
            heredoc_target.cmd in _HEREDOC_INSTRUCTIONS
            and not heredoc_target.json
            and "<<" in logical.text
        ):
            for name, chomp, expand_, fd in _heredocs_from_line(logical.text):
                body_start = (
                    self.lines[next_line][0] if next_line < len(self.lines) else len(self.text)
                )
                content: list[str] = []
                terminated = False
                body_end = len(self.text)
                while next_line < len(self.lines):
                    s, e, full = self.lines[next_line]
                    next_line += 1
                    candidate = self.text[s:e]
                    if chomp:
                        candidate = candidate.lstrip("\t")
                    if candidate == name:
                        terminated = True
                        end_offset = e
                        body_end = s
                        break
                    content.append(self.text[s:full])
                if not terminated:
                    self._error(f"unterminated heredoc <<{name}", logical.start_line)
                    end_offset = len(self.text)
                    unterminated = True
                body = "".join(content)
                heredocs.append(
                    Heredoc(
                        name=name,
                        content=body,
                        expand=expand_,
                        chomp=chomp,
                        file_descriptor=fd,
                        body_span=self.index.span(body_start, max(body_start, body_end)),
                        body_map=_heredoc_map(body, body_start, chomp),
                    )
                )
                if not terminated:
                    break
        span = self.index.span(node.span.start, max(end_offset, node.span.start))
        if node.cmd == "onbuild" and node.sub is not None:
            sub_span = self.index.span(node.sub.span.start, max(end_offset, node.sub.span.start))
            sub = _replace(node.sub, heredocs=tuple(heredocs), span=sub_span)
            if _may_have_heredoc(sub):
                _check_arguments(self, sub)
            node = _replace(node, span=span, sub=sub)
        else:
            node = _replace(node, heredocs=tuple(heredocs), span=span)
            if _may_have_heredoc(node):
                _check_arguments(self, node)
        if unterminated:
            self.r.instructions.append(node)
            raise _ErrorStop
        return node, next_line

    def _node(
        self, line: str, omap: OffsetMap, line_no: int, comments: tuple[str, ...]
    ) -> Instruction | None:
        """BuildKit ``newNodeFromLine``: keyword, flags, arguments."""
        left = len(line) - len(line.lstrip())
        right = len(line.rstrip())
        if left >= right:
            return None
        kw_end = left
        while kw_end < right and line[kw_end] not in _WS:
            kw_end += 1
        keyword = line[left:kw_end]
        rest_start = kw_end
        while rest_start < right and line[rest_start] in _WS:
            rest_start += 1
        flags, args_start = self._flags(line, rest_start, right, omap)
        # splitCommand: strings.TrimSpace(args)
        a0, a1 = args_start, right
        while a0 < a1 and line[a0].isspace():
            a0 += 1
        args = line[a0:a1]
        args_map = omap.shifted(a0)
        kw_span = self._span(omap, left, kw_end)
        args_span = self._span(omap, a0, a1) if a1 > a0 else None
        node_span = self._span(omap, left, right)
        cmd = keyword.lower()
        base = Instruction(
            keyword=keyword,
            span=node_span,
            keyword_span=kw_span,
            flags=tuple(flags),
            args=args,
            args_span=args_span,
            args_map=args_map,
            words=(),
            comments=comments,
        )
        if cmd not in KNOWN_INSTRUCTIONS:
            self._error(f"unknown instruction: {keyword}", line_no, "instruction")
            return base
        if cmd == "onbuild":
            if not args:
                self._error("ONBUILD requires at least one argument", line_no, "instruction")
                return base
            sub = self._node(args, args_map, line_no, ())
            if sub is not None:
                if sub.cmd == "onbuild":
                    self._error(
                        "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                        line_no,
                        "instruction",
                    )
                elif sub.cmd in ("from", "maintainer"):
                    self._error(
                        f"{sub.keyword.upper()} isn't allowed as an ONBUILD trigger",
                        line_no,
                        "instruction",
                    )
            return _replace(base, sub=sub)
        errors_before = len(self.r.errors)
        node = self._arguments(base, cmd, line_no)
        if len(self.r.errors) == errors_before and not _may_have_heredoc(node):
            _check_arguments(self, node)
        return node

    def _span(self, omap: OffsetMap, a: int, b: int) -> Span:
        start = omap.to_file(a)
        end = omap.to_file(b - 1) + 1 if b > a else start
        return self.index.span(start, end)

    def _word(self, omap: OffsetMap, value: str, a: int, b: int) -> Word:
        return Word(value, self._span(omap, a, b))

    def _flags(self, line: str, pos: int, end: int, omap: OffsetMap) -> tuple[list[Flag], int]:
        """BuildKit ``extractBuilderFlags``: leading ``--name[=value]`` words."""
        flags: list[Flag] = []
        while pos < end:
            while pos < end and line[pos].isspace():
                pos += 1
            if pos >= end or not line.startswith("--", pos):
                return flags, pos
            word_start = pos
            word: list[str] = []
            quote = ""
            while pos < end:
                ch = line[pos]
                if quote:
                    if ch == quote:
                        quote = ""
                    elif ch == "\\" and pos + 1 < end:
                        pos += 1
                        word.append(line[pos])
                    else:
                        word.append(ch)
                elif ch.isspace():
                    break
                elif ch in "'\"":
                    quote = ch
                elif ch == "\\":
                    if pos + 1 < end:
                        pos += 1
                        word.append(line[pos])
                else:
                    word.append(ch)
                pos += 1
            value = "".join(word)
            if value == "--":
                return flags, pos
            body = value[2:]
            name, eq, flag_value = body.partition("=")
            flags.append(
                Flag(name.lower(), flag_value if eq else None, self._span(omap, word_start, pos))
            )
        return flags, pos

    def _arguments(self, node: Instruction, cmd: str, line_no: int) -> Instruction:
        args = node.args
        omap = node.args_map
        if not args:
            return node
        if cmd in _MAYBE_JSON or cmd in _MAYBE_JSON_LIST:
            parsed = _parse_json(args)
            if parsed == "not-strings":
                self._error(
                    "Dockerfile JSON arrays must contain only strings (for "
                    f"{node.keyword.upper()})",
                    line_no,
                )
            elif parsed is not None:
                span = node.args_span
                assert span is not None
                return _replace(
                    node,
                    json=True,
                    json_args=tuple(parsed),
                    words=tuple(Word(v, span) for v in parsed),
                )
            if cmd in _MAYBE_JSON:
                return _replace(node, words=(self._word(omap, args, 0, len(args)),))
            return _replace(node, words=self._ws_words(args, omap))
        if cmd in ("from", "expose"):
            return _replace(node, words=self._ws_words(args, omap))
        if cmd in _SINGLE_STRING:
            return _replace(node, words=(self._word(omap, args, 0, len(args)),))
        if cmd == "arg":
            words = _parse_words(args, self.escape)
            pairs = []
            for value, a, b in words:
                key, eq, val = value.partition("=")
                pairs.append(
                    KeyValue(
                        _unquote(key, self.escape),
                        _unquote(val, self.escape) if eq else None,
                        val if eq else None,
                        self._span(omap, a, b),
                    )
                )
            return _replace(
                node,
                words=tuple(self._word(omap, v, a, b) for v, a, b in words),
                pairs=tuple(pairs),
            )
        if cmd in ("env", "label"):
            return self._name_val(node, line_no)
        if cmd == "healthcheck":
            head = args.split(None, 1)
            if head and head[0].upper() == "CMD" and len(head) == 2:
                rest_at = args.index(head[1], len(head[0]))
                parsed = _parse_json(head[1])
                if parsed == "not-strings":
                    self._error(
                        "Dockerfile JSON arrays must contain only strings (for HEALTHCHECK)",
                        line_no,
                    )
                elif parsed is not None:
                    return _replace(
                        node,
                        json=True,
                        json_args=tuple(parsed),
                        words=(self._word(omap, head[1], rest_at, len(args)),),
                    )
                return _replace(node, words=(self._word(omap, head[1], rest_at, len(args)),))
            return _replace(node, words=self._ws_words(args, omap))
        return node

    def _ws_words(self, args: str, omap: OffsetMap) -> tuple[Word, ...]:
        return tuple(
            self._word(omap, m.group(), m.start(), m.end()) for m in _RE_WS_WORD.finditer(args)
        )

    def _name_val(self, node: Instruction, line_no: int) -> Instruction:
        """BuildKit ``parseNameVal`` for ``ENV`` and ``LABEL``."""
        args, omap = node.args, node.args_map
        words = _parse_words(args, self.escape)
        if not words:
            return node
        if "=" not in words[0][0]:
            # Legacy form: KEY value (the value is the rest of the line).
            parts = re.split(r"[\t\v\f\r ]+", args, maxsplit=1)
            if len(parts) < 2:
                self._error(f"{node.keyword.upper()} must have two arguments", line_no)
                return node
            value_at = args.index(parts[1], len(parts[0]))
            pair = KeyValue(
                _unquote(parts[0], self.escape),
                _unquote(parts[1], self.escape),
                parts[1],
                self._span(omap, 0, len(args)),
            )
            return _replace(
                node,
                words=(
                    self._word(omap, parts[0], 0, len(parts[0])),
                    self._word(omap, parts[1], value_at, len(args)),
                ),
                pairs=(pair,),
            )
        pairs = []
        for value, a, b in words:
            if "=" not in value:
                self._error(
                    f"Syntax error - can't find = in {value!r}. Must be of the form: name=value",
                    line_no,
                )
                return node
            key, _, val = value.partition("=")
            pairs.append(
                KeyValue(
                    _unquote(key, self.escape),
                    _unquote(val, self.escape),
                    val,
                    self._span(omap, a, b),
                )
            )
        return _replace(
            node,
            words=tuple(self._word(omap, v, a, b) for v, a, b in words),
            pairs=tuple(pairs),
        )


# -- module helpers -----------------------------------------------------------------------


def _replace(instruction: Instruction, **changes: object) -> Instruction:
    from dataclasses import replace

    return replace(instruction, **changes)  # type: ignore[arg-type]


def _join(pieces: list[tuple[str, int]], text: str, last_end: int) -> _Logical:
    parts: list[str] = []
    segments: list[tuple[int, int]] = []
    pos = 0
    for piece, file_start in pieces:
        segments.append((pos, file_start))
        parts.append(piece)
        pos += len(piece)
    end = last_end
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    return _Logical("".join(parts), OffsetMap(tuple(segments)), 0, end)


def _heredoc_map(body: str, body_start: int, chomp: bool) -> OffsetMap:
    if not chomp:
        return OffsetMap(((0, body_start),))
    segments: list[tuple[int, int]] = []
    derived = 0
    file_pos = body_start
    for line in body.splitlines(keepends=True):
        tabs = len(line) - len(line.lstrip("\t"))
        segments.append((derived, file_pos + tabs))
        derived += len(line) - tabs
        file_pos += len(line)
    return OffsetMap(tuple(segments) or ((0, body_start),))


def _parse_json(args: str) -> list[str] | str | None:
    """BuildKit ``parseJSON``: the string list, ``"not-strings"``, or None (shell form)."""
    rest = args.lstrip()
    if not rest.startswith("["):
        return None
    try:
        value, _ = json.JSONDecoder().raw_decode(rest)
    except ValueError:
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        return "not-strings"
    return value


def _parse_words(rest: str, escape: str) -> list[tuple[str, int, int]]:
    """BuildKit ``parseWords``: whitespace-separated words, quotes and escapes kept."""
    words: list[tuple[str, int, int]] = []
    word: list[str] = []
    start = 0
    in_word = False
    quote = ""
    blank_ok = False
    pos = 0
    n = len(rest)
    while pos < n:
        ch = rest[pos]
        if not in_word:
            if ch.isspace():
                pos += 1
                continue
            in_word = True
            start = pos
        if quote:
            if ch == quote:
                quote = ""
            if ch == escape and quote != "'":
                if pos + 1 == n:
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = rest[pos]
            word.append(ch)
            pos += 1
            continue
        if ch.isspace():
            if blank_ok or word:
                words.append(("".join(word), start, pos))
            word = []
            blank_ok = False
            in_word = False
            pos += 1
            continue
        if ch in "'\"":
            quote = ch
            blank_ok = True
        if ch == escape:
            if pos + 1 == n:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = rest[pos]
        word.append(ch)
        pos += 1
    if in_word and (blank_ok or word):
        words.append(("".join(word), start, n))
    return words


def _unquote(word: str, escape: str = "\\") -> str:
    """Remove shell quotes and escapes from a word (no variable expansion)."""
    out: list[str] = []
    i = 0
    n = len(word)
    while i < n:
        ch = word[i]
        if ch == escape and i + 1 < n:
            out.append(word[i + 1])
            i += 2
        elif ch == "'":
            end = word.find("'", i + 1)
            if end < 0:
                out.append(word[i + 1 :])
                break
            out.append(word[i + 1 : end])
            i = end + 1
        elif ch == '"':
            i += 1
            while i < n and word[i] != '"':
                if word[i] == escape and i + 1 < n and word[i + 1] in ('"', "$", escape):
                    i += 1
                out.append(word[i])
                i += 1
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _raw_shell_words(line: str) -> list[str]:
    """BuildKit's lexer with ``RawQuotes``/``RawEscapes``: split on unquoted blanks only."""
    words: list[str] = []
    cur: list[str] = []
    have = False
    quote = ""
    i = 0
    n = len(line)
    while i < n:
        ch = line[i]
        if quote:
            cur.append(ch)
            if ch == "\\" and quote == '"' and i + 1 < n:
                cur.append(line[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in " \t\r\n":
            if have:
                words.append("".join(cur))
            cur = []
            have = False
        else:
            have = True
            cur.append(ch)
            if ch == "\\" and i + 1 < n:
                cur.append(line[i + 1])
                i += 1
            elif ch in "'\"":
                quote = ch
        i += 1
    if have:
        words.append("".join(cur))
    return words


def _heredocs_from_line(line: str) -> list[tuple[str, bool, bool, int]]:
    """BuildKit ``heredocsFromLine``: (name, chomp, expand, fd) for each heredoc word."""
    docs: list[tuple[str, bool, bool, int]] = []
    for word in _raw_shell_words(line):
        m = _RE_HEREDOC.match(word)
        if not m or not m.group(3):
            continue
        rest = m.group(3)
        if len(_raw_shell_words(rest)) != 1:
            continue
        name = _unquote(rest)
        quoted = (rest.count("'") + rest.count('"')) != (name.count("'") + name.count('"'))
        fd = int(m.group(1)) if m.group(1) else 0
        docs.append((name, m.group(2) == "-", not quoted, fd))
    return docs


def _may_have_heredoc(node: Instruction) -> bool:
    return node.cmd in _HEREDOC_INSTRUCTIONS and not node.json and "<<" in node.args


def _check_arguments(parser: _Parser, node: Instruction) -> None:
    """The argument-count checks of BuildKit's ``instructions.ParseInstruction``."""
    cmd = node.cmd
    line = node.line
    nargs = len(node.json_args) if node.json else len(node.words)
    name = node.keyword.upper()
    if cmd == "from":
        ok = nargs == 1 or (nargs == 3 and node.words[1].value.lower() == "as")
        if not ok:
            parser._error("FROM requires either one or three arguments", line, "instruction")
    elif cmd == "run":
        if nargs == 0 and not node.heredocs:
            parser._error("RUN requires at least one argument", line, "instruction")
    elif cmd in ("copy", "add"):
        if nargs < 2:
            parser._error(
                f"{name} requires at least two arguments, but only one was provided. "
                "Destination could not be determined",
                line,
                "instruction",
            )
    elif cmd in _SINGLE_STRING:
        if not node.args:
            parser._error(f"{name} requires exactly one argument", line, "instruction")
    elif cmd in ("env", "label", "arg", "expose", "volume", "shell") and nargs == 0:
        parser._error(f"{name} requires at least one argument", line, "instruction")


def _build_stages(r: ParsedDockerfile) -> None:
    """Group instructions into stages and resolve each base against global ARGs."""
    env: dict[str, str | None] = dict.fromkeys(_AUTOMATIC_ARGS)
    names: dict[str, int] = {}
    reported_no_stage = False
    for instruction in r.instructions:
        cmd = instruction.cmd
        if cmd == "from":
            info = _from_info(instruction)
            raw = info.image.value if info.image else ""
            image = expand(raw, env, r.escape) if info.image else None
            base_stage = names.get(image.lower()) if image is not None else None
            name = info.alias.value.lower() if info.alias else None
            stage = Stage(
                index=len(r.stages),
                from_=instruction,
                info=info,
                name=name,
                image=image,
                base_stage=base_stage,
            )
            if name is not None:
                if name in names:
                    r.errors.append(
                        ParseError(
                            f"duplicate stage name {name!r}", instruction.line, "instruction"
                        )
                    )
                elif not _STAGE_NAME.match(name):
                    r.errors.append(
                        ParseError(
                            f"invalid name for build stage: {name!r}, name can't start with a "
                            "number or contain symbols",
                            instruction.line,
                            "instruction",
                        )
                    )
                names.setdefault(name, stage.index)
            r.stages.append(stage)
            continue
        if not r.stages:
            if cmd == "arg":
                for pair in instruction.pairs:
                    value = (
                        expand(pair.raw_value or "", env, r.escape)
                        if pair.raw_value is not None
                        else None
                    )
                    r.global_args[pair.key] = value
                    env[pair.key] = value
            elif not reported_no_stage and cmd in KNOWN_INSTRUCTIONS:
                r.errors.append(
                    ParseError("no build stage in current context", instruction.line, "instruction")
                )
                reported_no_stage = True
            continue
        r.stages[-1].instructions.append(instruction)


def _from_info(instruction: Instruction) -> FromInfo:
    words = instruction.words
    image = words[0] if words else None
    alias = words[2] if len(words) == 3 and words[1].value.lower() == "as" else None
    platform = instruction.flag("platform")
    return FromInfo(image, alias, platform.value if platform else None)
