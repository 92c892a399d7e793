"""The demo district's geography: streets, the three levels of grids with their names and
kinds, the communities' service stations, where people live (a point and its address), and
the grids as layers to place people in with the same code as ``locate_people``
(grids.placement)."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point

from geodata import synth
from gridgov.demo import names
from gridgov.grids.models import Grid, Kind, ServiceStation, Street
from gridgov.grids.placement import GridLayer, Placement, place


@dataclass
class Geography:
    """What was built: the synthetic areas by level (1 community, 2 compound, 3 building),
    the Grid of each code, each compound's kind, the street codes, and the grids as layers."""

    by_level: dict[int, list[synth.SynthArea]]
    grids: dict[str, Grid]
    kinds: dict[str, str]
    street_codes: list[str]
    layers: dict[int, GridLayer]

    @property
    def homes(self) -> list[synth.SynthArea]:
        """The buildings of residential compounds: where members and households live."""
        return [a for a in self.by_level[3] if self.kinds[a.parent_code] == Kind.RESIDENTIAL]


def _unique_names(rng: random.Random, n: int, suffix: str) -> list[str]:
    pairs = [a + b for a, b in itertools.product(names.PLACE_A, names.PLACE_B) if a != b]
    rng.shuffle(pairs)
    out = [p + suffix for p in pairs[:n]]
    k = 2
    while len(out) < n:  # more than the word list: number them
        out.extend(f"{p}{k}{suffix}" for p in pairs[: n - len(out)])
        k += 1
    return out


def _mp(geom) -> MultiPolygon:
    g = GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4326)
    return g if isinstance(g, MultiPolygon) else MultiPolygon(g, srid=4326)


def build_grids(
    rng: random.Random, areas: list[synth.SynthArea], progress: Callable[[str], None]
) -> Geography:
    """Streets, then communities, compounds (a few offices and businesses) and buildings
    (a contact area where a building spans two cells), named from the word lists."""
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
    return Geography(by_level, grids, kinds, street_codes, layers)


def _community_quads(geo: Geography) -> dict[str, synth.Quad]:
    return {a.code: a.quads[0] for a in geo.by_level[1]}


def build_stations(seed: int, geo: Geography) -> None:
    """A party-masses service station on a road of each community."""
    community_quads = _community_quads(geo)
    grids = geo.grids
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
            phone=names.phone(srng),
        )
        for a in geo.by_level[1]
    )


class Homes:
    """Where a person lives: a point in one of a building's cells with a flat's address, or
    (now and then) a point by a road of the community with a street address."""

    def __init__(self, rng: random.Random, geo: Geography):
        self.rng = rng
        self.grids = geo.grids
        self.road_of = {
            a.code: names.ROADS[i % len(names.ROADS)] for i, a in enumerate(geo.by_level[2])
        }
        self.community_quads = _community_quads(geo)

    def address(self, a: synth.SynthArea, cell: int) -> str:
        rng, grids = self.rng, self.grids
        compound = grids[a.parent_code]
        n = int(grids[a.code].name.split("栋")[0].split("-")[0]) + cell
        return (
            f"{names.COUNTY}{self.road_of[a.parent_code]}{int(a.parent_code[-3:]) * 2 + 1}号"
            f"{compound.name}{n}栋{rng.randint(1, 3)}单元{rng.randint(1, 18)}"
            f"{rng.randint(1, 4):02d}室"
        )

    def home_point(self, a: synth.SynthArea) -> tuple[float, float, str]:
        cell = self.rng.randrange(len(a.quads))
        x, y = synth.random_point(a.quads[cell], self.rng)
        return x, y, self.address(a, cell)

    def road_point(self, a: synth.SynthArea) -> tuple[float, float, str]:
        rng = self.rng
        community = a.code[:12]
        x, y = synth.road_point(self.community_quads[community], rng, margin=0.07 / 3)
        return x, y, f"{names.COUNTY}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号（临街）"


def locate(objs: list, layers: dict[int, GridLayer]) -> None:
    """Set the placement fields of unsaved members or households from their points."""
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
