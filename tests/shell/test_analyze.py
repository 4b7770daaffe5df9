"""Scorecard's shell rules, as command vectors: what is a dependency, pinned or not, and where.

The expectations follow ossf/scorecard's ``checks/raw/shell_download_validate.go`` and the
cases of its Go tests, rewritten here as small scripts.
"""

from __future__ import annotations

import pytest

from caulk.checks.scorecard.pinning_model import Dependency, DependencyType
from caulk.shell.analyze import ShellState, analyze_script

DTR = DependencyType.DOWNLOAD_THEN_RUN
GO = DependencyType.GO_COMMAND
PIP = DependencyType.PIP_COMMAND
NPM = DependencyType.NPM_COMMAND
CHOCO = DependencyType.CHOCO_COMMAND
NUGET = DependencyType.NUGET_COMMAND

SHA = "0123456789abcdef0123456789abcdef01234567"


def deps(script: str, state: ShellState | None = None) -> list[Dependency]:
    return analyze_script(script, path="build.sh", line=1, state=state)


def summary(script: str) -> list[tuple[DependencyType, bool]]:
    """(type, pinned) of every counted dependency."""
    return [(d.type, d.pinned) for d in deps(script) if d.counted]


# -- downloadThenRun ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "script",
    [
        "curl -sSL https://example.com/install.sh | bash",
        "curl https://example.com/install.sh | sh -s -- --yes",
        "wget -qO- https://example.com/i.sh | sh",
        "curl -fsSL https://example.com/i | sudo bash",
        "curl https://example.com/i | sudo -E bash",  # the -E is kept: not an interpreter
        "curl https://x/i.py | python3",
        "curl https://x/i.js | node",
        "curl https://x/i.pl | perl",
        "/usr/bin/curl https://x/i | /bin/bash",
        "gsutil cat gs://bucket/i.sh | sh",
        "aws s3api get-object --bucket b --key k /dev/stdout | bash",
        "curl bla | bash",  # no URL at all is not "every URL pinned"
    ],
)
def test_download_piped_to_an_interpreter(script: str) -> None:
    expected = [] if "sudo -E" in script else [(DTR, False)]
    assert summary(script) == expected


def test_raw_githubusercontent_at_a_commit_is_exempt() -> None:
    url = f"https://raw.githubusercontent.com/owner/repo/{SHA}/install.sh"
    assert summary(f"curl -sSL {url} | bash") == []
    assert summary(f"curl -sSL '{url}' | bash") == []


@pytest.mark.parametrize(
    "script",
    [
        "curl -sSL https://raw.githubusercontent.com/owner/repo/main/install.sh | bash",
        f"curl http://raw.githubusercontent.com/o/r/{SHA}/i.sh | bash",  # not https
        f"curl https://raw.githubusercontent.com/o/r/{SHA} | bash",  # no path after the ref
        # Go's ParseRequestURI reads the header as an opaque URL: not every URL is pinned.
        f'curl -H "Accept: text/plain" https://raw.githubusercontent.com/o/r/{SHA}/i | bash',
        # An absolute path also parses as a request URI.
        f"curl -o /tmp/x https://raw.githubusercontent.com/o/r/{SHA}/i | bash",
    ],
)
def test_unpinned_or_mixed_urls_are_flagged(script: str) -> None:
    assert summary(script) == [(DTR, False)]


def test_pipe_into_a_non_interpreter_is_not_a_dependency() -> None:
    assert summary("curl -sSL https://example.com/x.tgz | tar xz") == []


def test_pipe_chains_follow_mvdan_associativity() -> None:
    # (curl | bash) | tee: the inner pipe is found.
    assert summary("curl https://a/i | bash | tee log") == [(DTR, False)]
    # (echo | curl) | bash: the left side is a pipe, not a command: not found.
    assert summary("echo | curl https://a/i | bash") == []


def test_process_substitution() -> None:
    assert summary("bash <(curl -s https://example.com/i.sh)") == [(DTR, False)]
    assert summary("bash <(wget -qO- https://example.com/i.sh) --flag") == [(DTR, False)]
    # No URL exemption here.
    raw = f"https://raw.githubusercontent.com/o/r/{SHA}/i.sh"
    assert summary(f"bash <(curl -s {raw})") == [(DTR, False)]
    # Scorecard reads the second raw argument: "sudo" shifts it.
    assert summary("sudo bash <(curl -s https://example.com/i.sh)") == []
    assert summary("cat <(curl -s https://example.com/i.sh)") == []


@pytest.mark.parametrize(
    ("script", "line"),
    [
        ("curl https://example.com/i > /tmp/i.sh\nbash /tmp/i.sh", 2),
        ("curl https://example.com/i > /tmp/i.sh && chmod +x /tmp/i.sh && /tmp/i.sh", 1),
        ("wget -O i.sh https://example.com/i\nsh ./i.sh", 2),
        ("wget https://example.com/dir/install.sh\nbash install.sh", 2),
        ("wget https://example.com/dir/install.sh\n./install.sh", 2),
        ("gsutil cp gs://bucket/dir/i.sh /tmp/\nbash /tmp/i.sh", 2),
        ("gsutil cp gs://bucket/dir/i.sh /tmp/run.sh\nbash /tmp/run.sh", 2),
        ("aws s3api get-object --bucket b --key i.sh /tmp/i.sh\nbash /tmp/i.sh", 2),
        ("curl > /tmp/file2\necho hi && \\\n  /tmp/file2", 3),
        ("curl https://x/i > f\npython3 -u f", 2),
    ],
)
def test_download_to_a_file_then_run(script: str, line: int) -> None:
    found = [d for d in deps(script) if d.counted]
    assert [(d.type, d.pinned, d.location.line) for d in found] == [(DTR, False, line)]


@pytest.mark.parametrize(
    "script",
    [
        "curl -o /tmp/i.sh https://example.com/i\nbash /tmp/i.sh",  # curl -o is not tracked
        "curl -sSLo i.sh https://example.com/i\nbash i.sh",
        f"curl https://raw.githubusercontent.com/o/r/{SHA}/i > i.sh\nbash i.sh",
        "bash /tmp/i.sh\ncurl https://example.com/i > /tmp/i.sh",  # run before download
        "curl https://example.com/i >> /tmp/i.sh\nbash /tmp/i.sh",  # only ">" is tracked
        "curl https://example.com/i > /tmp/i.sh\ncat /tmp/i.sh",
    ],
)
def test_downloads_scorecard_does_not_track(script: str) -> None:
    assert summary(script) == []


def test_taint_is_shared_through_the_state() -> None:
    state = ShellState()
    assert deps("wget -O /tmp/x.sh https://example.com/x", state) == []
    later = deps("bash /tmp/x.sh", state)
    assert [(d.type, d.pinned) for d in later] == [(DTR, False)]
    assert "/tmp/x.sh" in state.downloaded
    assert deps("bash /tmp/x.sh") == []  # a fresh state knows nothing


def test_two_tainted_names_for_one_file_give_two_dependencies() -> None:
    script = "curl https://a > f\ncurl https://b > ./f\nbash f"
    assert summary(script) == [(DTR, False), (DTR, False)]


def test_shell_c_strings_are_analysed_recursively() -> None:
    assert summary('bash -c "curl -s https://example.com/i | bash"') == [(DTR, False)]
    assert summary("sh -ec 'pip install foo'") == [(PIP, False)]
    assert summary("su builder -c 'npm install'") == [(NPM, False)]
    # python -c is not re-parsed as shell.
    assert summary("python3 -c 'curl https://x | bash'") == []
    # A string with an expansion is not a single literal: skipped.
    assert summary('bash -c "curl $URL | bash"') == []


def test_shell_c_location_is_the_inner_command() -> None:
    (dep,) = deps('echo start\n  bash -c "echo a; curl https://x | sh"')
    assert (dep.location.line, dep.location.column) == (2, 20)
    assert dep.name == "curl https://x | sh"


def test_nested_substitutions_are_walked() -> None:
    assert summary("x=$(curl https://x | bash)") == [(DTR, False)]
    assert summary("echo `pip install foo`") == [(PIP, False)]
    assert summary('echo "${X:-$(npm install)}"') == [(NPM, False)]
    assert summary("cat <<EOF\n$(go get github.com/a/b)\nEOF") == [(GO, False)]
    assert summary("f() {\n  curl https://x | bash\n}") == [(DTR, False)]
    assert summary("if [ -n x ]; then\n  pip install a\nelse\n  npm i\nfi") == [
        (PIP, False),
        (NPM, False),
    ]


# -- literal words only ------------------------------------------------------------------------


def test_words_with_expansions_are_dropped() -> None:
    # "$CURL" is dropped, so the command's first literal word is the URL: not a download.
    assert summary("$CURL https://x | bash") == []
    # The URL is dropped: no URL left, so the download counts as unpinned.
    assert summary(f"curl https://raw.githubusercontent.com/o/r/{SHA}/$F | bash") == [(DTR, False)]
    # pip with a dropped package argument still installs without hashes.
    assert summary('pip install "$PKG"') == [(PIP, False)]


def test_sudo_is_removed_only_as_a_plain_word() -> None:
    assert summary("sudo pip install --require-hashes -r r.txt") == [(PIP, True)]
    assert summary("sudo npm install") == [(NPM, False)]
    assert summary("'sudo' npm install") == []


def test_quoted_words_keep_their_quotes() -> None:
    # "npm" with quotes is not the npm binary for Scorecard.
    assert summary('"npm" install') == []
    # A quoted verb is not "install" either.
    assert summary("pip 'install' foo") == []


# -- package managers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "pinned"),
    [
        ("pip install -r requirements.txt", False),
        ("pip install --require-hashes -r requirements.txt", True),
        ("pip install -r requirements.txt --require-hashes", True),
        ("pip3 install requests==2.31.0", False),
        ("pip install .", False),
        ("pip install", False),
        ("pip install --upgrade pip", False),
        ("pip install dist/pkg-1.0-py3-none-any.whl", True),
        ("pip install --no-cache-dir a.whl b.whl", True),
        ("pip install a.whl requests", False),
        ("pip install --index-url=https://x a.whl", False),  # "--index-url=…" is no flag
        ("pip install --no-deps -e .", True),
        ("pip install --no-deps -e ./local/path", True),
        (f"pip install --no-deps -e git+https://github.com/o/r.git@{SHA}#egg=p", True),
        ("pip install --no-deps -e git+https://github.com/o/r.git@v1.0", False),
        ("pip install -e .", False),  # dependencies are installed unpinned
        (f"pip install -e git+https://github.com/o/r.git@{SHA}", False),
        (f"pip install --no-deps -e hg+https://x/r@{SHA}", False),
        ("python -m pip install foo", False),
        ("python3 -m pip install --require-hashes -r r.txt", True),
        ("/usr/bin/python3.11 -m pip install foo", None),  # not one of python/python3/2.7
        ("PIP install foo", False),  # names are compared case-insensitively
    ],
)
def test_pip(script: str, pinned: bool | None) -> None:
    assert summary(script) == ([] if pinned is None else [(PIP, pinned)])


@pytest.mark.parametrize(
    ("script", "pinned"),
    [
        ("npm ci", True),
        ("npm install", False),
        ("npm i left-pad", False),
        ("npm install -g yarn", False),
        ("npm update", False),
        ("npm install-test", False),
        (f"npm install github:owner/repo#{SHA}", True),
        (f"npm install git+https://github.com/o/r.git#{SHA}", True),
        ("npm install github:owner/repo#v1.0", False),
        ("npm install github:owner/repo", False),
        ("npm run build", None),
        ("npm --prefix app ci", True),
    ],
)
def test_npm(script: str, pinned: bool | None) -> None:
    assert summary(script) == ([] if pinned is None else [(NPM, pinned)])


@pytest.mark.parametrize(
    ("script", "pinned"),
    [
        ("go install golang.org/x/tools/cmd/goimports@v0.1.12", True),
        ("go install golang.org/x/tools/cmd/goimports@latest", False),
        ("go install golang.org/x/tools/cmd/goimports", False),
        (f"go get github.com/o/r@{SHA}", True),
        ("go get github.com/o/r@none", True),
        ("go get -u github.com/o/r@v1.2.3", True),
        ("go get -insecure github.com/o/r@v1.2.3", False),
        ("go get -d -v ./...", True),  # not a remote module path
        ("go get -d -v", True),  # flags only: nothing remote
        ("go install ./cmd/tool", True),
        ("go install -ldflags=-s github.com/o/r@latest", True),  # unknown flag ends the scan
        ("go get github.com/a/b github.com/c/d@v1.0.0", True),  # any pinned module pins it
        ("go build ./...", None),
        ("go install github.com/o/r@v1.2.3-rc.1+meta", True),
    ],
)
def test_go(script: str, pinned: bool | None) -> None:
    assert summary(script) == ([] if pinned is None else [(GO, pinned)])


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("choco install git", [(CHOCO, False)]),
        ("choco install git --requirechecksums", [(CHOCO, True)]),
        ("choco.exe install git --require-checksums=true", [(CHOCO, True)]),
        ("choco install 'some-package'", [(CHOCO, False)]),
        ("nuget install Newtonsoft.Json", [(NUGET, False)]),
        ("nuget install Newtonsoft.Json -Version 13.0.1", [(NUGET, True)]),
        ("nuget install", [(NUGET, True)]),  # assumed to restore a packages.config
        ("nuget install packages.config", [(NUGET, True)]),
        ("nuget.exe install a", [(NUGET, False)]),
        ("dotnet add package Newtonsoft.Json", [(NUGET, False)]),
        ("dotnet add package Newtonsoft.Json --version 13.0.1", [(NUGET, True)]),
        ("dotnet add App.csproj package Newtonsoft.Json -v 13.0.1", [(NUGET, True)]),
        ("dotnet restore", [(NUGET, False)]),
        ("dotnet restore --locked-mode", [(NUGET, True)]),
        ("nuget restore", [(NUGET, False)]),
        ("nuget restore -LockedMode", [(NUGET, True)]),
        ("msbuild /t:restore", [(NUGET, False)]),
        ("msbuild /t:restore /p:RestoreLockedMode=true", [(NUGET, True)]),
        ("dotnet build", []),
    ],
)
def test_choco_and_nuget(script: str, expected: list[tuple[DependencyType, bool]]) -> None:
    assert summary(script) == expected


def test_unpinned_nuget_carries_scorecards_remediation() -> None:
    (dep,) = deps("dotnet restore")
    assert dep.note.startswith("pin your dependencies by either enabling central package")


@pytest.mark.parametrize(
    "script",
    [
        "apt-get update && apt-get install -y curl",
        "apk add --no-cache curl",
        "yum install -y git",
        "dnf install -y git",
        "docker pull debian:12",
        "git clone https://github.com/o/r",
        "cargo install ripgrep",
        "gem install bundler",
        "uv pip install requests",
        "poetry install",
        "curl -o x https://example.com/x",
        "yarn install",
    ],
)
def test_never_counted(script: str) -> None:
    assert summary(script) == []


def test_first_package_manager_match_decides() -> None:
    # A pip command that mentions npm is a pip command only.
    assert summary("pip install npm install") == [(PIP, False)]
    # A go module list ends at the first argument that is not a remote path: pinned.
    assert summary("go get github.com/a/b pip install x") == [(GO, True)]


# -- locations, names and errors ----------------------------------------------------------------


def test_location_is_the_exact_command() -> None:
    script = "set -e\n\nif true; then\n    pip install foo\nfi\n"
    (dep,) = analyze_script(script, path="ci/build.sh", line=10)
    assert dep.location.path == "ci/build.sh"
    assert (dep.location.line, dep.location.column) == (13, 5)
    assert (dep.location.end_line, dep.location.end_column) == (13, 20)
    assert dep.name == "pip install foo"


def test_first_line_column_and_block_indent_are_applied() -> None:
    script = "echo a; npm install\ncurl https://x | bash\n"
    found = analyze_script(script, path="w.yml", line=7, column=12, indent=10)
    assert [(d.location.line, d.location.column) for d in found] == [(7, 20), (8, 11)]


def test_continuation_lines_keep_the_start_line_and_a_clean_name() -> None:
    (dep,) = deps("echo hi && \\\n  curl -fsSL \\\n    https://x/i | bash")
    assert dep.location.line == 2
    assert dep.location.end_line == 3
    assert dep.name == "curl -fsSL https://x/i | bash"


def test_syntax_error_is_an_uncounted_processing_error() -> None:
    found = deps("curl https://x | bash\nif true; then\n  echo\n")
    assert len(found) == 1
    (error,) = found
    assert not error.counted
    assert error.note.startswith("processing error: error parsing shell code:")
    assert 'if statement must end with "fi"' in error.note
    assert error.location.line == 2


def test_unparseable_url_stops_the_script_with_a_processing_error() -> None:
    found = deps("curl https://x | bash\nwget http://example.com:port/x\npip install x")
    assert [(d.type, d.counted) for d in found] == [(DTR, True), (DTR, False)]
    assert "url.Parse" in found[1].note


def test_crlf_scripts_parse() -> None:
    assert summary("if true; then\r\n  pip install x\r\nfi\r\n") == [(PIP, False)]


def test_binary_garbage_never_raises() -> None:
    found = deps("\x00\x01 ) ( `` $(( ]] {{ <<")
    assert all(not d.counted for d in found)
