"""Fixtures for image tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.images import BuiltImage


@pytest.fixture
def build(built_image: Callable[[str], BuiltImage]) -> Callable[[str], BuiltImage]:
    """Shorthand for the session-wide ``built_image`` factory."""
    return built_image
