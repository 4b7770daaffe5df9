"""One function per Dockerfile rule: each yields :class:`Hit` objects for one parsed file.

hadolint rules follow hadolint's code (``src/Hadolint/Rule/DL*.hs`` @8f936c5), including its
quirks, so that caulk and hadolint report the same (rule, line) pairs; the deliberate
deviations are listed in each function's docstring and in docs/rules-dockerfile.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from caulk.checks.dockerfile import catalog
from caulk.checks.dockerfile.scripts import RunScript, has_cache_mount, run_script
from caulk.dockerfile.images import parse_image
from caulk.dockerfile.model import Instruction, ParsedDockerfile, Span, Stage
from caulk.dockerfile.pinning import scorecard_scans_from, scorecard_sees
from caulk.dockerfile.shellwords import Command
from caulk.dockerfile.user import effective_user
from caulk.findings import Confidence, Rule, Severity


@dataclass(frozen=True)
class Hit:
    """A finding before ignore pragmas are applied."""

    rule: Rule
    message: str
    span: Span
    anchor_line: int
    """The line of the instruction it belongs to (``# hadolint ignore=`` applies to it)."""
    severity: Severity | None = None
    confidence: Confidence = Confidence.HIGH


@dataclass(frozen=True)
class RepoFacts:
    """Repository-wide facts some rules need."""

    workflow_labels: frozenset[str]
    """OCI label keys (``source``, ``revision``...) that the build workflows set."""
    workflow_label_source: str = ""


def _hit(
    rule: Rule,
    message: str,
    instruction: Instruction,
    span: Span | None = None,
    *,
    severity: Severity | None = None,
    confidence: Confidence = Confidence.HIGH,
) -> Hit:
    return Hit(rule, message, span or instruction.span, instruction.line, severity, confidence)


def _drop_quotes(text: str) -> str:
    return text.strip("\"'")


def _runs(df: ParsedDockerfile, *, onbuild: bool) -> Iterator[tuple[Stage | None, RunScript]]:
    """Every RUN script with its stage; ONBUILD RUNs too when ``onbuild``."""
    for instruction in df.instructions:
        if instruction.cmd == "onbuild" and not onbuild:
            continue
        script = run_script(instruction)
        if script is not None:
            yield df.stage_of(instruction), script


def _is_devcontainer(path: str) -> bool:
    return path.startswith(".devcontainer/") or "/.devcontainer/" in path


# -- user -----------------------------------------------------------------------------------


def _hadolint_is_root(user: str) -> bool:
    return user.startswith(("root:", "0:")) or user in ("root", "0")


def last_user_root(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3002: per stage, the last USER is root (hadolint reports every stage, not only the
    final one; the value is compared as written)."""
    for stage in df.stages:
        last: Instruction | None = None
        for instruction in stage.instructions:
            if instruction.cmd != "user":
                continue
            last = instruction if _hadolint_is_root(instruction.args) else None
        if last is not None:
            yield _hit(catalog.DL3002, f"Last USER should not be root (USER {last.args})", last)


def final_stage_root(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1001: the final stage's effective user is root.

    Not reported when DL3002 already reports the final stage's own last ``USER root``, for
    ``.devcontainer/`` Dockerfiles (development images, not shipped), nor when the user is
    unknown (``USER $VAR`` that cannot be resolved).
    """
    if _is_devcontainer(df.path):
        return
    final = df.final_stage
    verdict = effective_user(df)
    if final is None or verdict is None or verdict.is_root is not True:
        return
    if (
        verdict.instruction is not None
        and verdict.stage is final
        and _hadolint_is_root(verdict.instruction.args)
    ):
        return
    if verdict.instruction is not None:
        where = (
            f"inherits USER {verdict.user} from stage "
            f"{verdict.stage.name or verdict.stage.index} (line {verdict.instruction.line})"
        )
        message = f"The final stage runs as root: it {where}"
        yield _hit(catalog.FINAL_STAGE_ROOT, message, final.from_)
        return
    if verdict.depends_on_base:
        message = f"The final stage has {verdict.explanation}"
        confidence = Confidence.MEDIUM
    else:
        message = f"The final stage runs as root: {verdict.explanation}"
        confidence = Confidence.HIGH
    yield _hit(catalog.FINAL_STAGE_ROOT, message, final.from_, confidence=confidence)


# -- base images ----------------------------------------------------------------------------


def _hadolint_image(raw: str) -> tuple[str, str | None, str | None]:
    ref = parse_image(raw)
    return ref.name, ref.tag, ref.digest


def untagged_images(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3006: FROM without a tag (scratch, digests, ``$VAR`` names and earlier stage aliases
    are fine)."""
    aliases: set[str] = set()
    for stage in df.stages:
        image, alias = stage.info.image, stage.info.alias
        if image is not None:
            raw = image.value
            _, tag, digest = _hadolint_image(raw)
            if (
                raw != "scratch"
                and digest is None
                and tag is None
                and not (raw.startswith("$") or raw in aliases)
            ):
                yield _hit(
                    catalog.DL3006,
                    f"Always tag the version of an image explicitly ({raw})",
                    stage.from_,
                    image.span,
                )
        if alias is not None:
            aliases.add(alias.value)


def latest_tags(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3007: the ``latest`` tag without a digest."""
    for stage in df.stages:
        image = stage.info.image
        if image is None:
            continue
        _, tag, digest = _hadolint_image(image.value)
        if tag == "latest" and digest is None:
            yield _hit(
                catalog.DL3007,
                f"Using latest is prone to errors ({image.value}); pin "
                "a release tag and its digest",
                stage.from_,
                image.span,
            )


def _scorecard_blind_spot(df: ParsedDockerfile, instruction: Instruction) -> str:
    if not scorecard_sees(df.path):
        return "Scorecard does not see this file (it only scans files named *Dockerfile*)"
    if not scorecard_scans_from(df.path, df.text):
        return "Scorecard does not see this file (vendored, template or test data path)"
    if instruction.keyword != "FROM":
        return (
            f"Scorecard does not see this: it ignores the non-upper-case "
            f"`{instruction.keyword}` instruction"
        )
    return ""


def unpinned_bases(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1002: a FROM image not pinned by a sha256 digest.

    Skipped: ``scratch``, references to earlier stages, and references built from ARGs that
    cannot be resolved (``FROM $BASE`` without a default, ``@sha256:${DIGEST}``).
    """
    for stage in df.stages:
        if stage.base_stage is not None or stage.image is None or stage.info.image is None:
            continue
        if stage.image.lower() == "scratch":
            continue
        ref = parse_image(stage.image)
        if ref.pinned:
            continue
        raw = stage.info.image.value
        what = stage.image if raw == stage.image else f"{raw} (= {stage.image} with ARG defaults)"
        message = f"Base image {what} is not pinned by digest"
        if ref.digest is not None:
            message = f"Base image {what} has a malformed digest (lower-case sha256 hex needed)"
        blind = _scorecard_blind_spot(df, stage.from_)
        if blind:
            message += f"; {blind}"
        yield _hit(catalog.UNPINNED_BASE, message, stage.from_, stage.info.image.span)


# -- labels ---------------------------------------------------------------------------------

OCI_LABELS = ("source", "licenses", "description", "revision", "created")
_OCI_PREFIX = "org.opencontainers.image."


def _stage_chain(df: ParsedDockerfile, stage: Stage) -> list[Stage]:
    chain = [stage]
    seen = {stage.index}
    while chain[-1].base_stage is not None and chain[-1].base_stage not in seen:
        seen.add(chain[-1].base_stage)
        chain.append(df.stages[chain[-1].base_stage])
    return chain


def missing_labels(df: ParsedDockerfile, facts: RepoFacts) -> Iterator[Hit]:
    """CK1003: the final stage (with the stages it is built FROM) lacks OCI labels that the
    build workflow does not set either. ``.devcontainer/`` Dockerfiles are skipped."""
    final = df.final_stage
    if final is None or _is_devcontainer(df.path):
        return
    present: set[str] = set(facts.workflow_labels)
    for stage in _stage_chain(df, final):
        for instruction in stage.instructions:
            if instruction.cmd == "label":
                for pair in instruction.pairs:
                    if pair.key.startswith(_OCI_PREFIX):
                        present.add(pair.key[len(_OCI_PREFIX) :])
    missing = [name for name in OCI_LABELS if name not in present]
    if not missing:
        return
    names = ", ".join(_OCI_PREFIX + m for m in missing)
    yield _hit(
        catalog.MISSING_OCI_LABELS,
        f"The final image has no {names} label{'s' if len(missing) > 1 else ''} (set "
        "with LABEL or docker/metadata-action in the build workflow)",
        final.from_,
        final.from_.keyword_span,
    )


# -- RUN hygiene (hadolint) -------------------------------------------------------------------


def cd_in_run(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3003: ``cd`` in a RUN."""
    for _, rs in _runs(df, onbuild=False):
        if any(c.name == "cd" for c in rs.script.commands):
            yield _hit(catalog.DL3003, "Use WORKDIR to switch to a directory", rs.instruction)


def sudo_in_run(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3004: ``sudo`` in a RUN (ONBUILD RUN too)."""
    for _, rs in _runs(df, onbuild=True):
        if any(c.name == "sudo" for c in rs.script.commands):
            yield _hit(catalog.DL3004, "Do not use sudo in RUN", rs.instruction)


def _apt_install_without_no_recommends(c: Command) -> bool:
    return (
        c.name == "apt-get"
        and c.has_arg("install")
        and not (c.has_flag("no-install-recommends") or c.has_arg("APT::Install-Recommends=false"))
    )


def apt_recommends(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3015: ``apt-get install`` without ``--no-install-recommends``."""
    for _, rs in _runs(df, onbuild=True):
        if any(_apt_install_without_no_recommends(c) for c in rs.script.commands):
            yield _hit(
                catalog.DL3015,
                "Avoid additional packages by specifying `--no-install-recommends`",
                rs.instruction,
            )


def apk_no_cache(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3019: ``apk add`` without ``--no-cache`` (a cache/tmpfs mount on /var/cache/apk is
    fine)."""
    for _, rs in _runs(df, onbuild=True):
        if has_cache_mount(rs.run, "/var/cache/apk"):
            continue
        if any(
            c.name == "apk" and c.has_arg("add") and not c.has_flag("no-cache")
            for c in rs.script.commands
        ):
            yield _hit(catalog.DL3019, "Use the `--no-cache` switch with `apk add`", rs.instruction)


# hadolint DL3042 ``truthy``: the values of PIP_NO_CACHE_DIR that turn pip's cache off.
_PIP_TRUTHY = ("1", "true", "True", "TRUE", "on", "On", "ON", "yes", "Yes", "YES")
_PIP_NO_CACHE_DIR = "PIP_NO_CACHE_DIR="
_HADOLINT_REGISTRY = re.compile(r"^[^.\s]+\.[^/\s]+/")


def _is_pip_wrapper(c: Command, wrapper: str) -> bool:
    if wrapper in c.name:
        return True
    args = c.args
    return c.name.startswith("python") and any(
        args[i : i + 2] == ("-m", wrapper) for i in range(len(args) - 1)
    )


def pip_install_without_no_cache_dir(c: Command) -> bool:
    """hadolint DL3042 ``forgotNoCacheDir``: ``pip* install`` or ``python* -m pip install``
    without a ``--no-cache-dir`` argument, pipx and pipenv excepted.

    As hadolint, the command name is compared as written: ``pip3.11`` and ``pip-compile``
    count, ``/usr/bin/pip`` does not; ``--no-cache-dir`` must be a whole argument.
    """
    name, args = c.name, c.args
    pip_install = (
        name.startswith("pip") and not name.startswith("pipenv") and "install" in args
    ) or (
        name.startswith("python")
        and any(args[i : i + 3] == ("-m", "pip", "install") for i in range(len(args) - 2))
    )
    return (
        pip_install
        and "--no-cache-dir" not in args
        and not (_is_pip_wrapper(c, "pipx") or _is_pip_wrapper(c, "pipenv"))
    )


def _run_sets_pip_no_cache_dir(text: str) -> bool:
    """hadolint ``pipNoCacheDirIsSet``: the first ``PIP_NO_CACHE_DIR=`` anywhere in the RUN's
    text (an assignment, an ``export``, even a comment) is followed by a truthy prefix."""
    at = text.find(_PIP_NO_CACHE_DIR)
    return at >= 0 and text[at + len(_PIP_NO_CACHE_DIR) :].startswith(_PIP_TRUTHY)


def _env_sets_pip_no_cache_dir(instruction: Instruction) -> bool:
    """hadolint ``pipNoCacheDirSet``: the first PIP_NO_CACHE_DIR pair of an ENV is truthy."""
    value = next((p.value for p in instruction.pairs if p.key == "PIP_NO_CACHE_DIR"), None)
    return value is not None and value in _PIP_TRUTHY


def _hadolint_image_name(raw: str) -> str:
    """language-docker's ``imageName``: without a ``domain.tld/`` registry, tag or digest."""
    rest = _HADOLINT_REGISTRY.sub("", raw, count=1)
    depth = 0
    for i, ch in enumerate(rest):
        if rest.startswith("${", i):
            depth += 1
        elif ch == "}" and depth:
            depth -= 1
        elif ch in ":@" and not depth:
            return rest[:i]
    return rest


class _PipCacheState:
    """hadolint DL3042's accumulator: the current stage and, per stage, whether an ENV turned
    pip's cache off (a stage inherits the value of the stage or image name it is FROM)."""

    def __init__(self) -> None:
        self.started = False
        self.current: str | None = None
        self.no_cache: dict[str | None, bool] = {}

    def enter(self, stage: Stage) -> None:
        image = _hadolint_image_name(stage.info.image.value) if stage.info.image else ""
        key = stage.info.alias.value if stage.info.alias is not None else image
        if self.started:
            self.no_cache[key] = self.no_cache.get(image, False)
        else:
            self.started = True
            self.no_cache = {}
        self.current = key

    def env(self, instruction: Instruction) -> None:
        if not _env_sets_pip_no_cache_dir(instruction):
            return
        if not self.started:
            self.started = True
            self.current = None
            self.no_cache = {}
        self.no_cache[self.current] = True

    @property
    def off(self) -> bool:
        return self.started and self.no_cache.get(self.current) is True


def pip_no_cache_dir(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3042: ``pip install`` without ``--no-cache-dir``.

    As hadolint: not reported after an ``ENV PIP_NO_CACHE_DIR=<truthy>`` in the stage or in
    the stage it is built FROM (stages are keyed by alias, else by image name without
    registry and tag, case-sensitively), nor when the RUN's text sets
    ``PIP_NO_CACHE_DIR=<truthy>``, nor with a cache/tmpfs mount on ``.cache/pip``. ``ONBUILD``
    instructions are followed separately: an ``ONBUILD ENV`` only covers later ``ONBUILD RUN``s
    (of any stage), and a plain ``ENV`` does not cover them.
    """
    stage_at = {id(stage.from_): stage for stage in df.stages}
    plain, onbuild = _PipCacheState(), _PipCacheState()
    for top in df.instructions:
        state, instruction = plain, top
        if top.cmd == "onbuild":
            if top.sub is None:
                continue
            state, instruction = onbuild, top.sub
        if instruction.cmd == "from":
            stage = stage_at.get(id(instruction))
            if stage is not None:
                state.enter(stage)
        elif instruction.cmd == "env":
            state.env(instruction)
        elif instruction.cmd == "run":
            rs = run_script(top)
            if (
                rs is None
                or state.off
                or _run_sets_pip_no_cache_dir(rs.script.text)
                or has_cache_mount(rs.run, ".cache/pip")
                or not any(pip_install_without_no_cache_dir(c) for c in rs.script.commands)
            ):
                continue
            yield _hit(
                catalog.DL3042,
                "Avoid use of cache directory with pip. Use `pip install --no-cache-dir <package>`",
                top,
            )


def _forgot_apt_cleanup(rs: RunScript) -> bool:
    cmds = rs.script.commands
    update = any(c.name in ("apt", "apt-get", "aptitude") and c.has_arg("update") for c in cmds)
    cleanup = any(c.name == "rm" and c.has_arg("-rf", "/var/lib/apt/lists/*") for c in cmds)
    return update and not cleanup


def apt_lists(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3009: ``apt-get update`` without removing /var/lib/apt/lists in the same RUN.

    As hadolint: only RUNs of the last stage, of a stage whose FROM equals the last one, or of
    a stage later used as a base image count; ``rm`` with ``-rf`` or
    ``/var/lib/apt/lists/*`` counts as cleanup; cache/tmpfs mounts of the lists are fine.
    """
    final = df.final_stage
    if final is None:
        return
    images = {s.info.image.value for s in df.stages if s.info.image is not None}

    def key(stage: Stage) -> tuple[str, ...]:
        return (*(w.value for w in stage.from_.words), stage.info.platform or "")

    for stage, rs in _runs(df, onbuild=True):
        if stage is None or not _forgot_apt_cleanup(rs):
            continue
        if has_cache_mount(rs.run, "/var/lib/apt/lists") or (
            has_cache_mount(rs.run, "/var/lib/apt") and has_cache_mount(rs.run, "/var/cache/apt")
        ):
            continue
        used_later = stage.info.alias is not None and stage.info.alias.value in images
        if stage is final or key(stage) == key(final) or used_later:
            yield _hit(
                catalog.DL3009,
                "Delete the apt lists (/var/lib/apt/lists) after installing something",
                rs.instruction,
            )


_PIPEFAIL_SHELLS = ("bash", "zsh", "ash")
_NON_POSIX = ("pwsh", "powershell", "cmd")


def _sets_pipefail(c: Command) -> bool:
    return c.has_flag("o") and "pipefail" in c.args


def pipefail(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL4006: a RUN with a pipe while the shell does not set ``-o pipefail``.

    Deliberate deviation: a RUN whose script runs ``set -o pipefail`` (or ``set -eo
    pipefail``...) before its first pipe is fine; hadolint only honours ``SHELL``.
    """
    for stage in df.stages:
        ok = False
        for instruction in stage.instructions:
            if instruction.cmd == "shell":
                text = " ".join(instruction.json_args) if instruction.json else instruction.args
                if any(text.startswith(s) for s in _NON_POSIX):
                    ok = True
                else:
                    from caulk.dockerfile.shellwords import parse_script

                    ok = any(
                        c.basename in _PIPEFAIL_SHELLS and _sets_pipefail(c)
                        for c in parse_script(text).commands
                    )
                continue
            rs = run_script(instruction) if instruction.cmd == "run" else None
            if ok or rs is None or not rs.script.has_pipe:
                continue
            first_pipe = min((c.start for c in rs.script.commands if c.piped), default=0)
            if any(
                c.name == "set" and _sets_pipefail(c) and c.start < first_pipe
                for c in rs.script.commands
            ):
                continue
            yield _hit(
                catalog.DL4006,
                "Set the SHELL option -o pipefail before RUN with a pipe in it",
                instruction,
            )


# -- other instructions (hadolint) ----------------------------------------------------------


def relative_workdir(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3000: WORKDIR not absolute (``$VAR``, ``/path`` and ``C:\\`` are fine)."""
    for instruction in df.instructions:
        if instruction.cmd != "workdir" or not instruction.args:
            continue
        path = _drop_quotes(instruction.args)
        if path.startswith(("$", "/")) or (len(path) > 1 and path[0].isalpha() and path[1] == ":"):
            continue
        yield _hit(
            catalog.DL3000,
            f"Use absolute WORKDIR ({instruction.args})",
            instruction,
            instruction.args_span,
        )


_ARCHIVES = (
    ".tar",
    ".Z",
    ".bz2",
    ".gz",
    ".lz",
    ".lzma",
    ".tZ",
    ".tb2",
    ".tbz",
    ".tbz2",
    ".tgz",
    ".tlz",
    ".tpz",
    ".txz",
    ".xz",
)


def _is_url(src: str) -> bool:
    return _drop_quotes(src).startswith(("https://", "http://"))


def _sources(instruction: Instruction) -> list[tuple[str, Span]]:
    if instruction.json:
        span = instruction.args_span or instruction.span
        return [(v, span) for v in instruction.json_args[:-1]]
    return [(w.value, w.span) for w in instruction.words[:-1]]


def add_instead_of_copy(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3020: ADD of something other than an archive or a URL."""
    for instruction in df.instructions:
        if instruction.cmd != "add":
            continue
        sources = [s for s, _ in _sources(instruction) if not s.startswith("<<")]
        if all(_is_url(s) or _drop_quotes(s).endswith(_ARCHIVES) for s in sources):
            continue
        yield _hit(catalog.DL3020, "Use COPY instead of ADD for files and folders", instruction)


def shell_form_cmd(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL3025: CMD, ENTRYPOINT or HEALTHCHECK CMD in shell form."""
    for instruction in df.instructions:
        cmd = instruction.cmd
        if cmd in ("cmd", "entrypoint") and instruction.args and not instruction.json:
            yield _hit(
                catalog.DL3025,
                f"Use arguments JSON notation for {instruction.keyword} arguments",
                instruction,
            )
        elif (
            cmd == "healthcheck"
            and not instruction.json
            and instruction.args.split(None, 1)[:1] == ["CMD"]
            and instruction.words
        ):
            yield _hit(
                catalog.DL3025, "Use arguments JSON notation for HEALTHCHECK CMD", instruction
            )


def maintainer(df: ParsedDockerfile) -> Iterator[Hit]:
    """DL4000: MAINTAINER."""
    for instruction in df.instructions:
        if instruction.cmd == "maintainer":
            yield _hit(
                catalog.DL4000,
                "MAINTAINER is deprecated; use LABEL org.opencontainers.image.authors",
                instruction,
            )


# -- supply chain (caulk) -------------------------------------------------------------------

_GIT_PINNED = re.compile(r"#([0-9a-f]{40}|[0-9a-f]{64})$")


def _is_git_source(src: str) -> bool:
    return src.startswith("git@") or ".git#" in src or src.endswith(".git")


def add_remote(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1006: ADD of an http(s)/ftp URL without ``--checksum`` (git sources need a commit)."""
    for top in df.instructions:
        instruction = top.sub if top.cmd == "onbuild" and top.sub is not None else top
        if instruction.cmd != "add" or instruction.flag("checksum") is not None:
            continue
        for raw, span in _sources(instruction):
            src = _drop_quotes(raw)
            if _is_git_source(src):
                if not _GIT_PINNED.search(src):
                    yield _hit(
                        catalog.ADD_REMOTE_URL,
                        f"ADD of git source {src} is not pinned to a commit",
                        top,
                        span,
                    )
            elif src.startswith(("http://", "https://", "ftp://")):
                yield _hit(
                    catalog.ADD_REMOTE_URL, f"ADD downloads {src} without --checksum", top, span
                )


_DENY = re.compile(
    r"(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|"
    r"secret|token)(?:_|$)",
    re.IGNORECASE,
)
_ALLOW = re.compile(r"(?:_|^)(?:public|file|version)(?:_|$)", re.IGNORECASE)
_PUBLIC_KEY_NAMES = re.compile(
    r"(?:_|^)(?:gpg|pgp|fingerprint|keyring|keyserver|keys)(?:_|$)", re.IGNORECASE
)


def secrets_in_arg_env(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1007: ARG/ENV named like a secret (BuildKit SecretsUsedInArgOrEnv's regexes).

    Critical with a literal value, high when the value comes from a variable or ``--build-arg``.
    Deliberate deviation: names with a ``GPG``/``PGP``/``FINGERPRINT``/``KEYRING`` part
    (``ENV GPG_KEY <fingerprint>`` in official images) are public key identifiers and pass.
    """
    for top in df.instructions:
        instruction = top.sub if top.cmd == "onbuild" and top.sub is not None else top
        if instruction.cmd not in ("arg", "env"):
            continue
        for pair in instruction.pairs:
            key = pair.key
            if not _DENY.search(key) or _ALLOW.search(key) or _PUBLIC_KEY_NAMES.search(key):
                continue
            value = pair.value
            word = instruction.keyword.upper()
            if value and "$" not in value:
                yield _hit(
                    catalog.SECRET_IN_ARG_ENV,
                    f"{word} {key} sets a hard-coded secret "
                    "value; it is stored in the image and the repository",
                    top,
                    pair.span,
                    severity=Severity.CRITICAL,
                )
            else:
                yield _hit(
                    catalog.SECRET_IN_ARG_ENV,
                    f"{word} {key} passes a secret through "
                    f"{word}; its value ends up in the image "
                    f"{'config' if word == 'ENV' else 'build history'}",
                    top,
                    pair.span,
                    severity=Severity.HIGH,
                    confidence=Confidence.MEDIUM,
                )


# CK1004 -------------------------------------------------------------------------------------

BUILD_TOOLS = frozenset(
    {
        "gcc",
        "g++",
        "gcc-c++",
        "clang",
        "make",
        "cmake",
        "build-essential",
        "build-base",
        "alpine-sdk",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "musl-dev",
        "libc-dev",
        "libc6-dev",
        "linux-headers",
        "binutils",
        "git",
        "curl",
        "wget",
        "unzip",
        "golang",
        "cargo",
        "rustc",
    }
)
_VERSIONED_TOOL = re.compile(r"^(gcc|g\+\+|clang|cpp)-\d+$")
_INSTALL = {
    "apt-get": ("install",),
    "apt": ("install",),
    "aptitude": ("install",),
    "apk": ("add",),
    "yum": ("install",),
    "dnf": ("install",),
    "microdnf": ("install",),
    "tdnf": ("install",),
    "zypper": ("install", "in"),
}
_REMOVE = {
    "apt-get": ("purge", "remove", "autoremove"),
    "apt": ("purge", "remove", "autoremove"),
    "aptitude": ("purge", "remove"),
    "apk": ("del",),
    "yum": ("remove", "erase"),
    "dnf": ("remove", "erase"),
    "microdnf": ("remove",),
    "tdnf": ("remove", "erase"),
    "zypper": ("remove", "rm"),
}
_VALUE_FLAGS = frozenset(
    {
        "--virtual",
        "-t",
        "-X",
        "--repository",
        "--root",
        "-p",
        "-o",
        "-c",
        "--target-release",
        "--option",
        "--enablerepo",
        "--disablerepo",
        "--setopt",
        "--releasever",
        "--installroot",
    }
)


def _package_args(c: Command) -> tuple[str | None, list[str], str | None]:
    """(subcommand, packages, virtual group) of a package-manager command."""
    sub: str | None = None
    packages: list[str] = []
    group: str | None = None
    args = list(c.args)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in _VALUE_FLAGS:
            if arg in ("--virtual", "-t") and c.basename == "apk" and i + 1 < len(args):
                group = args[i + 1]
            i += 2
            continue
        if arg.startswith("-"):
            if arg.startswith("--virtual="):
                group = arg.split("=", 1)[1]
            i += 1
            continue
        if sub is None:
            sub = arg
        else:
            packages.append(re.split(r"[=~<>]", arg, maxsplit=1)[0])
        i += 1
    return sub, packages, group


def _is_tool(package: str) -> bool:
    return package in BUILD_TOOLS or bool(_VERSIONED_TOOL.match(package))


def build_tools(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1004: a single-stage build installs build or download tools and never removes them.

    Removal counts in the same or a later RUN (``apt-get purge``, ``apk del`` of the package
    or of its ``--virtual`` group); a removal whose arguments are variables
    (``apt-get purge $buildDeps``) is taken to remove the tools installed in that RUN.
    """
    if len(df.stages) != 1:
        return
    installed: dict[str, tuple[RunScript, Command]] = {}
    groups: dict[str, set[str]] = {}
    for _, rs in _runs(df, onbuild=False):
        this_run: set[str] = set()
        for c in rs.script.commands:
            manager = c.basename
            sub, packages, group = _package_args(c)
            if manager in _INSTALL and sub in _INSTALL[manager]:
                for package in packages:
                    if _is_tool(package):
                        installed.setdefault(package, (rs, c))
                        this_run.add(package)
                        if group:
                            groups.setdefault(group, set()).add(package)
            elif manager in _REMOVE and sub in _REMOVE[manager]:
                if any("$" in p for p in packages):
                    for package in this_run:
                        installed.pop(package, None)
                for package in packages:
                    installed.pop(package, None)
                    for member in groups.pop(package, set()):
                        installed.pop(member, None)
    by_command: dict[int, tuple[RunScript, Command, list[str]]] = {}
    for package, (rs, c) in installed.items():
        by_command.setdefault(id(c), (rs, c, []))[2].append(package)
    for rs, c, packages in sorted(by_command.values(), key=lambda t: t[1].start):
        rs_span = rs.span_of(df, c)
        tools = ", ".join(sorted(packages))
        yield Hit(
            catalog.BUILD_TOOLS_IN_FINAL,
            f"The single-stage build installs {tools} and ships it in the final image",
            rs_span,
            rs.instruction.line,
            confidence=Confidence.MEDIUM,
        )


# CK1005 -------------------------------------------------------------------------------------

_DOWNLOADERS = ("curl", "wget")
_INTERPRETERS = frozenset(
    {
        "sh",
        "bash",
        "dash",
        "ash",
        "zsh",
        "ksh",
        "mksh",
        "python",
        "python3",
        "perl",
        "ruby",
        "node",
        "php",
    }
)
_VERIFIERS = frozenset(
    {
        "sha256sum",
        "sha512sum",
        "sha384sum",
        "sha224sum",
        "sha1sum",
        "shasum",
        "b2sum",
        "gpgv",
        "gpgv2",
        "minisign",
        "signify",
        "slsa-verifier",
    }
)
_EXEC_MODE = re.compile(r"^([ugoa]*\+[rwxXst]*x[rwxXst]*|0?[0-7]*[1357][0-7]{0,2})$")


def _verifies(c: Command) -> bool:
    name = c.basename
    if name in _VERIFIERS:
        return True
    if name in ("gpg", "gpg2"):
        return c.has_flag("verify") or c.has_flag("verify-files")
    if name == "cosign":
        return any(a.startswith("verify") for a in c.args)
    if name == "openssl":
        return bool(c.args) and c.args[0] in ("dgst", "sha256", "sha512")
    if name == "cksum":
        return c.has_flag("a") or any(a.startswith("--algorithm") for a in c.args)
    if name == "rpm":
        return c.has_flag("K") or c.has_flag("checksig")
    return False


def _uses_download(c: Command) -> str | None:
    """A description of how ``c`` installs or runs a file, or None."""
    name = c.basename
    args = c.args
    if name == "chmod" and any(_EXEC_MODE.match(a) for a in args if not a.startswith("-")):
        return "chmod +x"
    if name == "install" and c.name == "install":
        return "install"
    if name in ("tar", "bsdtar"):
        first = args[0] if args else ""
        if (
            c.has_flag("x")
            or c.has_flag("extract")
            or (first and not first.startswith("-") and "x" in first)
        ):
            return "tar -x"
    if name in ("unzip", "7z", "gunzip"):
        return name
    if name in ("dpkg",) and c.has_flag("i"):
        return "dpkg -i"
    if name == "rpm" and (c.has_flag("i") or c.has_flag("U")):
        return "rpm -i"
    if name in _INTERPRETERS and (c.piped or any(not a.startswith("-") for a in args)):
        return name
    if c.name.startswith("./"):
        return c.name
    return None


def unverified_downloads(df: ParsedDockerfile) -> Iterator[Hit]:
    """CK1005: curl/wget then chmod +x, install, tar -x, unzip, dpkg -i or a shell, with no
    checksum or signature verification in the same RUN."""
    for _, rs in _runs(df, onbuild=True):
        commands = rs.script.commands
        if any(_verifies(c) for c in commands):
            continue
        downloads = [
            c
            for c in commands
            if c.basename in _DOWNLOADERS and any(not a.startswith("-") for a in c.args)
        ]
        if not downloads:
            continue
        first = downloads[0]
        use = next(
            (u for c in commands if c.start > first.start for u in [_uses_download(c)] if u), None
        )
        if use is None:
            continue
        yield Hit(
            catalog.UNVERIFIED_DOWNLOAD,
            f"{first.basename} downloads a file that is then used ({use}) without a "
            "checksum or signature check in the same RUN",
            rs.span_of(df, first),
            rs.instruction.line,
            confidence=Confidence.MEDIUM,
        )


# -- everything -----------------------------------------------------------------------------


def all_hits(df: ParsedDockerfile, facts: RepoFacts) -> Iterable[Hit]:
    """Every rule's hits for one file (parse errors are handled by the caller)."""
    plain = (
        final_stage_root,
        last_user_root,
        untagged_images,
        latest_tags,
        unpinned_bases,
        cd_in_run,
        sudo_in_run,
        apt_recommends,
        apk_no_cache,
        pip_no_cache_dir,
        apt_lists,
        pipefail,
        relative_workdir,
        add_instead_of_copy,
        shell_form_cmd,
        maintainer,
        add_remote,
        secrets_in_arg_env,
        build_tools,
        unverified_downloads,
    )
    for rule in plain:
        yield from rule(df)
    yield from missing_labels(df, facts)
