"""Fixtures of the trust tests: the suite's shared world (tests/world.py, built once per
module: tests/plugins/world.py), English, fresh caches, and media in a temporary directory
(the shared world keeps its own for the module: its evidence photos live there)."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusals are asserted in English."""


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(request, settings, tmp_path):
    if "shared_world" not in request.fixturenames:
        settings.MEDIA_ROOT = str(tmp_path / "media")
