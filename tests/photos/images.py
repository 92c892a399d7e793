"""Real image files for the photo tests, made with Pillow (no fixtures on disk): a phone's
JPEG with its GPS position and orientation in EXIF, PNGs, a WebP, a huge one."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

# Where the test phone stood: 23°0'7.2"N 113°6'3.6"E (in the test district).
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (23.0, 0.0, 7.2),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (113.0, 6.0, 3.6),
}
BLUE, RED = (0, 0, 255), (255, 0, 0)


def marked(size=(300, 200), mode="RGB") -> Image.Image:
    """Red, with a blue block in the top-left corner: where it ends up shows the turn."""
    image = Image.new(mode, size, RED)
    image.paste(BLUE, (0, 0, size[0] // 2, size[1] // 2))
    return image


def phone_jpeg(*, orientation: int = 6, size=(300, 200), gps: bool = True) -> bytes:
    """A JPEG as a phone writes it: stored sideways with an EXIF orientation (6: turn 90°
    clockwise to show), camera make and model, time, GPS position, a comment and XMP."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.Base.Model] = "TP-1"
    exif[ExifTags.Base.DateTime] = "2026:11:20 09:15:00"
    if gps:
        exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    marked(size).save(
        out,
        "JPEG",
        exif=exif,
        comment=b"taken at Wang Fang's home",
        xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/">23.002,113.101</x:xmpmeta>',
        quality=95,
    )
    return out.getvalue()


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png(size=(40, 30), mode="RGB") -> bytes:
    return encoded(marked(size, mode), "PNG")


def jpeg(size=(40, 30)) -> bytes:
    return encoded(marked(size), "JPEG")


def huge_png(width: int, height: int) -> bytes:
    """A PNG of width × height pixels that is small on disk (one colour compresses well):
    the shape of a decompression bomb."""
    return encoded(Image.new("L", (width, height), 0), "PNG", optimize=True)


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def exif_of(data: bytes) -> dict:
    with Image.open(io.BytesIO(data)) as image:
        exif = image.getexif()
        return {**exif, **exif.get_ifd(ExifTags.IFD.GPSInfo)}


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def bomb_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width × height pixels, with almost no data after it: the
    file is tiny, decoding it would take width × height bytes. Never decoded by the tests."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + chunk(b"IEND", b"")
    )
