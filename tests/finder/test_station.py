"""The community's service station (党群服务站) on the finder: shown with its hours and phone
when the community has one, nothing at all when it has none; checked where it is saved."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError

from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import ServiceStation
from gridgov.people.contacts import building_by_code

pytestmark = pytest.mark.django_db

HOURS = "周一至周五 8:30-12:00，14:30-17:30\n周六 9:00-12:00"


@pytest.fixture
def station(tree):
    s = ServiceStation(
        community=tree.c1,
        name="东湖社区党群服务站",
        address="东湖路8号",
        location=Point(113.1045, 23.0095, srid=4326),
        opening_hours=HOURS,
        phone="0757-8228 1234",
    )
    s.full_clean()
    s.save()
    return s


def test_finder_shows_the_station_and_its_hours(client, tree, people, station):
    page = client.get("/find/", {"q": "东湖花园1栋"}).content.decode()
    assert "东湖社区党群服务站" in page
    assert "东湖路8号" in page
    assert "周一至周五 8:30-12:00，14:30-17:30<br>周六 9:00-12:00" in page
    assert 'href="tel:0757-82281234"' not in page  # the tel: link is digits only
    assert 'href="tel:075782281234"' in page
    assert "0757-8228 1234" in page
    assert "finder-station-dot" in page  # its dot on the map
    english = client.get("/en/find/", {"q": "东湖花园1栋"}).content.decode()
    assert "Opening hours" in english


def test_a_community_without_a_station_shows_none(client, tree, people, station):
    page = client.get("/en/find/", {"building": people.xiyuan2_b1.code}).content.decode()
    assert "东湖社区党群服务站" not in page  # C1's station is not C2's
    assert "Opening hours" not in page
    assert "finder-station" not in page.replace("css/station.css", "")
    assert "not recorded" not in page
    card = building_by_code(people.xiyuan2_b1.code).card
    assert card.stations == []


def test_station_cards_carry_only_public_fields(tree, people, station):
    [shown] = building_by_code(tree.b1.code).card.stations
    assert (shown.name, shown.hours, shown.tel) == ("东湖社区党群服务站", HOURS, "075782281234")
    assert shown.point == (113.1045, 23.0095)


def test_station_point_must_lie_in_its_community(tree):
    s = ServiceStation(community=tree.c1, name="错站", location=Point(113.115, 23.005, srid=4326))
    with pytest.raises(ValidationError) as caught:
        s.full_clean()
    assert "lies outside the community 东湖社区" in str(caught.value)
    s = ServiceStation(community=tree.k1, name="错级")
    with pytest.raises(ValidationError) as caught:
        s.full_clean()
    assert "belongs to a community grid" in str(caught.value)


def test_admin_adds_a_station_audited(client, tree):
    admin = get_user_model().objects.create_superuser("root", password="x-Pass-2026!")
    client.force_login(admin)
    response = client.post(
        "/en/admin/grids/servicestation/add/",
        {
            "community": tree.c2.pk,
            "name": "南山党群服务站",
            "address": "南山路1号",
            "location": "",
            "opening_hours": "每天 9:00-18:00",
            "phone": "12345",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    station = ServiceStation.objects.get()
    assert station.community == tree.c2
    assert AuditEntry.objects.filter(action="admin.add", object_id=str(station.pk)).exists()
    page = client.get("/en/find/", {"building": "100002001001"}).content.decode()
    assert "南山党群服务站" in page
    assert "每天 9:00-18:00" in page
