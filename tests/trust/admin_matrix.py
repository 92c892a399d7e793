"""The admin's share of the access matrix: for every model registered in the admin, which
policy capability lets a user see its rows and which lets them write them, where a row's grid
code is, and one record of it inside and outside every role's scope (tests/world.py).
tests/trust/test_admin_matrix.py asks every staff role about every record here and fails for
a registered admin without an entry (or an EXEMPT reason), or whose admin is not scoped
through gridgov.accounts.admin.ScopedAdminMixin with the capabilities written here.

How to add a model admin: derive it from ScopedAdminMixin, then give it a Row below (who
sees, who writes, the grid-code path, and how to find an inside and an outside record)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from gridgov.accounts import policy as p
from gridgov.accounts.models import Assignment, AuditEntry, StaffRole
from gridgov.api.models import ApiKey, ApiKeyUse
from gridgov.cases.models import CaseCategory
from gridgov.grids.models import GridRole, ServiceStation
from gridgov.people.models import OrgKind, PartyOrganisation
from gridgov.planning.models import HouseholdTeam, MemberGroup
from gridgov.points.models import LedgerEntry
from gridgov.posts.models import CaseCategoryLink, PostKind
from gridgov.posts.services import post_action_record
from gridgov.reporting.models import CoBuildingAgreement, ReportEvent, ReportingDeadline
from gridgov.service.models import ServiceCategory
from tests.world import SIDES, World


@dataclass
class Row:
    see: str  # the capability to see rows (list, change view, history)
    write: str | None = None  # to add, change, delete them (None: as ``see``)
    path: str | tuple | None = "grid_code"  # the grid code of a row; None: a catalogue
    record: Callable | None = None  # (world, side) -> the record on that side
    district_only: bool = False  # only holders of ``see`` everywhere (none in the world)


def side(attr: str) -> Callable:
    return lambda w, s: getattr(w.sides[s], attr)


def extra(name: str) -> Callable:
    return lambda w, s: w.extra[name][s]


def first(model, **lookup: Callable) -> Callable:
    return lambda w, s: (
        model.objects.filter(**{k: f(w, s) for k, f in lookup.items()}).order_by("pk").first()
    )


def catalogue(model) -> Callable:
    return lambda w, s: model.objects.order_by("pk").first()


ROWS: dict[str, Row] = {
    "accounts.assignment": Row(p.PLAN, path="scope_code", record=extra("assignment")),
    "accounts.auditentry": Row(
        p.READ_RESIDENTS, path=None, district_only=True, record=catalogue(AuditEntry)
    ),
    "api.apikey": Row(p.MANAGE_API_KEYS, path=None, district_only=True, record=catalogue(ApiKey)),
    "api.apikeyuse": Row(p.MANAGE_API_KEYS, path=None, district_only=True, record=extra("keyuse")),
    "notices.notice": Row(
        p.READ_RESIDENTS, path=None, district_only=True, record=lambda w, s: w.notice
    ),
    "messaging.message": Row(p.READ_RESIDENTS, path=None, district_only=True),
    "grids.grid": Row(p.PLAN, path="code", record=lambda w, s: w.sides[s].grids["building"]),
    "grids.gridrole": Row(p.PLAN, path="grid__code", record=extra("gridrole")),
    "grids.street": Row(p.PLAN, path="code"),  # no street in the test tree: list and add
    "grids.servicestation": Row(p.PLAN, path="community__code", record=extra("station")),
    "people.member": Row(p.READ_MEMBERS, record=side("member")),
    "people.household": Row(p.READ_RESIDENTS, record=side("household")),
    "people.resident": Row(p.READ_RESIDENTS, path="household__grid_code", record=side("resident")),
    "people.vulnerability": Row(
        p.READ_RESIDENTS, path="resident__household__grid_code", record=side("vulnerability")
    ),
    "people.partyorganisation": Row(p.PLAN, path="grid__code", record=extra("branch")),
    "people.cobuildingunit": Row(p.CONFIRM_REPORTING, path=None, record=lambda w, s: w.unit),
    "reporting.reportevent": Row(
        p.CONFIRM_REPORTING,
        path=("member__community__code", "unit_report__community__code"),
        record=first(ReportEvent, unit_report=lambda w, s: w.sides[s].report),
    ),
    "reporting.unitreport": Row(p.CONFIRM_REPORTING, path="community__code", record=side("report")),
    "reporting.cobuildingagreement": Row(
        p.CONFIRM_REPORTING, path="community__code", record=extra("agreement")
    ),
    "reporting.reportingdeadline": Row(
        p.CONFIRM_REPORTING, path="community__code", record=extra("deadline")
    ),
    "cases.casecategory": Row(p.HANDLE_CASES, path=None, record=catalogue(CaseCategory)),
    "cases.case": Row(p.READ_RESIDENTS, record=side("case")),
    "patrols.patrolroute": Row(p.RECORD_PATROLS, path="grid__code", record=side("route")),
    "patrols.patrol": Row(p.RECORD_PATROLS, path="route__grid__code", record=side("patrol")),
    "patrols.finding": Row(
        p.RECORD_PATROLS, path="patrol__route__grid__code", record=side("finding")
    ),
    "planning.branchplan": Row(p.PLAN, path="compound__code", record=side("plan")),
    "planning.membergroup": Row(p.PLAN, path="compound__code", record=extra("group")),
    "planning.householdteam": Row(p.PLAN, path="grid__code", record=extra("team")),
    "service.servicecategory": Row(
        p.ORGANISE_ACTIVITIES, path=None, record=catalogue(ServiceCategory)
    ),
    "service.activity": Row(
        p.ORGANISE_ACTIVITIES, path="organiser_grid__code", record=side("activity")
    ),
    "service.signup": Row(
        p.ORGANISE_ACTIVITIES, path="activity__organiser_grid__code", record=side("signup")
    ),
    "service.selfservice": Row(p.READ_RESIDENTS, p.REVIEW_SERVICE, record=side("selfservice")),
    "posts.postkind": Row(p.MANAGE_POSTS, path=None, record=catalogue(PostKind)),
    "posts.casecategorylink": Row(p.MANAGE_POSTS, path=None, record=catalogue(CaseCategoryLink)),
    "posts.servicepost": Row(p.MANAGE_POSTS, record=side("post")),
    "posts.postclaim": Row(p.MANAGE_POSTS, path="post__grid_code", record=side("claim")),
    "posts.postaction": Row(p.MANAGE_POSTS, path="claim__post__grid_code", record=extra("action")),
    "posts.memberresource": Row(p.MANAGE_POSTS, path="member__grid_code", record=side("resource")),
    "posts.servicelistentry": Row(p.READ_RESIDENTS, record=side("entry")),
    "points.ledgerentry": Row(
        p.READ_HOURS,
        p.KEEP_POINTS,
        path="member__grid_code",
        record=first(LedgerEntry, member=lambda w, s: w.sides[s].member),
    ),
    "points.mallitem": Row(p.KEEP_POINTS, path="community__code", record=side("item")),
    "points.redemption": Row(p.KEEP_POINTS, path="member__grid_code", record=side("redemption")),
}

# Registered admins that are not GridGov's: not scoped, and why.
EXEMPT = {
    "auth.group": "Django's permission groups: opened only with the auth permissions, which "
    "operators (superusers) keep; no grid",
    "auth.user": "Django's accounts: opened only with the auth permissions, which operators "
    "(superusers) keep; a scoped admin links accounts only inside its scope "
    "(ScopedAdminMixin.choices_for)",
    "axes.accessattempt": "sign-in throttling (django-axes); operators only",
    "axes.accesslog": "sign-in throttling (django-axes); operators only",
    "axes.accessfailurelog": "sign-in throttling (django-axes); operators only",
}


def build_extra(world: World) -> dict:
    """The records of the admin matrix the world does not hold already, per side."""
    today = timezone.localdate()
    extra: dict[str, dict] = {
        name: {}
        for name in (
            "assignment",
            "gridrole",
            "station",
            "branch",
            "agreement",
            "deadline",
            "group",
            "team",
            "action",
            "keyuse",
        )
    }
    for s in SIDES:
        w = world.sides[s]
        b, k, c = w.grids["building"], w.grids["compound"], w.grids["community"]
        tag = "" if s == "inside" else "OUTSIDE"
        extra["assignment"][s] = (
            Assignment.objects.get(user=world.users[StaffRole.GRID_LEADER])
            if s == "inside"
            else Assignment.objects.create(
                user=w.member.user, role=StaffRole.MEMBER, grid=b, scope_code=b.code
            )
        )
        extra["gridrole"][s] = GridRole.objects.create(
            grid=b, member=w.member, role="building_leader", since=today
        )
        extra["station"][s] = ServiceStation.objects.create(community=c, name=f"服务站{tag}")
        extra["branch"][s] = PartyOrganisation.objects.create(
            kind=OrgKind.COMPOUND_BRANCH, name=f"支部{tag}", grid=k
        )
        extra["agreement"][s] = CoBuildingAgreement.objects.create(
            unit=world.unit,
            community=c,
            signed_on=today,
            valid_until=today + dt.timedelta(days=365),
            commitments="共建",
        )
        extra["deadline"][s] = ReportingDeadline.objects.create(
            year=today.year, deadline=today, community=c
        )
        extra["group"][s] = MemberGroup.objects.create(compound=k, number=1)
        extra["team"][s] = HouseholdTeam.objects.create(grid=k, number=1)
        extra["action"][s] = post_action_record(
            claim=w.claim, acting_user=None, note="巡了一遍", acted_on=today
        )
        extra["keyuse"][s] = ApiKeyUse.objects.create(
            key=ApiKey.objects.order_by("pk").first(),
            method="GET",
            path=f"/api/v1/{s}/",
            status_code=200,
        )
    return extra
