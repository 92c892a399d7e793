"""Readers of the three lists (三单): members' resources, residents' needs and the service
list, and the matching of needs to resources by category and distance.

Needs are not stored: they are read from open cases waiting for a member (through the case
category → service category table) and from the latest yearly survey of vulnerable residents
(through ``VULNERABILITY_CATEGORIES``). A request's title and description are its content and
are shown to whoever sees the need; its requester's name, phone and address only as
``cases.selectors.requester_seen_by`` says (the one rule of the case page, the APIs and this
page). A surveyed resident's name, phone, address and surveyed category only for users whose
resident-reading roles cover them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import cast

import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from geodata.measure import project
from gridgov.accounts import policy
from gridgov.accounts.actors import Actor
from gridgov.cases.models import Case, Status
from gridgov.cases.selectors import requester_seen_by
from gridgov.people.models import Household, Member, Resident, Vulnerability, VulnerableCategory
from gridgov.posts.models import EntryStatus, MemberResource, ServiceListEntry
from gridgov.service.models import ServiceCategory

# Surveyed vulnerable categories → the service category that answers them.
VULNERABILITY_CATEGORIES: dict[str, str] = {
    VulnerableCategory.FIVE_GUARANTEES: "poverty_relief",
    VulnerableCategory.EXTREME_POVERTY: "poverty_relief",
    VulnerableCategory.MIN_ALLOWANCE: "poverty_relief",
    VulnerableCategory.DISABLED: "poverty_relief",
    VulnerableCategory.EMPTY_NEST: "neighbourly",
    VulnerableCategory.LEFT_BEHIND: "neighbourly",
}

# Cases still waiting for a member: once taken, the case has its member.
WAITING_STATUSES = (Status.NEW, Status.DISPATCHED)

DEFAULT_RADIUS_M = 1000.0
MAX_RADIUS_M = 20000.0
NEEDS_SHOWN = 200


def match_radius_m() -> float:
    """How far (metres) from a need a member's home may be to be suggested."""
    return float(getattr(settings, "GRIDGOV_MATCH_RADIUS_M", DEFAULT_RADIUS_M))


@dataclass
class Suggestion:
    resource: MemberResource
    metres: float

    @property
    def member(self) -> Member:
        return self.resource.member


@dataclass
class Need:
    """One resident's need in one service category. ``who``, ``phone`` and ``address`` are
    filled only when ``personal`` (the viewer may read the requester or resident); ``detail``
    is a request's description (its content: always) or a surveyed resident's categories
    (only when ``personal``)."""

    key: str
    source: str  # "case" or "survey"
    category: ServiceCategory
    grid_code: str
    place: str
    title: str
    personal: bool
    point: Point | None = None
    case: Case | None = None
    resident_id: int | None = None
    who: str = ""
    phone: str = ""
    address: str = ""
    detail: str = ""
    entries: list[ServiceListEntry] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def planned(self) -> bool:
        return any(e.status == EntryStatus.PLANNED for e in self.entries)


@dataclass
class NeedsList:
    needs: list[Need]
    total: int
    survey_year: int | None
    survey_years: list[int]


def _place(obj: Case | Household) -> str:
    names = [g.name for g in (obj.community, obj.compound, obj.building) if g is not None]
    return " ".join(names) or obj.grid_code


def case_key(case_id: int) -> str:
    return f"case:{case_id}"


def resident_key(resident_id: int, category_code: str) -> str:
    return f"resident:{resident_id}:{category_code}"


def _case_needs(user: Actor, prefixes: list[str] | None, prefix: str) -> list[Need]:
    cases = (
        Case.objects.filter(
            policy.scope_q(prefixes),
            status__in=WAITING_STATUSES,
            grid_code__startswith=prefix,
            category__service_link__isnull=False,
        )
        .select_related(
            "category__service_link__service_category",
            "community",
            "compound",
            "building",
            "dispatched_to",
        )
        .order_by("opened_at", "id")
    )
    needs = []
    for case in cases:
        # The request's title and description are its content, shown to whoever sees it
        # here; the requester's name, phone and address only as requester_seen_by says.
        requester = requester_seen_by(user, case)
        personal = requester.name is not None
        need = Need(
            key=case_key(case.pk),
            source="case",
            category=case.category.service_link.service_category,
            grid_code=case.grid_code,
            place=_place(case),
            title=f"{case.number} {case.title}",
            personal=personal,
            point=case.location,
            case=case,
            detail=case.description,
        )
        if requester.name is not None:  # personal
            need.who, need.phone = requester.name, requester.phone or ""
            need.address = requester.address
        needs.append(need)
    return needs


def survey_years(prefixes: list[str] | None) -> list[int]:
    return sorted(
        set(
            Vulnerability.objects.filter(
                policy.scope_q(prefixes, "resident__household__grid_code")
            ).values_list("surveyed_year", flat=True)
        ),
        reverse=True,
    )


def _survey_needs(
    prefixes: list[str] | None, readers: list[str] | None, prefix: str, year: int
) -> list[Need]:
    categories = {c.code: c for c in ServiceCategory.objects.filter(active=True)}
    rows = (
        Vulnerability.objects.filter(
            policy.scope_q(prefixes, "resident__household__grid_code"),
            surveyed_year=year,
            resident__household__grid_code__startswith=prefix,
        )
        .select_related(
            "resident__household__community",
            "resident__household__compound",
            "resident__household__building",
        )
        .order_by("resident__household__grid_code", "resident_id", "category")
    )
    needs: dict[str, Need] = {}
    for row in rows:
        category = categories.get(VULNERABILITY_CATEGORIES.get(row.category, ""))
        if category is None:
            continue
        resident, household = row.resident, row.resident.household
        key = resident_key(resident.pk, category.code)
        need = needs.get(key)
        if need is None:
            personal = policy.covers(readers, household.grid_code)
            need = needs[key] = Need(
                key=key,
                source="survey",
                category=category,
                grid_code=household.grid_code,
                place=_place(household),
                title=_("Surveyed resident (%(year)s)") % {"year": year},
                personal=personal,
                point=household.location,
                resident_id=resident.pk,
            )
            if personal:
                need.who, need.phone = resident.name, resident.phone
                need.address = " ".join(x for x in (household.address, household.room) if x)
        if need.personal:
            label = str(row.get_category_display())
            need.detail = f"{need.detail}, {label}" if need.detail else label
    return list(needs.values())


def needs_for(
    *, user: Actor, prefix: str = "", survey_year: int | None = None, limit: int = NEEDS_SHOWN
) -> NeedsList:
    """Residents' needs in the user's grids: waiting cases (oldest first), then the surveyed
    residents of ``survey_year`` (default: the latest survey in the user's grids)."""
    prefixes = policy.prefixes(user, policy.ANY_ROLE)
    readers = policy.prefixes(user, policy.READ_RESIDENTS)
    needs = _case_needs(user, prefixes, prefix)
    years = survey_years(prefixes)
    year = survey_year if survey_year in years else (years[0] if years else None)
    if year is not None:
        needs += _survey_needs(prefixes, readers, prefix, year)
    total = len(needs)
    needs = needs[:limit]
    _attach_entries(needs)
    return NeedsList(needs=needs, total=total, survey_year=year, survey_years=years)


def _attach_entries(needs: list[Need]) -> None:
    case_ids = [n.case.pk for n in needs if n.case is not None]
    resident_ids = [n.resident_id for n in needs if n.resident_id is not None]
    if not needs:
        return
    entries = (
        ServiceListEntry.objects.filter(Q(case_id__in=case_ids) | Q(resident_id__in=resident_ids))
        .exclude(status=EntryStatus.CANCELLED)
        .select_related("member", "category")
        .order_by("planned_on", "id")
    )
    by_key: dict[str, list[ServiceListEntry]] = {}
    for e in entries:
        if e.case_id:
            key = case_key(e.case_id)
        else:
            resident_id = cast(int, e.resident_id)  # no case: a resident (a CHECK constraint)
            key = resident_key(resident_id, e.category.code)
        by_key.setdefault(key, []).append(e)
    for need in needs:
        need.entries = by_key.get(need.key, [])


def resources_visible_to(user: Actor, *, prefix: str = "") -> QuerySet[MemberResource]:
    """资源清单: resources of the members in the user's grids."""
    return MemberResource.objects.filter(
        policy.scoped(user, policy.ANY_ROLE, "member__grid_code"),
        member__grid_code__startswith=prefix,
    ).select_related("member", "category")


def suggest(needs: list[Need], *, user: Actor, radius_m: float) -> None:
    """Fill each unplanned need's ``suggestions``: active resources of its service category
    whose member lives within ``radius_m`` metres of the need, nearest first, one per member.
    Points are projected together into a local equal-area projection (geodata.measure) and
    measured in metres there, never in degrees."""
    open_needs = [n for n in needs if n.point is not None and not n.planned]
    if not open_needs:
        return
    resources = list(
        resources_visible_to(user)
        .filter(
            active=True,
            member__location__isnull=False,
            category_id__in={n.category.pk for n in open_needs},
        )
        .order_by("member__name", "id")
    )
    if not resources:
        return
    places = [cast(Point, n.point) for n in open_needs]  # open needs have a point (above)
    homes = [cast(Point, r.member.location) for r in resources]  # located members (query)
    points = [shapely.Point(p.x, p.y) for p in places + homes]
    projected = project(points)
    here, there = projected[: len(open_needs)], projected[len(open_needs) :]
    tree = shapely.STRtree(there)
    need_idx, res_idx = tree.query(here, predicate="dwithin", distance=radius_m)
    found: dict[int, dict[int, Suggestion]] = {}
    for i, j in zip(need_idx.tolist(), res_idx.tolist(), strict=True):
        need, resource = open_needs[i], resources[j]
        if resource.category_id != need.category.pk:
            continue
        metres = round(float(here[i].distance(there[j])), 1)
        best = found.setdefault(i, {})
        if resource.member_id not in best or metres < best[resource.member_id].metres:
            best[resource.member_id] = Suggestion(resource=resource, metres=metres)
    for i, by_member in found.items():
        open_needs[i].suggestions = sorted(
            by_member.values(), key=lambda s: (s.metres, s.member.name, s.member.pk)
        )


@dataclass
class EntryRow:
    entry: ServiceListEntry
    personal: bool

    @property
    def need(self) -> str:
        case = self.entry.case  # the need is a case or a resident, exactly one
        if case is not None:
            return f"{case.number} {case.title}"
        if self.personal and self.entry.resident is not None:
            return self.entry.resident.name
        return _("Surveyed resident")


def service_list(*, user: Actor, prefix: str = "", since: dt.date | None = None) -> list[EntryRow]:
    """服务清单: confirmed matches in the user's grids, newest first."""
    readers = policy.prefixes(user, policy.READ_RESIDENTS)
    qs = ServiceListEntry.objects.filter(
        policy.scoped(user, policy.ANY_ROLE), grid_code__startswith=prefix
    ).select_related("case", "resident", "member", "category")
    if since is not None:
        qs = qs.filter(planned_on__gte=since)
    return [EntryRow(entry=e, personal=policy.covers(readers, e.grid_code)) for e in qs]


def residents_in_survey(*, user: Actor, resident_id: int) -> Resident | None:
    """The resident behind a survey need, if the user's grids cover them."""
    return (
        Resident.objects.filter(
            policy.scoped(user, policy.ANY_ROLE, "household__grid_code"), pk=resident_id
        )
        .select_related("household")
        .first()
    )
