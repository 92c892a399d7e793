"""The trust tests' world: every role's user and one object of every kind on each side —
"inside" (building B1 / compound K1 / community C1, inside every role's scope) and
"outside" (B4 / K3 / C2, outside every scope). Outside objects carry the marker OUT in the
names of people, so a page that leaks them is found by looking for it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.contrib.gis.geos import LineString
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.notices.models import Notice
from gridgov.people.models import CoBuildingUnit, OrgKind, PartyOrganisation, Vulnerability
from gridgov.planning.models import BranchPlan
from gridgov.points.services.ledger import ledger_earn
from gridgov.points.services.mall import mall_item_create, redemption_create
from gridgov.posts.lists.services import resource_create, service_entry_confirm
from gridgov.reporting.services import unit_report_record
from gridgov.service.services.selfservice import selfservice_submit
from tests.factories import (
    ActivityFactory,
    CaseFactory,
    HouseholdFactory,
    MemberFactory,
    PatrolFactory,
    PostClaimFactory,
    PostFactory,
    ResidentFactory,
    RouteFactory,
    SignUpFactory,
    StaffFactory,
    UserFactory,
)
from tests.factories.catalogue import case_category, seed_catalogue, service_category
from tests.photos.images import png
from tests.world.tree import IN_B1, IN_B4, OPEN_K1, OPEN_K3, Tree

OUT = "OUTSIDE"  # in every outside person's name
POINT = {"inside": IN_B1, "outside": IN_B4}
OPEN = {"inside": OPEN_K1, "outside": OPEN_K3}
SIDES = ("inside", "outside")

# The principals of the access matrix. Staff roles sit at their natural level; "member" is a
# member's own login (Member.user, living in B1) who also holds the member role over B1;
# "resident" is a signed-in person with no role and no member record; "anonymous" is the
# public.
ROLE_SCOPE = {
    StaffRole.STREET_ADMIN: "c1",
    StaffRole.COMMUNITY_SECRETARY: "c1",
    StaffRole.COMMUNITY_STAFF: "c1",
    StaffRole.BRANCH_SECRETARY: "k1",
    StaffRole.GRID_LEADER: "k1",
    StaffRole.BUILDING_LEADER: "b1",
}
ROLES = [*ROLE_SCOPE, "member", "resident", "anonymous"]


@dataclass
class Side:
    member: object = None  # a member living there, with a login
    household: object = None
    resident: object = None
    vulnerability: object = None
    case: object = None
    activity: object = None
    signup: object = None
    selfservice: object = None
    post: object = None
    claim: object = None
    resource: object = None
    entry: object = None
    item: object = None
    redemption: object = None
    route: object = None
    patrol: object = None
    finding: object = None
    plan: object = None
    report: object = None  # a unit report to this side's community
    grids: dict = field(default_factory=dict)  # building, compound, community


@dataclass
class World:
    tree: Tree
    users: dict
    sides: dict
    unit: object
    notice: object
    keys: dict  # scope name -> raw API key
    extra: dict = field(default_factory=dict)  # more records (tests/trust/admin_matrix.py)
    root: object = None  # a superuser, when a module's world has one


def world_users(tree: Tree) -> dict:
    """One user per role of ROLE_SCOPE (staff, with every admin view permission: what they
    then see must still follow policy.py), the member's login, a resident, the public."""
    users = {}
    views = list(Permission.objects.filter(codename__startswith="view_"))
    for role, level in ROLE_SCOPE.items():
        grid = getattr(tree, level)
        if role == StaffRole.STREET_ADMIN:  # a street's scope is a code prefix, no grid
            user = StaffFactory(username=f"u_{role}", role=role, scope=grid.code, is_staff=True)
        else:
            user = StaffFactory(username=f"u_{role}", role=role, grid=grid, is_staff=True)
        user.user_permissions.add(*views)
        users[role] = user
    users["member"] = StaffFactory(username="u_member", role=StaffRole.MEMBER, grid=tree.b1)
    users["resident"] = UserFactory(username="u_resident")
    users["anonymous"] = None
    return users


def build_side(side: str, tree: Tree, users: dict, org) -> Side:
    inside = side == "inside"
    b, k, c = (tree.b1, tree.k1, tree.c1) if inside else (tree.b4, tree.k3, tree.c2)
    tag = "" if inside else OUT
    today = timezone.localdate()
    s = Side(grids={"building": b, "compound": k, "community": c})
    s.member = MemberFactory(
        name=f"党员{tag}甲",
        location=POINT[side],
        user=users["member"] if inside else UserFactory(username="u_outside_member"),
        phone="13900001111" if inside else "13900009999",
        work_unit=org.unit,
        unit_organisation=org,
        registered=True,
    )
    s.household = HouseholdFactory(address=f"住户{tag}地址", location=POINT[side])
    s.resident = ResidentFactory(
        household=s.household,
        name=f"居民{tag}乙",
        phone="13700001111" if inside else "13700009999",
    )
    s.vulnerability = Vulnerability.objects.create(
        resident=s.resident, category="empty_nest", surveyed_year=today.year
    )
    s.case = CaseFactory(
        location=POINT[side],
        title=f"求助{tag}",
        requester_name=f"求助人{tag}",
        requester_phone="13800001111" if inside else "13800009999",
        requester_user=users["resident"] if inside else None,
        description="楼道灯坏了",
    )
    s.activity = ActivityFactory(
        organiser_grid=k, title=f"活动{tag}", location=OPEN[side], address="广场"
    )
    s.signup = SignUpFactory(activity=s.activity, member=s.member)
    s.selfservice = selfservice_submit(
        member=s.member,
        acting_user=None,
        description="帮邻居修水管",
        served_on=today - dt.timedelta(days=1),
        hours="1.5",
        category=service_category(),
        photo=SimpleUploadedFile("p.png", png(), content_type="image/png"),
    )
    s.post = PostFactory(grid=k)
    s.claim = PostClaimFactory(post=s.post, member=s.member)
    s.resource = resource_create(
        member=s.member,
        acting_user=None,
        category=service_category("neighbourly"),
        skill="水电维修",
    )
    s.entry = service_entry_confirm(
        acting_user=None,
        member=s.member,
        resident=s.resident,
        category=service_category("neighbourly"),
    )
    ledger_earn(
        member=s.member,
        hours=Decimal("10"),
        reason="活动",
        source=f"seed:{side}",
        occurred_on=today,
        acting_user=None,
    )
    s.item = mall_item_create(
        acting_user=None, name=f"洗衣液{tag}", points_cost=5, stock=9, community=c
    )
    s.redemption = redemption_create(member=s.member, item=s.item, acting_user=None)
    x, y = OPEN[side].x, OPEN[side].y
    s.route = RouteFactory(
        grid=k,
        name=f"巡查路线{tag}",
        line=LineString((x - 0.001, y), (x + 0.001, y), srid=4326),
    )
    s.patrol = PatrolFactory(
        route=s.route,
        members=[s.member],
        findings=[{"point": OPEN[side], "kind": "hazard", "note": "井盖松动"}],
    )
    s.finding = s.patrol.findings.first()
    s.plan = BranchPlan.objects.create(compound=k, note=f"计划{tag}")
    s.report = unit_report_record(
        organisation=org, community=c, reported_on=today, acting_user=None, contact_name="联系人"
    )
    return s


def build_world(tree: Tree, *, api_keys: bool = True) -> World:
    seed_catalogue()
    case_category()  # the seeded categories exist before any case
    users = world_users(tree)
    unit = CoBuildingUnit.objects.create(name="共建单位甲", address="某路1号")
    org = PartyOrganisation.objects.create(
        kind=OrgKind.UNIT_ORG, name="共建单位甲党支部", unit=unit
    )
    sides = {side: build_side(side, tree, users, org) for side in SIDES}
    notice = Notice.objects.create(
        user=users["member"], kind=Notice._meta.get_field("kind").choices[0][0], params={}, url="/"
    )
    keys = {}
    if api_keys:
        for name, read, post in (
            ("read", True, False),
            ("post", False, True),
            ("none", False, False),
            ("read_post", True, True),
        ):
            keys[name] = api_key_issue(
                key=ApiKey(
                    name=f"system {name}",
                    can_read=read,
                    can_post_requests=post,
                    rate_limit_per_minute=100000,
                ),
                acting_user=users[StaffRole.STREET_ADMIN],
            )
    return World(tree=tree, users=users, sides=sides, unit=unit, notice=notice, keys=keys)
