"""Action refs resolve to peeled commits over a real git transport on loopback.

The repositories are real: annotated and lightweight tags, a major tag that moved, a branch
and a tag with the same name, and a commit that exists only in a fork.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from caulk.fix.actions import (
    ActionResolver,
    ResolveError,
    ResolveErrorKind,
    github_base_url,
    repository_of,
)
from tests.fix.conftest import World


def test_annotated_tag_resolves_to_the_peeled_commit_not_the_tag_object(world: World) -> None:
    resolver = ActionResolver(world.url)
    resolution = resolver.resolve("actions/checkout", "v4.2.2")
    tag_object = world.checkout.object_of("refs/tags/v4.2.2")
    assert resolution.commit == world.second
    assert resolution.commit != tag_object
    assert resolution.comment == "v4.2.2"


def test_moved_major_tag_gets_the_most_specific_version_comment(world: World) -> None:
    resolution = ActionResolver(world.url).resolve("actions/checkout", "v4")
    assert resolution.commit == world.second
    assert resolution.comment == "v4.2.2"


def test_tag_wins_over_branch_of_the_same_name_and_says_so(world: World) -> None:
    resolution = ActionResolver(world.url).resolve("actions/checkout", "release")
    assert resolution.commit == world.third
    assert "both a tag and a branch" in resolution.note


def test_branch_ref_pins_its_head(world: World) -> None:
    resolution = ActionResolver(world.url).resolve("actions/checkout", "main")
    assert resolution.commit == world.third
    assert "branch" in resolution.note


def test_action_in_a_subdirectory_resolves_against_its_repository(world: World) -> None:
    resolution = ActionResolver(world.url).resolve("actions/checkout/sub/dir", "v4.1.0")
    assert resolution.commit == world.first
    assert repository_of("github/codeql-action/upload-sarif") == "github/codeql-action"


def test_existing_pin_of_a_tag_object_is_repinned_to_the_commit(world: World) -> None:
    tag_object = world.checkout.object_of("refs/tags/v4.2.2")
    resolution = ActionResolver(world.url).verify_pin("actions/checkout", tag_object, "v4.2.2")
    assert resolution.commit == world.second
    assert "imposter" in resolution.note


def test_existing_pin_with_wrong_version_comment_gets_the_right_comment(world: World) -> None:
    resolution = ActionResolver(world.url).verify_pin("actions/checkout", world.first, "v4.2.2")
    assert resolution.commit == world.first
    assert resolution.comment == "v4.1.0"
    assert "did not match" in resolution.note


def test_correct_existing_pin_is_confirmed_unchanged(world: World) -> None:
    resolution = ActionResolver(world.url).verify_pin("actions/checkout", world.second, "v4.2.2")
    assert (resolution.commit, resolution.comment, resolution.note) == (
        world.second,
        "v4.2.2",
        "",
    )


def test_sha_only_in_a_fork_is_reported_as_possible_imposter(world: World) -> None:
    with pytest.raises(ResolveError) as info:
        ActionResolver(world.url).verify_pin("actions/checkout", world.fork_only, None)
    assert info.value.kind is ResolveErrorKind.NOT_FOUND
    assert "imposter" in str(info.value)


def test_unknown_ref_and_unknown_repository_are_not_found(world: World) -> None:
    resolver = ActionResolver(world.url)
    with pytest.raises(ResolveError) as info:
        resolver.resolve("actions/checkout", "v9")
    assert info.value.kind is ResolveErrorKind.NOT_FOUND
    with pytest.raises(ResolveError) as info:
        resolver.resolve("nobody/nothing", "v1")
    assert info.value.kind is ResolveErrorKind.NOT_FOUND


def test_file_urls_work_as_a_base(world: World, tmp_path: Path) -> None:
    base = world.checkout.bare.parent.parent
    resolution = ActionResolver(base.as_uri()).resolve("actions/checkout", "v4")
    assert resolution.commit == world.second


def test_unreachable_server_is_a_network_error_after_retries() -> None:
    resolver = ActionResolver("git://127.0.0.1:9/", timeout=5, retries=1)
    with pytest.raises(ResolveError) as info:
        resolver.resolve("actions/checkout", "v4")
    assert info.value.kind is ResolveErrorKind.NETWORK


def test_base_url_comes_from_option_then_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAULK_GITHUB_URL", "http://127.0.0.1:1/git")
    assert github_base_url() == "http://127.0.0.1:1/git/"
    assert github_base_url("file:///srv/git/") == "file:///srv/git/"
    monkeypatch.delenv("CAULK_GITHUB_URL")
    assert github_base_url() == "https://github.com/"
