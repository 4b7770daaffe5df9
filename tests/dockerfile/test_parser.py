"""The Dockerfile parser on BuildKit's tricky forms, with exact spans.

Each test states the BuildKit behaviour it pins down (frontend/dockerfile/parser).
"""

from __future__ import annotations

from caulk.dockerfile.model import Instruction, ParsedDockerfile
from caulk.dockerfile.parser import parse_dockerfile


def parse(text: str) -> ParsedDockerfile:
    return parse_dockerfile(text, "Dockerfile")


def source(df: ParsedDockerfile, instruction: Instruction) -> str:
    return df.text[instruction.span.start : instruction.span.end]


def test_instruction_spans_cover_the_original_text_exactly() -> None:
    text = 'FROM alpine:3.20\n\n  RUN echo hi\nCMD ["sh"]\n'
    df = parse(text)
    assert [source(df, i) for i in df.instructions] == [
        "FROM alpine:3.20",
        "RUN echo hi",
        'CMD ["sh"]',
    ]
    run = df.instructions[1]
    assert (run.span.line, run.span.column, run.span.end_line, run.span.end_column) == (3, 3, 3, 14)
    assert (run.keyword_span.start, run.keyword_span.end) == (20, 23)


def test_from_image_reference_has_its_own_span() -> None:
    text = "FROM --platform=$BUILDPLATFORM golang:1.23@sha256:" + "a" * 64 + " AS build\n"
    df = parse(text)
    stage = df.stages[0]
    image = stage.info.image
    assert image is not None
    assert text[image.span.start : image.span.end] == "golang:1.23@sha256:" + "a" * 64
    assert image.span.column == 32
    assert stage.info.platform == "$BUILDPLATFORM"
    assert stage.name == "build"
    flag = stage.from_.flags[0]
    assert text[flag.span.start : flag.span.end] == "--platform=$BUILDPLATFORM"


def test_continuation_skips_comment_and_blank_lines_inside_as_buildkit() -> None:
    text = (
        "FROM debian:12\n"
        "RUN apt-get update \\\n"
        "# a comment inside the continuation is dropped\n"
        "\n"
        "    && apt-get install -y curl\n"
        "USER app\n"
    )
    df = parse(text)
    run = df.instructions[1]
    # BuildKit keeps continuation lines' leading whitespace and drops the escape token.
    assert run.args == "apt-get update     && apt-get install -y curl"
    assert (run.line, run.end_line) == (2, 5)
    assert source(df, run).endswith("&& apt-get install -y curl")
    # Offsets inside the logical line map back to the file.
    at = run.args.index("apt-get install")
    assert text[run.args_map.to_file(at) :].startswith("apt-get install -y curl")
    assert df.instructions[2].line == 6


def test_backtick_escape_directive_changes_the_continuation_token() -> None:
    text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir `\n    C:\\\\\n"
    df = parse(text)
    assert df.escape == "`"
    assert df.directives == {"escape": "`"}
    assert df.instructions[1].args == "dir     C:\\\\"


def test_directive_after_an_instruction_is_a_comment() -> None:
    df = parse("FROM alpine:3\n# escape=`\nRUN echo \\\n  hi\n")
    assert df.escape == "\\"
    assert df.instructions[1].args == "echo   hi"


def test_repeated_directive_is_a_syntax_error() -> None:
    df = parse("# syntax=docker/dockerfile:1\n# syntax=docker/dockerfile:1\nFROM alpine\n")
    assert not df.syntax_ok
    assert df.errors[0].message == "only one syntax parser directive can be used"
    assert df.errors[0].line == 2


def test_escaped_escape_token_is_not_a_continuation() -> None:
    df = parse("FROM alpine:3\nRUN echo \\\\\nRUN true\n")
    assert [i.args for i in df.instructions[1:]] == ["echo \\\\", "true"]


def test_several_heredocs_on_one_line() -> None:
    text = "FROM alpine:3\nCOPY <<one <<'two' /dest/\nfirst $HOME\none\nsecond\ntwo\nRUN true\n"
    df = parse(text)
    copy = df.instructions[1]
    assert [(h.name, h.content, h.expand) for h in copy.heredocs] == [
        ("one", "first $HOME\n", True),
        ("two", "second\n", False),
    ]
    assert source(df, copy) == "COPY <<one <<'two' /dest/\nfirst $HOME\none\nsecond\ntwo"
    assert copy.heredocs[1].body_span.line == 5
    assert df.instructions[2].line == 7


def test_chomping_heredoc_strips_leading_tabs_for_the_delimiter_and_the_body() -> None:
    df = parse('FROM alpine:3\nRUN <<-"EOF"\n\techo hi\n\tEOF\n')
    heredoc = df.instructions[1].heredocs[0]
    assert heredoc.chomp and not heredoc.expand
    assert heredoc.content == "\techo hi\n"
    assert heredoc.text == "echo hi\n"
    assert df.text[heredoc.body_map.to_file(0) :].startswith("echo hi")


def test_heredoc_in_exec_form_is_not_a_heredoc() -> None:
    df = parse('FROM alpine:3\nRUN ["sh", "-c", "cat <<EOF"]\nEOF\n')
    assert df.instructions[1].json
    assert df.instructions[1].heredocs == ()
    assert df.errors[0].message == "unknown instruction: EOF"
    assert df.errors[0].kind == "instruction"


def test_unterminated_heredoc_is_a_syntax_error() -> None:
    df = parse("FROM alpine:3\nRUN <<EOF\necho hi\n")
    assert not df.syntax_ok
    assert (df.errors[0].message, df.errors[0].line) == ("unterminated heredoc <<EOF", 2)


def test_json_form_and_invalid_json_falls_back_to_shell_form() -> None:
    df = parse('FROM alpine:3\nCMD ["a", "b c"]\nENTRYPOINT [not json]\nRUN ["echo"] trailing\n')
    cmd, entrypoint, run = df.instructions[1:]
    assert cmd.json and cmd.json_args == ("a", "b c")
    assert not entrypoint.json and entrypoint.args == "[not json]"
    # Go's json.Decoder reads the first value and ignores what follows.
    assert run.json and run.json_args == ("echo",)


def test_json_array_of_non_strings_is_a_syntax_error() -> None:
    df = parse("FROM alpine:3\nRUN [1, 2]\n")
    assert not df.syntax_ok
    assert "only strings" in df.errors[0].message


def test_run_flags_are_split_off() -> None:
    text = (
        "FROM alpine:3\n"
        "RUN --mount=type=cache,target=/var/cache/apk --network=none --security=insecure "
        "apk add curl\n"
        "COPY --from=build --chown=1000:1000 --link /out /app\n"
    )
    df = parse(text)
    run, copy = df.instructions[1:]
    assert [(f.name, f.value) for f in run.flags] == [
        ("mount", "type=cache,target=/var/cache/apk"),
        ("network", "none"),
        ("security", "insecure"),
    ]
    assert run.args == "apk add curl"
    assert [(f.name, f.value) for f in copy.flags] == [
        ("from", "build"),
        ("chown", "1000:1000"),
        ("link", None),
    ]
    assert [w.value for w in copy.words] == ["/out", "/app"]


def test_instructions_are_case_insensitive_and_keep_their_case() -> None:
    df = parse("from alpine:3 as base\nRun echo hi\nfrom base\n")
    assert [i.keyword for i in df.instructions] == ["from", "Run", "from"]
    assert [i.cmd for i in df.instructions] == ["from", "run", "from"]
    assert df.stages[1].base_stage == 0


def test_global_args_are_substituted_into_from() -> None:
    text = (
        "ARG REGISTRY=docker.io\n"
        "ARG TAG=3.20\n"
        "ARG VARIANT\n"
        "ARG IMAGE=${REGISTRY}/library/alpine\n"
        "FROM $IMAGE:${TAG}\n"
        "FROM alpine:${VARIANT:-3.19}\n"
        "FROM alpine${VARIANT:+-}${VARIANT}\n"
        "FROM ${UNDECLARED}/alpine\n"
        "FROM --platform=$BUILDPLATFORM alpine:${TARGETARCH}\n"
    )
    df = parse(text)
    assert df.global_args == {
        "REGISTRY": "docker.io",
        "TAG": "3.20",
        "VARIANT": None,
        "IMAGE": "docker.io/library/alpine",
    }
    assert [s.image for s in df.stages] == [
        "docker.io/library/alpine:3.20",
        "alpine:3.19",
        None,  # VARIANT has no default: its value comes from --build-arg
        None,
        None,
    ]


def test_stage_reference_through_an_arg() -> None:
    df = parse("ARG BASE=builder\nFROM alpine:3 AS builder\nFROM ${BASE}\n")
    assert df.stages[1].base_stage == 0


def test_onbuild_wraps_an_instruction_with_its_heredoc() -> None:
    df = parse("FROM alpine:3\nONBUILD RUN <<EOF\napk add curl\nEOF\n")
    onbuild = df.instructions[1]
    assert onbuild.cmd == "onbuild"
    assert onbuild.sub is not None and onbuild.sub.cmd == "run"
    assert onbuild.sub.heredocs[0].content == "apk add curl\n"
    assert source(df, onbuild.sub) == "RUN <<EOF\napk add curl\nEOF"


def test_env_and_label_pairs_in_both_forms() -> None:
    df = parse(
        'FROM alpine:3\nENV A=1 B="two words"\nENV LEGACY value with spaces\n'
        'LABEL "org.opencontainers.image.source"="https://x" maintainer=me\n'
    )
    env1, env2, label = df.instructions[1:]
    assert [(p.key, p.value) for p in env1.pairs] == [("A", "1"), ("B", "two words")]
    assert [(p.key, p.value) for p in env2.pairs] == [("LEGACY", "value with spaces")]
    assert [p.key for p in label.pairs] == ["org.opencontainers.image.source", "maintainer"]


def test_errors_never_raise_and_are_located() -> None:
    df = parse("FROM\nFROM a b\nFOO bar\nUSER\nCOPY onlyone\nENV novalue\n")
    assert [(e.line, e.message) for e in df.errors] == [
        (1, "FROM requires either one or three arguments"),
        (2, "FROM requires either one or three arguments"),
        (3, "unknown instruction: FOO"),
        (4, "USER requires exactly one argument"),
        (
            5,
            "COPY requires at least two arguments, but only one was provided. "
            "Destination could not be determined",
        ),
        (6, "ENV must have two arguments"),
    ]
    assert not df.syntax_ok  # ENV's legacy form without a value is a parser error


def test_instruction_before_from_is_reported() -> None:
    df = parse("RUN echo hi\nFROM alpine:3\n")
    assert [(e.line, e.message) for e in df.errors] == [(1, "no build stage in current context")]


def test_overlong_line_is_a_syntax_error() -> None:
    df = parse("FROM alpine:3\nRUN echo " + "x" * 70_000 + "\n")
    assert not df.syntax_ok
    assert df.errors[0].line == 2


def test_crlf_line_endings() -> None:
    text = "FROM alpine:3\r\nRUN echo a \\\r\n  b\r\n"
    df = parse(text)
    assert df.instructions[1].args == "echo a   b"
    assert source(df, df.instructions[1]) == "RUN echo a \\\r\n  b"
