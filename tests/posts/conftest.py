"""Fixtures for posts and the three lists: the seeded catalogue, staff of both communities,
a building leader who may look but not read residents, and members with logins."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import Point

from gridgov.accounts.models import StaffRole
from gridgov.posts.models import PostKind
from gridgov.service.models import ServiceCategory
from tests.factories import MemberFactory, UserFactory
from tests.world import IN_B1


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusals are asserted in English (pages are checked through /en/ or gettext)."""


@pytest.fixture
def catalogue(post_kinds) -> dict[str, PostKind]:
    """The seeded post kinds by code, with the service and case categories and the links
    between them (the suite's catalogue, tests/factories/catalogue.py)."""
    return post_kinds


@pytest.fixture
def categories(catalogue, service_categories) -> dict[str, ServiceCategory]:
    return service_categories


@dataclass
class Staff:
    c1: object  # community secretary of C1
    c2: object  # community secretary of C2
    leader: object  # building leader over C1: may look, not read residents nor manage


@pytest.fixture
def staff(tree, make_user) -> Staff:
    return Staff(
        c1=make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1),
        c2=make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2),
        leader=make_user("c1lead", StaffRole.BUILDING_LEADER, tree.c1),
    )


@pytest.fixture
def member_with_login(tree):
    """A member living at a point, with an account they sign in with."""

    def make(username: str, name: str, location: Point = IN_B1, **extra):
        return MemberFactory(
            name=name, location=location, user=UserFactory(username=username), **extra
        )

    return make
