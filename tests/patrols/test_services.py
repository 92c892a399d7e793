"""Routes, patrols with real GPX, findings and the case hook, through the services."""

import datetime as dt
import math

import pytest
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from gridgov.accounts.models import AuditEntry
from gridgov.patrols.models import Finding, Patrol, PatrolRoute
from gridgov.patrols.services import (
    finding_add,
    finding_open_case,
    patrol_record,
    route_create,
    route_update,
)
from tests.factories import MemberFactory
from tests.patrols.helpers import ROUTE, WALK, gpx_track, line

R_EARTH = 6371008.8


def haversine_m(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_EARTH * math.asin(math.sqrt(h))


def metres_per_degree_lat(lat: float) -> float:
    phi = math.radians(lat)
    return 111132.92 - 559.82 * math.cos(2 * phi) + 1.175 * math.cos(4 * phi)


@pytest.fixture
def route(tree):
    return route_create(
        acting_user=None,
        grid=tree.k1,
        name="东湖巡逻线",
        line=line(ROUTE),
        schedule="weekly",
        team=[MemberFactory()],
    )


def counts():
    return Patrol.objects.count(), Finding.objects.count(), AuditEntry.objects.count()


def test_route_inside_its_grid_is_accepted_and_audited(route):
    assert route.interval_days == 7
    assert route.team.count() == 1
    assert AuditEntry.objects.filter(action="patrolroute.create", object_id=str(route.pk)).exists()


def test_route_leaving_its_grid_is_refused_with_the_metres_outside(tree):
    # North to 23.010: 0.001° of latitude beyond K1's edge at 23.009, about 110.8 m.
    with translation.override("en"), pytest.raises(ValidationError) as err:
        route_create(
            acting_user=None,
            grid=tree.k1,
            name="东湖巡逻线",
            line=line("113.103 23.005, 113.103 23.010"),
        )
    message = err.value.message_dict["route"][0]
    expected = 0.001 * metres_per_degree_lat(23.0095)
    assert message.startswith("Route 东湖巡逻线 leaves grid 100001001 by ")
    distance = float(message.split(" by ")[1].split(" m")[0])
    assert distance == pytest.approx(expected, abs=1)
    assert f"({expected:.0f} m of its" in message
    assert not PatrolRoute.objects.exists()


def test_route_along_the_boundary_within_tolerance_is_accepted(tree):
    # 0.00003° (≈ 3 m) outside the east edge: digitising noise, under the 5 m tolerance.
    r = route_create(
        acting_user=None,
        grid=tree.k1,
        name="边界线",
        line=line("113.10503 23.002, 113.10503 23.008"),
    )
    assert r.pk


def test_route_update_is_checked_again(route, tree):
    with translation.override("en"), pytest.raises(ValidationError, match="leaves grid"):
        route_update(route=route, acting_user=None, grid=tree.b1)
    route_update(route=route, acting_user=None, schedule="daily", team=[])
    route.refresh_from_db()
    assert route.schedule == "daily"
    assert route.grid == tree.k1
    assert route.team.count() == 0


def test_not_a_line_is_refused(tree):
    with translation.override("en"), pytest.raises(ValidationError, match="must be a line"):
        route_create(
            acting_user=None, grid=tree.k1, name="x", line=Point(113.102, 23.002, srid=4326)
        )


def test_valid_gpx_is_stored_with_its_length_in_metres(route):
    members = [MemberFactory(), MemberFactory()]
    walked_on = timezone.localdate() - dt.timedelta(days=1)
    patrol = patrol_record(
        route=route,
        walked_on=walked_on,
        members=members,
        acting_user=None,
        gpx=gpx_track(WALK),
        notes="雨天",
    )
    patrol.refresh_from_db()
    expected = sum(haversine_m(a, b) for a, b in zip(WALK, WALK[1:], strict=False))
    assert patrol.track_length_m == pytest.approx(expected, rel=0.01)
    assert patrol.track.geom_type == "MultiLineString"
    assert patrol.track.srid == 4326
    assert len(patrol.track[0]) == len(WALK)
    assert patrol.started_at.isoformat() == "2026-03-02T01:00:00+00:00"
    assert patrol.ended_at == patrol.started_at + dt.timedelta(minutes=20)
    assert set(patrol.members.all()) == set(members)
    assert AuditEntry.objects.filter(action="patrol.record", object_id=str(patrol.pk)).exists()


def test_gpx_as_a_file_object(route, tmp_path):
    path = tmp_path / "walk.gpx"
    path.write_bytes(gpx_track(WALK))
    with path.open("rb") as fh:
        patrol = patrol_record(
            route=route,
            walked_on=timezone.localdate(),
            members=[MemberFactory()],
            acting_user=None,
            gpx=fh,
        )
    assert patrol.track_length_m > 0


def test_patrol_without_gpx(route):
    patrol = patrol_record(
        route=route, walked_on=timezone.localdate(), members=[MemberFactory()], acting_user=None
    )
    assert patrol.track is None
    assert patrol.track_length_m is None


@pytest.mark.parametrize(
    ("gpx", "expected"),
    [
        (b"PK\x03\x04 this is a zip, not a gpx", "The file is not a GPX file"),
        (b"<html><body>not gpx</body></html>", "The file is not a GPX file"),
        (
            b'<?xml version="1.0"?><gpx version="1.1" creator="t"></gpx>',
            "The GPX file holds no track",
        ),
        (
            b'<?xml version="1.0"?><gpx version="1.1" creator="t"><trk><trkseg>'
            b'<trkpt lat="23.002" lon="113.102"/></trkseg></trk></gpx>',
            "The GPX file holds no track",
        ),
        # Walked in compound K3 of the other community, about 1 km east.
        (
            gpx_track([(113.112, 23.002), (113.118, 23.002), (113.118, 23.008)]),
            "The GPS track is far from route 东湖巡逻线",
        ),
    ],
)
def test_bad_gpx_is_refused_and_nothing_saved(route, gpx, expected):
    before = counts()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        patrol_record(
            route=route,
            walked_on=timezone.localdate(),
            members=[MemberFactory()],
            acting_user=None,
            gpx=gpx,
            findings=[{"point": Point(113.102, 23.0016, srid=4326), "kind": "hazard"}],
        )
    assert err.value.message_dict["gpx"][0].startswith(expected)
    # The factory's member is audited; nothing of the patrol is.
    assert counts()[:2] == before[:2]
    assert not AuditEntry.objects.filter(action__in=["patrol.record", "finding.add"]).exists()


def test_far_track_message_gives_metres(route):
    # West of the northern leg: ≈ 307 m and ≈ 205 m from it, median ≈ 256 m.
    far = gpx_track([(113.1015, 23.0080), (113.1025, 23.0080)])
    with translation.override("en"), pytest.raises(ValidationError) as err:
        patrol_record(
            route=route,
            walked_on=timezone.localdate(),
            members=[MemberFactory()],
            acting_user=None,
            gpx=far,
        )
    message = err.value.message_dict["gpx"][0]
    assert message.startswith("The GPS track is far from route 东湖巡逻线: its points lie ")
    median = float(message.split(" lie ")[1].split(" m")[0])
    expected = (
        haversine_m((113.1015, 23.008), (113.1045, 23.008))
        + haversine_m((113.1025, 23.008), (113.1045, 23.008))
    ) / 2
    assert median == pytest.approx(expected, abs=2)
    assert "more than the 200 m allowed" in message


def test_future_date_and_no_members_are_refused(route):
    before = counts()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        patrol_record(
            route=route,
            walked_on=timezone.localdate() + dt.timedelta(days=1),
            members=[],
            acting_user=None,
            gpx=gpx_track(WALK),
        )
    errors = err.value.message_dict
    assert errors["walked_on"][0].startswith("A patrol cannot be recorded for a future date")
    assert errors["members"] == ["A patrol needs at least one member."]
    assert counts() == before


def test_findings_are_added_with_the_patrol_and_later(route, tree):
    patrol = patrol_record(
        route=route,
        walked_on=timezone.localdate(),
        members=[MemberFactory()],
        acting_user=None,
        findings=[
            {
                "point": Point(113.1020, 23.0016, srid=4326),
                "kind": "illegal_parking",
                "note": "消防通道停车",
            }
        ],
    )
    finding = finding_add(
        patrol=patrol,
        point=Point(113.1044, 23.0060, srid=4326),
        kind="sanitation",
        note="垃圾堆放",
        acting_user=None,
    )
    assert list(patrol.findings.values_list("kind", flat=True)) == ["illegal_parking", "sanitation"]
    assert finding.point.srid == 4326
    assert AuditEntry.objects.filter(action="finding.add").count() == 2


def test_finding_far_from_the_route_or_of_unknown_kind_is_refused(route):
    patrol = patrol_record(
        route=route, walked_on=timezone.localdate(), members=[MemberFactory()], acting_user=None
    )
    with translation.override("en"), pytest.raises(ValidationError, match="out of range"):
        # Latitude and longitude swapped.
        finding_add(
            patrol=patrol, point=Point(23.002, 113.102, srid=4326), kind="hazard", acting_user=None
        )
    with translation.override("en"), pytest.raises(ValidationError, match="findings must lie"):
        finding_add(
            patrol=patrol, point=Point(113.118, 23.002, srid=4326), kind="hazard", acting_user=None
        )
    with pytest.raises(ValidationError) as err:
        finding_add(
            patrol=patrol, point=Point(113.102, 23.0016, srid=4326), kind="ufo", acting_user=None
        )
    assert "kind" in err.value.message_dict
    assert not patrol.findings.exists()


def test_bad_finding_refuses_the_whole_patrol(route):
    before = counts()
    with translation.override("en"), pytest.raises(ValidationError) as err:
        patrol_record(
            route=route,
            walked_on=timezone.localdate(),
            members=[MemberFactory()],
            acting_user=None,
            gpx=gpx_track(WALK),
            findings=[
                {"point": Point(113.1020, 23.0016, srid=4326), "kind": "hazard"},
                {"point": Point(113.118, 23.002, srid=4326), "kind": "hazard"},
            ],
        )
    assert "findings" in err.value.message_dict
    assert counts()[:2] == before[:2]


def test_finding_opens_a_case_once_through_the_injected_callable(route):
    patrol = patrol_record(
        route=route, walked_on=timezone.localdate(), members=[MemberFactory()], acting_user=None
    )
    finding = finding_add(
        patrol=patrol, point=Point(113.1020, 23.0016, srid=4326), kind="hazard", acting_user=None
    )
    opened = []

    def open_case(f):
        opened.append((f.pk, f.point.coords))
        return "C2026-0001"

    finding = finding_open_case(finding=finding, acting_user=None, open_case=open_case)
    assert finding.opened_case_number == "C2026-0001"
    assert opened == [(finding.pk, (113.102, 23.0016))]
    with translation.override("en"), pytest.raises(ValidationError, match="already opened"):
        finding_open_case(finding=finding, acting_user=None, open_case=open_case)
    assert len(opened) == 1
    assert AuditEntry.objects.filter(action="finding.open_case").count() == 1


def test_failed_case_opening_keeps_nothing(route):
    patrol = patrol_record(
        route=route, walked_on=timezone.localdate(), members=[MemberFactory()], acting_user=None
    )
    finding = finding_add(
        patrol=patrol, point=Point(113.1020, 23.0016, srid=4326), kind="hazard", acting_user=None
    )
    with pytest.raises(ValidationError):
        finding_open_case(finding=finding, acting_user=None, open_case=lambda f: "")
    finding.refresh_from_db()
    assert finding.opened_case_number == ""
