"""The bash parser keeps the node shapes of mvdan.cc/sh that Scorecard's analysis depends on."""

from __future__ import annotations

import pytest

from caulk.shell.parser import (
    BinaryCmd,
    CallExpr,
    CmdSubst,
    Compound,
    DblQuoted,
    ExtGlob,
    Lit,
    ParamExp,
    ProcSubst,
    SglQuoted,
    ShellSyntaxError,
    Stmt,
    Word,
    parse,
)


def only_call(text: str) -> CallExpr:
    stmts = parse(text)
    assert len(stmts) == 1
    cmd = stmts[0].cmd
    assert isinstance(cmd, CallExpr)
    return cmd


def part_kinds(word: Word) -> list[str]:
    return [type(part).__name__ for part in word.parts]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("plain", ["Lit"]),
        ("a\\ b", ["Lit"]),  # escapes stay in one literal
        ("'single'", ["SglQuoted"]),
        ('"double"', ["DblQuoted"]),
        ("$'c-style'", ["SglQuoted"]),
        ('--flag="x"', ["Lit", "DblQuoted"]),
        ("pkg[extra]", ["Lit", "Lit"]),  # mvdan splits a literal at a non-initial "["
        ("[[x]]", ["Lit"]),
        ("$HOME", ["ParamExp"]),
        ("${HOME}/bin", ["ParamExp", "Lit"]),
        ("$(date)", ["CmdSubst"]),
        ("`date`", ["CmdSubst"]),
        ("$((1 + 2))", ["ArithmExp"]),
        ("<(curl x)", ["ProcSubst"]),
        ("@(a|b)", ["ExtGlob"]),
        ("a$", ["Lit", "Lit"]),  # a lone "$" is its own literal part
        ("~/x/*.whl", ["Lit"]),
    ],
)
def test_word_parts_match_mvdan(text: str, kinds: list[str]) -> None:
    call = only_call(f"cmd {text}")
    assert part_kinds(call.args[1]) == kinds


def test_line_continuation_is_removed_from_a_literal() -> None:
    call = only_call("cu\\\nrl https://x")
    first = call.args[0].parts[0]
    assert isinstance(first, Lit)
    assert first.value == "curl"


def test_escaped_newline_splits_a_double_quoted_literal() -> None:
    # mvdan ends the literal at "\<newline>", so Scorecard no longer sees one literal.
    call = only_call('bash -c "curl x \\\n | sh"')
    quoted = call.args[2].parts[0]
    assert isinstance(quoted, DblQuoted)
    assert len(quoted.parts) == 2


def test_double_quoted_literal_keeps_raw_escapes() -> None:
    call = only_call('echo "a \\"b\\""')
    quoted = call.args[1].parts[0]
    assert isinstance(quoted, DblQuoted)
    lit = quoted.parts[0]
    assert isinstance(lit, Lit)
    assert lit.value == 'a \\"b\\"'


def test_pipes_are_left_associative() -> None:
    (stmt,) = parse("a | b | c")
    outer = stmt.cmd
    assert isinstance(outer, BinaryCmd)
    assert isinstance(outer.x.cmd, BinaryCmd)
    assert isinstance(outer.y.cmd, CallExpr)


def test_and_or_lists_bind_looser_than_pipes() -> None:
    (stmt,) = parse("a && b | c")
    outer = stmt.cmd
    assert isinstance(outer, BinaryCmd)
    assert outer.op == "&&"
    assert isinstance(outer.y.cmd, BinaryCmd)
    assert outer.y.cmd.op == "|"


def test_redirections_belong_to_the_statement() -> None:
    (stmt,) = parse("curl https://x > out 2>&1")
    assert [(r.op, r.fd) for r in stmt.redirs] == [(">", None), (">&", "2")]
    assert isinstance(stmt.cmd, CallExpr)
    assert len(stmt.cmd.args) == 2


def test_leading_assignments_are_not_arguments() -> None:
    call = only_call("FOO=1 BAR=(a b) cmd a=b")
    assert len(call.assigns) == 2
    assert [part_kinds(w) for w in call.args] == [["Lit"], ["Lit"]]


def test_heredoc_body_is_read_after_the_line_and_walkable() -> None:
    stmts = parse("cat <<EOF > f\n$(pip install x)\nEOF\necho done\n")
    assert len(stmts) == 2
    hdoc = stmts[0].redirs[0].hdoc
    assert hdoc is not None
    assert any(isinstance(p, CmdSubst) for p in hdoc.parts)


def test_quoted_heredoc_body_is_literal() -> None:
    stmts = parse("cat <<'EOF'\n$(not a command\nEOF\n")
    hdoc = stmts[0].redirs[0].hdoc
    assert hdoc is not None
    assert all(isinstance(p, Lit) for p in hdoc.parts)


def test_dash_heredoc_strips_tabs_from_the_delimiter_line() -> None:
    stmts = parse("cat <<-EOF\n\tbody\n\tEOF\necho after\n")
    assert len(stmts) == 2


def test_compound_commands_keep_nested_statements() -> None:
    text = (
        "f() { a; }\n"
        "if b; then c; elif d; then e; else g; fi\n"
        "for i in 1 2; do h; done\n"
        "while true; do break; done\n"
        "case $x in a|b) i ;; *) j ;; esac\n"
        "[[ -f x && $y =~ ^(a|b)$ ]] && k\n"
        "(( n++ )) || (sub)\n"
        "export X=$(m)\n"
    )
    stmts = parse(text)
    assert len(stmts) == 8
    assert all(isinstance(s, Stmt) for s in stmts)
    assert isinstance(stmts[0].cmd, Compound)
    assert stmts[0].cmd.kind == "function"


def test_process_and_command_substitutions_nest() -> None:
    call = only_call("bash <(curl $(cat url))")
    proc = call.args[1].parts[0]
    assert isinstance(proc, ProcSubst)
    assert proc.op == "<("
    inner = proc.stmts[0].cmd
    assert isinstance(inner, CallExpr)
    assert isinstance(inner.args[1].parts[0], CmdSubst)


def test_backquotes_unescape_one_level() -> None:
    call = only_call("echo `echo \\`date\\``")
    subst = call.args[1].parts[0]
    assert isinstance(subst, CmdSubst)
    inner = subst.stmts[0].cmd
    assert isinstance(inner, CallExpr)
    assert isinstance(inner.args[1].parts[0], CmdSubst)


def test_offsets_point_into_the_text() -> None:
    text = "echo a\n  curl -s 'u'\n"
    call = parse(text)[1].cmd
    assert isinstance(call, CallExpr)
    assert text[call.start : call.end] == "curl -s 'u'"
    quoted = call.args[2].parts[0]
    assert isinstance(quoted, SglQuoted)
    assert text[quoted.start] == "u"


def test_param_expansion_contents_are_walkable() -> None:
    call = only_call('echo "${X:-$(curl u)}"')
    quoted = call.args[1].parts[0]
    assert isinstance(quoted, DblQuoted)
    param = quoted.parts[0]
    assert isinstance(param, ParamExp)
    assert isinstance(param.parts[0], CmdSubst)


def test_extended_glob_is_a_part() -> None:
    call = only_call("ls !(x)")
    assert isinstance(call.args[1].parts[0], ExtGlob)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("echo 'open", "reached EOF without closing quote '"),
        ('echo "open', 'reached EOF without closing quote "'),
        ("echo $(date", "without matching ( with )"),
        ("if true; then echo", 'if statement must end with "fi"'),
        ("fi", '"fi" can only be used to end an if'),
        ("for x in a; echo; done", 'must be followed by "do"'),
        ("echo a )", "a command can only contain words and redirects; encountered )"),
        ("{ echo a; } echo b", "statements must be separated by &, ; or a newline"),
        ("cat <<EOF\nno end\n", "unclosed here-document 'EOF'"),
        ("echo a |", "| must be followed by a statement"),
        ("; echo", "; can only immediately follow a statement"),
        ("case x in a) echo ;; ", 'case statement must end with "esac"'),
        ("echo ;; x", ";; can only be used in a case clause"),
    ],
)
def test_syntax_errors(text: str, message: str) -> None:
    with pytest.raises(ShellSyntaxError) as info:
        parse(text)
    assert message in info.value.message


@pytest.mark.parametrize(
    "text",
    ["$(" * 500 + "x" + ")" * 500, "{ " * 300 + "x;" + " }" * 300, '"$(echo "' * 300],
)
def test_deep_nesting_is_a_syntax_error_not_a_crash(text: str) -> None:
    with pytest.raises(ShellSyntaxError, match="nesting too deep"):
        parse(text)


def test_comments_and_blank_lines_are_skipped() -> None:
    stmts = parse("# header\n\n  # indented\necho a # trailing\n#end")
    assert len(stmts) == 1


def test_dblquoted_single_literal_is_one_part() -> None:
    call = only_call('echo "https://example.com/x"')
    quoted = call.args[1].parts[0]
    assert isinstance(quoted, DblQuoted)
    assert len(quoted.parts) == 1
    assert isinstance(quoted.parts[0], Lit)
