"""The photo fields a form uses (one photo; up to N from one input) and the serving helper."""

from __future__ import annotations

import pytest
from django import forms
from django.http import Http404
from django.utils.datastructures import MultiValueDict

from gridgov.photos.fields import PhotoFormField, PhotosFormField
from gridgov.photos.pipeline import photo_store
from gridgov.photos.serving import photo_response
from tests.photos.images import bomb_png, phone_jpeg, png, upload

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


class RequestForm(forms.Form):
    photo = PhotoFormField(label="Photo of the problem")
    photos = PhotosFormField(label="More photos", most=3)


def form(**files) -> RequestForm:
    return RequestForm(data={}, files=MultiValueDict(files))


def test_one_photo_and_up_to_three_more():
    f = form(photo=[upload(phone_jpeg())], photos=[upload(png(), f"{i}.png") for i in range(3)])
    assert f.is_valid(), f.errors
    assert len(f.cleaned_data["photos"]) == 3
    assert form(photo=[upload(phone_jpeg())]).is_valid()  # the extra photos are optional


def test_the_widgets_offer_photos_only():
    html = str(form()["photo"]) + str(form()["photos"])
    assert html.count('accept="image/jpeg,image/png,image/webp"') == 2
    assert "multiple" in html
    assert "the place it was taken" in form()["photo"].help_text


def test_refusals_appear_under_the_field_naming_it():
    f = form(
        photo=[upload(b"%PDF-1.7 not a photo", "scan.jpg")],
        photos=[upload(png(), "1.png"), upload(bomb_png(9000, 9000), "2.png")],
    )
    assert not f.is_valid()
    assert f.errors["photo"] == [
        "Photo of the problem: scan.jpg is not a photo in JPEG, PNG, WebP "
        "(its contents were checked, not its name)."
    ]
    assert f.errors["photos"] == [
        "More photos: 2.png is 9000 × 9000 pixels, more than the 50 megapixels allowed."
    ]


def test_more_than_three_is_refused():
    f = form(photo=[upload(phone_jpeg())], photos=[upload(png(), f"{i}.png") for i in range(4)])
    assert not f.is_valid()
    assert f.errors["photos"] == ["More photos: at most 3 photos, 4 were chosen."]


def test_serving_a_stored_photo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    stored = photo_store(upload(phone_jpeg()), folder="x")
    response = photo_response(stored.name)
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert b"".join(response.streaming_content) == (tmp_path / stored.name).read_bytes()
    for gone in ("", "x/2026/01/missing.jpg", "x/notes.txt"):
        with pytest.raises(Http404):
            photo_response(gone)
