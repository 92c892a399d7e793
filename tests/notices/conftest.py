import pytest

from gridgov.accounts.models import StaffRole
from tests.cases.conftest import categories, english, people  # noqa: F401  (shared fixtures)


@pytest.fixture
def leader(tree, make_user):
    """A grid leader of compound K1 (inside community C1) and one of community C2."""
    return make_user("k1leader", StaffRole.GRID_LEADER, tree.k1)
