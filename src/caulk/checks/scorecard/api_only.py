"""The Scorecard checks that need GitHub's (or OSV's) API, and caulk's git-history estimates.

``scorecard --local`` runs only the file-based checks; the others read the GitHub API
(../shared/reference/scorecard-checks.md §1). caulk lists them as not computed offline
(``api_only_check``), except two that the local git history approximates:

* **Maintained** (``checks/evaluation/maintained.go``, ``probes/hasRecentCommits``): 0 when
  the repository was created under 90 days ago, else ``min(floor(10·(c+i)/12), 10)`` with c
  the commits among the last 30 whose committer date is within 90 days, and i the issues
  created or commented on by a collaborator, member or owner in that time. caulk estimates
  c from ``git log HEAD`` (all parents, like GitHub's commit history), takes the creation date
  from the oldest root commit, and sets i = 0 because issues need the API; "archived" cannot
  be known either. So the estimate is a lower bound.
* **Code-Review** (``checks/raw/code_review.go``, ``probes/codeApproved``): the last 30
  default-branch commits grouped into changesets, score ``floor(10·approved/total)``. caulk
  reads ``git log --first-parent`` (the commits that landed on the branch) and groups them:
  a GitHub pull request (merge commit "Merge pull request #N", or a squash merge whose subject
  ends with "(#N)"), Phabricator ("Differential Revision: … D123"), Gerrit ("Reviewed-on:" and
  "Reviewed-by:"), Piper ("PiperOrigin-RevId: 123"), else one changeset per commit. A merged
  pull request counts as approved (Scorecard counts the merger as an approving reviewer);
  Scorecard does not when the author merged their own pull request without a review, which
  caulk cannot see offline, so the estimate is an upper bound. Approved changesets of bots
  (author name ending in ``[bot]``) are skipped; no changesets or only bots gives -1.

Both estimates are ``local=False, estimated=True``: they feed ``score.estimated``, never the
Scorecard-identical ``score.local``. A shallow clone with fewer than 30 commits, or no git
history at all, makes them inconclusive (-1).
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from caulk.checks.registry import (
    INCONCLUSIVE,
    MAX_SCORE,
    CheckResult,
    Risk,
    api_only_check,
    proportional_score,
    scorecard_check,
)
from caulk.repo.checkout import Repository
from caulk.repo.git import (
    COMMIT_WINDOW,
    Commit,
    History,
    author_names,
    read_history,
    unavailable_reason,
)

MAINTAINED = "Maintained"
CODE_REVIEW = "Code-Review"

LOOK_BACK_DAYS = 90
"""``lookBackDays`` of the Maintained probes."""
ACTIVITY_THRESHOLD = 1 * LOOK_BACK_DAYS // 7
"""``activityPerWeek * lookBackDays / daysInOneWeek`` = 12 (integer division)."""

_DAY = 86_400

api_only_check(
    "Branch-Protection",
    Risk.HIGH,
    "Needs the GitHub API: branch protection rules and rulesets of the default and release "
    "branches (some fields need an admin token).",
)
api_only_check(
    "CI-Tests",
    Risk.LOW,
    "Needs the GitHub API: check runs and commit statuses of recently merged pull requests.",
)
api_only_check(
    "CII-Best-Practices",
    Risk.LOW,
    "Needs the network: the project's OpenSSF Best Practices badge level (bestpractices.dev).",
)
api_only_check(
    "Contributors",
    Risk.LOW,
    "Needs the GitHub API: contributors with 5+ commits and their organisations and companies.",
)
api_only_check(
    "Signed-Releases",
    Risk.HIGH,
    "Needs the GitHub API: the assets (signatures, provenance) of the last five releases.",
)
api_only_check(
    "Vulnerabilities",
    Risk.HIGH,
    "Needs the OSV API: Scorecard runs osv-scanner, which queries api.osv.dev even with --local.",
)
api_only_check(
    "Webhooks",
    Risk.CRITICAL,
    "Needs the GitHub API with an admin token: the repository's webhooks and their secrets "
    "(experimental in Scorecard; only with SCORECARD_EXPERIMENTAL).",
)


def _estimate_prefix() -> str:
    return "estimated from git history: "


def _no_history(name: str, repo: Repository, first_parent: bool) -> CheckResult:
    reason = unavailable_reason(repo, first_parent=first_parent) or "no history"
    return CheckResult(
        name=name,
        score=INCONCLUSIVE,
        risk=Risk.HIGH,
        reason=f"{_estimate_prefix()}unavailable ({reason}); needs the GitHub API",
        local=False,
        estimated=True,
    )


def _too_shallow(name: str, history: History) -> CheckResult | None:
    if history.shallow and len(history.commits) < COMMIT_WINDOW:
        return CheckResult(
            name=name,
            score=INCONCLUSIVE,
            risk=Risk.HIGH,
            reason=(
                f"{_estimate_prefix()}shallow clone with {len(history.commits)} commit(s); "
                "fetch the full history (e.g. actions/checkout with fetch-depth: 0)"
            ),
            local=False,
            estimated=True,
        )
    return None


# -- Maintained -----------------------------------------------------------------------------


def estimate_maintained(history: History, now: float) -> CheckResult:
    """The Maintained estimate for ``history`` at time ``now`` (seconds since the epoch)."""
    shallow = _too_shallow(MAINTAINED, history)
    if shallow is not None:
        return shallow
    threshold = now - LOOK_BACK_DAYS * _DAY
    details = [
        "Info: issue activity (i) needs the GitHub API; counted as 0",
        "Info: whether the repository is archived needs the GitHub API; assumed not",
    ]
    first = history.first_commit_time
    if first is not None and not history.shallow and first > threshold:
        return CheckResult(
            name=MAINTAINED,
            score=0,
            risk=Risk.HIGH,
            reason=(
                f"{_estimate_prefix()}the first commit is under {LOOK_BACK_DAYS} days old "
                "(Scorecard: project was created within the last 90 days)"
            ),
            local=False,
            estimated=True,
            details=("Warn: repository created within the last 90 days", *details),
        )
    if history.shallow:
        details.append("Info: shallow clone; the repository's creation date is not known")
    recent = sum(1 for c in history.commits if c.committer_time > threshold)
    return CheckResult(
        name=MAINTAINED,
        score=proportional_score(recent, ACTIVITY_THRESHOLD),
        risk=Risk.HIGH,
        reason=(
            f"{_estimate_prefix()}{recent} commit(s) of the last {len(history.commits)} in the "
            f"last {LOOK_BACK_DAYS} days; issue activity needs the GitHub API (counted as 0)"
        ),
        local=False,
        estimated=True,
        details=tuple(details),
    )


@scorecard_check(MAINTAINED, Risk.HIGH, local=False)
def maintained(repo: Repository) -> CheckResult:
    """Maintained (estimate): commits in the last 90 days among the last 30, from git log."""
    history = read_history(repo, first_parent=False)
    if history is None:
        return _no_history(MAINTAINED, repo, first_parent=False)
    return estimate_maintained(history, time.time())


# -- Code-Review ----------------------------------------------------------------------------

_MERGE_PR = re.compile(r"^Merge pull request #(\d+)\b", re.ASCII)
_SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$", re.ASCII)
_PHABRICATOR = re.compile(r"Differential Revision:[^\r\n]*(D\d+)", re.ASCII)
_PIPER = re.compile(r"PiperOrigin-RevId:[\t\n\f\r ]*(\d{3,})", re.ASCII)

GITHUB = "GitHub"
PHABRICATOR = "Phabricator"
GERRIT = "Gerrit"
PIPER = "Piper"
UNKNOWN = "Unknown"

_REVIEWED_PLATFORMS = frozenset({PHABRICATOR, GERRIT, PIPER})


@dataclass
class Changeset:
    """Commits that belong to one review (``checker.Changeset``)."""

    platform: str
    revision: str
    commits: list[Commit] = field(default_factory=list)
    author: str = ""
    """The pull request's author name (GitHub changesets only)."""
    self_merged: bool = False
    """A merge commit whose author is also the pull request branch's author."""

    @property
    def is_bot(self) -> bool:
        return self.author.endswith("[bot]")

    @property
    def approved(self) -> bool:
        """Scorecard ``approved``: reviewed elsewhere, or a merged GitHub pull request."""
        return self.platform in _REVIEWED_PLATFORMS or self.platform == GITHUB


def _revision(commit: Commit) -> tuple[str, str]:
    """``detectCommitRevisionInfo`` with a commit message instead of the API's PR data."""
    merge = _MERGE_PR.match(commit.subject)
    if merge and commit.is_merge:
        return GITHUB, merge.group(1)
    squash = _SQUASH_PR.search(commit.subject)
    if squash and not commit.is_merge:
        return GITHUB, squash.group(1)
    phabricator = _PHABRICATOR.search(commit.message)
    if phabricator:
        return PHABRICATOR, phabricator.group(1)
    if "Reviewed-on:" in commit.message and "Reviewed-by:" in commit.message:
        return GERRIT, commit.sha
    piper = _PIPER.search(commit.message)
    if piper:
        return PIPER, piper.group(1)
    return UNKNOWN, commit.sha


def group_changesets(commits: Sequence[Commit], branch_authors: dict[str, str]) -> list[Changeset]:
    """``getChangesets``: commits grouped by review, in first-seen order.

    ``branch_authors`` maps a merge commit's SHA to the author of its second parent (the
    pull request branch tip), when known.
    """
    by_revision: dict[tuple[str, str], Changeset] = {}
    for commit in commits:
        platform, revision = _revision(commit)
        key = (platform, revision)
        changeset = by_revision.get(key)
        if changeset is None:
            changeset = Changeset(platform, revision)
            if platform == GITHUB:
                if commit.is_merge:
                    changeset.author = branch_authors.get(commit.sha, "")
                    changeset.self_merged = changeset.author == commit.author_name
                else:
                    changeset.author = commit.author_name
            by_revision[key] = changeset
        changeset.commits.append(commit)
    return list(by_revision.values())


def estimate_code_review(history: History, branch_authors: dict[str, str]) -> CheckResult:
    """The Code-Review estimate (``probes/codeApproved`` + ``evaluation/code_review.go``)."""
    shallow = _too_shallow(CODE_REVIEW, history)
    if shallow is not None:
        return shallow
    changesets = group_changesets(history.commits, branch_authors)
    if not changesets:
        return CheckResult(
            name=CODE_REVIEW,
            score=INCONCLUSIVE,
            risk=Risk.HIGH,
            reason=f"{_estimate_prefix()}no changesets detected",
            local=False,
            estimated=True,
        )
    total = approved = 0
    human = False
    for changeset in changesets:
        if changeset.approved and changeset.is_bot:
            continue  # Scorecard skips approved bot changesets (ossf/scorecard#2450)
        total += 1
        human = human or not changeset.is_bot
        approved += changeset.approved
    counts: dict[str, int] = {}
    for changeset in changesets:
        counts[changeset.platform] = counts.get(changeset.platform, 0) + 1
    details = [
        f"Info: {counts[p]} changeset(s) via {p if p != UNKNOWN else 'direct commits'}"
        for p in (GITHUB, PHABRICATOR, GERRIT, PIPER, UNKNOWN)
        if p in counts
    ]
    self_merged = sum(1 for c in changesets if c.self_merged and not c.is_bot)
    if self_merged:
        details.append(
            f"Warn: {self_merged} pull request(s) merged by their own author; Scorecard counts "
            "them as unreviewed unless someone else approved (reviews need the GitHub API)"
        )
    details.append("Info: pull request reviews and labels need the GitHub API; merges count")
    if approved != total:
        score = proportional_score(approved, total)
        summary = f"{approved}/{total} approved changesets"
    elif not human:
        return CheckResult(
            name=CODE_REVIEW,
            score=INCONCLUSIVE,
            risk=Risk.HIGH,
            reason=(
                f"{_estimate_prefix()}no human activity in the last {len(changesets)} changesets"
            ),
            local=False,
            estimated=True,
            details=tuple(details),
        )
    else:
        score = MAX_SCORE
        summary = "all changesets approved"
    return CheckResult(
        name=CODE_REVIEW,
        score=score,
        risk=Risk.HIGH,
        reason=(
            f"{_estimate_prefix()}{summary} (merged pull requests and Gerrit, Phabricator or "
            "Piper review markers); reviews need the GitHub API"
        ),
        local=False,
        estimated=True,
        details=tuple(details),
    )


@scorecard_check(CODE_REVIEW, Risk.HIGH, local=False)
def code_review(repo: Repository) -> CheckResult:
    """Code-Review (estimate): share of the last 30 first-parent commits that were reviewed."""
    history = read_history(repo, first_parent=True)
    if history is None:
        return _no_history(CODE_REVIEW, repo, first_parent=True)
    merges = [c for c in history.commits if c.is_merge]
    tips = author_names(repo, (c.parents[1] for c in merges))
    branch_authors = {c.sha: tips[c.parents[1]] for c in merges if c.parents[1] in tips}
    return estimate_code_review(history, branch_authors)
