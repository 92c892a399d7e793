"""Fixtures for notices: the grid leader of compound K1 (of the suite's cast); refusals in
English."""

import pytest


@pytest.fixture(autouse=True)
def in_english(english):
    """Notice texts are asserted in English."""


@pytest.fixture
def leader(people):
    """The grid leader of compound K1 (inside community C1)."""
    return people.k1_leader
