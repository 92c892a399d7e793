"""The demo district: a believable street (or whole district) of grids, organisations,
members, households, residents and grid roles, deterministic for a given seed.

``build`` is the sequence; each step lives with what it builds: the geography
(demo/geography.py: streets, grids, service stations, homes, placing people), the
organisations, members and roles (demo/members.py), the households and residents
(demo/households.py); on the street, its requests and patrols (demo/life_cases_patrols.py)
and community life (demo/life.py). Every step draws from the one seeded stream in the same
order, so a seed gives the same district.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection, transaction

from geodata import synth
from gridgov.accounts.models import Assignment, StaffRole
from gridgov.accounts.services import audit_record
from gridgov.demo.geography import Geography, Homes, build_grids, build_stations
from gridgov.demo.households import build_households
from gridgov.demo.members import build_members, build_organisations, build_roles
from gridgov.grids.models import Grid
from gridgov.people.models import Household, Member, Resident, Vulnerability

DEMO_PASSWORD = "gridgov-demo"
DEMO_USERS = ("demo", "street", "secretary", "leader")


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


@transaction.atomic
def build(*, seed: int, scale: str = "street", progress: Callable[[str], None] = print) -> Demo:
    spec = SCALES[scale]
    rng = random.Random(seed)
    geo = build_grids(rng, synth.generate(seed=seed, layout=spec.layout), progress)
    orgs = build_organisations(rng, spec.units, geo)
    build_stations(seed, geo)
    homes = Homes(rng, geo)
    members = build_members(rng, spec.members, geo, orgs, homes)
    progress(f"members: {len(members)}")
    roles = build_roles(rng, geo, orgs, members)
    households, residents = build_households(rng, spec.residents, geo, homes, progress)
    _fresh_statistics([Grid, Member, Household, Resident, Vulnerability])
    demo = Demo(logins=_users(geo))
    # recent requests, patrols, community life (the district is for benchmarks)
    life = _street_life(seed, progress) if scale == "street" else {}
    demo.counts = {
        "communities": len(geo.by_level[1]),
        "compounds": len(geo.by_level[2]),
        "buildings": len(geo.by_level[3]),
        "members": len(members),
        "households": households,
        "residents": residents,
        "grid_roles": len(roles),
        **life,
    }
    return demo


def _street_life(seed: int, progress: Callable[[str], None]) -> dict[str, int]:
    from gridgov.demo.life import build_life
    from gridgov.demo.life_cases_patrols import build_cases_patrols

    recent = build_cases_patrols(seed=seed)
    progress(", ".join(f"{k}: {v}" for k, v in recent.items()))
    return build_life(seed=seed)


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


def _users(geo: Geography) -> list[tuple[str, str]]:
    """The demo logins: the street office as a superuser (``demo``) and as the role alone
    (``street``), a community secretary and a grid leader, with their assignments."""
    User = get_user_model()
    first_community = geo.grids[geo.by_level[1][0].code]
    first_compound = geo.grids[geo.by_level[2][0].code]
    accounts = [
        ("demo", "street_admin", None, geo.street_codes[0], True),
        ("street", "street_admin", None, geo.street_codes[0], False),
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
