"""Scorecard's Security-Policy check, computed as ``scorecard --local`` does.

Mirrors ``checks/raw/security_policy.go``, the ``securityPolicy*`` probes and
``checks/evaluation/security_policy.go`` (ossf/scorecard @ 40c1e359):

* The policy is the **first** file, in walk order, whose full path equals one of
  :data:`POLICY_PATHS` case-insensitively.
* Its content is then read through ``OnMatchingFileContentDo`` with that path as the pattern:
  every non-testdata file whose lowercased full path, **or basename**, matches it is read in
  walk order until one is non-empty. So an empty root ``SECURITY.md`` lets a non-empty
  ``pkg/security.md`` supply the content (a Scorecard quirk kept on purpose).
* Per line (``bufio.ScanLines``): URL, email and "text" regexes. Score: +6 for at least one
  unique URL or email; +3 when ``size > 1`` and ``size > Σ len(unique URLs and emails) +
  2 × (their count)``; +1 when the text regex hits more than once (duplicates counted).
  A present file with no content scores 0.

Deviation: without ``--local`` Scorecard also looks in the organisation's ``.github``
repository; that needs the network and is not done.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from caulk.checks.registry import CheckResult, Risk, scorecard_check
from caulk.checks.repository.rules import INCOMPLETE_SECURITY_POLICY, NO_SECURITY_POLICY
from caulk.checks.scorecard.binary_artifacts import is_dangling_symlink, is_testdata_path
from caulk.findings import Finding, Location
from caulk.repo.checkout import Repository

NAME = "Security-Policy"

POLICY_PATHS = (
    "security.md",
    ".github/security.md",
    "docs/security.md",
    "security.markdown",
    ".github/security.markdown",
    "docs/security.markdown",
    "security.adoc",
    ".github/security.adoc",
    "docs/security.adoc",
    "security.rst",
    ".github/security.rst",
    "doc/security.rst",
    "docs/security.rst",
)
"""``isSecurityPolicyFilename``: compared with the whole path, case-insensitively."""

_URL = re.compile(rb"(http|https)://[a-zA-Z0-9./?=_%:-]*")
_EMAIL = re.compile(rb"\b[A-Za-z0-9._%+-]+(@|\\?\[at\\?\])[A-Za-z0-9.-]+\.[A-Za-z]{2,6}\b")
# Go's pattern is `(?i)(\b*[0-9]{1,4}\b|(Disclos|Vuln))`; `\b*` matches the empty string in Go
# and does not compile in Python, so it is dropped.
_TEXT = re.compile(rb"(?i)([0-9]{1,4}\b|(Disclos|Vuln))")

OFFSET_DEFAULT = 1
"""``checker.OffsetDefault``: the size a policy file keeps when no content was read."""


@dataclass(frozen=True)
class PolicyContent:
    """What ``collectPolicyHits`` found in a policy file."""

    size: int
    urls: tuple[bytes, ...]
    """Every URL hit, duplicates included, in order."""
    emails: tuple[bytes, ...]
    text_hits: int


@dataclass(frozen=True)
class PolicyScore:
    """The three probes' outcomes and the score."""

    links: bool
    text: bool
    disclosure: bool

    @property
    def score(self) -> int:
        return (6 if self.links else 0) + (3 if self.text else 0) + (1 if self.disclosure else 0)


def find_policy_file(repo: Repository) -> str | None:
    """The first listed file whose path is a security-policy name (``OnAllFilesDo``)."""
    for path in repo.files:
        if path.lower() in POLICY_PATHS and not is_dangling_symlink(repo, path):
            return path
    return None


def content_candidates(repo: Repository, policy_path: str) -> list[str]:
    """Files ``OnMatchingFileContentDo`` reads for the policy's pattern, in walk order.

    The pattern is the policy's path, lowercased; it has no glob characters, so Go's
    ``path.Match`` is an equality test against the full path and then the basename.
    """
    pattern = policy_path.lower()
    found = []
    for path in repo.files:
        if is_testdata_path(path):
            continue
        lowered = path.lower()
        matched = lowered == pattern or lowered.rsplit("/", 1)[-1] == pattern
        if matched and not is_dangling_symlink(repo, path):
            found.append(path)
    return found


def collect_policy_hits(content: bytes) -> PolicyContent:
    """``collectPolicyHits``: URL, email and text hits, line by line."""
    urls: list[bytes] = []
    emails: list[bytes] = []
    text_hits = 0
    for line in _scan_lines(content):
        if not line:
            continue
        urls.extend(m.group(0) for m in _URL.finditer(line))
        emails.extend(m.group(0) for m in _EMAIL.finditer(line))
        text_hits += sum(1 for _ in _TEXT.finditer(line))
    return PolicyContent(len(content), tuple(urls), tuple(emails), text_hits)


def _scan_lines(content: bytes) -> list[bytes]:
    """Go's ``bufio.ScanLines``: split on ``\\n``, drop one trailing ``\\r`` per line."""
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line.removesuffix(b"\r") for line in lines]


def score_policy(content: PolicyContent | None) -> PolicyScore:
    """The probes ``securityPolicyContains{Links,Text,VulnerabilityDisclosure}``."""
    if content is None:
        content = PolicyContent(OFFSET_DEFAULT, (), (), 0)
    size = content.size
    unique_urls = set(content.urls)
    unique_emails = set(content.emails)
    linked = len(unique_urls) + len(unique_emails)
    linked_length = sum(len(u) for u in unique_urls) + sum(len(e) for e in unique_emails)
    return PolicyScore(
        links=linked > 0,
        text=size > 1 and size > linked_length + 2 * linked,
        disclosure=content.text_hits > 1,
    )


@scorecard_check(NAME, Risk.MEDIUM)
def security_policy(repo: Repository) -> CheckResult:
    """Security-Policy: SECURITY.md with a contact, text and disclosure details."""
    policy = find_policy_file(repo)
    if policy is None:
        return CheckResult(
            name=NAME,
            score=0,
            risk=Risk.MEDIUM,
            reason="security policy file not detected",
            details=("Warn: no security policy file detected",),
            findings=(
                Finding(
                    rule_id=NO_SECURITY_POLICY.id,
                    severity=NO_SECURITY_POLICY.severity,
                    message=(
                        "no security policy: add SECURITY.md (or .github/SECURITY.md) with a "
                        "private reporting channel"
                    ),
                    location=None,
                    check=NAME,
                ),
            ),
        )

    content: PolicyContent | None = None
    source = policy
    for candidate in content_candidates(repo, policy):
        data = repo.read_bytes(candidate)
        if data is None:
            # Scorecard would fail the whole check on a read error.
            return CheckResult(
                name=NAME,
                score=-1,
                risk=Risk.MEDIUM,
                reason=f"cannot read {candidate}",
                details=(f"Warn: cannot read {candidate}",),
            )
        if not data:
            continue  # Scorecard keeps looking when a matched file is empty
        content = collect_policy_hits(data)
        source = candidate
        break

    probes = score_policy(content)
    details = [f"Info: security policy file detected: {policy}"]
    if source != policy:
        details.append(f"Info: content read from {source} (the detected file is empty)")
    missing: list[str] = []
    for ok, good, bad in (
        (probes.links, "Found linked content", "no linked content found (URL or email)"),
        (probes.text, "Found text in security policy", "no text besides links and emails"),
        (
            probes.disclosure,
            "Found disclosure, vulnerability, and/or timelines in security policy",
            "one or no hints of disclosure, vulnerability, and/or timelines",
        ),
    ):
        details.append(f"{'Info' if ok else 'Warn'}: {good if ok else bad}")
        if not ok:
            missing.append(bad)
    findings: tuple[Finding, ...] = ()
    if missing:
        findings = (
            Finding(
                rule_id=INCOMPLETE_SECURITY_POLICY.id,
                severity=INCOMPLETE_SECURITY_POLICY.severity,
                message=f"security policy {policy} is incomplete: " + "; ".join(missing),
                location=Location(policy),
                check=NAME,
            ),
        )
    return CheckResult(
        name=NAME,
        score=probes.score,
        risk=Risk.MEDIUM,
        reason="security policy file detected",
        details=tuple(details),
        findings=findings,
    )
