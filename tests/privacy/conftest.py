import pytest


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusals are asserted in English."""
