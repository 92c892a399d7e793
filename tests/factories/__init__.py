"""factory_boy factories, one module per app, each creating through the app's services (so
rows are checked, located and audited as the application writes them):

- ``grids``: CommunityFactory → CompoundFactory → BuildingFactory (nested boxes, codes by
  the code rule)
- ``accounts``: UserFactory, StaffFactory (a role over a grid), AssignmentFactory
- ``people``: MemberFactory (kinds, reporting states, logins), HouseholdFactory,
  ResidentFactory
- ``cases``: CaseFactory (in any state, walked through the state machine's services)
- ``service``: ActivityFactory, SignUpFactory
- ``posts``: PostFactory, PostClaimFactory
- ``patrols``: RouteFactory, PatrolFactory
- ``catalogue``: the rows the migrations seed (categories, post kinds)
- ``base``: box(), wkt(), inside(), PASSWORD

tests/world.py builds the suite's shared world from them."""

from tests.factories.accounts import AssignmentFactory, StaffFactory, UserFactory
from tests.factories.base import PASSWORD, box, inside, wkt
from tests.factories.cases import CaseFactory
from tests.factories.grids import BuildingFactory, CommunityFactory, CompoundFactory
from tests.factories.patrols import PatrolFactory, RouteFactory
from tests.factories.people import HouseholdFactory, MemberFactory, ResidentFactory
from tests.factories.posts import PostClaimFactory, PostFactory
from tests.factories.service import ActivityFactory, SignUpFactory

__all__ = [
    "PASSWORD",
    "ActivityFactory",
    "AssignmentFactory",
    "BuildingFactory",
    "CaseFactory",
    "CommunityFactory",
    "CompoundFactory",
    "HouseholdFactory",
    "MemberFactory",
    "PatrolFactory",
    "PostClaimFactory",
    "PostFactory",
    "ResidentFactory",
    "RouteFactory",
    "SignUpFactory",
    "StaffFactory",
    "UserFactory",
    "box",
    "inside",
    "wkt",
]
