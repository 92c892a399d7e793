"""Evidence photos through the real pages (gridgov.photos under self-organised service): a
phone's JPEG with its GPS position comes out without it and upright; what is not a photo, too
large or too many pixels is refused on the form under the field; only the member and staff in
scope see the photo; an erasure removes it; clean_photos cleans photos stored before."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.privacy.services import member_erase
from gridgov.service.models import SelfService
from tests.pages import assert_photo
from tests.photos.images import bomb_png, exif_of, opened, phone_jpeg, upload


def self_data(service_categories, photo) -> dict:
    return {
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


def stored(media) -> list:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def is_blue(pixel) -> bool:
    return pixel[2] > 200 and pixel[0] < 60 and pixel[1] < 60


@pytest.fixture
def submitted(client, people, service_categories, media):
    """王芳 sent a phone's photo (GPS in its EXIF, stored sideways) through the page."""
    client.force_login(people.wang.user)
    response = client.post(
        "/en/service/self/new/",
        self_data(
            service_categories, upload(phone_jpeg(orientation=6, size=(300, 200)), "IMG_0001.jpg")
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return SelfService.objects.get()


def test_the_photo_comes_out_without_its_location_and_upright(client, people, submitted, media):
    (path,) = stored(media)
    assert path.suffix == ".jpg"
    assert "IMG_0001" not in path.name
    assert exif_of(path.read_bytes()) == {}
    client.force_login(people.wang.user)
    response = client.get(f"/en/service/self/{submitted.pk}/photo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    served = b"".join(response.streaming_content)
    assert served == path.read_bytes()
    assert exif_of(served) == {}  # no GPS, camera, time
    photo = opened(served)
    assert not {"exif", "xmp", "comment"} & set(photo.info)
    assert photo.size == (200, 300)
    assert is_blue(photo.getpixel((190, 10)))
    assert submitted.photo_kind == "jpeg"


def test_who_sees_the_photo(client, people, submitted, make_user, tree):
    url = f"/en/service/self/{submitted.pk}/photo/"
    for insider in (people.wang.user, people.c1_staff, people.k1_staff):
        client.force_login(insider)
        assert_photo(client.get(url))
    # another member, another grid's staff, a user with no role: the site's refusal (the
    # record is not theirs to know of: 404, as for the record's page)
    for outsider in (people.li.user, people.c2_staff, people.nobody):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
        assert client.get(f"/en/service/self/{submitted.pk}/").status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def refused_on_the_form(response, message: str) -> None:
    assert response.status_code == 200
    (field,) = re.findall(
        r'<div class="svc-field[^"]*">\s*<label for="id_photo">.*?</div>',
        response.content.decode(),
        re.DOTALL,
    )
    assert "svc-invalid" in field, field
    assert message in field, field


def test_not_a_photo_is_refused_under_the_field(client, people, service_categories, media):
    client.force_login(people.wang.user)
    response = client.post(
        "/en/service/self/new/",
        self_data(service_categories, upload(b"MZ\x90\x00 not a photo", "photo.jpg")),
    )
    refused_on_the_form(response, "Photo: photo.jpg is not a photo in JPEG, PNG, WebP")
    assert not SelfService.objects.exists()
    assert stored(media) == []


def test_too_large_is_refused_under_the_field(client, people, service_categories, media, settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 2000
    client.force_login(people.wang.user)
    data = phone_jpeg(size=(600, 400))
    assert len(data) > 2000
    response = client.post(
        "/en/service/self/new/", self_data(service_categories, upload(data, "a.jpg"))
    )
    refused_on_the_form(response, "Photo: a.jpg is")
    assert "more than the 2.0\xa0KB allowed." in response.content.decode()
    assert not SelfService.objects.exists()
    assert stored(media) == []


def test_too_many_pixels_is_refused_under_the_field(client, people, service_categories, media):
    client.force_login(people.wang.user)
    response = client.post(
        "/en/service/self/new/",
        self_data(service_categories, upload(bomb_png(8000, 8000), "bomb.png", "image/png")),
    )
    refused_on_the_form(
        response, "Photo: bomb.png is 8000 × 8000 pixels, more than the 50 megapixels allowed."
    )
    assert not SelfService.objects.exists()
    assert stored(media) == []


def test_the_chinese_page_names_the_field(client, people, service_categories, media):
    client.force_login(people.wang.user)
    response = client.post(
        "/service/self/new/", self_data(service_categories, upload(b"not a photo", "a.jpg"))
    )
    refused_on_the_form(response, "照片：a.jpg 不是 JPEG, PNG, WebP 格式的照片")


def test_erasing_the_member_removes_the_photo(
    client, people, submitted, media, django_capture_on_commit_callbacks
):
    (path,) = stored(media)
    with django_capture_on_commit_callbacks(execute=True):
        member_erase(member=people.wang, acting_user=None, reason="本人申请")
    submitted.refresh_from_db()
    assert submitted.photo.name == ""
    assert not path.exists()
    assert SelfService.objects.filter(pk=submitted.pk).exists()  # the work stays on record
    client.force_login(people.c1_staff)
    assert client.get(f"/en/service/self/{submitted.pk}/photo/").status_code == 404
    page = client.get(f"/en/service/self/{submitted.pk}/").content.decode()
    assert "The photo was removed when the member" in page
    assert "svc-photo" not in page


def test_an_erasure_that_fails_keeps_the_photo(people, submitted, media, monkeypatch):
    from gridgov.privacy import services as privacy

    (path,) = stored(media)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(privacy, "_end_roles", broken)
    with pytest.raises(RuntimeError):
        member_erase(member=people.wang, acting_user=None, reason="本人申请")
    submitted.refresh_from_db()
    assert submitted.photo.name
    assert path.exists()


def test_clean_photos_cleans_what_was_stored_before_the_pipeline(submitted, media):
    """Photos stored as uploaded (before gridgov.photos): cleaned in place, same name and
    format; a second run finds nothing to do; missing and unreadable files are reported."""
    old = media / "service/self/2025/01/0123456789abcdef0123456789abcdef.jpg"
    old.parent.mkdir(parents=True)
    old.write_bytes(phone_jpeg(orientation=6, size=(300, 200)))
    SelfService.objects.filter(pk=submitted.pk).update(photo=str(old.relative_to(media)))
    out, err = StringIO(), StringIO()
    call_command("clean_photos", stdout=out, stderr=err)
    assert out.getvalue().strip() == "1 cleaned, 0 already clean, 0 missing, 0 unreadable"
    assert exif_of(old.read_bytes()) == {}
    assert opened(old.read_bytes()).size == (200, 300)
    assert list(old.parent.iterdir()) == [old]  # no temporary file left
    out = StringIO()
    call_command("clean_photos", stdout=out)
    assert out.getvalue().strip() == "0 cleaned, 1 already clean, 0 missing, 0 unreadable"
    old.write_bytes(b"\xff\xd8\xff\xe0 fake")
    call_command("clean_photos", stdout=out, stderr=err)
    assert f"unreadable: {old.relative_to(media)}" in err.getvalue()
    old.unlink()
    call_command("clean_photos", "--dry-run", stdout=out, stderr=err)
    assert f"missing: {old.relative_to(media)}" in err.getvalue()


def test_clean_photos_dry_run_writes_nothing(submitted, media):
    old = media / "service/self/2025/01/fedcba9876543210fedcba9876543210.jpg"
    old.parent.mkdir(parents=True)
    before = phone_jpeg()
    old.write_bytes(before)
    SelfService.objects.filter(pk=submitted.pk).update(photo=str(old.relative_to(media)))
    out = StringIO()
    call_command("clean_photos", "--dry-run", stdout=out)
    assert out.getvalue().strip().startswith("1 would be cleaned")
    assert old.read_bytes() == before
