"""The user a stage's image runs as: its last ``USER``, inherited, or the base image's default.

Resolution (the way BuildKit builds the image config):

1. the last ``USER`` of the stage (its value expanded with the stage's ``ARG``/``ENV``);
2. else, for a stage built ``FROM`` an earlier stage, that stage's effective user;
3. else the base image's default user from the table of well-known bases
   (:func:`caulk.dockerfile.images.base_default_user`): hardened non-root bases are non-root,
   ``scratch`` and the known root variants are root;
4. else root, *unless the base image sets a non-root user* (caulk cannot see the base's
   config offline): the verdict says so (``depends_on_base``).

Avoids Trivy DS002's false positives on multi-stage builds and distroless ``:nonroot`` bases
(trivy#1620, #3966; reference §5 item 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from caulk.dockerfile.expand import expand
from caulk.dockerfile.images import base_default_user
from caulk.dockerfile.model import Instruction, ParsedDockerfile, Stage

Source = Literal["user-instruction", "base-image", "unresolved-base"]


@dataclass(frozen=True)
class EffectiveUser:
    """The verdict for one stage."""

    user: str | None
    """The user as written or known (``root``, ``65532``...); None when unknown."""
    is_root: bool | None
    """True root, False non-root, None unknown (``USER $VAR`` that cannot be resolved)."""
    source: Source
    instruction: Instruction | None
    """The ``USER`` instruction that decided it, if any."""
    stage: Stage
    """The stage whose ``USER`` or base decided it."""
    base_image: str | None
    """The external base image consulted (None when a ``USER`` decided)."""
    depends_on_base: bool
    """True when the verdict is "root" only because caulk does not know the base's user."""
    explanation: str


def is_root_user(user: str) -> bool:
    """``root``, ``0``, ``root:<group>`` and ``0:<group>`` are root (reference §1.3)."""
    name = user.strip().split(":", 1)[0]
    return name in ("root", "0", "")


def stage_env(df: ParsedDockerfile, stage: Stage, upto: Instruction) -> dict[str, str | None]:
    """``ARG``/``ENV`` values visible in ``stage`` just before ``upto``."""
    env: dict[str, str | None] = {}
    for instruction in stage.instructions:
        if instruction is upto:
            break
        if instruction.cmd == "arg":
            for pair in instruction.pairs:
                if pair.raw_value is not None:
                    env[pair.key] = expand(pair.raw_value, env, df.escape)
                else:
                    env[pair.key] = df.global_args.get(pair.key)
        elif instruction.cmd == "env":
            for pair in instruction.pairs:
                env[pair.key] = (
                    expand(pair.raw_value, env, df.escape) if pair.raw_value is not None else None
                )
    return env


def effective_user(df: ParsedDockerfile, stage: Stage | None = None) -> EffectiveUser | None:
    """The effective user of ``stage`` (default: the final stage); None without stages."""
    stage = stage if stage is not None else df.final_stage
    if stage is None:
        return None
    seen: set[int] = set()
    current = stage
    while True:
        seen.add(current.index)
        last_user = None
        for instruction in current.instructions:
            if instruction.cmd == "user" and instruction.args:
                last_user = instruction
        if last_user is not None:
            value = expand(last_user.args, stage_env(df, current, last_user), df.escape)
            if value is None:
                return EffectiveUser(
                    None,
                    None,
                    "user-instruction",
                    last_user,
                    current,
                    None,
                    False,
                    f"USER {last_user.args} cannot be resolved",
                )
            root = is_root_user(value)
            return EffectiveUser(
                value,
                root,
                "user-instruction",
                last_user,
                current,
                None,
                False,
                f"USER {value} (line {last_user.line})",
            )
        if current.base_stage is not None and current.base_stage not in seen:
            current = df.stages[current.base_stage]
            continue
        break
    if current.image is None:
        raw = current.info.image.value if current.info.image else ""
        return EffectiveUser(
            None,
            True,
            "unresolved-base",
            None,
            current,
            raw or None,
            True,
            f"no USER instruction; the base image {raw} cannot be resolved, so the image runs "
            f"as root unless that base sets a non-root user",
        )
    base = base_default_user(current.image)
    if base.kind == "nonroot":
        return EffectiveUser(
            base.user,
            False,
            "base-image",
            None,
            current,
            current.image,
            False,
            f"no USER instruction; {base.reason}",
        )
    if base.kind == "root":
        return EffectiveUser(
            base.user,
            True,
            "base-image",
            None,
            current,
            current.image,
            False,
            f"no USER instruction; {base.reason}",
        )
    return EffectiveUser(
        None,
        True,
        "base-image",
        None,
        current,
        current.image,
        True,
        f"no USER instruction, so the image runs as root unless base image {current.image} "
        "sets a non-root user",
    )
