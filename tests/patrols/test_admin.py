"""The admin saves through the services: refusals are form errors, nothing is saved."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from gridgov.accounts.models import AuditEntry
from gridgov.patrols.models import Patrol, PatrolRoute
from tests.factories import MemberFactory
from tests.patrols.helpers import ROUTE, WALK, gpx_track, line


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "x-Pass-2026!")
    client.force_login(user)
    return client


def route_form(grid, wkt_line, name="东湖巡逻线"):
    return {
        "grid": grid.pk,
        "name": name,
        "route": line(wkt_line).geojson,
        "schedule": "weekly",
        "active": "on",
    }


def test_route_admin_refuses_a_route_leaving_its_grid(admin_client, tree):
    with translation.override("en"):
        response = admin_client.post(
            "/en/admin/patrols/patrolroute/add/",
            route_form(tree.k1, "113.103 23.005, 113.103 23.010"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "leaves grid 100001001 by 111 m" in response.content.decode()
    assert not PatrolRoute.objects.exists()


def test_route_admin_creates_through_the_service(admin_client, tree):
    member = MemberFactory()
    data = route_form(tree.k1, ROUTE) | {"team": [member.pk]}
    response = admin_client.post("/en/admin/patrols/patrolroute/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    route = PatrolRoute.objects.get()
    assert list(route.team.all()) == [member]
    assert AuditEntry.objects.filter(action="patrolroute.create").count() == 1


def _patrol_form(route, upload, **extra):
    return {
        "route": route.pk,
        "walked_on": timezone.localdate().isoformat(),
        "members": [MemberFactory().pk],
        "notes": "",
        "gpx": upload,
        "findings-TOTAL_FORMS": "0",
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
    } | extra


@pytest.fixture
def route(tree):
    from gridgov.patrols.services import route_create

    return route_create(acting_user=None, grid=tree.k1, name="东湖巡逻线", line=line(ROUTE))


def test_patrol_admin_refuses_bad_gpx(admin_client, route):
    upload = SimpleUploadedFile("walk.gpx", b"<html>no</html>", "application/gpx+xml")
    with translation.override("en"):
        response = admin_client.post(
            "/en/admin/patrols/patrol/add/", _patrol_form(route, upload), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    assert "The file is not a GPX file" in response.content.decode()
    assert not Patrol.objects.exists()


def test_patrol_admin_records_gpx_and_findings(admin_client, route):
    upload = SimpleUploadedFile("walk.gpx", gpx_track(WALK), "application/gpx+xml")
    finding = {
        "findings-TOTAL_FORMS": "1",
        "findings-0-kind": "hazard",
        "findings-0-note": "井盖",
        "findings-0-point": '{"type": "Point", "coordinates": [113.102, 23.0016]}',
    }
    response = admin_client.post(
        "/en/admin/patrols/patrol/add/", _patrol_form(route, upload, **finding)
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    patrol = Patrol.objects.get()
    assert patrol.track_length_m > 300
    assert patrol.created_by.username == "root"
    assert patrol.findings.get().note == "井盖"
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "patrol.record",
        "finding.add",
    }
    assert patrol.walked_on <= timezone.localdate() + dt.timedelta(days=0)


def test_patrol_admin_refuses_a_far_finding(admin_client, route):
    finding = {
        "findings-TOTAL_FORMS": "1",
        "findings-0-kind": "hazard",
        "findings-0-note": "",
        "findings-0-point": '{"type": "Point", "coordinates": [113.118, 23.002]}',
    }
    with translation.override("en"):
        response = admin_client.post(
            "/en/admin/patrols/patrol/add/",
            _patrol_form(route, "", **finding),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 200
    assert "findings must lie within 500 m" in response.content.decode()
    assert not Patrol.objects.exists()


@pytest.mark.parametrize("page", ["/admin/patrols/patrol/add/", "/admin/patrols/patrolroute/add/"])
def test_admin_maps_are_served_locally(admin_client, page):
    html = admin_client.get(page).content.decode()
    assert "leaflet" in html.lower()
    assert "cdn." not in html
    assert "https://" not in html.split("<body")[0]
