"""Each Scout policy: what violates it, what passes, when there is no data (§1.3)."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from caulk.catalog.models import OperatingSystem, Package
from caulk.policy import PolicyConfigError, evaluate_policies, load_settings
from caulk.policy.base import find_base_image, parse_material
from caulk.policy.high_profile import KevError, load_kev
from caulk.policy.licenses import licence_ids
from caulk.policy.model import AttestationFacts, BaseImage, PolicyInput, Status
from caulk.vuln.matcher import Vulnerability

NOW = datetime(2026, 8, 1, tzinfo=UTC)


def _vuln(vid: str, severity: str, fixed: str | None, **kw: object) -> Vulnerability:
    fields: dict[str, object] = dict(
        id=vid,
        aliases=(),
        advisories=(vid,),
        package="curl",
        installed_version="1",
        package_type="deb",
        purl="pkg:deb/debian/curl@1",
        source_package="curl",
        source_version="1",
        ecosystem="Debian:12",
        fixed_version=fixed,
        severity=severity,
    )
    fields.update(kw)
    return Vulnerability(**fields)  # type: ignore[arg-type]


def _status(policy: str, inp: PolicyInput, **params: object) -> tuple[Status, str, tuple[str, ...]]:
    settings = load_settings({policy: params} if params else {})
    (result,) = [r for r in evaluate_policies(inp, settings) if r.id == policy]
    return result.status, result.summary, result.details


def test_fixable_critical_or_high_fails_unfixed_or_medium_passes() -> None:
    policy = "fixable-vulnerabilities"
    unfixed_high = _vuln("CVE-1", "high", None)
    fixable_medium = _vuln("CVE-2", "medium", "2")
    assert _status(policy, PolicyInput(vulnerabilities=(unfixed_high, fixable_medium)))[0] is (
        Status.PASSED
    )
    fixable_critical = _vuln("CVE-3", "critical", "2")
    status, summary, details = _status(
        policy, PolicyInput(vulnerabilities=(unfixed_high, fixable_critical))
    )
    assert (status, summary, details) == (Status.FAILED, "1C 0H", ("CVE-3 (critical) in curl",))
    # parameters: unfixed count too, medium listed, only some package types
    inp = PolicyInput(vulnerabilities=(unfixed_high, fixable_medium))
    assert _status(policy, inp, fixable_only=False)[1] == "0C 1H"
    assert _status(policy, inp, severities=["medium"])[0] is Status.FAILED
    assert _status(policy, inp, fixable_only=False, package_types=["pypi"])[0] is Status.PASSED


def test_fixable_grace_period_counts_from_publication() -> None:
    recent = _vuln("CVE-4", "high", "2", published=datetime(2026, 7, 30, tzinfo=UTC))
    old = _vuln("CVE-5", "high", "2", published=datetime(2026, 1, 1, tzinfo=UTC))
    inp = PolicyInput(vulnerabilities=(recent,), now=NOW)
    assert _status("fixable-vulnerabilities", inp, grace_period_days=7)[0] is Status.PASSED
    inp = PolicyInput(vulnerabilities=(recent, old), now=NOW)
    assert _status("fixable-vulnerabilities", inp, grace_period_days=7)[2] == (
        "CVE-5 (high) in curl",
    )


def test_high_profile_list_aliases_kev_and_ignored(tmp_path: Path) -> None:
    policy = "high-profile-vulnerabilities"
    heartbleed = _vuln("DSA-2896-1", "high", "2", aliases=("CVE-2014-0160",), package="libssl1")
    status, _, details = _status(policy, PolicyInput(vulnerabilities=(heartbleed,)))
    assert status is Status.FAILED and details[0] == "CVE-2014-0160 in libssl1"
    assert (
        _status(policy, PolicyInput(vulnerabilities=(heartbleed,)), ignored_cves=["CVE-2014-0160"])[
            0
        ]
        is Status.PASSED
    )
    kev_file = tmp_path / "kev.json"
    kev_file.write_text(
        json.dumps(
            {
                "title": "CISA Catalog of Known Exploited Vulnerabilities",
                "vulnerabilities": [{"cveID": "CVE-2099-7", "vendorProject": "x"}],
            }
        )
    )
    kev = load_kev(kev_file)
    exploited = _vuln("CVE-2099-7", "medium", None)
    assert _status(policy, PolicyInput(vulnerabilities=(exploited,)))[0] is Status.PASSED
    assert _status(policy, PolicyInput(vulnerabilities=(exploited,), kev=kev))[0] is Status.FAILED
    assert (
        _status(policy, PolicyInput(vulnerabilities=(exploited,), kev=kev), include_cisa_kev=False)[
            0
        ]
        is Status.PASSED
    )
    kev_file.write_text("[]")
    with pytest.raises(KevError, match="not a CISA KEV catalogue"):
        load_kev(kev_file)


@pytest.mark.parametrize(
    ("facts", "status"),
    [
        (AttestationFacts(), Status.FAILED),
        (AttestationFacts(sbom=True), Status.FAILED),
        (AttestationFacts(sbom=True, provenance=True, provenance_mode="min"), Status.FAILED),
        (AttestationFacts(sbom=False, provenance=True, provenance_mode="max"), Status.FAILED),
        (AttestationFacts(sbom=True, provenance=True, provenance_mode="max"), Status.PASSED),
    ],
)
def test_supply_chain_attestations_need_sbom_and_max_provenance(
    facts: AttestationFacts, status: Status
) -> None:
    assert _status("supply-chain-attestations", PolicyInput(attestations=facts))[0] is status


@pytest.mark.parametrize(
    ("user", "status", "explicit"),
    [
        ("", Status.FAILED, "implicit"),
        ("root", Status.FAILED, "explicit"),
        ("0:0", Status.FAILED, "explicit"),
        ("root:staff", Status.FAILED, "explicit"),
        ("1000:1000", Status.PASSED, None),
        ("nonroot", Status.PASSED, None),
        ("65532", Status.PASSED, None),
    ],
)
def test_default_non_root_user(user: str, status: Status, explicit: str | None) -> None:
    got, summary, _ = _status("default-non-root-user", PolicyInput(user=user))
    assert got is status
    if explicit:
        assert explicit in summary


def test_agpl_licences_fail_with_the_hub_default_and_configurable_lists() -> None:
    agpl = Package(
        "ghostscript", "10", "deb", "pkg:deb/debian/ghostscript@10", licenses=("AGPL-3.0-or-later",)
    )
    gpl = Package(
        "bash",
        "5.2",
        "deb",
        "pkg:deb/debian/bash@5.2",
        licenses=("GPL-3.0-or-later WITH Bison-exception-2.2",),
    )
    policy = "copyleft-license"
    status, summary, details = _status(policy, PolicyInput(packages=(agpl, gpl)))
    assert (status, summary, details) == (
        Status.FAILED,
        "1 package",
        ("ghostscript 10: AGPL-3.0-or-later",),
    )
    assert (
        _status(
            policy, PolicyInput(packages=(agpl,)), ignored_packages=["pkg:deb/debian/ghostscript@*"]
        )[0]
        is Status.PASSED
    )
    assert _status(policy, PolicyInput(packages=(gpl,)), licenses=["GPL-*"])[0] is Status.FAILED
    assert licence_ids("(MIT OR Apache-2.0) AND GPL-2.0+ WITH Classpath-exception-2.0") == [
        "MIT",
        "Apache-2.0",
        "GPL-2.0",
    ]


def test_base_image_from_provenance_or_labels() -> None:
    material = "pkg:docker/debian@bookworm?platform=linux%2Famd64@sha256:" + "0" * 64
    base = parse_material(material)
    assert base == BaseImage(
        "docker.io/library/debian", "bookworm", "sha256:" + "0" * 64, "provenance"
    )
    ghcr = parse_material("pkg:docker/org/app@1.0?repository_url=ghcr.io")
    assert ghcr is not None and ghcr.reference == "ghcr.io/org/app:1.0"
    labels = {
        "org.opencontainers.image.base.name": "gcr.io/distroless/base-debian12:nonroot",
        "org.opencontainers.image.base.digest": "sha256:" + "2" * 64,
    }
    from_label = find_base_image((), labels)
    assert from_label == BaseImage(
        "gcr.io/distroless/base-debian12", "nonroot", "sha256:" + "2" * 64, "label"
    )
    two = ("pkg:docker/golang@1.22", material)
    assert find_base_image(two, {"org.opencontainers.image.base.name": "debian:bookworm"}) == base
    assert find_base_image((), {}) is None


def test_approved_base_images_globs_no_data_and_end_of_life() -> None:
    policy = "approved-base-images"
    debian = BaseImage("docker.io/library/debian", "bookworm", None, "label")
    assert _status(policy, PolicyInput(base_image=debian))[0] is Status.PASSED
    assert _status(policy, PolicyInput())[0] is Status.NO_DATA
    status, _, details = _status(
        policy, PolicyInput(base_image=debian), allowed_base_images=["gcr.io/distroless/*"]
    )
    assert status is Status.FAILED and "matches none of gcr.io/distroless/*" in details[0]
    assert (
        _status(
            policy,
            PolicyInput(base_image=debian),
            allowed_base_images=["docker.io/library/debian:*"],
        )[0]
        is Status.PASSED
    )
    buster = OperatingSystem("debian", "10", "Debian GNU/Linux 10 (buster)", "Debian:10")
    status, _, details = _status(policy, PolicyInput(base_image=debian, os=buster, now=NOW))
    assert status is Status.FAILED and "end of life on 2024-06-30" in details[0]
    assert (
        _status(
            policy, PolicyInput(base_image=debian, os=buster, now=NOW), allowed_distros_only=False
        )[0]
        is Status.PASSED
    )


def test_outdated_base_image_needs_tag_digest_and_a_registry() -> None:
    policy = "no-stale-base-images"
    built_on = "sha256:" + "1" * 64
    base = BaseImage("docker.io/library/debian", "bookworm", built_on, "provenance")
    asked: list[str] = []

    def registry(current: str) -> object:
        def resolve(reference: str) -> str:
            asked.append(reference)
            return current

        return resolve

    assert _status(policy, PolicyInput(base_image=base))[0] is Status.NO_DATA  # offline
    no_digest = dataclasses.replace(base, digest=None)
    assert (
        _status(policy, PolicyInput(base_image=no_digest, resolve_digest=registry(built_on)))[0]
        is Status.NO_DATA
    )
    inp = PolicyInput(base_image=base, resolve_digest=registry(built_on))  # type: ignore[arg-type]
    assert _status(policy, inp)[0] is Status.PASSED
    assert asked == ["docker.io/library/debian:bookworm"]
    inp = PolicyInput(base_image=base, resolve_digest=registry("sha256:" + "9" * 64))  # type: ignore[arg-type]
    status, _, details = _status(policy, inp)
    assert status is Status.FAILED and "now points to sha256:999" in details[0]

    def unreachable(reference: str) -> str:
        raise OSError("connection refused")

    status, _, details = _status(policy, PolicyInput(base_image=base, resolve_digest=unreachable))
    assert status is Status.NO_DATA and "connection refused" in details[0]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"no-such-policy": {}}, "unknown policy"),
        ({"copyleft-license": {"licences": []}}, "unknown parameter"),
        ({"copyleft-license": {"weight": -1}}, "integer >= 0"),
        ({"copyleft-license": {"weight": True}}, "integer >= 0"),
        ({"copyleft-license": {"enabled": "no"}}, "true or false"),
        ({"fixable-vulnerabilities": {"grace_period_days": "7"}}, "expected int"),
        ({"fixable-vulnerabilities": 3}, "must be a table"),
    ],
)
def test_bad_policy_configuration_names_the_key(table: dict[str, object], message: str) -> None:
    with pytest.raises(PolicyConfigError, match=message):
        load_settings(table, ".caulk.toml policies")


def test_policies_table_is_read_from_the_audit_configuration(tmp_path: Path) -> None:
    from caulk.config import load_config

    (tmp_path / "pyproject.toml").write_text(
        "[tool.caulk.policies.approved-base-images]\n"
        'allowed_base_images = ["gcr.io/distroless/*"]\n'
        "[tool.caulk.policies.copyleft-license]\nweight = 0\n"
    )
    settings = load_settings(load_config(tmp_path).extra["policies"])
    assert settings["approved-base-images"].params == {
        "allowed_base_images": ["gcr.io/distroless/*"]
    }
    assert settings["copyleft-license"].weight == 0
