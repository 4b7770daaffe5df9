"""Pin every base image to the digest its tag points at (CK1002).

``FROM ubuntu:24.04`` becomes ``FROM ubuntu:24.04@sha256:<index digest>``, and so do a
workflow job's ``container:`` (string or ``.image``) and ``services.<name>.image``. What the
user wrote is kept and the digest appended: the tag stays for readers and for Dependabot and
Renovate, which update ``tag@digest`` pins. An untagged ``FROM ubuntu`` is resolved as
``latest`` and becomes ``ubuntu@sha256:…`` (no tag is invented).

Resolution (the OCI distribution API through :class:`~caulk.registry.client.RegistryClient`:
bearer tokens, docker ``config.json`` credentials, ``--registry-mirror``,
``--insecure-registry``):

- always a manifest **GET** whose body is hashed and compared with ``Docker-Content-Digest``
  when the registry sends one; a ``HEAD`` alone is never trusted. The pinned digest is the
  sha256 of the bytes received, so it names exactly what was verified;
- the digest of what the tag points at: for a multi-platform image that is the index, never
  one platform's manifest;
- the body must be an image manifest or index (``schemaVersion`` 2 and a manifest media
  type), so an HTML error page served with 200 is not pinned;
- a 5xx, a cut-short body or a digest mismatch is retried by the client, then reported.

Never pinned, with a note saying why: an unresolvable reference (not found, authentication
required, network, registry error, digest mismatch, invalid manifest), ``--offline``, a
reference built from ``ARG``/``${{ }}`` (the value is only known at build or run time),
multi-line or escaped values. Left alone silently: ``scratch`` and references to earlier
stages. Existing digest pins are left as they are (keeping them current is Dependabot's job).

Positions come from the Dockerfile parser (the image word's exact span) and from the workflow
model (the scalar's position); each edit replaces just the reference text, so comments, line
continuations and quoting survive, and a second run finds everything pinned.

Deviation: step-level ``uses: docker://IMAGE`` references are not pinned here (CK2001 leaves
them too); only ``FROM``, ``container`` and ``services`` images are.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from caulk.dockerfile.load import dockerfiles
from caulk.dockerfile.model import ParsedDockerfile
from caulk.findings import TextEdit
from caulk.fix.engine import ChangeSet, Outcome
from caulk.image.errors import DigestMismatchError, ImageError
from caulk.image.reference import RegistryRef, is_digest, parse_registry_ref
from caulk.registry.client import MANIFEST_ACCEPT, RegistryClient, RegistryError
from caulk.registry.options import RegistryOptions
from caulk.repo.checkout import Repository
from caulk.workflow.load import workflow_set
from caulk.workflow.model import Scalar

if TYPE_CHECKING:
    from caulk.fix.run import FixContext

RULE_ID = "CK1002"
"""Dockerfile ``FROM`` images; workflow ``container``/``services`` images use it too (the
workflow catalog has no rule of its own for them)."""

MANIFEST_TYPES = frozenset(t.strip() for t in MANIFEST_ACCEPT.split(","))
_IMAGE_KEYS = re.compile(r"^[ \t]*(?:container|services)[ \t]*:", re.MULTILINE)

PinFailure = Literal[
    "not found",
    "authentication required",
    "network",
    "registry error",
    "digest mismatch",
    "invalid manifest",
]


class PinError(Exception):
    """A reference that could not be resolved to a verified digest; :attr:`reason` says why."""

    def __init__(self, reason: PinFailure, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason: PinFailure = reason
        self.detail = detail


@dataclass(frozen=True)
class ImageSite:
    """One image reference in a file, and where its text is."""

    path: str
    line: int
    """1-based line of the reference."""
    start: int
    """Offset of the reference text (inside the quotes when quoted)."""
    end: int
    reference: str
    """The reference as written."""


@dataclass(frozen=True)
class LeftAlone:
    """A reference that is not pinned for a reason known without the network."""

    path: str
    line: int
    reference: str
    outcome: Outcome
    reason: str


class ImageResolver:
    """Tag → verified digest through one client; each reference is resolved once per run."""

    def __init__(self, client: RegistryClient) -> None:
        self.client = client
        self._cache: dict[str, str | PinError] = {}

    def resolve(self, ref: RegistryRef) -> str:
        """The sha256 digest of the manifest or index ``ref``'s tag points at; raises PinError."""
        key = str(ref)
        if key not in self._cache:
            try:
                self._cache[key] = self._resolve(ref)
            except PinError as exc:
                self._cache[key] = exc
        result = self._cache[key]
        if isinstance(result, PinError):
            raise result
        return result

    def _resolve(self, ref: RegistryRef) -> str:
        try:
            fetched = self.client.get_manifest(ref)
        except DigestMismatchError as exc:
            raise PinError("digest mismatch", str(exc)) from None
        except RegistryError as exc:
            raise PinError(exc.reason, str(exc)) from None
        except ImageError as exc:
            raise PinError("registry error", str(exc)) from None
        problem = manifest_problem(fetched.body, fetched.media_type)
        if problem:
            raise PinError("invalid manifest", f"{ref}: {problem}")
        # The client checked the body against the registry's digest; pin the sha256 of those
        # very bytes (also when the registry named them by another algorithm).
        return "sha256:" + hashlib.sha256(fetched.body).hexdigest()


def manifest_problem(body: bytes, media_type: str | None) -> str | None:
    """Why ``body`` is not an image manifest or index (None when it is one)."""
    try:
        document = json.loads(body)
    except ValueError:
        return "the registry's answer is not JSON"
    if not isinstance(document, dict) or document.get("schemaVersion") != 2:
        return "the registry's answer is not a schema 2 manifest"
    declared = document.get("mediaType") or media_type
    if declared not in MANIFEST_TYPES:
        return f"unexpected media type {declared!r}"
    return None


# -- finding the references ---------------------------------------------------------------------


def dockerfile_sites(df: ParsedDockerfile) -> tuple[list[ImageSite], list[LeftAlone]]:
    """The ``FROM`` images of ``df`` to pin, and those left alone with the reason."""
    sites: list[ImageSite] = []
    left: list[LeftAlone] = []
    for stage in df.stages:
        word = stage.info.image
        if word is None or stage.base_stage is not None or stage.is_scratch:
            continue
        raw, start = word.value, word.span.start
        if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
            raw, start = raw[1:-1], start + 1
        line = word.span.line
        if "$" in raw:
            if stage.image is not None and "@sha256:" in stage.image:
                # The ARG's default already pins a digest (FROM ${BASE} with
                # ARG BASE=img:tag@sha256:…): nothing to do, and nothing to report as skipped.
                left.append(
                    LeftAlone(df.path, line, raw, Outcome.UNCHANGED, f"{stage.image} is pinned")
                )
                continue
            left.append(
                LeftAlone(df.path, line, raw, Outcome.SKIPPED, "left alone: built from ARG")
            )
            continue
        if raw.lower() == "scratch":
            continue
        if df.text[start : start + len(raw)] != raw or any(c in raw for c in "'\"\\ \t`"):
            left.append(
                LeftAlone(
                    df.path,
                    line,
                    raw,
                    Outcome.FAILED,
                    "not pinned: the reference is split or escaped in the file; pin it by hand",
                )
            )
            continue
        sites.append(ImageSite(df.path, line, start, start + len(raw), raw))
    return sites, left


def workflow_sites(
    path: str, text: str, images: list[Scalar]
) -> tuple[list[ImageSite], list[LeftAlone]]:
    """The ``container``/``services`` images of one workflow (scalars of its model)."""
    starts = _line_starts(text)
    sites: list[ImageSite] = []
    left: list[LeftAlone] = []
    for scalar in images:
        value, line = scalar.value, scalar.pos.line
        if not value.strip():
            continue
        if "${{" in value:
            reason = "left alone: built from an expression"
            left.append(LeftAlone(path, line, value, Outcome.SKIPPED, reason))
            continue
        start = starts[line - 1] + scalar.pos.column - 1 if line <= len(starts) else -1
        if scalar.style in ("'", '"'):
            start += 1
            closing = text[start + len(value) : start + len(value) + 1]
            exact = closing == scalar.style
        else:
            exact = scalar.style == ""
        exact = exact and start >= 0 and text[start : start + len(value)] == value
        if not exact or "\n" in value:
            reason = "not pinned: a multi-line or escaped value; pin it by hand"
            left.append(LeftAlone(path, line, value, Outcome.FAILED, reason))
            continue
        sites.append(ImageSite(path, line, start, start + len(value), value))
    return sites, left


def _line_starts(text: str) -> list[int]:
    starts = [0]
    position = text.find("\n")
    while position >= 0:
        starts.append(position + 1)
        position = text.find("\n", position + 1)
    return starts


# -- planning the edits -------------------------------------------------------------------------


def pin_images(
    repo: Repository, changes: ChangeSet, resolver: ImageResolver | None, *, offline: bool
) -> None:
    """Plan the edits that pin every base and job image; notes say what could not be done."""
    for df in dockerfiles(repo):
        syntax = [e for e in df.errors if e.kind == "syntax"]
        if syntax:
            message = f"the Dockerfile does not parse, not changed: {syntax[0].message}"
            changes.note(RULE_ID, df.path, syntax[0].line, Outcome.FAILED, message)
            continue
        sites, left = dockerfile_sites(df)
        _plan_file(changes, df.path, df.text, sites, left, resolver, offline=offline)

    found = workflow_set(repo)
    for failure in found.failures:
        text = repo.read_text(failure.path)
        if text is not None and _IMAGE_KEYS.search(text):
            message = f"{failure.message}, not changed"
            changes.note(RULE_ID, failure.path, failure.line, Outcome.FAILED, message)
    for workflow in found.workflows:
        images = [
            scalar
            for job in workflow.jobs
            for scalar in (
                *([job.container] if job.container is not None else []),
                *(image for _, image in job.services),
            )
        ]
        if not images:
            continue
        text = repo.read_text(workflow.path)
        if text is None:
            continue
        sites, left = workflow_sites(workflow.path, text, images)
        _plan_file(changes, workflow.path, text, sites, left, resolver, offline=offline)


def _plan_file(
    changes: ChangeSet,
    path: str,
    text: str,
    sites: list[ImageSite],
    left: list[LeftAlone],
    resolver: ImageResolver | None,
    *,
    offline: bool,
) -> None:
    for alone in left:
        message = f"{alone.reference}: {alone.reason}"
        changes.note(RULE_ID, path, alone.line, alone.outcome, message)
    if sites:
        changes.original(path, text)
    for site in sites:
        try:
            ref = parse_registry_ref(site.reference)
        except ImageError as exc:
            changes.note(RULE_ID, path, site.line, Outcome.FAILED, f"not pinned: {exc}")
            continue
        if ref.digest is not None:
            message = f"{site.reference} is pinned by digest"
            changes.note(RULE_ID, path, site.line, Outcome.UNCHANGED, message)
            continue
        if offline or resolver is None:
            message = f"{site.reference}: resolving the tag needs the network (--offline)"
            changes.note(RULE_ID, path, site.line, Outcome.SKIPPED, message)
            continue
        try:
            digest = resolver.resolve(ref)
        except PinError as exc:
            message = f"{site.reference}: not pinned ({exc.reason}): {exc.detail}"
            changes.note(RULE_ID, path, site.line, Outcome.FAILED, message)
            continue
        assert is_digest(digest)
        pinned = f"{site.reference}@{digest}"
        changes.edit(TextEdit(path, site.start, site.end, pinned))
        message = f"{site.reference} -> {pinned}"
        if ref.tag and ":" + ref.tag not in site.reference:
            message += f" (tag {ref.tag})"
        changes.note(RULE_ID, path, site.line, Outcome.FIXED, message)


def fix(ctx: FixContext) -> None:
    """The ``caulk fix`` entry point: one registry client for the whole run."""
    if not ctx.options.wants(RULE_ID):
        return
    # Parsed even offline, so a malformed --registry-mirror is an input error (exit 2).
    options = RegistryOptions.from_cli(
        mirrors=list(ctx.options.registry_mirrors),
        insecure=list(ctx.options.insecure_registries),
        offline=ctx.options.offline,
    )
    if ctx.options.offline:
        pin_images(ctx.repo, ctx.changes, None, offline=True)
        return
    with RegistryClient(options) as client:
        pin_images(ctx.repo, ctx.changes, ImageResolver(client), offline=False)
