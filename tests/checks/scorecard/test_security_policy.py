"""Security-Policy: scores equal to Scorecard's (checks/raw/security_policy.go + probes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.checks.scorecard.security_policy import (
    collect_policy_hits,
    find_policy_file,
    score_policy,
    security_policy,
)
from caulk.repo.checkout import Repository

FULL_POLICY = """\
# Security Policy

Please report vulnerabilities privately through https://github.com/acme/app/security/advisories.
We answer within 7 days, fix confirmed issues quickly and publish a coordinated disclosure
after at most 90 days.
"""


def repo_with(tmp_path: Path, files: dict[str, str | bytes]) -> Repository:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return Repository(tmp_path)


def test_url_long_text_and_disclosure_words_score_10(tmp_path: Path) -> None:
    result = security_policy(repo_with(tmp_path, {"SECURITY.md": FULL_POLICY}))
    assert result.score == 10
    assert result.reason == "security policy file detected"
    assert result.findings == ()


def test_only_an_email_and_no_text_scores_6(tmp_path: Path) -> None:
    # size 21 <= len(email) 20 + 2 * 1: no text beyond the link; no 1-4 digit number either.
    result = security_policy(repo_with(tmp_path, {"SECURITY.md": "security@example.com\n"}))
    assert result.score == 6
    assert [f.rule_id for f in result.findings] == ["CK3005"]
    assert result.findings[0].location is not None
    assert result.findings[0].location.path == "SECURITY.md"


def test_text_without_contact_scores_4(tmp_path: Path) -> None:
    # No URL or email (+0); text (+3); "vulnerability" and "90" are two text hits (+1).
    policy = "Report a vulnerability to the maintainers; we fix it within 90 days.\n"
    assert security_policy(repo_with(tmp_path, {"SECURITY.md": policy})).score == 4


def test_single_text_hit_does_not_earn_the_disclosure_point(tmp_path: Path) -> None:
    policy = "Mail security@example.com about any vulnerability you find in this project.\n"
    assert security_policy(repo_with(tmp_path, {"SECURITY.md": policy})).score == 9


def test_empty_policy_scores_0_but_is_detected(tmp_path: Path) -> None:
    result = security_policy(repo_with(tmp_path, {"SECURITY.md": ""}))
    assert result.score == 0
    assert result.reason == "security policy file detected"


def test_no_policy_scores_0_with_ck3001(tmp_path: Path) -> None:
    result = security_policy(repo_with(tmp_path, {"README.md": "hello"}))
    assert result.score == 0
    assert result.reason == "security policy file not detected"
    assert [(f.rule_id, f.check, f.location) for f in result.findings] == [
        ("CK3001", "Security-Policy", None)
    ]


@pytest.mark.parametrize(
    "path",
    [
        "SECURITY.md",
        "security.MD",
        ".github/SECURITY.md",
        "docs/Security.md",
        "SECURITY.markdown",
        "docs/security.adoc",
        "SECURITY.rst",
        "doc/security.rst",
    ],
)
def test_policy_locations(tmp_path: Path, path: str) -> None:
    assert find_policy_file(repo_with(tmp_path, {path: FULL_POLICY})) == path


@pytest.mark.parametrize(
    "path", ["doc/SECURITY.md", "src/SECURITY.md", "SECURITY.txt", "SECURITY", ".github/SECURITY"]
)
def test_not_policy_locations(tmp_path: Path, path: str) -> None:
    assert find_policy_file(repo_with(tmp_path, {path: FULL_POLICY})) is None


def test_first_file_in_walk_order_wins(tmp_path: Path) -> None:
    # Go's Walk lists ".github/SECURITY.md" before "SECURITY.md" ('.' sorts before 'S').
    repo = repo_with(
        tmp_path,
        {".github/SECURITY.md": "security@example.com", "SECURITY.md": FULL_POLICY},
    )
    assert find_policy_file(repo) == ".github/SECURITY.md"
    assert security_policy(repo).score == 6


def test_empty_root_policy_takes_content_from_same_basename_elsewhere(tmp_path: Path) -> None:
    # Scorecard reads the content through OnMatchingFileContentDo with the pattern
    # "security.md", which also matches the basename of pkg/security.md, and skips empty files.
    repo = repo_with(tmp_path, {"SECURITY.md": "", "pkg/security.md": FULL_POLICY})
    result = security_policy(repo)
    assert result.score == 10
    assert any("pkg/security.md" in line for line in result.details)


def test_size_arithmetic_is_in_bytes_over_unique_links() -> None:
    url = b"https://example.com/report"
    # The same URL twice counts once: 26 + 2*1 = 28 must stay below the byte size.
    exact = collect_policy_hits(url + b"\n" + url)  # 53 bytes
    assert exact.urls == (url, url)
    assert score_policy(exact).text is True
    lone = collect_policy_hits(url + b"\n")  # 27 bytes <= 28
    assert score_policy(lone).text is False


def test_emails_with_at_in_brackets_and_crlf_lines() -> None:
    hits = collect_policy_hits(b"Contact: security[at]example.org\r\nor sec\\[at\\]example.org\r\n")
    assert hits.emails == (b"security[at]example.org", b"sec\\[at\\]example.org")
    assert score_policy(hits).links is True


def test_text_regex_counts_every_hit_and_numbers_up_to_four_digits() -> None:
    # "Disclos", "vuln", "2024" and "12345" -> "2345" (Go's [0-9]{1,4}\b) = 4 hits.
    hits = collect_policy_hits(b"Disclosure of vulns: 2024, ticket 12345")
    assert hits.text_hits == 4


def test_unreadable_policy_makes_the_check_inconclusive(tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_text(FULL_POLICY)
    root = tmp_path / "repo"
    root.mkdir()
    (root / "SECURITY.md").symlink_to(outside)
    result = security_policy(Repository(root))
    assert result.score == -1
    assert result.reason == "cannot read SECURITY.md"
