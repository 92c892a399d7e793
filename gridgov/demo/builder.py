"""The demo district: a believable street (or whole district) of grids, organisations,
members, households, residents and grid roles, deterministic for a given seed.

Geometry comes from geodata.synth; everything here is the governance layer on top of it.
People are located with the same vectorised code as ``locate_people`` (grids.placement).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import connection, transaction

from geodata import synth
from gridgov.accounts.models import Assignment, StaffRole
from gridgov.accounts.services import audit_record
from gridgov.demo import names
from gridgov.grids.models import Grid, GridRole, Kind, RoleKind, ServiceStation, Street
from gridgov.grids.placement import GridLayer, Placement, place
from gridgov.people.models import (
    CoBuildingUnit,
    Gender,
    Household,
    Member,
    MemberKind,
    OrgKind,
    PartyOrganisation,
    ReportStatus,
    Resident,
    Vulnerability,
    VulnerableCategory,
)

DEMO_PASSWORD = "gridgov-demo"
REFERENCE_DATE = dt.date(2026, 1, 1)
DEMO_USERS = ("demo", "secretary", "leader")  # dates are drawn relative to this, never to today


@dataclass(frozen=True)
class Scale:
    layout: synth.Layout
    residents: int
    members: int
    units: int


SCALES = {
    "street": Scale(synth.STREET, residents=20_000, members=1_800, units=20),
    "district": Scale(synth.DISTRICT, residents=1_000_000, members=20_000, units=150),
}


@dataclass
class Demo:
    """What was built, for the summary the command prints."""

    counts: dict[str, int] = field(default_factory=dict)
    logins: list[tuple[str, str]] = field(default_factory=list)


def _unique_names(rng: random.Random, n: int, suffix: str) -> list[str]:
    pairs = [a + b for a, b in itertools.product(names.PLACE_A, names.PLACE_B) if a != b]
    rng.shuffle(pairs)
    out = [p + suffix for p in pairs[:n]]
    k = 2
    while len(out) < n:  # more than the word list: number them
        out.extend(f"{p}{k}{suffix}" for p in pairs[: n - len(out)])
        k += 1
    return out


def _person(rng: random.Random) -> tuple[str, str]:
    gender = rng.choice([Gender.FEMALE, Gender.MALE])
    given = "".join(rng.choice(names.GIVEN) for _ in range(rng.choice([1, 2, 2])))
    return rng.choice(names.SURNAMES) + given, gender


def _phone(rng: random.Random) -> str:
    return "1" + rng.choice("35789") + "".join(str(rng.randrange(10)) for _ in range(9))


def _mp(geom) -> MultiPolygon:
    g = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)
    return g if isinstance(g, MultiPolygon) else MultiPolygon(g, srid=4326)


@transaction.atomic
def build(*, seed: int, scale: str = "street", progress: Callable[[str], None] = print) -> Demo:
    spec = SCALES[scale]
    rng = random.Random(seed)
    areas = synth.generate(seed=seed, layout=spec.layout)
    demo = Demo()

    # --- streets and grids ------------------------------------------------------------------
    street_codes = sorted({a.code[:9] for a in areas if a.level == 1})
    Street.objects.bulk_create(
        Street(
            code=c,
            name=names.STREET_NAMES[i % len(names.STREET_NAMES)]
            + ("" if i < len(names.STREET_NAMES) else str(i // len(names.STREET_NAMES) + 1)),
        )
        for i, c in enumerate(street_codes)
    )
    by_level = {lvl: [a for a in areas if a.level == lvl] for lvl in (1, 2, 3)}
    community_names = _unique_names(rng, len(by_level[1]), "社区")
    compound_names = _unique_names(rng, len(by_level[2]), "")
    grids: dict[str, Grid] = {}
    kinds: dict[str, str] = {}
    for i, a in enumerate(by_level[1]):
        grids[a.code] = Grid(
            level=1, code=a.code, name=community_names[i], kind=Kind.COMMUNITY, geom=_mp(a.geom)
        )
    Grid.objects.bulk_create(grids.values(), batch_size=2000)
    for i, a in enumerate(by_level[2]):
        roll = rng.random()
        kind = Kind.OFFICE if roll < 0.04 else Kind.BUSINESS if roll < 0.08 else Kind.RESIDENTIAL
        suffix = {Kind.OFFICE: names.OFFICE_SUFFIX, Kind.BUSINESS: names.BUSINESS_SUFFIX}.get(
            kind, names.RESIDENTIAL_SUFFIX
        )
        kinds[a.code] = kind
        grids[a.code] = Grid(
            level=2,
            code=a.code,
            name=compound_names[i] + rng.choice(suffix),
            kind=kind,
            parent=grids[a.parent_code],
            geom=_mp(a.geom),
        )
    Grid.objects.bulk_create([grids[a.code] for a in by_level[2]], batch_size=2000)
    building_no: dict[str, int] = {}
    for a in by_level[3]:
        # number buildings by cell: a contact area of two cells covers two building numbers
        n0 = building_no.get(a.parent_code, 0) + 1
        building_no[a.parent_code] = n0 + len(a.quads) - 1
        if len(a.quads) == 1:
            name, kind = f"{n0}栋", Kind.BUILDING
        else:
            name, kind = f"{n0}-{n0 + len(a.quads) - 1}栋党员联系区", Kind.CONTACT_AREA
        grids[a.code] = Grid(
            level=3,
            code=a.code,
            name=name,
            kind=kind,
            parent=grids[a.parent_code],
            geom=_mp(a.geom),
        )
    Grid.objects.bulk_create([grids[a.code] for a in by_level[3]], batch_size=2000)
    progress(
        f"grids: {len(by_level[1])} communities, {len(by_level[2])} compounds, "
        f"{len(by_level[3])} buildings"
    )

    layers = {
        lvl: GridLayer(
            ids=np.array([grids[a.code].pk for a in by_level[lvl]], dtype="int64"),
            codes=[a.code for a in by_level[lvl]],
            parent_ids=np.array(
                [grids[a.parent_code].pk if a.parent_code else 0 for a in by_level[lvl]],
                dtype="int64",
            ),
            geoms=[a.geom for a in by_level[lvl]],
        )
        for lvl in (1, 2, 3)
    }

    # --- units and organisations ------------------------------------------------------------
    unit_names = names.UNITS + [f"{n}（{k}）" for k in range(2, 20) for n in names.UNITS]
    units = CoBuildingUnit.objects.bulk_create(
        CoBuildingUnit(
            name=unit_names[i],
            address=f"{names.COUNTY}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号",
            contact_phone=_phone(rng),
        )
        for i in range(spec.units)
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
    residential = [a for a in by_level[2] if kinds[a.code] == Kind.RESIDENTIAL]
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

    # --- members --------------------------------------------------------------------------
    road_of = {a.code: names.ROADS[i % len(names.ROADS)] for i, a in enumerate(by_level[2])}
    homes = [a for a in by_level[3] if kinds[a.parent_code] == Kind.RESIDENTIAL]
    community_quads = {a.code: a.quads[0] for a in by_level[1]}
    srng = random.Random(seed * 31 + 7)  # its own stream: the rest of the demo stays as it is
    ServiceStation.objects.bulk_create(
        ServiceStation(
            community=grids[a.code],
            name=f"{grids[a.code].name}党群服务站",
            address=f"{names.COUNTY}{srng.choice(names.ROADS)}{srng.randint(1, 300)}号",
            location=Point(
                *synth.road_point(community_quads[a.code], srng, margin=0.07 / 3), srid=4326
            ),
            opening_hours="周一至周五 8:30-12:00，14:30-17:30\n周六 9:00-12:00",
            phone=_phone(srng),
        )
        for a in by_level[1]
    )

    def address(a: synth.SynthArea, cell: int) -> str:
        compound = grids[a.parent_code]
        n = int(grids[a.code].name.split("栋")[0].split("-")[0]) + cell
        return (
            f"{names.COUNTY}{road_of[a.parent_code]}{int(a.parent_code[-3:]) * 2 + 1}号"
            f"{compound.name}{n}栋{rng.randint(1, 3)}单元{rng.randint(1, 18)}"
            f"{rng.randint(1, 4):02d}室"
        )

    def home_point(a: synth.SynthArea) -> tuple[float, float, str]:
        cell = rng.randrange(len(a.quads))
        x, y = synth.random_point(a.quads[cell], rng)
        return x, y, address(a, cell)

    def road_point(a: synth.SynthArea) -> tuple[float, float, str]:
        community = a.code[:12]
        x, y = synth.road_point(community_quads[community], rng, margin=0.07 / 3)
        return x, y, f"{names.COUNTY}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号（临街）"

    member_rows: list[tuple[synth.SynthArea, Member]] = []
    kinds_weights = [
        (MemberKind.IN_SERVICE, 45),
        (MemberKind.RETIRED, 33),
        (MemberKind.MOBILE, 6),
        (MemberKind.UNASSIGNED, 6),
        (MemberKind.APPLICANT, 10),
    ]
    member_kinds, weights = zip(*kinds_weights, strict=True)
    for _ in range(spec.members):
        a = rng.choice(homes)
        x, y, addr = road_point(a) if rng.random() < 0.005 else home_point(a)
        name, gender = _person(rng)
        kind = rng.choices(member_kinds, weights)[0]
        m = Member(
            name=name,
            gender=gender,
            phone=_phone(rng),
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
        member_rows.append((a, m))
    members = [m for _, m in member_rows]
    _locate_objects(members, layers)
    Member.objects.bulk_create(members, batch_size=2000)
    progress(f"members: {len(members)}")

    # --- roles ------------------------------------------------------------------------------
    by_building: dict[int, list[Member]] = {}
    by_compound: dict[int, list[Member]] = {}
    by_community: dict[int, list[Member]] = {}
    for m in members:
        if m.building_id:
            by_building.setdefault(m.building_id, []).append(m)
        if m.compound_id:
            by_compound.setdefault(m.compound_id, []).append(m)
        if m.community_id:
            by_community.setdefault(m.community_id, []).append(m)

    def since() -> dt.date:
        return REFERENCE_DATE - dt.timedelta(days=rng.randint(10, 1500))

    roles: list[GridRole] = []
    for a in by_level[3]:
        g = grids[a.code]
        living = [m for m in by_building.get(g.pk, []) if m.kind != MemberKind.APPLICANT]
        if a.parent_code in no_leaders or not living or rng.random() < 0.04:
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
    for org in branches:
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
    for org in committees:
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
    PartyOrganisation.objects.bulk_update(branches + committees, ["secretary"], batch_size=2000)
    GridRole.objects.bulk_create(roles, batch_size=5000)

    # --- households and residents, a street at a time (bounded memory at district scale) ----
    per_building = spec.residents / 2.9 / max(len(homes), 1)
    n_households = n_residents = 0
    current_year = REFERENCE_DATE.year
    categories = list(VulnerableCategory)
    for _, group in itertools.groupby(homes, key=lambda a: a.code[:9]):
        households: list[Household] = []
        people: list[list[tuple]] = []
        for a in group:
            for _ in range(max(1, round(rng.gauss(per_building, per_building / 4)))):
                x, y, addr = road_point(a) if rng.random() < 0.004 else home_point(a)
                households.append(
                    Household(
                        address=addr,
                        location=Point(x, y, srid=4326),
                        room=addr.rsplit("单元", 1)[-1],
                    )
                )
                size = rng.choices([1, 2, 3, 4, 5], [12, 28, 32, 20, 8])[0]
                members_of = []
                for k in range(size):
                    name, gender = _person(rng)
                    birth = rng.randint(1938, 2024)
                    vul = []
                    if birth < 1960 and size <= 2 and rng.random() < 0.25:
                        vul.append(VulnerableCategory.EMPTY_NEST)
                    if rng.random() < 0.012:
                        vul.append(rng.choice(categories))
                    members_of.append(
                        (name, gender, birth, _phone(rng) if birth < 2008 else "", k == 0, vul)
                    )
                people.append(members_of)
        _locate_objects(households, layers)
        Household.objects.bulk_create(households, batch_size=5000)
        residents = [
            Resident(household=h, name=n, gender=g, birth_year=b, phone=p, is_head=head)
            for h, ms in zip(households, people, strict=True)
            for n, g, b, p, head, _ in ms
        ]
        Resident.objects.bulk_create(residents, batch_size=5000)
        flat = [vul for ms in people for *_, vul in ms]
        Vulnerability.objects.bulk_create(
            (
                Vulnerability(resident=r, category=c, surveyed_year=current_year - 1)
                for r, vul in zip(residents, flat, strict=True)
                for c in dict.fromkeys(vul)
            ),
            batch_size=5000,
        )
        n_households += len(households)
        n_residents += len(residents)
        progress(f"households: {n_households}, residents: {n_residents}")

    _fresh_statistics([Grid, Member, Household, Resident, Vulnerability])

    # --- users ------------------------------------------------------------------------------
    demo.logins = _users(grids, by_level, street_codes)
    life: dict[str, int] = {}
    if scale == "street":  # recent requests, patrols, community life (district: benchmarks)
        from gridgov.demo.activity import build_activity
        from gridgov.demo.life import build_life

        activity = build_activity(seed=seed)
        progress(", ".join(f"{k}: {v}" for k, v in activity.items()))
        life = build_life(seed=seed)
    demo.counts = {
        "communities": len(by_level[1]),
        "compounds": len(by_level[2]),
        "buildings": len(by_level[3]),
        "members": len(members),
        "households": n_households,
        "residents": n_residents,
        "grid_roles": len(roles),
        **life,
    }
    return demo


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts that still exist with the demo password (for re-runs of load_demo)."""
    out = []
    for user in get_user_model().objects.filter(username__in=DEMO_USERS).order_by("id"):
        if user.check_password(DEMO_PASSWORD):
            role = user.assignments.values_list("role", flat=True).first()
            out.append((user.username, StaffRole(role).label if role else ""))
    return out


def _fresh_statistics(models: list) -> None:
    """On PostgreSQL, statistics of the tables just filled before the community life queries
    them (ANALYZE counts this transaction's own rows): planned on what an earlier, smaller
    table looked like, one needs-list query of the life took six minutes instead of a tenth
    of a second."""
    if connection.vendor == "postgresql":
        tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")


def _locate_objects(objs: list, layers: dict[int, GridLayer]) -> None:
    x = np.array([o.location.x for o in objs])
    y = np.array([o.location.y for o in objs])
    p: Placement = place(x, y, layers)
    for i, o in enumerate(objs):
        o.community_id = int(p.community[i]) or None
        o.compound_id = int(p.compound[i]) or None
        o.building_id = int(p.building[i]) or None
        o.nearest_building_id = int(p.nearest[i]) or None
        o.nearest_distance_m = None if np.isnan(p.nearest_m[i]) else round(float(p.nearest_m[i]), 2)
        o.grid_code = p.grid_code[i]


def _users(grids: dict[str, Grid], by_level, street_codes) -> list[tuple[str, str]]:
    User = get_user_model()
    first_community = grids[by_level[1][0].code]
    first_compound = grids[by_level[2][0].code]
    accounts = [
        ("demo", "street_admin", None, street_codes[0], True),
        ("secretary", "community_secretary", first_community, "", False),
        ("leader", "grid_leader", first_compound, "", False),
    ]
    staff, _ = Group.objects.get_or_create(name="community staff")
    staff.permissions.set(
        Permission.objects.filter(
            content_type__app_label__in=["grids", "people"],
            codename__regex=r"^(view|change)_(member|household|resident|vulnerability|grid|gridrole)$",
        )
    )
    logins = []
    for username, role, grid, scope, superuser in accounts:
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, is_staff=True, is_superuser=superuser
        )
        if not superuser:
            user.groups.add(staff)
        Assignment.objects.create(
            user=user, role=role, grid=grid, scope_code=grid.code if grid else scope
        )
        logins.append((username, StaffRole(role).label))
    audit_record(actor=None, action="demo.load", obj=first_community)
    return logins
