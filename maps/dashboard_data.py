"""What a grid's dashboard shows, as plain data: the grid, its children with coverage
figures, building leaders, buildings without one, and the way up (breadcrumbs). The
reader of the dashboard page (maps/views.py); maps/dashboard_map.py draws it. It reads
grids and people (and later routes and cases), so it sits above them, in maps.

Everything is aggregated with GROUP BY queries keyed by grid code prefix, so the cost does
not grow with the number of people. Routes and cases join through the same shape of data
(GeoJSON-ready dicts) once their apps provide them.

Polygons are simplified for the scale the map shows (``scale_for`` the grid's extent: half a
pixel two zoom levels in), coordinates rounded to what that scale resolves.
``fingerprint(grid)`` is what the figures depend on, cheap enough to compute per request, so
that a cached dashboard is recomputed as soon as any of it changes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from gridgov.accounts import policy
from gridgov.grids.models import Grid, GridRole, Level, RoleKind, Street
from gridgov.grids.selectors import Scale, scale_for, simplified
from gridgov.people.models import Household, Member, Resident, mask_phone

METRICS = ("leaders", "members", "located")


@dataclass
class Dashboard:
    grid: Grid
    breadcrumbs: list[tuple[str, str | None]]  # (label, grid code or None for the street)
    outline: dict  # GeoJSON Feature of the grid itself
    children: dict  # FeatureCollection with figures in properties
    leaders: list[dict[str, Any]]  # building leaders: lat, lon, name, pledge, ...
    unled: list[dict[str, str]]  # buildings without a leader: code, name
    totals: dict[str, Any] = field(default_factory=dict)


def may_view(user, grid: Grid) -> bool:
    """Whether the user may see the grid's dashboard (``VIEW_DASHBOARD`` over it: a
    dashboard shows people's figures)."""
    return policy.allows(user, policy.VIEW_DASHBOARD, grid)


def may_see_phones(user, grid: Grid) -> bool:
    """Staff whose role sees members' phones over the grid see them whole; everyone else
    (a member looking at their own community) masked, opted-in or not: the full number of an
    opted-in member is for the building-contact page only (docs/PRIVACY.md)."""
    return policy.allows(user, policy.SEE_MEMBER_PHONES, grid)


def _feature(grid: Grid, props: dict[str, Any], scale: Scale) -> dict:
    return {"type": "Feature", "geometry": simplified(grid.geom, scale), "properties": props}


def _share(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _per_child(qs, key: str, measure=None) -> dict[int, int]:
    """Row counts (or another aggregate, ``measure``) grouped by a child grid's id (a
    foreign key path), in one query."""
    return dict(
        qs.filter(**{f"{key}__isnull": False})
        .values_list(key)
        .annotate(n=measure or Count("pk"))
        .order_by()
    )


# For a dashboard of a grid at this level: the field naming the child a located row is in,
# and the field of a building naming that child.
CHILD_FIELD = {
    Level.COMMUNITY: ("compound", "parent"),
    Level.COMPOUND: ("building", "id"),
    Level.BUILDING: ("building", "id"),
}
SCOPE_FIELD = {Level.COMMUNITY: "community", Level.COMPOUND: "compound", Level.BUILDING: "building"}


def community_of(grid: Grid) -> Grid:
    """The community a grid lies in (itself for a community)."""
    node = grid
    while node.parent is not None:
        node = node.parent
    return node


def fingerprint(grid: Grid) -> str:
    """A digest of everything a grid's dashboard figures, leaders and geometry depend on, at
    the level of its community: the community's grids (count, last change), building-leader
    roles (count, newest, ended, their members' last change), and its members, households
    and residents (count, last change, last placement). One statement of five aggregates
    on indexed columns (the code's index as a range, the community foreign keys): a
    community has a few thousand rows, so a few milliseconds; any change through a service,
    an import or ``locate_people`` changes the digest, and so does the day (roles begin and
    end at midnight: ``GridRole.objects.current``)."""
    community = community_of(grid)
    t = {m.__name__: m._meta.db_table for m in (Grid, GridRole, Member, Household, Resident)}
    lo, hi = community.code, community.code[:-1] + chr(ord(community.code[-1]) + 1)
    sql = f"""SELECT * FROM
        (SELECT COUNT(*), MAX(updated_at) FROM {t["Grid"]}
         WHERE code >= %s AND code < %s) grids,
        (SELECT COUNT(*), MAX(r.id), COUNT(r.until), MAX(m.updated_at)
         FROM {t["GridRole"]} r JOIN {t["Grid"]} g ON g.id = r.grid_id
         LEFT JOIN {t["Member"]} m ON m.id = r.member_id
         WHERE g.code >= %s AND g.code < %s) roles,
        (SELECT COUNT(*), MAX(updated_at), MAX(located_at) FROM {t["Member"]}
         WHERE community_id = %s) members,
        (SELECT COUNT(*), MAX(updated_at), MAX(located_at) FROM {t["Household"]}
         WHERE community_id = %s) households,
        (SELECT COUNT(*), MAX(p.updated_at) FROM {t["Resident"]} p
         JOIN {t["Household"]} h ON h.id = p.household_id WHERE h.community_id = %s) residents"""
    params = [lo, hi, lo, hi] + [community.pk] * 3
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = (*cursor.fetchone(), timezone.localdate())
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


def street_fingerprint() -> str:
    """What the street map depends on: every grid (count, last change), every
    building-leader role (count, newest, ended; the names of the leaders current today) and
    the day (roles begin and end at midnight: ``GridRole.objects.current``). One
    statement."""
    t = {m.__name__: m._meta.db_table for m in (Grid, GridRole, Member)}
    today = timezone.localdate()
    sql = f"""SELECT
        (SELECT COUNT(*) FROM {t["Grid"]}), (SELECT MAX(updated_at) FROM {t["Grid"]}),
        (SELECT COUNT(*) FROM {t["GridRole"]}), (SELECT MAX(id) FROM {t["GridRole"]}),
        (SELECT COUNT(until) FROM {t["GridRole"]}),
        (SELECT MAX(m.updated_at) FROM {t["GridRole"]} r JOIN {t["Member"]} m
         ON m.id = r.member_id WHERE r.since <= %s AND (r.until IS NULL OR r.until >= %s))"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [today, today])
        row = (*cursor.fetchone(), today)
    return hashlib.sha1(repr(row).encode(), usedforsecurity=False).hexdigest()[:16]


def breadcrumbs(grid: Grid) -> list[tuple[str, str | None]]:
    chain: list[tuple[str, str | None]] = []
    node: Grid | None = grid
    while node is not None:
        chain.append((node.name, node.code))
        node = node.parent
    street = (
        Street.objects.filter(code__in=[grid.code[:n] for n in range(1, len(grid.code) + 1)])
        .order_by("-code")
        .first()
    )
    if street is not None:
        chain.append((street.name, None))
    return list(reversed(chain))


def dashboard(grid: Grid, *, user) -> Dashboard:
    """The dashboard of any grid (community, compound or building) for this viewer."""
    children = list(grid.children.order_by("code")) if grid.level < Level.BUILDING else [grid]
    located_in, building_key = CHILD_FIELD[grid.level]
    scope = SCOPE_FIELD[grid.level]
    scale = scale_for(grid.geom.extent)

    buildings = Grid.objects.filter(code__startswith=grid.code, level=Level.BUILDING)
    led_ids = set(
        GridRole.objects.current()
        .filter(role=RoleKind.BUILDING_LEADER, grid__in=buildings)
        .values_list("grid_id", flat=True)
    )
    n_buildings = _per_child(buildings, building_key)
    n_led = _per_child(buildings.filter(pk__in=led_ids), building_key)
    n_members = _per_child(Member.objects.filter(**{scope: grid}), f"{located_in}_id")
    households = Household.objects.filter(**{scope: grid})
    n_households = _per_child(households, f"{located_in}_id")
    # Residents from each household's resident_count (kept by the database): no resident
    # row is read.
    residents = Sum("resident_count")
    n_residents = _per_child(households, f"{located_in}_id", residents)
    located = households.filter(building__isnull=False)
    n_located = _per_child(located, f"{located_in}_id", residents)

    features = []
    for child in children:
        c = child.pk
        features.append(
            _feature(
                child,
                {
                    "code": child.code,
                    "name": child.name,
                    "kind": child.get_kind_display(),
                    "buildings": n_buildings.get(c, 0),
                    "led": n_led.get(c, 0),
                    "leaders": _share(n_led.get(c, 0), n_buildings.get(c, 0)),
                    "members_n": n_members.get(c, 0),
                    "households": n_households.get(c, 0),
                    "members": (
                        round(100 * n_members.get(c, 0) / n_households[c], 1)
                        if n_households.get(c)
                        else None
                    ),
                    "located": _share(n_located.get(c, 0), n_residents.get(c, 0)),
                    "url_code": child.code if child.pk != grid.pk else "",
                },
                scale,
            )
        )

    phones = may_see_phones(user, grid)
    leaders = []
    roles = (
        GridRole.objects.current()
        .filter(role=RoleKind.BUILDING_LEADER, grid__in=buildings)
        .annotate(point=PointOnSurface("grid__geom"))
        .values_list(
            "grid__name",
            "grid__code",
            "point",
            "member__name",
            "member__pledge",
            "member__specialty",
            "member__phone",
        )
        .order_by("grid__code")
    )
    for name, code, point, m_name, pledge, specialty, phone in roles:
        leaders.append(
            {
                "lat": round(point.y, scale.digits),
                "lon": round(point.x, scale.digits),
                "building": name,
                "code": code,
                "name": m_name,
                "pledge": pledge,
                "specialty": specialty,
                "phone": phone if phones else mask_phone(phone),
            }
        )
    unled = [
        {"code": b.code, "name": b.name}
        for b in buildings.exclude(pk__in=led_ids).order_by("code").only("code", "name")
    ]

    # Totals over the whole grid, people outside every child included.
    total_buildings = sum(n_buildings.values())
    total_members = Member.objects.filter(**{scope: grid}).count()
    total_households = households.count()
    total_residents = households.aggregate(n=residents)["n"] or 0
    total_located = located.aggregate(n=residents)["n"] or 0
    totals = {
        "buildings": total_buildings,
        "led": len(led_ids),
        "leaders": _share(len(led_ids), total_buildings),
        "members": total_members,
        "households": total_households,
        "residents": total_residents,
        "located": _share(total_located, total_residents),
        "members_per_100": (
            round(100 * total_members / total_households, 1) if total_households else None
        ),
    }
    return Dashboard(
        grid=grid,
        breadcrumbs=breadcrumbs(grid),
        outline=_feature(grid, {"code": grid.code, "name": grid.name}, scale),
        children={"type": "FeatureCollection", "features": features},
        leaders=leaders,
        unled=unled,
        totals=totals,
    )
