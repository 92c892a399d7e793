"""The pages, in the order things happen: staff publish, a member signs up and checks in,
the organiser confirms hours; a member records self-organised service with a photo and the
community confirms or rejects it. English pages (/en/) so the messages can be read here."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from gridgov.points.models import LedgerEntry
from gridgov.service.models import Activity, SelfService, SignUp
from tests.pages import assert_photo
from tests.service.helpers import JPEG, PLACE, PNG, shift, upload


def form_data(tree, **extra):
    start = timezone.localtime() + dt.timedelta(days=1)
    data = {
        "organiser_grid": tree.k1.pk,
        "title": "楼道清洁日",
        "category": "",
        "description": "一起清理楼道",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "20",
        "address": "东湖花园广场",
        "lon": str(PLACE.x),
        "lat": str(PLACE.y),
        "crs": "wgs84",
    }
    data.update(extra)
    return data


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_pages_need_login(client, db):
    for url in ("/service/activities/", "/service/self/", "/service/activities/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert "login" in response["Location"]


def test_publish_page(client, people, tree, service_categories):
    client.force_login(people.k1_staff)
    page = client.get("/en/service/activities/new/").content.decode()
    assert "东湖花园" in page
    assert "东湖社区" not in page
    response = client.post(
        "/en/service/activities/new/", form_data(tree, category=service_categories["clean_home"].pk)
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/service/activities/{activity.pk}/")
    assert activity.organiser_grid == tree.k1
    assert activity.capacity == 20
    assert activity.ends_at - activity.starts_at == dt.timedelta(hours=3)


def test_publish_outside_the_grid_shows_the_reason(client, people, tree, service_categories):
    client.force_login(people.k1_staff)
    response = client.post(
        "/en/service/activities/new/",
        form_data(tree, category=service_categories["clean_home"].pk, lon="113.113", lat="23.003"),
    )
    assert response.status_code == 200
    assert "lies outside 东湖花园 (100001001), the organising grid" in response.content.decode()
    assert not Activity.objects.exists()


def test_gcj02_coordinates_are_converted_on_publish(client, people, tree, service_categories):
    from geodata.crs import from_wgs84

    lon, lat = from_wgs84([PLACE.x], [PLACE.y], "gcj02")
    client.force_login(people.k1_staff)
    client.post(
        "/en/service/activities/new/",
        form_data(
            tree,
            category=service_categories["clean_home"].pk,
            lon=f"{lon[0]:.7f}",
            lat=f"{lat[0]:.7f}",
            crs="gcj02",
        ),
    )
    activity = Activity.objects.get()
    assert abs(activity.location.x - PLACE.x) < 1e-6
    assert abs(activity.location.y - PLACE.y) < 1e-6


def test_members_and_stray_users_cannot_publish(client, people):
    client.force_login(people.wang.user)
    assert client.get("/service/activities/new/").status_code == 403
    page = client.get("/en/service/activities/").content.decode()
    assert "Publish an activity" not in page


def test_sign_up_check_in_and_hours_through_the_pages(client, people, publish):
    activity = publish(capacity=2)
    url = f"/en/service/activities/{activity.pk}/"

    client.force_login(people.wang.user)
    listing = client.get("/en/service/activities/").content.decode()
    assert "清理楼道杂物" in listing
    assert "2 of 2 places left" in listing
    page = client.get(url).content.decode()
    assert activity.checkin_code not in page  # the code is the organisers' only
    response = client.post(url + "signup/", follow=True)
    assert "You have signed up." in messages_of(response)
    assert "1 of 2 taken" in response.content.decode()
    assert "My sign-ups" in client.get("/en/service/activities/").content.decode()

    # before the window: no check-in buttons, the time it opens
    page = client.get(url).content.decode()
    assert "Check-in opens at" in page
    assert "checkin-site" not in page

    shift(activity, started=dt.timedelta(minutes=5))
    page = client.get(url).content.decode()
    assert f'action="/en/service/activities/{activity.pk}/checkin-site/"' in page
    far = client.post(url + "checkin-site/", {"lon": "113.112", "lat": "23.006"}, follow=True)
    assert any(
        re.match(r"You are [\d,]+ m from the place of “清理楼道杂物”", m) for m in messages_of(far)
    )
    wrong = client.post(url + "checkin-code/", {"code": "not-it"}, follow=True)
    assert "That is not the check-in code of “清理楼道杂物” (4 tries left)." in messages_of(wrong)
    ok = client.post(url + "checkin-code/", {"code": activity.checkin_code}, follow=True)
    assert "You are checked in." in messages_of(ok)
    assert 'id="checked-in"' in ok.content.decode()

    # the organiser's page: code, sign-ups with their check-in, hours
    signup = SignUp.objects.get(activity=activity, member=people.wang)
    client.force_login(people.k1_staff)
    detail = client.get(url).content.decode()
    assert activity.checkin_code in detail
    manage = client.get(url + "manage/").content.decode()
    assert "王芳" in manage
    assert "organiser&#x27;s code" in manage
    assert f'action="/en/service/signups/{signup.pk}/hours/"' in manage
    hours_url = f"/en/service/signups/{signup.pk}/hours/"
    done = client.post(hours_url, {"hours": "2"}, follow=True)
    assert "Hours recorded." in messages_of(done)
    again = client.post(hours_url, {"hours": "2"}, follow=True)
    assert any("were already recorded" in m for m in messages_of(again))
    assert LedgerEntry.objects.filter(source=f"service.signup:{signup.pk}").count() == 1

    # other staff cannot run it
    client.force_login(people.c2_staff)
    assert client.get(url + "manage/").status_code == 403
    assert client.post(hours_url, {"hours": "1"}).status_code == 403


def test_on_site_check_in_through_the_page(client, people, publish):
    activity = publish()
    client.force_login(people.wang.user)
    url = f"/en/service/activities/{activity.pk}/"
    client.post(url + "signup/")
    shift(activity, started=dt.timedelta(minutes=-30))
    response = client.post(
        url + "checkin-site/", {"lon": str(PLACE.x), "lat": str(PLACE.y + 0.0005)}, follow=True
    )
    assert "You are checked in." in messages_of(response)
    signup = SignUp.objects.get()
    assert signup.checkin_method == "on_site"
    assert 50 < signup.checkin_distance_m < 60


def test_cancel_sign_up_on_the_page_frees_the_place(client, people, publish):
    activity = publish(capacity=1)
    client.force_login(people.wang.user)
    url = f"/en/service/activities/{activity.pk}/"
    client.post(url + "signup/")
    response = client.post(url + "unsignup/", follow=True)
    assert "Your sign-up is cancelled; the place is free again." in messages_of(response)
    assert Activity.objects.get(pk=activity.pk).places_taken == 0


def test_user_without_member_record(client, people, publish):
    activity = publish()
    client.force_login(people.nobody)
    url = f"/en/service/activities/{activity.pk}/"
    assert "Sign-up is for party members" in client.get(url).content.decode()
    response = client.post(url + "signup/", follow=True)
    assert any("not linked to a party member" in m for m in messages_of(response))
    assert not SignUp.objects.exists()


def test_list_filters(client, people, publish, tree):
    publish(title="东湖清洁")
    publish(
        title="南山义诊",
        grid=tree.c2,
        by=people.c2_staff,
        location=tree.b4.geom.centroid,
        category="culture_sports",
    )
    client.force_login(people.zhao.user)  # lives in C2
    mine = client.get("/en/service/activities/?mine=1").content.decode()
    assert "南山义诊" in mine
    assert "东湖清洁" not in mine
    everything = client.get("/en/service/activities/").content.decode()
    assert "南山义诊" in everything
    assert "东湖清洁" in everything
    by_category = client.get("/en/service/activities/?category=clean_home").content.decode()
    assert "东湖清洁" in by_category
    assert "南山义诊" not in by_category
    client.force_login(people.k1_staff)  # staff: their scope
    mine = client.get("/en/service/activities/?mine=1").content.decode()
    assert "东湖清洁" in mine
    assert "南山义诊" not in mine


def test_list_upcoming_soonest_first_and_past(client, people, publish):
    later = publish(title="后面的活动", starts_in=dt.timedelta(days=3))
    publish(title="前面的活动", starts_in=dt.timedelta(days=1))
    done = shift(publish(title="结束的活动"), started=dt.timedelta(days=2))
    client.force_login(people.wang.user)
    page = client.get("/en/service/activities/").content.decode()
    assert page.index("前面的活动") < page.index("后面的活动")
    assert "结束的活动" not in page
    past = client.get("/en/service/activities/?when=past").content.decode()
    assert "结束的活动" in past
    assert "后面的活动" not in past
    assert later.pk
    assert done.pk


def test_chinese_page_and_phone_layout(client, people, publish):
    publish()
    client.force_login(people.wang.user)
    page = client.get("/service/activities/").content.decode()
    assert 'name="viewport"' in page
    assert "css/service.css" in page
    assert "svc-cards" in page


# --- self-organised service ---------------------------------------------------------------


def self_data(service_categories, photo, **extra):
    data = {
        "description": "帮邻居修水管",
        "served_on": timezone.localdate().isoformat(),
        "hours": "1.5",
        "category": service_categories["neighbourly"].pk,
        "photo": photo,
        "address": "",
        "lon": "",
        "lat": "",
        "crs": "wgs84",
    }
    data.update(extra)
    return data


def test_self_service_submit_confirm_and_photo_access(client, people, service_categories, media):
    client.force_login(people.wang.user)
    response = client.post(
        "/en/service/self/new/", self_data(service_categories, upload(PNG, "水管.png"))
    )
    record = SelfService.objects.get()
    assert response.status_code == 302
    assert record.member == people.wang
    photo_url = f"/en/service/self/{record.pk}/photo/"
    own = client.get(photo_url)
    assert own.status_code == 200
    assert own["Content-Type"] == "image/png"
    served = b"".join(own.streaming_content)  # re-encoded (tests/service/test_photos.py)
    assert served.startswith(b"\x89PNG")
    assert served != PNG
    assert own["Cache-Control"] == "private, no-store"
    mine = client.get("/en/service/self/").content.decode()
    assert "awaiting confirmation" in mine

    for outsider in (people.li.user, people.c2_staff, people.nobody):
        client.force_login(outsider)
        assert client.get(photo_url).status_code == 404
        assert client.get(f"/en/service/self/{record.pk}/").status_code == 404
    client.logout()
    assert client.get(photo_url).status_code == 302  # to the login page

    client.force_login(people.c1_staff)
    queue = client.get("/en/service/self/").content.decode()
    assert "Awaiting confirmation" in queue
    assert "王芳" in queue
    assert_photo(client.get(photo_url))
    detail = client.get(f"/en/service/self/{record.pk}/").content.decode()
    assert "Confirm 1.50 hours" in detail
    response = client.post(f"/en/service/self/{record.pk}/confirm/", follow=True)
    assert "Confirmed: the hours count." in messages_of(response)
    assert LedgerEntry.objects.filter(source=f"service.selfservice:{record.pk}").count() == 1


def test_self_service_rejected_on_the_page(client, people, service_categories):
    client.force_login(people.wang.user)
    client.post(
        "/en/service/self/new/", self_data(service_categories, upload(JPEG, "a.jpg", "image/jpeg"))
    )
    record = SelfService.objects.get()
    client.force_login(people.c1_staff)
    empty = client.post(f"/en/service/self/{record.pk}/reject/", {"reason": ""}, follow=True)
    assert "Say why the service of 王芳 is rejected." in messages_of(empty)
    client.post(f"/en/service/self/{record.pk}/reject/", {"reason": "不是志愿服务"})
    client.force_login(people.wang.user)
    page = client.get(f"/en/service/self/{record.pk}/").content.decode()
    assert "rejected" in page
    assert "不是志愿服务" in page
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"GIF89a" + b"\x00" * 20, "a.gif", "Photo: a.gif is not a photo in JPEG, PNG, WebP"),
        (b"%PDF-1.7", "a.png", "Photo: a.png is not a photo in JPEG, PNG, WebP"),
    ],
)
def test_bad_upload_on_the_page(client, people, service_categories, media, data, name, message):
    client.force_login(people.wang.user)
    response = client.post(
        "/en/service/self/new/", self_data(service_categories, upload(data, name))
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SelfService.objects.exists()
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_self_service_needs_a_member(client, people):
    client.force_login(people.nobody)
    assert client.get("/service/self/new/").status_code == 403


def test_superuser_and_street_admin_see_every_photo(
    client, people, service_categories, make_user, django_user_model
):
    from gridgov.service import services

    record = services.selfservice_submit(
        member=people.zhao,
        acting_user=None,
        description="清扫",
        hours="1",
        served_on=timezone.localdate(),
        category=service_categories["clean_home"],
        photo=upload(),
    )
    street = make_user("street", "street_admin", scope="1000")
    root = django_user_model.objects.create_superuser("root", password="x-Pass-2026!")
    for user in (street, root):
        client.force_login(user)
        assert_photo(client.get(f"/service/self/{record.pk}/photo/"))
