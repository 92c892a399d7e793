"""Fixtures of the trust tests: the world (tests/trust/world.py), English, fresh caches and
media in a temporary directory."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.trust.world import World, build


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(tree) -> World:
    return build(tree)
