"""Selectors behind the public "find my building leader" page (找我的楼长).

Two ways in, one way out:

- an address typed the many ways people write it (``match_address``): read by
  ``gridgov.grids.addresses`` (compound name + building number, 栋/幢/号楼/座 and Chinese
  numerals unified, unit/room/floor and a leading road number ignored) and matched against
  the grid names, spelled the same way;
- a point (``match_point``): a map tap or the phone's location, GCJ-02 converted, placed
  with ``gridgov.grids.placement.locate_one``.

Both end in at most one building, whose public contact card (``building_contact``) holds
only what members chose to show (亮身份): name, specialty, pledge and a phone masked unless
the member opted in. Nothing here returns model instances to a template, so an address or an
unmasked phone cannot leak through a template by accident.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field

from django.contrib.gis.geos import Point
from django.db.models import Q

from geodata.crs import to_wgs84
from gridgov.grids.addresses import AddressQuery, building_numbers, normalise, parse_address
from gridgov.grids.models import Grid, GridRole, Kind, Level, RoleKind, ServiceStation
from gridgov.grids.placement import locate_one
from gridgov.people.models import Member, OrgKind, PartyOrganisation
from gridgov.people.public import public_phone, public_tel

# Roles on a building grid that make a member one of its public contacts, in display order.
CONTACT_ROLES = (RoleKind.BUILDING_LEADER, RoleKind.GROUP_LEADER, RoleKind.GROUP_DEPUTY)
MAX_CHOICES = 12
MAX_SUGGESTIONS = 5
SUGGESTION_CUTOFF = 0.5
ACCEPTED_CRS = ("wgs84", "gcj02")

# --- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One building to pick (its code is the next lookup), or a suggested address to try
    (``query``, with no code)."""

    code: str
    label: str
    query: str = ""


@dataclass(frozen=True)
class Contact:
    """A member as the public may see them (亮身份): nothing else about them."""

    role: str
    name: str
    specialty: str
    pledge: str
    phone: str  # masked unless the member opted in
    tel: str  # the number for a tel: link, only when the member opted in


@dataclass(frozen=True)
class Station:
    """A community's party-masses service station (党群服务站) as the public sees it: all of
    it is public information the community published."""

    name: str
    address: str
    hours: str
    phone: str
    tel: str  # the number reduced to what a tel: link dials ("" when none)
    point: tuple[float, float] | None  # WGS84 lon, lat


@dataclass(frozen=True)
class BuildingCard:
    code: str
    name: str
    compound: str
    compound_code: str
    community: str
    community_code: str
    committee: str  # the community party committee's name, "" when none is recorded
    branch: str  # the compound party branch's name, "" when none
    has_leader: bool
    contacts: list[Contact]
    stations: list[Station] = field(default_factory=list)  # the community's; [] when none


@dataclass
class Outcome:
    """What a lookup found. ``status`` is one of: building, choices, suggestions, outside,
    between (in our area but in no building), invalid, empty."""

    status: str
    card: BuildingCard | None = None
    choices: list[Choice] = field(default_factory=list)
    suggestions: list[Choice] = field(default_factory=list)
    more: bool = False  # more choices exist than are shown
    query: AddressQuery | None = None
    nearest: Choice | None = None  # nearest building (outside / between)
    nearest_community: str = ""
    distance_m: int | None = None
    point: tuple[float, float] | None = None  # WGS84 lon, lat of a point lookup


# --- lookups -------------------------------------------------------------------------------------


def _compounds() -> list[tuple[int, str, str, str]]:
    """(id, name, normalised name, community name) of every compound: a few thousand short
    rows for a district, read per lookup (lookups are rate-limited)."""
    rows = Grid.objects.filter(level=Level.COMPOUND).values_list("id", "name", "parent__name")
    return [(pk, name, normalise(name), community or "") for pk, name, community in rows]


def _label(building: Grid) -> str:
    compound = building.parent
    community = compound.parent if compound else None
    parts = [p.name for p in (community, compound) if p is not None] + [building.name]
    return " · ".join(parts)


def _choices(buildings) -> list[Choice]:
    return [Choice(code=b.code, label=_label(b)) for b in buildings]


def _buildings_of(compound_ids: list[int]):
    return (
        Grid.objects.filter(level=Level.BUILDING, parent_id__in=compound_ids)
        .select_related("parent__parent")
        .order_by("code")
    )


def _number_key(grid: Grid) -> tuple:
    nums = sorted(building_numbers(grid.name), key=lambda n: (not n.isdigit(), n.zfill(6)))
    return (nums[0].zfill(6) if nums else "~", grid.code)


def match_address(text: str) -> Outcome:
    """Match a typed address against grid names: one building, a choice list, or
    suggestions of the nearest compound names. Never raises for odd input."""
    query = parse_address(text)
    if not query.text:
        return Outcome("empty", query=query)
    compounds = _compounds()
    # Compounds whose whole name appears in the address; the longest name wins
    # (东湖花园二期 over 东湖花园).
    found = [c for c in compounds if c[2] and c[2] in query.text]
    if found:
        longest = max(len(c[2]) for c in found)
        found = [c for c in found if len(c[2]) == longest]
        # Two compounds of the same name: a community named in the address decides.
        named = [c for c in found if c[3] and normalise(c[3]) in query.text]
        found = named or found
    if not found and query.place:
        return Outcome("suggestions", query=query, suggestions=_suggest(query, compounds))
    if found:
        candidates = list(_buildings_of([c[0] for c in found]))
    else:  # a bare building number ("1栋"): which compound?
        if query.building is None:
            return Outcome("suggestions", query=query)
        candidates = list(
            Grid.objects.filter(level=Level.BUILDING)
            .filter(Q(name__contains=query.building) | Q(kind=Kind.CONTACT_AREA))
            .select_related("parent__parent")
            .order_by("code")
        )
    if query.building is not None:
        hits = [b for b in candidates if query.building in building_numbers(b.name)]
        if len(hits) == 1:
            return Outcome("building", card=building_contact(hits[0]), query=query)
        if hits:
            return _choice_outcome(hits, query)
        if not found:
            return Outcome("suggestions", query=query)
    # The compound is known but not the building: offer its buildings.
    return _choice_outcome(
        sorted(candidates, key=_number_key),
        query,
        status="choices" if query.building is None else "suggestions",
    )


def _choice_outcome(buildings: list[Grid], query: AddressQuery, status: str = "choices") -> Outcome:
    shown = _choices(buildings[:MAX_CHOICES])
    more = len(buildings) > MAX_CHOICES
    if status == "suggestions":
        return Outcome(status, query=query, suggestions=shown, more=more)
    return Outcome(status, query=query, choices=shown, more=more)


def _suggest(query: AddressQuery, compounds) -> list[Choice]:
    """The compound names nearest to what was typed (difflib ratio on the compound part and
    on its tail of the name's length, so a leading street address does not drown it)."""
    scored = []
    place = query.place
    for pk, name, norm, community in compounds:
        if not norm:
            continue
        windows = {place} | {
            place[-n:] for n in (len(norm) - 1, len(norm), len(norm) + 1) if 0 < n <= len(place)
        }
        score = max(difflib.SequenceMatcher(None, norm, w).ratio() for w in windows)
        if score >= SUGGESTION_CUTOFF:
            scored.append((score, name, community, pk))
    scored.sort(key=lambda s: (-s[0], s[1]))
    suggestions = []
    for _score, name, community, _pk in scored[:MAX_SUGGESTIONS]:
        typed = name + (f"{query.building}栋" if query.building else "")
        suggestions.append(
            Choice(code="", label=f"{community} · {typed}" if community else typed, query=typed)
        )
    return suggestions


def building_by_code(code: str) -> Outcome:
    building = (
        Grid.objects.filter(level=Level.BUILDING, code=code)
        .select_related("parent__parent")
        .first()
    )
    if building is None:
        return Outcome("invalid")
    return Outcome("building", card=building_contact(building))


def parse_point(lon: str, lat: str, crs: str = "wgs84") -> tuple[float, float] | None:
    """A point typed or sent by a phone, as WGS84 (lon, lat); None when unreadable."""
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        return None
    if not (math.isfinite(x) and math.isfinite(y) and -180 <= x <= 180 and -90 <= y <= 90):
        return None
    if crs not in ACCEPTED_CRS:
        return None
    if crs != "wgs84":
        xs, ys = to_wgs84([x], [y], crs)
        x, y = float(xs[0]), float(ys[0])
    return x, y


def match_point(lon: float, lat: float) -> Outcome:
    """The building under a WGS84 point; else the nearest building and its community, with
    the distance in metres (``between`` inside a community, ``outside`` beyond all)."""
    placement = locate_one(Point(lon, lat, srid=4326))
    building_id = int(placement.building[0])
    if building_id:
        building = Grid.objects.select_related("parent__parent").get(pk=building_id)
        return Outcome("building", card=building_contact(building), point=(lon, lat))
    status = "between" if int(placement.community[0]) else "outside"
    near_id = int(placement.nearest[0]) if len(placement.nearest) else 0
    if not near_id:
        return Outcome(status, point=(lon, lat))
    near = Grid.objects.select_related("parent__parent").get(pk=near_id)
    community = near.parent.parent if near.parent else None
    metres = float(placement.nearest_m[0])
    return Outcome(
        status,
        point=(lon, lat),
        nearest=Choice(code=near.code, label=_label(near)),
        nearest_community=community.name if community else "",
        distance_m=round(metres) if math.isfinite(metres) else None,
    )


def building_contact(building: Grid) -> BuildingCard:
    """The public card of one building: its current contacts (亮身份) and the party
    organisations above it. The one page where a phone is shown whole, and only when the
    member opted in (public_phone and public_tel with contact_page); who is public is
    Member.objects.public()'s rule, as for the API and the exports."""
    compound = building.parent
    community = compound.parent if compound else None
    roles = (
        GridRole.objects.current()
        .filter(grid=building, role__in=CONTACT_ROLES, member__in=Member.objects.public())
        .select_related("member")
    )
    order = {role: i for i, role in enumerate(CONTACT_ROLES)}
    contacts = [
        Contact(
            role=r.get_role_display(),
            name=r.member.name,
            specialty=r.member.specialty,
            pledge=r.member.pledge,
            phone=public_phone(r.member, contact_page=True),
            tel=public_tel(r.member, contact_page=True),
        )
        for r in sorted(roles, key=lambda r: (order[r.role], r.member.name))
    ]
    orgs = dict(
        PartyOrganisation.objects.filter(
            grid__in=[g for g in (community, compound) if g is not None],
            kind__in=[OrgKind.COMMUNITY_COMMITTEE, OrgKind.COMPOUND_BRANCH],
        ).values_list("kind", "name")
    )
    return BuildingCard(
        code=building.code,
        name=building.name,
        compound=compound.name if compound else "",
        compound_code=compound.code if compound else "",
        community=community.name if community else "",
        community_code=community.code if community else "",
        committee=orgs.get(OrgKind.COMMUNITY_COMMITTEE, ""),
        branch=orgs.get(OrgKind.COMPOUND_BRANCH, ""),
        has_leader=any(r.role == RoleKind.BUILDING_LEADER for r in roles),
        contacts=contacts,
        stations=community_stations(community),
    )


def community_stations(community: Grid | None) -> list[Station]:
    """The community's service stations, by name ([] for none: the page then shows none)."""
    if community is None:
        return []
    return [
        Station(
            name=s.name,
            address=s.address,
            hours=s.opening_hours.strip(),
            phone=s.phone,
            tel=re.sub(r"[^0-9+]", "", s.phone),
            point=(round(s.location.x, 7), round(s.location.y, 7)) if s.location else None,
        )
        for s in ServiceStation.objects.filter(community=community).order_by("name", "id")
    ]
