"""The photo pipeline on real files (Pillow writes them, Pillow reads the result back):
metadata gone, orientation applied, size capped, formats decided by contents, bombs refused
before they are decoded, refusals naming the field and the file."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from PIL import Image, ImageCms

from gridgov.photos.pipeline import photo_check, photo_clean, photo_delete, photo_store
from tests.photos.images import (
    BLUE,
    RED,
    bomb_png,
    encoded,
    exif_of,
    marked,
    opened,
    phone_jpeg,
    png,
    upload,
)

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def close(pixel, colour, slack=40) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(pixel[:3], colour, strict=True))


def refusal(exc: pytest.ExceptionInfo, field: str = "photo") -> str:
    return exc.value.message_dict[field][0]


def test_a_phones_jpeg_loses_every_detail_and_is_turned_upright():
    data = phone_jpeg(orientation=6, size=(300, 200))
    assert exif_of(data)[2] == (23.0, 0.0, 7.2)  # the test file really carries a position
    clean = photo_clean(upload(data))
    out = opened(clean.data)
    assert clean.kind == "jpeg"
    assert out.format == "JPEG"
    assert exif_of(clean.data) == {}  # no EXIF: no GPS, camera, time or orientation
    assert not {"exif", "xmp", "comment", "icc_profile"} & set(out.info)
    assert b"Wang Fang" not in clean.data
    assert b"113.101" not in clean.data
    # stored 300 × 200 with "turn 90° clockwise": shown 200 × 300, the blue corner top right
    assert out.size == (200, 300) == (clean.width, clean.height)
    assert close(out.getpixel((190, 10)), BLUE)
    assert close(out.getpixel((10, 10)), RED)


@pytest.mark.parametrize(
    ("orientation", "size", "blue_at"),
    [
        (1, (300, 200), (10, 10)),
        (3, (300, 200), (290, 190)),  # upside down
        (8, (300, 200), (10, 290)),  # turn 90° anticlockwise
    ],
)
def test_every_orientation_ends_upright(orientation, size, blue_at):
    out = opened(photo_clean(upload(phone_jpeg(orientation=orientation, size=size))).data)
    assert close(out.getpixel(blue_at), BLUE)


def test_the_long_edge_is_capped_and_the_quality_set(settings):
    settings.GRIDGOV_PHOTO_MAX_EDGE = 500
    data = encoded(marked((3000, 1000)), "JPEG", quality=98)
    settings.GRIDGOV_PHOTO_JPEG_QUALITY = 85
    high = photo_clean(upload(data))
    settings.GRIDGOV_PHOTO_JPEG_QUALITY = 30
    low = photo_clean(upload(data))
    assert (high.width, high.height) == (500, 167) == opened(high.data).size
    assert len(low.data) < len(high.data)


def test_png_stays_png_and_transparency_is_kept():
    clear = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    clear.paste((255, 0, 0, 255), (0, 0, 20, 15))
    kept = photo_clean(upload(encoded(clear, "PNG"), "a.png"))
    assert kept.kind == "png"
    assert opened(kept.data).mode == "RGBA"
    assert opened(kept.data).getpixel((39, 29))[3] == 0
    flat = photo_clean(upload(png(), "c.png"))  # a screenshot stays lossless
    assert flat.kind == "png"
    assert opened(flat.data).mode == "RGB"
    webp = photo_clean(upload(encoded(clear, "WEBP", lossless=True), "d.webp"))
    assert webp.kind == "png"
    assert opened(webp.data).getpixel((39, 29))[3] == 0
    opaque = photo_clean(upload(encoded(marked((40, 30), "RGBA"), "WEBP"), "e.webp"))
    assert opaque.kind == "jpeg"  # an alpha channel all opaque is no transparency


def test_webp_is_accepted_and_its_metadata_dropped():
    data = encoded(marked((64, 48)), "WEBP", xmp=b"<x:xmpmeta>secret</x:xmpmeta>")
    clean = photo_clean(upload(data, "a.webp", "image/webp"))
    assert clean.kind == "jpeg"
    assert b"secret" not in clean.data


def test_colours_of_another_profile_are_converted_to_srgb_and_the_profile_dropped():
    lab_ish = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()  # unusable
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    for profile in (srgb, lab_ish, b"not a profile"):
        data = encoded(marked((40, 30)), "JPEG", icc_profile=profile)
        out = opened(photo_clean(upload(data)).data)
        assert "icc_profile" not in out.info
        assert close(out.getpixel((5, 5)), BLUE)
        assert close(out.getpixel((35, 25)), RED)


@pytest.mark.parametrize(
    ("data", "name", "why"),
    [
        (b"GIF89a\x01\x00\x01\x00" + b"\x00" * 40, "a.gif", "is not a photo in JPEG, PNG, WebP"),
        (b"<html><script>alert(1)</script></html>", "a.jpg", "is not a photo in JPEG, PNG, WebP"),
        (b"%PDF-1.7\n" + b"x" * 100, "scan.png", "is not a photo in JPEG, PNG, WebP"),
        (encoded(marked((20, 20)), "BMP"), "a.jpg", "is not a photo in JPEG, PNG, WebP"),
        (b"", "empty.jpg", "is empty."),
    ],
)
def test_what_is_not_a_photo_is_refused_naming_field_and_file(data, name, why):
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(data, name), field="photos", label="Resolution photo")
    assert refusal(exc, "photos") == (
        f"Resolution photo: {name} {why}"
        + (" (its contents were checked, not its name)." if "not a photo" in why else "")
    )


def test_a_cut_off_photo_is_refused_when_decoded():
    data = phone_jpeg()
    assert photo_check(upload(data[: len(data) // 2]))[0] == "JPEG"  # the header is fine
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(data[: len(data) // 2], "half.jpg"))
    assert refusal(exc) == (
        "Photo: half.jpg could not be read as a photo (the file is damaged or cut off)."
    )


def test_too_many_bytes_is_refused_before_reading(settings):
    settings.GRIDGOV_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(phone_jpeg(), "big.jpg"))
    assert refusal(exc) == "Photo: big.jpg is 3.0\xa0KB, more than the 1000\xa0bytes allowed."


def test_too_many_pixels_is_refused_from_the_header(settings):
    settings.GRIDGOV_PHOTO_MAX_PIXELS = 50_000_000
    bomb = bomb_png(8000, 7000)  # 56 megapixels in 1 KB: never decoded
    assert len(bomb) < 2000
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(bomb, "bomb.png"))
    assert refusal(exc) == (
        "Photo: bomb.png is 8000 × 7000 pixels, more than the 50 megapixels allowed."
    )
    with pytest.raises(ValidationError) as exc:  # past Pillow's own limit: it will not open it
        photo_clean(upload(bomb_png(30000, 30000), "bomb.png"))
    assert refusal(exc) == "Photo: bomb.png has more than the 50 megapixels allowed."


def test_refusals_in_chinese():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        photo_clean(upload(b"hello", "a.jpg"), label="照片")
    assert refusal(exc) == (
        "照片：a.jpg 不是 JPEG, PNG, WebP 格式的照片（按文件内容判断，而非文件名）。"
    )


def test_a_long_or_pathlike_file_name_is_shortened_in_the_refusal():
    with pytest.raises(ValidationError) as exc:
        photo_clean(upload(b"x" * 10, "../../" + "长" * 100 + ".jpg"), field=None)
    message = exc.value.messages[0]
    assert "../" not in message
    assert "长" * 59 + "…" in message
    assert "长" * 60 not in message


def test_stored_under_a_random_name_and_deleted(media):
    first = photo_store(upload(phone_jpeg(), "王芳家.jpg"), folder="cases/requests")
    second = photo_store(upload(phone_jpeg(), "王芳家.jpg"), folder="cases/requests")
    assert first.name != second.name
    for stored in (first, second):
        parts = stored.name.split("/")
        assert parts[:2] == ["cases", "requests"]
        assert len(parts) == 5
        assert len(parts[-1]) == len("0123456789abcdef0123456789abcdef.jpg")
        path = media / stored.name
        assert path.read_bytes()[:2] == b"\xff\xd8"
        assert stored.size == path.stat().st_size
        assert exif_of(path.read_bytes()) == {}
    photo_delete(first.name)
    assert not (media / first.name).exists()
    assert (media / second.name).exists()
    photo_delete(first.name)  # already gone: nothing happens
