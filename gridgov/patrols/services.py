"""Writers of patrol routes, patrols and findings. Each validates fully before writing anything,
writes in one transaction and leaves an audit row in it. Distances are metres (geodata)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import IO, Any, cast

import shapely
from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, Point
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geodata.tracks import (
    MAX_GPX_BYTES,
    Track,
    TrackError,
    distances_from_line_m,
    length_m,
    line_outside,
    parse_gpx,
    track_stray,
)
from gridgov.accounts.actors import Actor, account_of
from gridgov.accounts.services import audit_record, snapshot
from gridgov.cases.models import Case, CaseCategory, Channel
from gridgov.cases.services import case_create
from gridgov.grids.models import Grid
from gridgov.patrols.models import Finding, Patrol, PatrolRoute

# A route may stray this far (metres) outside its grid: digitising noise along a boundary
# road, not a route through another grid. Above it the route is refused with the distance.
ROUTE_TOLERANCE_M = 5.0
# A GPS track whose points lie farther than this (metres, median) from its route was walked
# somewhere else (or belongs to another route). Phone GPS in streets between tall buildings
# errs by 10-50 m, and a patrol steps off its line to check a building; 200 m allows both.
TRACK_FAR_M = 200.0
# A finding farther than this (metres) from its route is refused: most often swapped
# latitude/longitude or a point picked on the wrong map.
FINDING_FAR_M = 500.0

_UNSET: Any = object()


def _shape(geom: GEOSGeometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _in_range(geom: GEOSGeometry) -> bool:
    xmin, ymin, xmax, ymax = geom.extent
    return -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90


def as_route_line(geom: GEOSGeometry, *, label: str) -> LineString:
    """Coerce to a LineString in SRID 4326 (a one-part MultiLineString is accepted); refuse
    anything else, coordinates out of range, or a line without length."""
    if geom.srid not in (None, 4326):
        geom = geom.transform(4326, clone=True)
    if isinstance(geom, MultiLineString) and len(geom) == 1:
        geom = geom[0]
    if not isinstance(geom, LineString):
        raise ValidationError(
            {
                "route": _("Route %(route)s: a route must be a line, not a %(type)s.")
                % {"route": label, "type": geom.geom_type}
            }
        )
    geom.srid = 4326
    if not _in_range(geom):
        raise ValidationError(
            {
                "route": _(
                    "Route %(route)s: coordinates out of range (longitude -180..180, "
                    "latitude -90..90)."
                )
                % {"route": label}
            }
        )
    if len(set(geom.coords)) < 2:
        raise ValidationError(
            {
                "route": _("Route %(route)s: a route needs at least two distinct points.")
                % {"route": label}
            }
        )
    return geom


def route_check(route: PatrolRoute) -> None:
    """All rules of one route: a line, its one-row rules, and inside its grid (within
    ROUTE_TOLERANCE_M metres). Refusals name the route and give the metres outside."""
    label = route.name or "?"
    route.route = as_route_line(route.route, label=label)
    if route.grid_id is None:
        return  # full_clean reports the missing grid
    outside = line_outside(_shape(route.route), _shape(route.grid.geom))
    if outside.max_distance_m > ROUTE_TOLERANCE_M:
        raise ValidationError(
            {
                "route": _(
                    "Route %(route)s leaves grid %(grid)s by %(distance).0f m "
                    "(%(outside).0f m of its %(total).0f m lie outside)."
                )
                % {
                    "route": label,
                    "grid": route.grid.code,
                    "distance": outside.max_distance_m,
                    "outside": outside.length_m,
                    "total": outside.total_m,
                }
            }
        )


def _route_snapshot(route: PatrolRoute) -> dict[str, Any]:
    data = snapshot(route)
    data["team"] = sorted(route.team.values_list("pk", flat=True))
    return data


@transaction.atomic
def route_create(
    *,
    acting_user: Actor,
    grid: Grid,
    name: str,
    line: GEOSGeometry,
    schedule: str = "weekly",
    team: Iterable = (),
    active: bool = True,
) -> PatrolRoute:
    """A new route through a grid; refused when it leaves the grid."""
    line = as_route_line(line, label=name)
    route = PatrolRoute(grid=grid, name=name, route=line, schedule=schedule, active=active)
    route_check(route)
    route.full_clean(validate_constraints=True)
    route.save()
    route.team.set(list(team))
    audit_record(
        actor=acting_user, action="patrolroute.create", obj=route, after=_route_snapshot(route)
    )
    return route


@transaction.atomic
def route_update(
    *,
    route: PatrolRoute,
    acting_user: Actor,
    grid: Grid = _UNSET,
    name: str = _UNSET,
    line: GEOSGeometry = _UNSET,
    schedule: str = _UNSET,
    team: Iterable = _UNSET,
    active: bool = _UNSET,
) -> PatrolRoute:
    """Change a route; a new line or grid is checked again (inside the grid)."""
    route = PatrolRoute.objects.select_for_update().get(pk=route.pk)
    before = _route_snapshot(route)
    if line is not _UNSET:
        line = as_route_line(line, label=name if name is not _UNSET else route.name)
    for field, value in (
        ("grid", grid),
        ("name", name),
        ("route", line),
        ("schedule", schedule),
        ("active", active),
    ):
        if value is not _UNSET:
            setattr(route, field, value)
    route_check(route)
    route.full_clean(validate_constraints=True)
    route.save()
    if team is not _UNSET:
        route.team.set(list(team))
    audit_record(
        actor=acting_user,
        action="patrolroute.update",
        obj=route,
        before=before,
        after=_route_snapshot(route),
    )
    return route


def track_read(*, route: PatrolRoute, gpx: bytes | str | IO) -> Track:
    """Parse a GPX upload and check it against its route; refusals are ValidationErrors on
    "gpx" with a message a person can act on."""
    try:
        track = parse_gpx(gpx)
    except TrackError as exc:
        message = {
            "too_large": _("The GPX file is too large (%(size)d MB at most).")
            % {"size": MAX_GPX_BYTES // (1024 * 1024)},
            "not_gpx": _("The file is not a GPX file: %(reason)s") % {"reason": exc.detail},
            "empty": _(
                "The GPX file holds no track: no track segment or route with at least two points."
            ),
            "out_of_range": _(
                "The GPX file has coordinates out of range (longitude -180..180, latitude -90..90)."
            ),
        }[exc.kind]
        raise ValidationError({"gpx": message}) from exc
    stray = track_stray(track.lines, _shape(route.route), within_m=TRACK_FAR_M)
    if stray.median_m > TRACK_FAR_M:
        raise ValidationError(
            {
                "gpx": _(
                    "The GPS track is far from route %(route)s: its points lie %(median).0f m "
                    "from the route (median; at most %(max).0f m), more than the %(limit).0f m "
                    "allowed."
                )
                % {
                    "route": route.name,
                    "median": stray.median_m,
                    "max": stray.max_m,
                    "limit": TRACK_FAR_M,
                }
            }
        )
    return track


def _finding_build(
    *, patrol: Patrol | None, route: PatrolRoute, point: GEOSGeometry, kind: str, note: str
) -> Finding:
    """A checked, unsaved finding (patrol may be None while the patrol itself is checked)."""
    if not isinstance(point, Point):
        raise ValidationError({"point": _("A finding's location must be a point.")})
    if point.srid not in (None, 4326):
        point = cast(Point, point.transform(4326, clone=True))  # a clone keeps its class
    point.srid = 4326
    if not _in_range(point):
        raise ValidationError(
            {
                "point": _(
                    "A finding's location is out of range (longitude -180..180, latitude -90..90)."
                )
            }
        )
    distance = float(distances_from_line_m(_shape(point), _shape(route.route))[0])
    if distance > FINDING_FAR_M:
        raise ValidationError(
            {
                "point": _(
                    "The finding at %(lon).6f, %(lat).6f is %(distance).0f m from route "
                    "%(route)s; findings must lie within %(limit).0f m of it."
                )
                % {
                    "lon": point.x,
                    "lat": point.y,
                    "distance": distance,
                    "route": route.name,
                    "limit": FINDING_FAR_M,
                }
            }
        )
    finding = Finding(patrol=patrol, point=point, kind=kind, note=note)
    finding.full_clean(exclude=["patrol"] if patrol is None else None)
    return finding


def finding_check(*, route: PatrolRoute, point: GEOSGeometry, kind: str, note: str = "") -> None:
    """The rules of a finding on a route, without writing (for forms)."""
    _finding_build(patrol=None, route=route, point=point, kind=kind, note=note)


def _findings_checked(
    route: PatrolRoute, findings: Iterable[Mapping[str, Any]]
) -> tuple[list[Finding], list[str]]:
    """The findings of a walk, built and checked (unsaved), and every refusal's message."""
    checked: list[Finding] = []
    messages: list[str] = []
    for item in findings:
        try:
            checked.append(
                _finding_build(
                    patrol=None,
                    route=route,
                    point=item["point"],
                    kind=item["kind"],
                    note=item.get("note", ""),
                )
            )
        except ValidationError as exc:
            messages.extend(exc.messages)
    return checked, messages


@transaction.atomic
def patrol_record(
    *,
    route: PatrolRoute,
    walked_on: dt.date,
    members: Iterable,
    acting_user: Actor,
    gpx: bytes | str | IO | None = None,
    notes: str = "",
    findings: Iterable[Mapping[str, Any]] = (),
    started_at: dt.datetime | None = None,
    ended_at: dt.datetime | None = None,
) -> Patrol:
    """Record a walk of a route by its members, with an optional GPX track and findings
    (each ``{"point": Point, "kind": str, "note": str}``). Everything is checked before
    anything is written; a refusal saves nothing. Without explicit times the track's first
    and last time stamps are used."""
    members = list(members)
    errors: dict[str, list[str]] = {}
    if walked_on > timezone.localdate():
        errors["walked_on"] = [
            _("A patrol cannot be recorded for a future date (%(date)s).")
            % {"date": walked_on.isoformat()}
        ]
    if not members:
        errors["members"] = [_("A patrol needs at least one member.")]
    track = None
    if gpx is not None:
        try:
            track = track_read(route=route, gpx=gpx)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if track is not None:
        started_at = started_at or track.start
        ended_at = ended_at or track.end
    if started_at and ended_at and ended_at < started_at:
        errors["ended_at"] = [_("A patrol cannot end before it starts.")]
    checked, finding_errors = _findings_checked(route, findings)
    if finding_errors:
        errors["findings"] = finding_errors
    if errors:
        raise ValidationError(errors)

    patrol = Patrol(
        route=route,
        walked_on=walked_on,
        started_at=started_at,
        ended_at=ended_at,
        notes=notes,
        created_by=account_of(acting_user),
    )
    if track is not None:
        # GEOSGeometry takes the class its WKB names: the track's MultiLineString
        patrol.track = cast(
            MultiLineString, GEOSGeometry(memoryview(shapely.to_wkb(track.lines)), srid=4326)
        )
        patrol.track_length_m = length_m(track.lines)
    patrol.full_clean(exclude=["members"], validate_constraints=True)
    patrol.save()
    patrol.members.set(members)
    after = snapshot(patrol)
    after["members"] = sorted(m.pk for m in members)
    audit_record(actor=acting_user, action="patrol.record", obj=patrol, after=after)
    for finding in checked:
        finding.patrol = patrol
        finding.save()
        audit_record(actor=acting_user, action="finding.add", obj=finding, after=snapshot(finding))
    return patrol


@transaction.atomic
def finding_add(
    *, patrol: Patrol, point: GEOSGeometry, kind: str, acting_user: Actor, note: str = ""
) -> Finding:
    """Add a finding to a recorded patrol (within FINDING_FAR_M of its route)."""
    finding = _finding_build(patrol=patrol, route=patrol.route, point=point, kind=kind, note=note)
    finding.save()
    audit_record(actor=acting_user, action="finding.add", obj=finding, after=snapshot(finding))
    return finding


@transaction.atomic
def finding_open_case(
    *, finding: Finding, acting_user: Actor, open_case: Callable[[Finding], str]
) -> Finding:
    """Open a resident's request (a case) for a finding, once.

    ``open_case`` creates the case and returns its number (``case_from_finding`` gives one
    that calls the cases' service). It runs inside this transaction: if it fails, nothing is
    kept; if recording the number fails, the case it wrote rolls back with it."""
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    if finding.opened_case_number:
        raise ValidationError(
            _("This finding already opened case %(number)s.")
            % {"number": finding.opened_case_number}
        )
    before = snapshot(finding)
    number = str(open_case(finding) or "").strip()
    most = cast(int, Finding._meta.get_field("opened_case_number").max_length)  # a CharField's
    if not number or len(number) > most:
        raise ValidationError(
            _("Opening the case returned no usable case number (%(number)r).") % {"number": number}
        )
    finding.opened_case_number = number
    finding.save(update_fields=["opened_case_number"])
    audit_record(
        actor=acting_user,
        action="finding.open_case",
        obj=finding,
        before=before,
        after=snapshot(finding),
    )
    return finding


@transaction.atomic
def case_from_finding(*, finding: Finding, category: CaseCategory, acting_user: Actor) -> Case:
    """A patrol finding opens a resident-style request at its point (channel: patrol), once;
    the finding keeps the case number. The patrol's recorder stands as the requester.
    Patrols sit above cases: they call the cases' service; cases never import patrols."""
    created: list[Case] = []

    def open_case(f: Finding) -> str:
        route = f.patrol.route
        case = case_create(
            acting_user=acting_user,
            category=category,
            channel=Channel.PATROL,
            title=(f.note or f.get_kind_display())[:100],
            description=_("Found on patrol route %(route)s on %(date)s.")
            % {"route": route.name, "date": f.patrol.walked_on},
            requester_name=str(acting_user or route.name)[:50],
            location=f.point,
        )
        created.append(case)
        return case.number

    finding_open_case(finding=finding, acting_user=acting_user, open_case=open_case)
    return created[0]
