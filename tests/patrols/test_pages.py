"""The patrol pages as a grid leader uses them on a phone: routes, recording a walk with a
GPX file (bad files refused, nothing saved), findings placed on the map, a case opened for a
finding; and scoping: another grid's leader gets 404 everywhere."""

import datetime as dt
import re

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from geodata import crs as crsmod
from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.cases.models import Case
from gridgov.patrols.models import Finding, Patrol
from gridgov.patrols.services import finding_add, patrol_record, route_create
from tests.patrols.helpers import EN, WALK, gpx_track, line, page, upload

pytestmark = pytest.mark.django_db


# --- routes -------------------------------------------------------------------------------


def test_pages_need_a_login(client, k1):
    for url in (EN, f"{EN}routes/{k1.route.pk}/", f"{EN}routes/{k1.route.pk}/record/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login/" in response["Location"]


def test_my_routes_overdue_first_with_days_since(client, k1, tree):
    route_create(
        acting_user=None,
        grid=tree.k3,
        name="南山巡逻线",
        line=line("113.112 23.0015, 113.118 23.0015"),
    )
    client.force_login(k1.leader)
    html = page(client.get(EN))
    assert "南山巡逻线" not in html  # another grid's route
    assert "2 routes are overdue." in html
    # never walked first, then the longest unwalked
    assert html.index("东湖夜巡线") < html.index("东湖巡逻线")
    assert "never walked" in html
    assert "last walked 10 days ago" in html
    assert html.count('class="badge overdue"') == 2


def test_a_route_walked_in_time_is_on_schedule(client, k1):
    patrol_record(
        route=k1.route,
        walked_on=timezone.localdate() - dt.timedelta(days=7),
        members=[k1.wang],
        acting_user=None,
    )
    client.force_login(k1.leader)
    html = page(client.get(EN))
    assert "1 route is overdue." in html
    assert "on schedule" in html


def test_route_page_shows_recent_patrols_and_the_map(client, k1):
    client.force_login(k1.leader)
    html = page(client.get(f"{EN}routes/{k1.route.pk}/"))
    assert "东湖巡逻线" in html
    assert "王芳" in html
    assert "10 days ago" in html
    assert 'id="record-link"' in html
    data = re.search(
        r'<script id="patrol-map-data" type="application/json">(.*?)</script>', html, re.S
    ).group(1)
    assert '"LineString"' in data
    # everything the page loads comes from this server
    assert not re.search(r"""(src|href)=["']https?://""", html)
    for asset in re.findall(r"""(?:src|href)=["'](/static/[^"']+)["']""", html):
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert b"".join(served.streaming_content), asset  # a file, not an empty answer


def test_another_grids_leader_gets_404_everywhere(client, k1, other_leader, case_categories):
    patrol = k1.route.patrols.get()
    finding = finding_add(
        patrol=patrol, point=Point(113.102, 23.0017, srid=4326), kind="hazard", acting_user=None
    )
    client.force_login(other_leader)
    assert "东湖巡逻线" not in page(client.get(EN))
    for url in (
        f"{EN}routes/{k1.route.pk}/",
        f"{EN}routes/{k1.route.pk}/record/",
        f"{EN}{patrol.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    walk = {"walked_on": timezone.localdate().isoformat(), "members": [k1.wang.pk]}
    assert client.post(f"{EN}routes/{k1.route.pk}/record/", walk).status_code == 404
    assert (
        client.post(
            f"{EN}{patrol.pk}/findings/", {"kind": "hazard", "lon": 113.102, "lat": 23.0017}
        ).status_code
        == 404
    )
    assert (
        client.post(
            f"{EN}findings/{finding.pk}/case/", {"category": case_categories["repair"].pk}
        ).status_code
        == 404
    )
    assert Patrol.objects.count() == 1
    assert Finding.objects.count() == 1
    assert not Case.objects.exists()


def test_a_member_account_without_a_patrol_role_sees_no_routes(client, k1, make_user, tree):
    member = make_user("member1", StaffRole.MEMBER, tree.k1)
    client.force_login(member)
    assert "no grid role that records patrols" in page(client.get(EN))
    assert client.get(f"{EN}routes/{k1.route.pk}/").status_code == 404


# --- recording a patrol -------------------------------------------------------------------


def test_record_form_lists_the_team_and_members_in_scope(client, k1):
    client.force_login(k1.leader)
    html = page(client.get(f"{EN}routes/{k1.route.pk}/record/"))
    assert "王芳" in html
    assert "李强" in html
    assert "赵敏" not in html
    # the team first and unfolded; members living in K1 next, folded
    team = re.search(
        r'<details class="member-group" id="members-team" open>(.*?)</details>', html, re.S
    ).group(1)
    local = re.search(
        r'<details class="member-group" id="members-local">(.*?)</details>', html, re.S
    ).group(1)
    assert "王芳" in team
    assert "李强" in local
    assert html.index(team) < html.index(local)
    assert 'enctype="multipart/form-data"' in html


def test_record_a_patrol_with_a_gpx_track(client, k1):
    client.force_login(k1.leader)
    today = timezone.localdate()
    response = client.post(
        f"{EN}routes/{k1.route.pk}/record/",
        {
            "walked_on": today.isoformat(),
            "members": [k1.wang.pk, k1.li.pk],
            "gpx": upload(gpx_track(WALK)),
            "notes": "路灯正常",
        },
        follow=True,
    )
    html = page(response)
    patrol = Patrol.objects.get(walked_on=today)
    assert set(patrol.members.all()) == {k1.wang, k1.li}
    assert patrol.created_by == k1.leader
    assert patrol.track is not None
    assert 1000 < patrol.track_length_m < 1200
    assert response.redirect_chain[-1][0] == f"{EN}{patrol.pk}/"
    assert "Patrol recorded." in html
    assert "路灯正常" in html
    assert '"MultiLineString"' in html  # the track is on the map
    assert AuditEntry.objects.filter(action="patrol.record", object_id=str(patrol.pk)).exists()
    # the route is no longer overdue
    assert "1 route is overdue." in page(client.get(EN))


def test_record_without_a_track(client, k1):
    client.force_login(k1.leader)
    response = client.post(
        f"{EN}routes/{k1.route.pk}/record/",
        {"walked_on": timezone.localdate().isoformat(), "members": [k1.li.pk]},
    )
    patrol = Patrol.objects.latest("created_at")
    assert response.status_code == 302
    assert patrol.track is None
    assert list(patrol.members.all()) == [k1.li]


FAR = [(113.110, 23.006), (113.112, 23.007), (113.113, 23.008)]  # 560-870 m east of it


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a track at all", "The file is not a GPX file"),
        (b"", "The submitted file is empty."),
        (
            b'<?xml version="1.0"?><gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">'
            b'<wpt lat="23.0015" lon="113.1015"/></gpx>',
            "The GPX file holds no track",
        ),
        (gpx_track(FAR), "The GPS track is far from route 东湖巡逻线"),
    ],
    ids=["not-gpx", "empty-file", "no-track", "far-from-route"],
)
def test_a_bad_gpx_file_is_refused_and_nothing_saved(client, k1, content, message):
    client.force_login(k1.leader)
    before = (Patrol.objects.count(), AuditEntry.objects.count())
    response = client.post(
        f"{EN}routes/{k1.route.pk}/record/",
        {
            "walked_on": timezone.localdate().isoformat(),
            "members": [k1.wang.pk],
            "gpx": upload(content),
            "notes": "x",
        },
    )
    html = page(response)
    error = re.search(r'<p class="error" role="alert" id="gpx-error">(.*?)</p>', html, re.S)
    assert error, html[:3000]
    assert message in error.group(1).replace("&#x27;", "'"), html[:3000]
    assert (Patrol.objects.count(), AuditEntry.objects.count()) == before
    # the form keeps what was typed
    assert 'value="' + timezone.localdate().isoformat() + '"' in html
    assert re.search(rf'value="{k1.wang.pk}"[^>]*checked', html)


def test_a_gpx_file_over_the_upload_limit_is_refused(client, k1, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 200
    client.force_login(k1.leader)
    html = page(
        client.post(
            f"{EN}routes/{k1.route.pk}/record/",
            {
                "walked_on": timezone.localdate().isoformat(),
                "members": [k1.wang.pk],
                "gpx": upload(gpx_track(WALK)),
            },
        )
    )
    assert "The GPX file is too large" in html
    assert Patrol.objects.count() == 1


def test_members_outside_the_scope_a_future_date_or_nobody_are_refused(client, k1):
    client.force_login(k1.leader)
    url = f"{EN}routes/{k1.route.pk}/record/"
    today = timezone.localdate()
    html = page(client.post(url, {"walked_on": today.isoformat(), "members": [k1.zhao.pk]}))
    assert "Choose members of your grid or the route&#x27;s team." in html
    html = page(
        client.post(
            url, {"walked_on": (today + dt.timedelta(days=2)).isoformat(), "members": [k1.wang.pk]}
        )
    )
    assert "A patrol cannot be recorded for a future date" in html
    html = page(client.post(url, {"walked_on": today.isoformat()}))
    assert "Tick at least one member who walked the route." in html
    assert Patrol.objects.count() == 1


def test_a_retired_route_has_no_record_button_and_refuses(client, k1):
    from gridgov.patrols.services import route_update

    route_update(route=k1.night, acting_user=None, active=False)
    client.force_login(k1.leader)
    assert 'id="record-link"' not in page(client.get(f"{EN}routes/{k1.night.pk}/"))
    assert "东湖夜巡线" not in page(client.get(EN))
    assert "东湖夜巡线" in page(client.get(EN + "?all=1"))


# --- findings and cases -------------------------------------------------------------------


def test_add_a_finding_at_a_tapped_point(client, k1):
    patrol = k1.route.patrols.get()
    client.force_login(k1.leader)
    response = client.post(
        f"{EN}{patrol.pk}/findings/",
        {
            "kind": "hazard",
            "note": "井盖松动",
            "lon": "113.1020000",
            "lat": "23.0017000",
            "crs": "wgs84",
        },
        follow=True,
    )
    html = page(response)
    finding = Finding.objects.get()
    assert (finding.kind, finding.note) == ("hazard", "井盖松动")
    assert finding.point.coords == pytest.approx((113.102, 23.0017))
    assert "Finding added." in html
    assert "safety hazard" in html


def test_a_phone_location_in_gcj02_is_converted(client, k1):
    patrol = k1.route.patrols.get()
    x, y = crsmod.from_wgs84([113.103], [23.0018], "gcj02")
    client.force_login(k1.leader)
    response = client.post(
        f"{EN}{patrol.pk}/findings/",
        {"kind": "sanitation", "lon": float(x[0]), "lat": float(y[0]), "crs": "gcj02"},
    )
    assert response.status_code == 302
    point = Finding.objects.get().point
    assert point.x == pytest.approx(113.103, abs=1e-6)
    assert point.y == pytest.approx(23.0018, abs=1e-6)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "hazard", "lon": 113.1045, "lat": 23.0150}, "findings must lie within 500 m"),
        ({"kind": "hazard"}, "Tap the map or use your location to place the finding."),
        ({"kind": "hazard", "lon": 200, "lat": 23.0}, "less than or equal to 180"),
        ({"kind": "nonsense", "lon": 113.102, "lat": 23.0017}, "Select a valid choice"),
    ],
)
def test_a_bad_finding_is_refused_with_a_message(client, k1, data, message):
    patrol = k1.route.patrols.get()
    client.force_login(k1.leader)
    html = page(client.post(f"{EN}{patrol.pk}/findings/", data))
    assert message in html, html[:3000]
    assert not Finding.objects.exists()


def test_open_a_case_for_a_finding_once(client, k1, case_categories):
    patrol = k1.route.patrols.get()
    finding = finding_add(
        patrol=patrol,
        point=Point(113.102, 23.0017, srid=4326),
        kind="hazard",
        note="井盖松动",
        acting_user=None,
    )
    client.force_login(k1.leader)
    html = page(client.get(f"{EN}{patrol.pk}/"))
    assert f'action="/en/patrols/findings/{finding.pk}/case/"' in html
    response = client.post(
        f"{EN}findings/{finding.pk}/case/",
        {"category": case_categories["safety_hazard"].pk},
        follow=True,
    )
    html = page(response)
    case = Case.objects.get()
    finding.refresh_from_db()
    assert finding.opened_case_number == case.number
    assert case.category == case_categories["safety_hazard"]
    assert case.channel == "patrol"
    assert case.building.code == "100001001001"
    assert f"Case {case.number} opened for the finding." in html
    assert f'href="/en/cases/{case.number}/"' in html
    assert f'action="/en/patrols/findings/{finding.pk}/case/"' not in html
    # a second try (a stale page) is refused and opens nothing
    html = page(
        client.post(
            f"{EN}findings/{finding.pk}/case/",
            {"category": case_categories["repair"].pk},
            follow=True,
        )
    )
    assert f"This finding already opened case {case.number}." in html
    assert Case.objects.count() == 1


def test_open_case_needs_a_category(client, k1, case_categories):
    patrol = k1.route.patrols.get()
    finding = finding_add(
        patrol=patrol, point=Point(113.102, 23.0017, srid=4326), kind="other", acting_user=None
    )
    client.force_login(k1.leader)
    html = page(
        client.post(f"{EN}findings/{finding.pk}/case/", {"category": "999999"}, follow=True)
    )
    assert "Choose the category of the case." in html
    assert not Case.objects.exists()


def test_community_staff_see_their_compounds_routes_and_record(client, k1, tree, make_user):
    secretary = make_user("c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    other = make_user("c2sec", StaffRole.COMMUNITY_SECRETARY, tree.c2)
    client.force_login(secretary)
    assert "东湖巡逻线" in page(client.get(EN))
    response = client.post(
        f"{EN}routes/{k1.route.pk}/record/",
        {"walked_on": timezone.localdate().isoformat(), "members": [k1.li.pk]},
    )
    assert response.status_code == 302
    client.force_login(other)
    assert client.get(f"{EN}routes/{k1.route.pk}/").status_code == 404
