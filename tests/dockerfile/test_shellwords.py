"""The small shell reader behind the RUN rules: commands, arguments, flags, pipes."""

from __future__ import annotations

from caulk.dockerfile.shellwords import parse_script


def test_commands_in_order_with_nested_substitutions() -> None:
    s = parse_script('set -eux; X=1 apt-get install -y "make" && echo $(sudo ls | wc -l) > /f')
    assert [(c.name, c.args) for c in s.commands] == [
        ("set", ("-eux",)),
        ("apt-get", ("install", "-y", "make")),
        ("echo", ("${VAR}",)),
        ("sudo", ("ls",)),
        ("wc", ("-l",)),
    ]
    assert s.has_pipe


def test_flags_as_hadolint_reads_them() -> None:
    c = parse_script("apt-get -qy install --no-install-recommends=true foo").commands[0]
    assert c.flags == ("q", "y", "no-install-recommends")


def test_heredoc_bodies_are_not_commands() -> None:
    s = parse_script("cat <<EOF > /etc/x\nsudo rm -rf /\nEOF\nls")
    assert [c.name for c in s.commands] == ["cat", "ls"]


def test_control_flow_words_are_skipped() -> None:
    s = parse_script("if [ -f x ]; then cd /tmp; fi; for i in a b; do echo $i; done")
    assert [c.name for c in s.commands] == ["[", "cd", "echo"]


def test_or_is_not_a_pipe() -> None:
    assert not parse_script("a || b").has_pipe
    assert parse_script("a |& b").has_pipe


def test_unclosed_quote_is_reported_not_raised() -> None:
    assert not parse_script("echo 'oops").complete
