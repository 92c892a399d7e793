"""Fixtures for the finder: the tree's building B1 with its contacts, a committee, residents,
and a second compound named 西苑 (in 南山社区) so that "西苑1栋" is ambiguous (the suite's
``contacts``, tests/world/contacts.py); the rate-limit counters start at zero."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.world import Contacts


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The rate-limit counters live in the process-wide cache; start every test at zero."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def people(contacts) -> Contacts:
    """The finder's people are building B1's contacts."""
    return contacts
