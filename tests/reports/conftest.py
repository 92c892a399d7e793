import pytest


@pytest.fixture(autouse=True)
def in_english(english):
    """Report texts are asserted in English."""
