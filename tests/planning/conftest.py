"""Fixtures for branch planning: the tree's members placed for planning (``town``), the
planners (``staff``), and an estate of 16 buildings for member groups and household teams
(``estate``); both built in tests/world/planning.py."""

from __future__ import annotations

import pytest

from gridgov.accounts.models import StaffRole
from tests.world.planning import Estate, Town, build_estate, build_town


@pytest.fixture
def town(tree) -> Town:
    return build_town(tree)


@pytest.fixture
def estate(tree) -> Estate:
    return build_estate()


@pytest.fixture
def staff(tree, make_user):
    """Planners: a street admin over everything, a secretary of C1, staff of C2."""
    return {
        "street": make_user("street", StaffRole.STREET_ADMIN, scope="1000"),
        "c1": make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        "c2": make_user("c2staff", StaffRole.COMMUNITY_STAFF, tree.c2),
    }
