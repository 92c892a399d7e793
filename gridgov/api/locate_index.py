"""Point lookup for /api/v1/locate/ from an in-process index: no database work per request.

Each server process keeps every grid (id, code, name, level, parent) with one STRtree per
level (geodata.polygon_index.PolygonIndex, the same index and tie rules as
gridgov.grids.placement.place),
and the current building leaders' public contacts (name, pledge, specialty, the phone
masked: a full number is shown only on the building-contact page, gridgov.people.contacts). A
lookup is then a few microseconds of shapely and a dict read, instead of five ORM queries; a
process answers without opening a database connection at all.

Freshness: at most every ``GRIDGOV_LOCATE_CHECK_SECONDS`` seconds (default 2; 0 = on every
request) a lookup reads a fingerprint of the grids (count, highest id, latest ``updated_at``)
and of the current building leaders (count, sums of role and member ids, latest member
``updated_at``, and the day: roles begin and end at midnight); when it changed, the index is
rebuilt. So a boundary edit, a new grid or a new building leader shows in every process
within that many seconds. Writes that bypass ``save()`` (``QuerySet.update`` on grids) are
not seen until some other change, or a restart.

Memory: the whole grid layer per process (a district's 50k buildings: about as much as
``locate_people`` holds). Build time: well under a second at street scale, ~1-2 s at district
scale, paid by the first lookup of each process and after each change.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import AsWKB
from django.db.models import Count, Max, Sum
from django.utils import timezone

from geodata.polygon_index import PolygonIndex
from gridgov.grids.models import Grid, GridRole, Level, RoleKind
from gridgov.people.models import Member
from gridgov.people.public import public_phone

DEFAULT_CHECK_SECONDS = 2.0


@dataclass(frozen=True)
class GridRef:
    id: int
    code: str
    name: str
    level: int
    parent_id: int | None


@dataclass(frozen=True)
class Found:
    """Where one point lies (None: no such grid) and, outside every building, the nearest
    building and its distance in metres."""

    community: GridRef | None
    compound: GridRef | None
    building: GridRef | None
    nearest: GridRef | None
    nearest_m: float | None


class _Layer:
    def __init__(self, refs: list[GridRef], geoms: list):
        self.refs = refs
        self.index = PolygonIndex(geoms, [r.code for r in refs])


class LocateIndex:
    """Every grid and every current building leader's contact, as of ``fingerprint``."""

    def __init__(self, fingerprint: tuple):
        self.fingerprint = fingerprint
        rows = list(
            Grid.objects.order_by("code")
            .annotate(wkb=AsWKB("geom"))
            .values_list("id", "code", "name", "level", "parent_id", "wkb")
        )
        self.grids: dict[int, GridRef] = {}
        by_level: dict[int, tuple[list[GridRef], list[bytes]]] = {lv: ([], []) for lv in Level}
        for pk, code, name, level, parent_id, wkb in rows:
            ref = GridRef(pk, code, name, level, parent_id)
            self.grids[pk] = ref
            by_level[level][0].append(ref)
            by_level[level][1].append(bytes(wkb))
        self.layers = {
            level: _Layer(refs, list(shapely.from_wkb(wkbs)) if wkbs else [])
            for level, (refs, wkbs) in by_level.items()
        }
        self.contacts: dict[int, dict[str, Any]] = {}
        for role in (
            _leader_roles(fingerprint[-1])
            .select_related("member")
            .order_by("grid_id", "-since")
            .only(
                "grid_id",
                "since",
                "member__name",
                "member__pledge",
                "member__specialty",
                "member__phone",
            )
        ):
            m = role.member
            self.contacts.setdefault(
                role.grid_id,
                {
                    "role": RoleKind.BUILDING_LEADER.value,
                    "name": m.name,
                    "pledge": m.pledge,
                    "specialty": m.specialty,
                    "phone": public_phone(m),
                },
            )

    def parent(self, ref: GridRef | None) -> GridRef | None:
        return None if ref is None or ref.parent_id is None else self.grids.get(ref.parent_id)

    def _covering(self, level: int, points: np.ndarray) -> GridRef | None:
        layer = self.layers[level]
        if not layer.refs:
            return None
        i = int(layer.index.covering(points)[0])
        return layer.refs[i] if i >= 0 else None

    def locate(self, x: float, y: float) -> Found:
        """Buildings first (a building fixes its compound and community); a point in no
        building is tested against compounds and communities and gets the nearest building
        in metres: the rules of gridgov.grids.placement.place, for one point."""
        points = np.atleast_1d(shapely.points(np.array([x]), np.array([y])))
        building = self._covering(Level.BUILDING, points)
        if building is not None:
            compound = self.parent(building)
            return Found(self.parent(compound), compound, building, None, None)
        compound = self._covering(Level.COMPOUND, points)
        community = self._covering(Level.COMMUNITY, points)
        nearest, metres = None, None
        layer = self.layers[Level.BUILDING]
        if layer.refs:
            idx, dist = layer.index.nearest(points)
            if idx[0] >= 0:
                nearest, metres = layer.refs[int(idx[0])], float(dist[0])
        return Found(
            community,
            compound,
            None,
            nearest,
            None if metres is None or math.isnan(metres) else metres,
        )

    def codes(self, ref: GridRef) -> dict[str, str | None]:
        """community_code, compound_code, building_code of a grid and its ancestors."""
        out: dict[int, str | None] = {1: None, 2: None, 3: None}
        while ref is not None:
            out[ref.level] = ref.code
            ref = self.parent(ref)
        return {"community_code": out[1], "compound_code": out[2], "building_code": out[3]}


def _leader_roles(day):
    """The building leaders on ``day``: public contacts by their role (Member.objects.public),
    their phone masked as in every API answer (public_phone)."""
    return GridRole.objects.current(day).filter(
        role=RoleKind.BUILDING_LEADER, member__in=Member.objects.public(day)
    )


def fingerprint() -> tuple:
    """What the index depends on, in two aggregate queries; the day last (a role begins or
    ends at midnight)."""
    day = timezone.localdate()
    grids = Grid.objects.aggregate(n=Count("id"), top=Max("id"), at=Max("updated_at"))
    leaders = _leader_roles(day).aggregate(
        n=Count("id"), ids=Sum("id"), members=Sum("member_id"), at=Max("member__updated_at")
    )
    return (
        grids["n"],
        grids["top"],
        grids["at"],
        leaders["n"],
        leaders["ids"],
        leaders["members"],
        leaders["at"],
        day,
    )


class _Holder:
    """The process's index, checked against the database at most every few seconds."""

    def __init__(self):
        self.lock = threading.Lock()
        self.index: LocateIndex | None = None
        self.checked = -math.inf
        self.builds = 0

    def get(self) -> LocateIndex:
        interval = float(getattr(settings, "GRIDGOV_LOCATE_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))
        index = self.index
        if index is not None and time.monotonic() - self.checked < interval:
            return index
        with self.lock:
            if self.index is not None and time.monotonic() - self.checked < interval:
                return self.index  # another thread checked while this one waited
            now = time.monotonic()
            current = fingerprint()
            if self.index is None or self.index.fingerprint != current:
                self.index = LocateIndex(current)
                self.builds += 1
            self.checked = now
            return self.index

    def clear(self) -> None:
        with self.lock:
            self.index, self.checked = None, -math.inf


holder = _Holder()


def locate_index() -> LocateIndex:
    return holder.get()
