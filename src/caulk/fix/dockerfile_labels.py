"""Add the missing OCI labels to the final stage (CK1003).

One ``LABEL`` instruction with continuation lines goes right after the final stage's
``FROM``, preceded by ``ARG REVISION``/``ARG CREATED`` when it uses them:

* ``org.opencontainers.image.source``: ``https://github.com/OWNER/NAME`` from the git remote;
* ``.licenses``: the SPDX id of the LICENSE file, recognised from the license text's
  distinctive lines (:func:`spdx_from_license_text`);
* ``.description``: the README's first paragraph of prose (first sentence, at most
  :data:`MAX_DESCRIPTION` characters), else the repository's name;
* ``.revision`` and ``.created``: ``${REVISION}`` and ``${CREATED}``, which caulk's publish
  workflow passes as build arguments (``templates/publish.yml``).

Labels already set in the final stage, in the stages it is built ``FROM``, or by the build
workflow (``docker/metadata-action``) are left alone, as the audit counts them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.dockerfile.model import ParsedDockerfile
from caulk.fix.dockerfile_edit import DockerfileEdits
from caulk.fix.dockerfile_user import stage_chain

PREFIX = "org.opencontainers.image."
LABELS = ("source", "licenses", "description", "revision", "created")
MAX_DESCRIPTION = 120
_BUILD_ARGS = {"revision": "REVISION", "created": "CREATED"}


# -- licenses ---------------------------------------------------------------------------------


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def spdx_from_license_text(text: str) -> str | None:
    """The SPDX id of a license text from its distinctive lines; None when not recognised.

    For the GPL family the text alone does not say "or later" (the project's notices do),
    so the ``-only`` id is returned; a maintainer who means ``-or-later`` edits the label.
    """
    full = _normalise(text)
    head = _normalise("\n".join(text.strip().splitlines()[:12]))
    if "this is free and unencumbered software released into the public domain" in full:
        return "Unlicense"
    if "apache license" in head and "version 2.0" in head:
        return "Apache-2.0"
    if "mozilla public license" in head and ("version 2.0" in head or "v. 2.0" in full):
        return "MPL-2.0"
    if "gnu affero general public license" in head and "version 3" in head:
        return "AGPL-3.0-only"
    if "gnu lesser general public license" in head:
        if "version 3" in head:
            return "LGPL-3.0-only"
        if "version 2.1" in head:
            return "LGPL-2.1-only"
        return None
    if "gnu library general public license" in head and "version 2" in head:
        return "LGPL-2.0-only"
    if "gnu general public license" in head:
        if "version 3" in head:
            return "GPL-3.0-only"
        if "version 2" in head:
            return "GPL-2.0-only"
        return None
    if (
        "permission to use, copy, modify, and/or distribute this software for any purpose "
        "with or without fee is hereby granted" in full
    ):
        return "ISC"
    if (
        "permission is hereby granted, free of charge, to any person obtaining a copy" in full
        and "the above copyright notice and this permission notice shall be included" in full
    ):
        return "MIT"
    if "redistribution and use in source and binary forms, with or without modification" in full:
        if "neither the name of" in full or "may be used to endorse or promote products" in full:
            return "BSD-3-Clause"
        return "BSD-2-Clause"
    return None


# -- description ------------------------------------------------------------------------------

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|!?\[([^\]]*)\]\[[^\]]*\]")
_HTML = re.compile(r"<[^>]+>")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~)(\S(?:.*?\S)?)\1")


def _is_prose(paragraph: list[str]) -> bool:
    first = paragraph[0].lstrip()
    if first.startswith(("#", "```", "~~~", "|", ">", "<", "---", "===", "***", "- ", "* ")):
        return False
    if re.match(r"^\d+\. ", first):
        return False
    if len(paragraph) > 1 and re.match(r"^(=+|-+)\s*$", paragraph[1]):
        return False  # a setext heading
    if first.startswith("[![") or first.startswith("!["):
        return False
    text = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", " ".join(paragraph))
    return bool(re.search(r"[A-Za-z]{3}", text))


def description_from_readme(text: str) -> str | None:
    """The first sentence of the README's first paragraph of prose, shortened; or None."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    fence = False
    for line in text.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
            if current:
                paragraphs.append(current)
                current = []
            continue
        if fence:
            continue
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    for paragraph in paragraphs:
        if not _is_prose(paragraph):
            continue
        plain = _LINK.sub(lambda m: m.group(1) or m.group(2) or "", " ".join(paragraph))
        plain = _HTML.sub("", plain)
        plain = plain.replace("`", "")
        for _ in range(2):
            plain = _EMPHASIS.sub(r"\2", plain)
        plain = re.sub(r"\s+", " ", plain).strip()
        sentence = re.split(r"(?<=[.!?])\s", plain, maxsplit=1)[0]
        return shorten(sentence)
    return None


def shorten(text: str, limit: int = MAX_DESCRIPTION) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters (``...`` appended)."""
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) <= limit:
        return text
    cut = text[: limit - 3].rsplit(" ", 1)[0].rstrip(" ,;:-")
    return cut + "..."


def quote_label_value(value: str, escape: str = "\\") -> str:
    """``value`` as a double-quoted Dockerfile word: ``"``, ``$`` and the escape token are
    escaped with the file's escape token (a backslash is literal under ``# escape=```)."""
    out: list[str] = []
    for ch in value:
        out.append(escape + ch if ch in ('"', "$", escape) else ch)
    return '"' + "".join(out) + '"'


# -- the edit ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelPlan:
    """The labels added to one Dockerfile and those left out, with the reason."""

    line: int
    added: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]


def present_labels(df: ParsedDockerfile) -> set[str]:
    """OCI label names (``source``...) set in the final stage or the stages it builds on."""
    final = df.final_stage
    present: set[str] = set()
    if final is None:
        return present
    for stage in stage_chain(df, final):
        for instruction in stage.instructions:
            if instruction.cmd == "label":
                for pair in instruction.pairs:
                    if pair.key.startswith(PREFIX):
                        present.add(pair.key[len(PREFIX) :])
    return present


def fix_labels(
    df: ParsedDockerfile,
    edits: DockerfileEdits,
    *,
    already_set: set[str],
    values: dict[str, str | None],
    reasons: dict[str, str],
) -> LabelPlan | None:
    """Plan one ``LABEL`` with the missing labels after the final stage's ``FROM``.

    ``values`` maps a label name to its value (None: unknown, skipped with ``reasons[name]``);
    revision and created need no value (they come from build arguments).
    """
    final = df.final_stage
    if final is None:
        return None
    missing = [n for n in LABELS if n not in already_set]
    pairs: list[tuple[str, str]] = []
    skipped: list[tuple[str, str]] = []
    args: list[str] = []
    for name in missing:
        if name in _BUILD_ARGS:
            arg = _BUILD_ARGS[name]
            args.append(f"ARG {arg}")
            pairs.append((name, '"${' + arg + '}"'))
            continue
        value = values.get(name)
        if value is None:
            skipped.append((name, reasons.get(name, "unknown")))
            continue
        pairs.append((name, quote_label_value(value, df.escape)))
    if not pairs:
        return LabelPlan(final.from_.line, (), tuple(skipped))
    lines = list(args)
    for i, (name, value) in enumerate(pairs):
        lead = "LABEL " if i == 0 else "      "
        tail = f" {df.escape}" if i < len(pairs) - 1 else ""
        lines.append(f"{lead}{PREFIX}{name}={value}{tail}")
    edits.insert_after(final.from_, lines)
    return LabelPlan(final.from_.line, tuple(n for n, _ in pairs), tuple(skipped))
