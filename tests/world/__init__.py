"""The suite's one world, built from tests/factories through the services:

- ``tree``: the fixed grid tree every folder's tests place people in, and the points that
  name where (IN_B1 …);
- ``cast``: the people of the domain tests (staff of C1, C2 and K1, members with logins);
- ``contacts``: building B1's contacts as the finder shows them;
- ``sides``: the trust tests' world, every role and every kind of object inside and outside
  their scope;
- ``reporting``: dual reporting's units, staff and registration form;
- ``planning``: the town (members placed for branch planning) and the 16-building estate.

tests/plugins/world.py turns them into fixtures: ``tree``, ``people``, ``contacts``,
``reporting`` per test, ``world`` built once per module and rolled back after it."""

from tests.world.cast import Cast, build_cast
from tests.world.contacts import (
    DEPUTY_PHONE,
    GROUP_PHONE,
    LEADER_MASKED,
    LEADER_PHONE,
    Contacts,
    build_contacts,
)
from tests.world.sides import OPEN, OUT, ROLE_SCOPE, ROLES, SIDES, Side, World, build_world
from tests.world.tree import IN_B1, IN_B2, IN_B3, IN_B4, OPEN_K1, OPEN_K3, OUTSIDE, Tree, build_tree

__all__ = [
    "DEPUTY_PHONE",
    "GROUP_PHONE",
    "IN_B1",
    "IN_B2",
    "IN_B3",
    "IN_B4",
    "LEADER_MASKED",
    "LEADER_PHONE",
    "OPEN",
    "OPEN_K1",
    "OPEN_K3",
    "OUT",
    "OUTSIDE",
    "ROLES",
    "ROLE_SCOPE",
    "SIDES",
    "Cast",
    "Contacts",
    "Side",
    "Tree",
    "World",
    "build_cast",
    "build_contacts",
    "build_tree",
    "build_world",
]
