"""Make the final stage run as a non-root user (CK1001, DL3002): a BREAKING change.

The user is UID 10001 with primary group 0 (``USER 10001:0``), the shape OpenShift's
restricted-v2 SCC expects: it runs images under an arbitrary UID that is always in group 0,
so the user's home and the working directory get ``chmod g=u`` (the group has the owner's
rights). The user is created with the base image's own tooling:

* Debian/Ubuntu-like bases and RHEL-like ones (UBI, Fedora, Rocky, Alma, CentOS): ``useradd``
  (shadow-utils);
* Alpine and BusyBox: BusyBox ``adduser -S`` (no ``-H``, which would skip the home directory);
* scratch, distroless, other hardened bases, minimal RHEL variants (no shadow-utils) and
  unknown bases: only ``USER 10001:0`` (a numeric user needs no ``/etc/passwd`` entry).

The lines go before the stage's trailing ``CMD``/``ENTRYPOINT`` block, or at the end of the
stage. When the stage's own last ``USER`` is root and only metadata instructions follow it,
that ``USER`` is replaced instead. The inserted ``RUN`` chains at least two commands, so
hadolint's DL3059 (consecutive RUNs) does not fire after an existing RUN.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass
from typing import Literal

from caulk.dockerfile.expand import expand
from caulk.dockerfile.images import parse_image
from caulk.dockerfile.model import Instruction, ParsedDockerfile, Stage
from caulk.dockerfile.shellwords import parse_script
from caulk.dockerfile.user import effective_user, is_root_user, stage_env
from caulk.fix.dockerfile_edit import DockerfileEdits

UID = 10001
GID = 0
USER_LINE = f"USER {UID}:{GID}"

Tooling = Literal["useradd", "busybox", "none"]

_DEBIAN_IMAGES = frozenset(
    {
        "debian",
        "ubuntu",
        "python",
        "node",
        "golang",
        "ruby",
        "rust",
        "perl",
        "php",
        "openjdk",
        "eclipse-temurin",
        "buildpack-deps",
        "maven",
        "gradle",
    }
)
_DEBIAN_TAG_PARTS = frozenset(
    {
        "slim",
        "bookworm",
        "bullseye",
        "buster",
        "stretch",
        "trixie",
        "sid",
        "noble",
        "jammy",
        "focal",
        "bionic",
    }
)
_RHEL_IMAGES = frozenset(
    {"ubi", "ubi8", "ubi9", "ubi10", "fedora", "rockylinux", "almalinux", "centos", "oraclelinux"}
)
_RHEL_TAG_PREFIXES = ("ubi", "fedora", "rockylinux", "almalinux", "centos", "oraclelinux")
_NO_TOOLS_PARTS = frozenset({"minimal", "micro"})
_WINDOWS_PARTS = ("windowsservercore", "nanoserver", "ltsc")
_TRAILING = frozenset({"cmd", "entrypoint", "expose", "healthcheck", "stopsignal"})
_METADATA = _TRAILING | {"label", "env", "arg", "volume", "onbuild", "maintainer", "shell"}
_USER_NAMES = ("app", "app10001", "caulk-app")


@dataclass(frozen=True)
class BaseTooling:
    """How a user can be created on the final image's base."""

    kind: Tooling
    known: bool
    """False when caulk does not know the base (then only ``USER`` is added)."""
    reason: str


def base_image(df: ParsedDockerfile, stage: Stage) -> str | None:
    """The external image ``stage`` is built on (following ``FROM <earlier stage>``)."""
    seen = {stage.index}
    while stage.base_stage is not None and stage.base_stage not in seen:
        seen.add(stage.base_stage)
        stage = df.stages[stage.base_stage]
    return stage.image


def stage_chain(df: ParsedDockerfile, stage: Stage) -> list[Stage]:
    """``stage`` and the earlier stages it is built ``FROM``, nearest first."""
    chain = [stage]
    while chain[-1].base_stage is not None and chain[-1].base_stage not in {s.index for s in chain}:
        chain.append(df.stages[chain[-1].base_stage])
    return chain


def base_tooling(image: str | None) -> BaseTooling:
    """Which user-creation tool the base image ``image`` has."""
    if image is None:
        return BaseTooling("none", False, "the base image cannot be resolved")
    if image.lower() == "scratch":
        return BaseTooling("none", True, "scratch has no shell or user tools")
    ref = parse_image(image)
    repository = ref.repository.lower()
    last = repository.rsplit("/", 1)[-1]
    parts = (ref.tag or "").lower().split("-")
    if (ref.registry == "gcr.io" and repository.startswith("distroless/")) or ref.registry in (
        "cgr.dev",
        "dhi.io",
    ):
        return BaseTooling("none", True, f"{ref.name} has no shell or user tools")
    if last.startswith("dhi-"):
        return BaseTooling("none", True, f"{ref.name} has no shell or user tools")
    if any(p.startswith(_WINDOWS_PARTS) for p in parts):
        return BaseTooling("none", False, f"{image} is a Windows image")
    if last in ("alpine", "busybox") or any(p.startswith("alpine") for p in parts):
        return BaseTooling("busybox", True, f"{image} is Alpine/BusyBox")
    minimal = any(p in _NO_TOOLS_PARTS for p in (*parts, *last.split("-")))
    rhel = last.split("-")[0] in _RHEL_IMAGES or any(
        p.startswith(_RHEL_TAG_PREFIXES) for p in parts
    )
    if rhel and minimal:
        return BaseTooling("none", True, f"{image} is a minimal image without useradd")
    if rhel:
        return BaseTooling("useradd", True, f"{image} is RHEL-like")
    if last in _DEBIAN_IMAGES or any(p in _DEBIAN_TAG_PARTS for p in parts):
        return BaseTooling("useradd", True, f"{image} is Debian/Ubuntu-like")
    return BaseTooling("none", False, f"caulk does not know which user tools {image} has")


@dataclass(frozen=True)
class NonRootPlan:
    """What the fix did to one Dockerfile."""

    line: int
    message: str


def _is_root(df: ParsedDockerfile, stage: Stage, user: Instruction) -> bool:
    value = expand(user.args, stage_env(df, stage, user), df.escape)
    return is_root_user(value if value is not None else user.args)


def _existing_users(df: ParsedDockerfile, chain: list[Stage]) -> tuple[bool, set[str]]:
    """(UID 10001 already created, user names already created) in the stage chain's RUNs."""
    uid_taken = False
    names: set[str] = set()
    for stage in chain:
        for instruction in stage.instructions:
            if instruction.cmd != "run" or instruction.json:
                continue
            for command in parse_script(instruction.args).commands:
                if command.basename not in ("useradd", "adduser"):
                    continue
                args = list(command.args)
                if str(UID) in args or any(a.endswith(f"={UID}") for a in args):
                    uid_taken = True
                plain = [a for a in args if not a.startswith("-")]
                if plain:
                    names.add(plain[-1])
    return uid_taken, names


def _workdir(df: ParsedDockerfile, chain: list[Stage], before: Instruction | None) -> str | None:
    """The working directory at ``before`` (None when unset); ``"$"`` when unresolvable."""
    for stage in chain:
        found: Instruction | None = None
        for instruction in stage.instructions:
            if instruction is before:
                break
            if instruction.cmd == "workdir" and instruction.args:
                found = instruction
        if found is not None:
            value = expand(found.args.strip("\"'"), stage_env(df, stage, found), df.escape)
            if value is None or not value.startswith("/"):
                return "$"
            return value
        before = None
    return None


def _creation_lines(tooling: Tooling, name: str, workdir: str | None, escape: str) -> list[str]:
    home = f"/home/{name}"
    if tooling == "useradd":
        lines = [
            f"RUN useradd --system --no-log-init --uid {UID} --gid {GID} {escape}",
            f"        --home-dir {home} --create-home --shell /usr/sbin/nologin {name} {escape}",
        ]
    else:
        lines = [f"RUN adduser -S -D -u {UID} -G root -h {home} -s /sbin/nologin {name} {escape}"]
    steps = [f"chmod g=u {home}"]
    if workdir and workdir not in ("/", home):
        quoted = shlex.quote(workdir)
        steps += [f"chown {UID}:{GID} {quoted}", f"chmod g=u {quoted}"]
    for i, step in enumerate(steps):
        tail = f" {escape}" if i < len(steps) - 1 else ""
        lines.append(f"    && {step}{tail}")
    return lines


def fix_non_root(df: ParsedDockerfile, edits: DockerfileEdits) -> NonRootPlan | None:
    """Plan the switch of the final stage to ``USER 10001:0``; None when nothing to do."""
    final = df.final_stage
    verdict = effective_user(df)
    if final is None or verdict is None or verdict.is_root is not True:
        return None
    chain = stage_chain(df, final)
    tooling = base_tooling(base_image(df, final))
    uid_taken, names = _existing_users(df, chain)

    last_user = next((i for i in reversed(final.instructions) if i.cmd == "user"), None)
    replace: Instruction | None = None
    if last_user is not None and _is_root(df, final, last_user):
        after = final.instructions[final.instructions.index(last_user) + 1 :]
        if all(i.cmd in _METADATA for i in after):
            replace = last_user

    anchor: Instruction | None = None
    if replace is None:
        trailing = _trailing(final.instructions)
        anchor = trailing[0] if trailing else None
    position = replace or anchor
    workdir = _workdir(df, chain, position)

    lines: list[str] = []
    details: list[str] = []
    if tooling.kind != "none" and not uid_taken:
        name = next((n for n in _USER_NAMES if n not in names), _USER_NAMES[-1])
        usable_workdir = workdir if workdir != "$" else None
        lines += _creation_lines(tooling.kind, name, usable_workdir, df.escape)
        details.append(
            f"creates the system user {name} (UID {UID}, GID {GID}, home /home/{name}) with "
            f"{'useradd' if tooling.kind == 'useradd' else 'adduser'} ({tooling.reason})"
        )
        if workdir == "$":
            details.append(
                "the WORKDIR cannot be resolved, so make it writable by group 0 yourself if "
                "the process writes there"
            )
    elif uid_taken:
        details.append(f"UID {UID} is already created in the Dockerfile")
    else:
        details.append(
            f"no user is created ({tooling.reason}); a numeric USER needs no /etc/passwd "
            "entry, but the image must contain the user if the process needs a home "
            "directory, and anything it writes must be writable by UID 10001 or group 0"
        )
    lines.append(USER_LINE)

    if replace is not None:
        edits.replace_lines(replace, lines)
        where = f"replaces USER {replace.args} (line {replace.line})"
        line = replace.line
    elif anchor is not None:
        edits.insert_before(anchor, lines)
        where = f"switches to {USER_LINE} before {anchor.keyword.upper()} (line {anchor.line})"
        line = anchor.line
    else:
        last = final.instructions[-1] if final.instructions else final.from_
        edits.insert_after(last, lines)
        where = f"switches to {USER_LINE} at the end of the final stage (after line {last.line})"
        line = last.line
    message = (
        f"BREAKING: the image now runs as UID {UID}, GID {GID} instead of root; "
        f"{where}; {'; '.join(details)}. Users who relied on root can run it with "
        "`--user 0:0` (see the README's Breaking changes section)"
    )
    return NonRootPlan(line, message)


def _trailing(instructions: list[Instruction]) -> list[Instruction]:
    """The stage's final block of CMD/ENTRYPOINT/EXPOSE/HEALTHCHECK/STOPSIGNAL."""
    out: list[Instruction] = []
    for instruction in reversed(instructions):
        if instruction.cmd not in _TRAILING:
            break
        out.insert(0, instruction)
    return out


# -- README -----------------------------------------------------------------------------------

_HEADING = re.compile(r"^##[ \t]+Breaking changes[ \t]*#*[ \t]*$", re.IGNORECASE | re.MULTILINE)
_MARKER = "runs as a non-root user (UID 10001"


def breaking_changes_entry(image: str) -> str:
    """The README list item that explains the switch to a non-root user (wrapped at 100)."""
    text = (
        f"**The image runs as a non-root user (UID {UID}, GID {GID}).** It used to run as root. "
        f"Files the process writes must be writable by UID {UID} or group {GID} (its home "
        "directory and working directory are); a volume or bind mount owned by root needs "
        f"`chown {UID}:{GID}` or group-writable permissions. To keep the old behaviour while "
        f"you migrate, run it as root explicitly: `docker run --user 0:0 {image} ...` "
        "(Kubernetes: `securityContext.runAsUser: 0`). If you cannot migrate yet, stay on the "
        "maintenance tag `:<version>-root` (the last release that runs as root) until you can."
    )
    # Keep code spans on one line: their spaces are not break points.
    text = re.sub(r"`[^`]*`", lambda m: m.group(0).replace(" ", "\0"), text)
    wrapped = textwrap.fill(
        text,
        width=100,
        initial_indent="- ",
        subsequent_indent="  ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped.replace("\0", " ") + "\n"


def readme_edit(text: str | None, image: str) -> tuple[int, str] | None:
    """Where and what to insert into README.md (None when the entry is already there).

    The entry goes under an existing ``## Breaking changes`` heading, or in a new section
    at the end of the file (``(0, text)`` with ``text`` the whole file when there is none).
    """
    entry = breaking_changes_entry(image)
    if text is None:
        return 0, f"# {image.rsplit('/', 1)[-1]}\n\n## Breaking changes\n\n{entry}"
    if _MARKER in " ".join(text.split()):
        return None
    heading = _HEADING.search(text)
    if heading is not None:
        end = text.find("\n", heading.end())
        if end < 0:
            return len(text), "\n\n" + entry
        # After the heading and its blank line.
        offset = end + 1
        if text.startswith("\n", offset) or text.startswith("\r\n", offset):
            offset = text.find("\n", offset) + 1
            return offset, entry + "\n"
        return offset, "\n" + entry + "\n"
    prefix = "" if text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
    return len(text), f"{prefix}## Breaking changes\n\n{entry}"
