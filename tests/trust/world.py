"""A small world for the access matrix and the bad-input corpus: every role's user, and one
object of every kind on each side — "inside" (building B1 / compound K1 / community C1 of
tests/conftest.py's tree, inside every role's scope) and "outside" (building B4 / compound
K3 / community C2, outside every scope). Outside objects carry the marker OUT in the names
of people, so a page that leaks them is found by looking for it."""

from __future__ import annotations

import datetime as dt
import importlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.gis.geos import LineString, Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from gridgov.accounts.models import Assignment, StaffRole
from gridgov.api.models import ApiKey
from gridgov.api.services import api_key_issue
from gridgov.cases.models import CaseCategory
from gridgov.cases.services import case_create
from gridgov.notices.models import Notice
from gridgov.patrols.services import patrol_record, route_create
from gridgov.people.models import (
    CoBuildingUnit,
    OrgKind,
    PartyOrganisation,
    ReportStatus,
    Vulnerability,
)
from gridgov.planning.models import BranchPlan
from gridgov.points.services.ledger import ledger_earn
from gridgov.points.services.mall import mall_item_create, redemption_create
from gridgov.posts.lists.services import resource_create, service_entry_confirm
from gridgov.posts.models import PostKind
from gridgov.posts.services import post_claim, post_create
from gridgov.service.models import ServiceCategory
from gridgov.service.services.activities import activity_publish, signup_create
from gridgov.service.services.selfservice import selfservice_submit
from tests.factories import HouseholdFactory, MemberFactory, ResidentFactory

PASSWORD = "x-Pass-2026!"
OUT = "OUTSIDE"  # in every outside person's name
POINT = {
    "inside": Point(113.102, 23.002, srid=4326),  # building B1 (K1, C1)
    "outside": Point(113.113, 23.003, srid=4326),
}  # building B4 (K3, C2)
OPEN = {
    "inside": Point(113.102, 23.006, srid=4326),  # open ground in K1
    "outside": Point(113.115, 23.006, srid=4326),
}  # open ground in K3
SIDES = ("inside", "outside")
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81"
    b"\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)

# The principals of the matrix. Staff roles sit at their natural level; "member" is a
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
    tree: object
    users: dict
    sides: dict
    unit: object
    notice: object
    keys: dict  # scope name -> raw API key
    extra: dict = field(default_factory=dict)  # more records (tests/trust/admin_matrix.py)


def seed_catalogue() -> None:
    """The seeded categories and post kinds (re-created if a flush removed them)."""
    service_seed = importlib.import_module("gridgov.service.migrations.0002_seed_categories")
    case_seed = importlib.import_module("gridgov.cases.migrations.0002_seed_categories")
    posts_seed = importlib.import_module("gridgov.posts.migrations.0002_seed_kinds")
    for code, name in service_seed.CATEGORIES:
        ServiceCategory.objects.get_or_create(code=code, defaults={"name": name})
    for code, name, kind, minutes, hours in case_seed.CATEGORIES:
        CaseCategory.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "first_response_sla_minutes": minutes,
                "resolution_sla_hours": hours,
            },
        )
    cats = {c.code: c for c in ServiceCategory.objects.all()}
    for code, name, category in posts_seed.KINDS:
        PostKind.objects.get_or_create(
            code=code, defaults={"name": name, "category": cats[category]}
        )


def make_users(tree) -> dict:
    users = {}
    make = get_user_model().objects.create_user
    for role, level in ROLE_SCOPE.items():
        grid = getattr(tree, level)
        user = make(username=f"u_{role}", password=PASSWORD, is_staff=True)
        if role == StaffRole.STREET_ADMIN:
            Assignment.objects.create(user=user, role=role, grid=None, scope_code=grid.code)
        else:
            Assignment.objects.create(user=user, role=role, grid=grid, scope_code=grid.code)
        users[role] = user
    users["member"] = make(username="u_member", password=PASSWORD)
    Assignment.objects.create(
        user=users["member"], role=StaffRole.MEMBER, grid=tree.b1, scope_code=tree.b1.code
    )
    users["resident"] = make(username="u_resident", password=PASSWORD)
    users["anonymous"] = None
    # Admin rights as wide as an operator could grant: every view permission. What a staff
    # user then sees must still follow policy.py (the admin's scoping).
    views = list(Permission.objects.filter(codename__startswith="view_"))
    for role in ROLE_SCOPE:
        users[role].user_permissions.add(*views)
    return users


def build(tree, *, api_keys: bool = True) -> World:
    seed_catalogue()
    users = make_users(tree)
    admin = users[StaffRole.STREET_ADMIN]
    scats = {c.code: c for c in ServiceCategory.objects.all()}
    ccats = {c.code: c for c in CaseCategory.objects.all()}
    kind = PostKind.objects.order_by("code").first()
    unit = CoBuildingUnit.objects.create(name="共建单位甲", address="某路1号")
    org = PartyOrganisation.objects.create(
        kind=OrgKind.UNIT_ORG, name="共建单位甲党支部", unit=unit
    )
    today = timezone.localdate()
    sides = {}
    for side in SIDES:
        s = Side()
        b, k, c = (tree.b1, tree.k1, tree.c1) if side == "inside" else (tree.b4, tree.k3, tree.c2)
        s.grids = {"building": b, "compound": k, "community": c}
        tag = "" if side == "inside" else OUT
        login = (
            users["member"]
            if side == "inside"
            else get_user_model().objects.create_user(
                username="u_outside_member", password=PASSWORD
            )
        )
        s.member = MemberFactory(
            name=f"党员{tag}甲",
            location=POINT[side],
            user=login,
            phone="13900001111" if side == "inside" else "13900009999",
            work_unit=unit,
            unit_organisation=org,
            report_status=ReportStatus.REGISTERED,
            report_submitted_at=timezone.now(),
        )
        s.household = HouseholdFactory(address=f"住户{tag}地址", location=POINT[side])
        s.resident = ResidentFactory(
            household=s.household,
            name=f"居民{tag}乙",
            phone="13700001111" if side == "inside" else "13700009999",
        )
        s.vulnerability = Vulnerability.objects.create(
            resident=s.resident, category="empty_nest", surveyed_year=today.year
        )
        s.case = case_create(
            acting_user=None,
            category=ccats["repair"],
            location=POINT[side],
            channel="phone",
            title=f"求助{tag}",
            requester_name=f"求助人{tag}",
            requester_phone="13800001111" if side == "inside" else "13800009999",
            requester_user=users["resident"] if side == "inside" else None,
            description="楼道灯坏了",
        )
        start = timezone.now() + dt.timedelta(hours=2)
        s.activity = activity_publish(
            acting_user=None,
            organiser_grid=k,
            title=f"活动{tag}",
            category=scats["clean_home"],
            location=OPEN[side],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            capacity=10,
            description="带好手套",
            address="广场",
        )
        s.signup = signup_create(activity=s.activity, member=s.member, acting_user=None)
        s.selfservice = selfservice_submit(
            member=s.member,
            acting_user=None,
            description="帮邻居修水管",
            served_on=today - dt.timedelta(days=1),
            hours="1.5",
            category=scats["clean_home"],
            photo=SimpleUploadedFile("p.png", PNG, content_type="image/png"),
        )
        s.post = post_create(acting_user=None, kind=kind, grid=k, places=3)
        s.claim = post_claim(post=s.post, member=s.member, acting_user=None)
        s.resource = resource_create(
            member=s.member, acting_user=None, category=scats["neighbourly"], skill="水电维修"
        )
        s.entry = service_entry_confirm(
            acting_user=None, member=s.member, resident=s.resident, category=scats["neighbourly"]
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
        s.route = route_create(
            acting_user=None,
            grid=k,
            name=f"巡查路线{tag}",
            line=LineString((x - 0.001, y), (x + 0.001, y), srid=4326),
        )
        s.patrol = patrol_record(
            route=s.route,
            walked_on=today,
            members=[s.member],
            acting_user=None,
            findings=[{"point": OPEN[side], "kind": "hazard", "note": "井盖松动"}],
        )
        s.finding = s.patrol.findings.first()
        s.plan = BranchPlan.objects.create(compound=k, note=f"计划{tag}")
        from gridgov.reporting.services import unit_report_record

        s.report = unit_report_record(
            organisation=org,
            community=c,
            reported_on=today,
            acting_user=None,
            contact_name="联系人",
        )
        sides[side] = s
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
                acting_user=admin,
            )
    return World(tree=tree, users=users, sides=sides, unit=unit, notice=notice, keys=keys)
