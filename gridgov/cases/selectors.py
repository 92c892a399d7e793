"""Readers of cases. Each takes the acting user and keeps to their grid scope."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import cast

import shapely
from django.contrib.gis.geos import Point, Polygon
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from geodata.measure import project
from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.cases.models import OPEN_STATUSES, TRANSITIONS, Case, CaseEvent, CategoryKind, Status
from gridgov.people.models import Member, ReportStatus
from gridgov.people.selectors import members_visible_to

# A deadline is "due soon" once less than this share of its window is left.
DUE_SOON_FRACTION = 0.25

OK, DUE_SOON, BREACHED = "ok", "due_soon", "breached"

# Events that do not answer the resident.
NOT_AN_ANSWER = ["created", "reopened", "feedback", "edited"]


def cases_visible_to(user: Actor) -> QuerySet[Case]:
    """Cases in the user's grid scope, plus the cases the user raised themselves."""
    qs = Case.objects.select_related("category", "taken_by", "dispatched_to")
    prefixes = policy.prefixes(user, policy.ANY_ROLE)
    if prefixes is None:  # everything (Q() | X would narrow it to X)
        return qs
    q = policy.scope_q(prefixes)
    if user is not None and user.is_authenticated:
        q |= Q(requester_user=user)
    return qs.filter(q)


def may_read_personal_data(user: Actor, case: Case) -> bool:
    """Whether the requester's name, phone and address may be shown to this user (roles that
    read residents over the case's grid, or the requester themselves)."""
    if user is not None and user.is_authenticated and case.requester_user_id == user.pk:
        return True
    return policy.allows(user, policy.READ_RESIDENTS, case.grid_code)


@dataclass(frozen=True)
class Requester:
    """Who raised a case and where, as this viewer may see it: the page and the API both
    show this and nothing else of the requester."""

    name: str | None
    phone: str | None
    address: str


def requester_seen_by(user: Actor, case: Case) -> Requester:
    """The requester's name, phone and free-text address (which holds the room) for readers
    of personal data; for everyone else (members, building leaders, the anonymous user
    ``None``) none of them, only the place's grid names. The one source of a requester's
    data for the case page, the REST API, Open311 and the three lists; a request's title and
    description are its content and are shown to whoever may open it (docs/PRIVACY.md)."""
    if may_read_personal_data(user, case):
        return Requester(case.requester_name, case.requester_phone, case.address)
    place = [g.name for g in (case.community, case.compound, case.building) if g is not None]
    return Requester(None, None, " ".join(place))


def dispatchable(members: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """The members a case may be dispatched to or taken for: those whose reporting the
    community confirmed (双报到), and whoever is public (``Member.objects.public()``: a
    current public role, whatever their reporting status). Never an unreported, unconfirmed
    or rejected registration: the service refuses them (``cases.services``)."""
    members = Member.objects.all() if members is None else members
    return members.filter(
        Q(report_status=ReportStatus.CONFIRMED) | Q(pk__in=Member.objects.public().values("pk"))
    )


def members_for_dispatch(user: Actor, case: Case) -> QuerySet[Member]:
    """The dispatch/take list on the case page: dispatchable members of the case's
    community that the user may see, by name."""
    return dispatchable(members_visible_to(user).filter(community_id=case.community_id)).order_by(
        "name", "id"
    )


def sla_state(
    due: dt.datetime, window: dt.timedelta, done: dt.datetime | None, now: dt.datetime
) -> str:
    """ok / due_soon / breached for one deadline; a step done counts by when it was done."""
    if done is not None:
        return OK if done <= due else BREACHED
    if now > due:
        return BREACHED
    return DUE_SOON if due - now <= window * DUE_SOON_FRACTION else OK


@dataclass
class CaseRow:
    """An open case with its age and where it stands against its two deadlines."""

    case: Case
    age: dt.timedelta
    first_response_due: dt.datetime
    first_response: str
    resolution_due: dt.datetime
    resolution: str

    @property
    def worst(self) -> str:
        states = (self.first_response, self.resolution)
        return BREACHED if BREACHED in states else DUE_SOON if DUE_SOON in states else OK

    @property
    def age_hours(self) -> int:
        return int(self.age.total_seconds() // 3600)


def case_row(case: Case, now: dt.datetime) -> CaseRow:
    category = case.category
    first_window = dt.timedelta(minutes=category.first_response_sla_minutes)
    resolution_window = dt.timedelta(hours=category.resolution_sla_hours)
    first_due = case.opened_at + first_window
    resolution_due = case.opened_at + resolution_window
    return CaseRow(
        case=case,
        age=now - case.opened_at,
        first_response_due=first_due,
        first_response=sla_state(first_due, first_window, case.first_response_at, now),
        resolution_due=resolution_due,
        resolution=sla_state(resolution_due, resolution_window, case.resolved_at, now),
    )


def open_cases(*, user: Actor, prefix: str = "", now: dt.datetime | None = None) -> list[CaseRow]:
    """Open cases in the user's scope (and under a grid code prefix), oldest first."""
    now = now or timezone.now()
    qs = cases_visible_to(user).filter(status__in=OPEN_STATUSES, grid_code__startswith=prefix)
    return [case_row(c, now) for c in qs.select_related("category").order_by("opened_at", "id")]


def unanswered_cases(
    *, user: Actor, prefix: str = "", now: dt.datetime | None = None
) -> list[CaseRow]:
    """件件有回音: open cases nobody has answered in this round — no first response and no
    event by anyone but the requester since it was (re)opened. Should stay empty."""
    now = now or timezone.now()
    staff_event = CaseEvent.objects.filter(
        case=OuterRef("pk"), at__gte=OuterRef("opened_at")
    ).exclude(action__in=NOT_AN_ANSWER)
    qs = (
        cases_visible_to(user)
        .filter(
            status__in=OPEN_STATUSES, grid_code__startswith=prefix, first_response_at__isnull=True
        )
        .filter(~Exists(staff_event))
    )
    return [case_row(c, now) for c in qs.select_related("category").order_by("opened_at", "id")]


def duplicate_suggestions(
    *, case: Case, user: Actor, radius_m: float = 100.0
) -> list[tuple[Case, float]]:
    """Open cases of the same category within ``radius_m`` metres of the case, nearest
    first, as (case, metres). A degree box prefilters (generously); the distance itself is
    measured in a local equal-area projection (geodata.measure), never in degrees."""
    point = case.location
    if point is None:
        return []
    dlat = radius_m / 110_574 * 1.5
    dlon = radius_m / (111_320 * max(math.cos(math.radians(point.y)), 0.01)) * 1.5
    window = Polygon.from_bbox((point.x - dlon, point.y - dlat, point.x + dlon, point.y + dlat))
    window.srid = 4326
    candidates = list(
        cases_visible_to(user)
        .filter(
            status__in=OPEN_STATUSES, category_id=case.category_id, location__bbintersects=window
        )
        .exclude(pk=case.pk)
    )
    if not candidates:
        return []
    geoms = [shapely.Point(point.x, point.y)] + [
        # the window's filter leaves only cases with a location
        shapely.Point(cast(Point, c.location).x, cast(Point, c.location).y)
        for c in candidates
    ]
    here, *there = project(geoms, centre=(point.x, point.y))
    found = [(c, float(here.distance(p))) for c, p in zip(candidates, there, strict=True)]
    return sorted([(c, round(d, 1)) for c, d in found if d <= radius_m], key=lambda t: t[1])


def allowed_steps(case: Case, *, is_staff: bool, is_requester: bool) -> list[str]:
    """Steps the page offers for this case, following the state machine in models."""
    steps = []
    if is_staff:
        for step in ("respond", "dispatch", "take", "start", "resolve", "close", "escalate"):
            if case.status not in TRANSITIONS[step]:
                continue
            if (
                step == "take"
                and case.status == Status.NEW
                and case.category.kind != CategoryKind.MICRO_WISH
            ):
                continue
            if step == "escalate" and case.escalated:
                continue
            steps.append(step)
    if is_requester and case.status in TRANSITIONS["feedback"]:
        steps.append("feedback")
    if (is_staff or is_requester) and case.status in TRANSITIONS["reopen"]:
        steps.append("reopen")
    return steps
