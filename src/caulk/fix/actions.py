"""Resolve GitHub Action refs to commit SHAs with the git smart protocol (``git ls-remote``).

No GitHub token is needed: the refs advertisement of the action's repository lists every tag
and branch with its object, and annotated tags also with their peeled commit
(``refs/tags/vX^{}``). Pinning must use that peeled commit: the tag object's own SHA is not a
commit, and Scorecard's publishing endpoint rejects it as an "imposter commit"
(ossf/scorecard-webapp ``verify_workflow.go``; ../shared/reference/scorecard-checks.md §3).

The base URL of the repositories is configurable (``--github-url``, ``CAULK_GITHUB_URL``) and
may be any URL git understands: ``https://``, ``http://``, ``git://`` or ``file://``.
"""

from __future__ import annotations

import enum
import os
import re
import subprocess
import time
from dataclasses import dataclass, field

DEFAULT_GITHUB_URL = "https://github.com/"
GITHUB_URL_ENV = "CAULK_GITHUB_URL"

_HEX40 = re.compile(r"^[0-9a-f]{40}$")
_VERSION_TAG = re.compile(r"^v?(\d+(?:\.\d+)*)$")


class ResolveErrorKind(enum.Enum):
    """Why a ref could not be resolved (reported to the user; the pin is left as it was)."""

    NOT_FOUND = "not found"
    AUTH = "authentication required"
    NETWORK = "network"
    INVALID = "invalid reference"


class ResolveError(Exception):
    """A ref that could not be resolved; the message names the repository and reason."""

    def __init__(self, kind: ResolveErrorKind, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(frozen=True)
class RemoteRefs:
    """A repository's refs advertisement: ref name -> object SHA, and peeled commits."""

    url: str
    refs: dict[str, str]
    """``refs/tags/v1`` -> SHA of the object the ref points at (a tag object if annotated)."""
    peeled: dict[str, str] = field(default_factory=dict)
    """``refs/tags/v1`` -> commit SHA, for annotated tags only."""

    def commit_of(self, ref: str) -> str:
        """The commit a ref designates: the peeled commit for an annotated tag."""
        return self.peeled.get(ref, self.refs[ref])

    def tags_at(self, commit: str) -> list[str]:
        """Tag names (without ``refs/tags/``) whose commit is ``commit``."""
        return sorted(
            name.removeprefix("refs/tags/")
            for name in self.refs
            if name.startswith("refs/tags/") and self.commit_of(name) == commit
        )

    def branches_at(self, commit: str) -> list[str]:
        return sorted(
            name.removeprefix("refs/heads/")
            for name in self.refs
            if name.startswith("refs/heads/") and self.refs[name] == commit
        )

    def is_tag_object(self, sha: str) -> str | None:
        """The tag whose *tag object* has this SHA (the imposter-commit trap), if any."""
        for name, obj in self.refs.items():
            if name in self.peeled and obj == sha:
                return name.removeprefix("refs/tags/")
        return None


@dataclass(frozen=True)
class Resolution:
    """The result of pinning one ``uses:`` ref."""

    commit: str
    """The full commit SHA to pin to."""
    comment: str
    """The version comment to write after the SHA (``v4.2.2``)."""
    note: str = ""
    """A warning worth showing (ambiguous ref, tag object pinned, moved tag)."""


def github_base_url(explicit: str | None = None) -> str:
    """The base URL for action repositories: the option, else the environment, else GitHub."""
    url = explicit or os.environ.get(GITHUB_URL_ENV) or DEFAULT_GITHUB_URL
    return url if url.endswith("/") else url + "/"


def repository_of(action: str) -> str:
    """``owner/repo`` of ``owner/repo/sub/path`` (actions in a subdirectory)."""
    parts = action.split("/")
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ResolveError(ResolveErrorKind.INVALID, f"{action}: not an owner/repo action")
    return f"{parts[0]}/{parts[1]}"


def _run_git(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # Never prompt for credentials in a terminal: an unreachable or private repo must fail.
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_ASKPASS"] = "true"
    env.setdefault("GIT_SSH_COMMAND", "ssh -oBatchMode=yes")
    return subprocess.run(
        ["git", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def _classify(stderr: str) -> ResolveErrorKind:
    text = stderr.lower()
    if any(
        s in text
        for s in (
            "authentication",
            "could not read username",
            "403",
            "401",
            "permission denied",
        )
    ):
        return ResolveErrorKind.AUTH
    if any(
        s in text
        for s in (
            "not found",
            "does not appear to be a git repository",
            "no such file",
            "does not exist",
            "no such repository",
            "repository not found",
            "404",
        )
    ):
        return ResolveErrorKind.NOT_FOUND
    return ResolveErrorKind.NETWORK


class ActionResolver:
    """Resolves action refs, caching one refs advertisement per repository."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = 20.0,
        retries: int = 2,
    ) -> None:
        self.base_url = github_base_url(base_url)
        self.timeout = timeout
        self.retries = retries
        self._cache: dict[str, RemoteRefs | ResolveError] = {}

    def remote_refs(self, repository: str) -> RemoteRefs:
        """``git ls-remote`` of ``base_url + repository`` (cached; errors cached too)."""
        cached = self._cache.get(repository)
        if isinstance(cached, RemoteRefs):
            return cached
        if isinstance(cached, ResolveError):
            raise cached
        url = self.base_url + repository
        try:
            result = self._ls_remote(url)
        except ResolveError as exc:
            self._cache[repository] = exc
            raise
        self._cache[repository] = result
        return result

    def _ls_remote(self, url: str) -> RemoteRefs:
        last_error = ""
        kind = ResolveErrorKind.NETWORK
        for attempt in range(self.retries + 1):
            try:
                proc = _run_git(["ls-remote", "--", url], self.timeout)
            except subprocess.TimeoutExpired:
                last_error = f"timed out after {self.timeout:.0f} s"
                kind = ResolveErrorKind.NETWORK
            except FileNotFoundError:
                raise ResolveError(
                    ResolveErrorKind.NETWORK, "git is not installed; cannot resolve action refs"
                ) from None
            else:
                if proc.returncode == 0:
                    return parse_ls_remote(url, proc.stdout)
                last_error = (proc.stderr.strip().splitlines() or ["git ls-remote failed"])[-1]
                kind = _classify(proc.stderr)
                if kind is not ResolveErrorKind.NETWORK:
                    break
            if attempt < self.retries:
                time.sleep(0.5 * (2**attempt))
        raise ResolveError(kind, f"{url}: {kind.value}: {last_error}")

    def resolve(self, action: str, ref: str) -> Resolution:
        """The commit and version comment to pin ``action@ref`` to."""
        remote = self.remote_refs(repository_of(action))
        if _HEX40.match(ref.lower()):
            return self.verify_pin(action, ref.lower(), None)
        tag_ref, head_ref = f"refs/tags/{ref}", f"refs/heads/{ref}"
        note = ""
        if tag_ref in remote.refs:
            commit = remote.commit_of(tag_ref)
            if head_ref in remote.refs and remote.refs[head_ref] != commit:
                note = (
                    f"{action}: both a tag and a branch are named {ref}; "
                    "pinned the tag, as git and GitHub resolve it"
                )
        elif head_ref in remote.refs:
            commit = remote.refs[head_ref]
            note = f"{action}@{ref} is a branch; pinned its current head"
        else:
            raise ResolveError(
                ResolveErrorKind.NOT_FOUND, f"{action}: no tag or branch named {ref}"
            )
        return Resolution(commit=commit, comment=most_specific_tag(remote, commit, ref), note=note)

    def verify_pin(self, action: str, sha: str, comment: str | None) -> Resolution:
        """Check an existing SHA pin; raises ResolveError for a SHA we cannot vouch for.

        The SHA must be the commit of a tag or the head of a branch (Scorecard's webapp also
        accepts commits reachable from the default branch, which needs history we do not
        fetch; such pins are reported, not changed). A tag object's SHA is re-pinned to the
        peeled commit.
        """
        remote = self.remote_refs(repository_of(action))
        tag = remote.is_tag_object(sha)
        if tag is not None:
            commit = remote.commit_of(f"refs/tags/{tag}")
            return Resolution(
                commit=commit,
                comment=most_specific_tag(remote, commit, comment or tag),
                note=(
                    f"{action}@{sha} is the SHA of the annotated tag object {tag}, not a commit "
                    "(an 'imposter commit' to Scorecard); re-pinned to the peeled commit"
                ),
            )
        if comment:
            wanted = f"refs/tags/{comment}"
            if wanted in remote.refs and remote.commit_of(wanted) == sha:
                return Resolution(commit=sha, comment=comment)
        tags = remote.tags_at(sha)
        branches = remote.branches_at(sha)
        if tags or branches:
            best = most_specific_tag(remote, sha, comment or "") if tags else branches[0]
            note = ""
            if comment and comment != best:
                note = f"{action}: version comment {comment} did not match the pinned SHA"
            return Resolution(commit=sha, comment=best, note=note)
        if comment and f"refs/tags/{comment}" in remote.refs:
            commit = remote.commit_of(f"refs/tags/{comment}")
            return Resolution(
                commit=commit,
                comment=most_specific_tag(remote, commit, comment),
                note=(
                    f"{action}@{sha} is not a tag or branch head of {repository_of(action)}; "
                    f"re-pinned to {comment}"
                ),
            )
        raise ResolveError(
            ResolveErrorKind.NOT_FOUND,
            f"{action}@{sha} is not the commit of any tag or branch head of "
            f"{repository_of(action)} (possible imposter commit from a fork)",
        )


def parse_ls_remote(url: str, output: str) -> RemoteRefs:
    """Parse ``git ls-remote`` output into refs and peeled commits."""
    refs: dict[str, str] = {}
    peeled: dict[str, str] = {}
    for line in output.splitlines():
        sha, _, name = line.partition("\t")
        sha = sha.strip().lower()
        name = name.strip()
        if not _HEX40.match(sha) or not name:
            continue
        if name.endswith("^{}"):
            peeled[name[:-3]] = sha
        else:
            refs[name] = sha
    return RemoteRefs(url=url, refs=refs, peeled=peeled)


def _version_key(tag: str) -> tuple[int, tuple[int, ...]] | None:
    match = _VERSION_TAG.match(tag)
    if match is None:
        return None
    numbers = tuple(int(p) for p in match.group(1).split("."))
    return (len(numbers), numbers)


def most_specific_tag(remote: RemoteRefs, commit: str, requested: str) -> str:
    """The most specific version tag at ``commit`` (``v4`` -> ``v4.2.2``), else ``requested``.

    Tags that extend the requested one (``v4`` -> ``v4.2.2``) win over unrelated tags at the
    same commit; among those, the one with most version components, then the highest.
    """
    tags = remote.tags_at(commit)
    versioned = [(key, tag) for tag in tags if (key := _version_key(tag)) is not None]
    if not versioned:
        if requested in tags or not tags:
            return requested
        return tags[0]
    prefix = requested.rstrip(".") + "."
    related = [(k, t) for k, t in versioned if t == requested or t.startswith(prefix)]
    pool = related or versioned
    return max(pool)[1]
