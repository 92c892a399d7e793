"""The members and households export layers (manage.py export_geojson, /api/v1/export/):
which rows and which public fields, made by gridgov.grids.exporting's machinery, to which
people adds them when ready (``register``). Members: the public ones, at their building,
phone masked; households: counts per building polygon, nothing personal."""

from __future__ import annotations

from collections.abc import Iterator

from django.contrib.gis.db.models.functions import PointOnSurface
from django.db.models import Count, QuerySet, Sum

from gridgov.grids.exporting import (
    CHUNK,
    Dialect,
    Item,
    Layer,
    geometry_wkb,
    level_codes,
    like_prefix,
    located_filter,
    register_layer,
    table,
)
from gridgov.grids.models import Grid, Level
from gridgov.people.models import Household, Member, mask_phone


def _public_members() -> QuerySet:
    """The members the layer may carry: the public ones (``Member.objects.public()``: current
    role holders, confirmed members who chose to be a public contact) located in a building.
    Whoever asks, the export is public: nothing of an unconfirmed or rejected registration."""
    return Member.objects.public().filter(building__isnull=False)


def _member_items(grid: Grid | None) -> Iterator[Item]:
    """Public fields only: no address, no personal data beyond name and the masked phone
    (always masked: a full number is shown only on the building-contact page).

    The point is the member's building (a point on its surface), never the home position:
    a public contact is found by building, and a home point would give the address away.
    Members not located in a building have no public contact point and are left out."""
    qs = located_filter(_public_members(), grid)
    rows = (
        qs.order_by("pk")
        .annotate(g=geometry_wkb(PointOnSurface("building__geom")))
        .values_list(
            "name",
            "kind",
            "specialty",
            "pledge",
            "phone",
            "community__code",
            "compound__code",
            "building__code",
            "g",
        )
    )
    for name, kind, specialty, pledge, phone, community, compound, building, geom in rows.iterator(
        chunk_size=CHUNK
    ):
        props = {
            "community_code": community,
            "compound_code": compound,
            "building_code": building,
            "name": name,
            "kind": kind,
            "specialty": specialty,
            "pledge": pledge,
            "phone": mask_phone(phone),
        }
        yield props, geom


def _household_items(grid: Grid | None) -> Iterator[Item]:
    """Counts per building polygon: households and residents, nothing personal.

    The counts are read first in one GROUP BY over the households (their resident_count, kept
    by the database; one pair of ints per building: a few MB for a district); the polygons
    are then streamed."""
    qs = Grid.objects.filter(level=Level.BUILDING)
    households = Household.objects.filter(building__isnull=False)
    if grid is not None:
        qs = qs.filter(code__startswith=grid.code)
        households = households.filter(grid_code__startswith=grid.code)
    counts = {
        pk: (n, residents)
        for pk, n, residents in households.order_by()
        .values_list("building_id")
        .annotate(n=Count("pk"), residents=Sum("resident_count"))
    }
    rows = (
        qs.order_by("code")
        .annotate(g=geometry_wkb("geom"))
        .values_list("pk", "code", "parent__code", "parent__parent__code", "g")
    )
    for pk, code, parent, grandparent, geom in rows.iterator(chunk_size=CHUNK):
        props = level_codes(Level.BUILDING, code, parent, grandparent)
        n, residents = counts.get(pk, (0, 0))
        props.update(households=n, residents=residents)
        yield props, geom


STARS = "*" * 20  # the phone columns' max_length


def _members_sql(d: Dialect, grid: Grid | None) -> tuple[str, list]:
    grids = table(Grid)
    # The rows of _public_members(), as the ORM writes them: the rule stays in one place.
    public, params = _public_members().values("pk").query.sql_with_params()
    where, params = [f"m.id IN ({public})"], list(params)
    if grid is not None:
        column = {
            Level.COMMUNITY: "community_id",
            Level.COMPOUND: "compound_id",
            Level.BUILDING: "building_id",
        }[grid.level]
        where.append(f"m.{column} = %s")
        params.append(grid.pk)
    # mask_phone in SQL: the first 3 and last 4 digits kept, the rest starred.
    phone = (
        f"CASE WHEN length(m.phone) <= 7 THEN substr('{STARS}', 1, length(m.phone)) "
        f"ELSE substr(m.phone, 1, 3) || substr('{STARS}', 1, length(m.phone) - 7) "
        f"|| substr(m.phone, length(m.phone) - 3) END"
    )
    props = [
        ("community_code", "c.code"),
        ("compound_code", "k.code"),
        ("building_code", "b.code"),
        ("name", "m.name"),
        ("kind", "m.kind"),
        ("specialty", "m.specialty"),
        ("pledge", "m.pledge"),
        ("phone", phone),
    ]
    return (
        f"SELECT {d.feature(props, 'b.label_geojson')} "
        f"FROM {table(Member)} m JOIN {grids} b ON b.id = m.building_id "
        f"LEFT JOIN {grids} c ON c.id = m.community_id "
        f"LEFT JOIN {grids} k ON k.id = m.compound_id "
        f"WHERE {' AND '.join(where)} ORDER BY m.id",
        params,
    )


def _households_sql(d: Dialect, grid: Grid | None) -> tuple[str, list]:
    """Counts per building polygon, households and residents, from each household's
    resident_count (kept by the database's triggers: no resident is counted here).

    SQLite: correlated sums per building, each an index range (fastest there, no temporary
    tables). PostgreSQL: one GROUP BY pass over the households joined to the buildings."""
    grids, households = table(Grid), table(Household)
    outer, params = "", []
    if grid is not None:
        outer = " AND g.code LIKE %s ESCAPE '\\'"
        params = [like_prefix(grid.code)]
    codes = [
        ("community_code", "pp.code"),
        ("compound_code", "p.code"),
        ("building_code", "g.code"),
    ]
    if not d.pg:
        props = [
            *codes,
            ("households", f"(SELECT count(*) FROM {households} h WHERE h.building_id = g.id)"),
            (
                "residents",
                f"(SELECT coalesce(sum(h.resident_count), 0) FROM {households} h "
                f"WHERE h.building_id = g.id)",
            ),
        ]
        counts = ""
    else:
        inner = ""
        if grid is not None:
            inner = " AND hh.grid_code LIKE %s ESCAPE '\\'"
            params = [params[0]] * 2
        props = [
            *codes,
            ("households", "coalesce(c.households, 0)"),
            ("residents", "coalesce(c.residents, 0)"),
        ]
        counts = (
            f"LEFT JOIN (SELECT hh.building_id, count(*) AS households, "
            f"sum(hh.resident_count) AS residents FROM {households} hh "
            f"WHERE hh.building_id IS NOT NULL{inner} GROUP BY hh.building_id) c "
            f"ON c.building_id = g.id "
        )
    return (
        f"SELECT {d.feature(props, 'g.geojson')} FROM {grids} g "
        f"LEFT JOIN {grids} p ON p.id = g.parent_id "
        f"LEFT JOIN {grids} pp ON pp.id = p.parent_id {counts}"
        f"WHERE g.level = {int(Level.BUILDING)}{outer} ORDER BY g.code",
        params,
    )


def register() -> None:
    """Add the members and households layers to the export (after the grid layers)."""
    register_layer("members", Layer(items=_member_items, sql=_members_sql))
    register_layer("households", Layer(items=_household_items, sql=_households_sql))
