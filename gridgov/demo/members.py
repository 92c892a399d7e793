"""The demo's party organisations and members: co-building units with their branches, a
committee per community and a branch per residential compound (some deliberately missing),
members living in the buildings, and their grid roles (building leaders, group leaders,
secretaries, grid leaders; some compounds deliberately without building leaders)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import Point

from gridgov.demo import names
from gridgov.demo.clock import REFERENCE_DATE
from gridgov.demo.geography import Geography, Homes, locate
from gridgov.grids.models import GridRole, Kind, RoleKind
from gridgov.people.models import (
    CoBuildingUnit,
    Member,
    MemberKind,
    OrgKind,
    PartyOrganisation,
    ReportStatus,
)


@dataclass
class Organisations:
    """The co-building units with their party organisations, the community committees, the
    compound branches, and the compounds left without building leaders."""

    units: list[CoBuildingUnit]
    unit_orgs: list[PartyOrganisation]
    committees: list[PartyOrganisation]
    branches: list[PartyOrganisation]
    no_leaders: set[str]


def build_organisations(rng: random.Random, n_units: int, geo: Geography) -> Organisations:
    grids, by_level = geo.grids, geo.by_level
    unit_names = names.UNITS + [f"{n}（{k}）" for k in range(2, 20) for n in names.UNITS]
    units = CoBuildingUnit.objects.bulk_create(
        CoBuildingUnit(
            name=unit_names[i],
            address=f"{names.COUNTY}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号",
            contact_phone=names.phone(rng),
        )
        for i in range(n_units)
    )
    unit_orgs = PartyOrganisation.objects.bulk_create(
        PartyOrganisation(kind=OrgKind.UNIT_ORG, name=f"{u.name}党支部", unit=u) for u in units
    )
    committees = PartyOrganisation.objects.bulk_create(
        PartyOrganisation(
            kind=OrgKind.COMMUNITY_COMMITTEE, name=f"{grids[a.code].name}党委", grid=grids[a.code]
        )
        for a in by_level[1]
    )
    residential = [a for a in by_level[2] if geo.kinds[a.code] == Kind.RESIDENTIAL]
    # Deliberate gaps: some compounds have no branch, some have no building leaders.
    no_branch = {a.code for a in residential if rng.random() < 0.22}
    no_leaders = {a.code for a in residential if rng.random() < 0.08}
    branches = PartyOrganisation.objects.bulk_create(
        PartyOrganisation(
            kind=OrgKind.COMPOUND_BRANCH,
            name=f"{grids[a.code].name}党支部",
            grid=grids[a.code],
            founded_on=REFERENCE_DATE - dt.timedelta(days=rng.randint(30, 2000)),
        )
        for a in by_level[2]
        if a.code not in no_branch
    )
    return Organisations(units, unit_orgs, committees, branches, no_leaders)


MEMBER_KINDS = [
    (MemberKind.IN_SERVICE, 45),
    (MemberKind.RETIRED, 33),
    (MemberKind.MOBILE, 6),
    (MemberKind.UNASSIGNED, 6),
    (MemberKind.APPLICANT, 10),
]


def build_members(
    rng: random.Random,
    n_members: int,
    geo: Geography,
    orgs: Organisations,
    homes: Homes,
) -> list[Member]:
    """Members living in residential buildings (a few by a road), in service ones working in
    a co-building unit and reported to their community (双报到) or not; located, saved."""
    units, unit_orgs = orgs.units, orgs.unit_orgs
    living_in = geo.homes
    member_kinds, weights = zip(*MEMBER_KINDS, strict=True)
    members: list[Member] = []
    for _ in range(n_members):
        a = rng.choice(living_in)
        x, y, addr = homes.road_point(a) if rng.random() < 0.005 else homes.home_point(a)
        name, gender = names.person(rng)
        kind = rng.choices(member_kinds, weights)[0]
        m = Member(
            name=name,
            gender=gender,
            phone=names.phone(rng),
            phone_public=rng.random() < 0.3,
            kind=kind,
            is_formal=kind != MemberKind.APPLICANT and rng.random() > 0.03,
            specialty=rng.choice(names.SPECIALTIES),
            service_intent=rng.choice(names.INTENTS),
            pledge=rng.choice(names.PLEDGES),
            address=addr,
            location=Point(x, y, srid=4326),
        )
        if kind == MemberKind.IN_SERVICE:
            u = rng.randrange(len(units))
            m.work_unit, m.unit_organisation = units[u], unit_orgs[u]
            m.report_status = rng.choices(
                [
                    ReportStatus.CONFIRMED,
                    ReportStatus.REGISTERED,
                    ReportStatus.NOT_REPORTED,
                    ReportStatus.REJECTED,
                ],
                [70, 10, 18, 2],
            )[0]
        elif rng.random() < 0.5:
            m.report_status = ReportStatus.CONFIRMED
        if m.report_status != ReportStatus.NOT_REPORTED:
            m.reported_on = REFERENCE_DATE - dt.timedelta(days=rng.randint(1, 700))
        members.append(m)
    locate(members, geo.layers)
    Member.objects.bulk_create(members, batch_size=2000)
    return members


def build_roles(
    rng: random.Random,
    geo: Geography,
    orgs: Organisations,
    members: list[Member],
) -> list[GridRole]:
    """Building leaders (and a contact area's group leader and deputy) from the members
    living there; each branch's and committee's secretary and grid leader."""

    def since() -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=rng.randint(10, 1500))

    roles = _building_roles(rng, geo, orgs, _by_grid(members, "building_id"), since)
    roles += _organisation_roles(
        rng, orgs, _by_grid(members, "compound_id"), _by_grid(members, "community_id"), since
    )
    PartyOrganisation.objects.bulk_update(
        orgs.branches + orgs.committees, ["secretary"], batch_size=2000
    )
    GridRole.objects.bulk_create(roles, batch_size=5000)
    return roles


def _by_grid(members: list[Member], field: str) -> dict[int, list[Member]]:
    """The members placed in each grid of a level, in their order."""
    out: dict[int, list[Member]] = {}
    for m in members:
        if getattr(m, field):
            out.setdefault(getattr(m, field), []).append(m)
    return out


def _building_roles(
    rng: random.Random,
    geo: Geography,
    orgs: Organisations,
    by_building: dict[int, list[Member]],
    since: Callable[[], dt.date],
) -> list[GridRole]:
    roles: list[GridRole] = []
    for a in geo.by_level[3]:
        g = geo.grids[a.code]
        living = [m for m in by_building.get(g.pk, []) if m.kind != MemberKind.APPLICANT]
        if a.parent_code in orgs.no_leaders or not living or rng.random() < 0.04:
            continue
        leader = rng.choice(living)
        roles.append(GridRole(grid=g, member=leader, role=RoleKind.BUILDING_LEADER, since=since()))
        if g.kind == Kind.CONTACT_AREA:
            roles.append(GridRole(grid=g, member=leader, role=RoleKind.GROUP_LEADER, since=since()))
            others = [m for m in living if m is not leader]
            if others:
                roles.append(
                    GridRole(
                        grid=g, member=rng.choice(others), role=RoleKind.GROUP_DEPUTY, since=since()
                    )
                )
    return roles


def _organisation_roles(
    rng: random.Random,
    orgs: Organisations,
    by_compound: dict[int, list[Member]],
    by_community: dict[int, list[Member]],
    since: Callable[[], dt.date],
) -> list[GridRole]:
    """A branch's secretary and its compound's grid leader; a committee's secretary (set on
    the organisation) and its community's grid leader."""
    roles: list[GridRole] = []
    for org in orgs.branches:
        living = [m for m in by_compound.get(org.grid.pk, []) if m.is_formal]
        if living:
            org.secretary = rng.choice(living)
            roles.append(
                GridRole(
                    grid=org.grid,
                    member=org.secretary,
                    role=RoleKind.BRANCH_SECRETARY,
                    since=since(),
                )
            )
            roles.append(
                GridRole(
                    grid=org.grid,
                    member=rng.choice(living),
                    role=RoleKind.GRID_LEADER,
                    since=since(),
                )
            )
    for org in orgs.committees:
        living = [m for m in by_community.get(org.grid.pk, []) if m.is_formal]
        if living:
            org.secretary = rng.choice(living)
            roles.append(
                GridRole(
                    grid=org.grid,
                    member=rng.choice(living),
                    role=RoleKind.GRID_LEADER,
                    since=since(),
                )
            )
    return roles
