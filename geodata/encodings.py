"""Which text encoding a file's attributes are in: given, named by a Shapefile's .cpg, or
detected (UTF-8, then GB18030, the superset of GBK that Chinese desktop GIS writes).

GDAL hands attribute text out as the file's bytes when it does not know their encoding (a
GeoJSON is taken as UTF-8 whatever it holds; a .dbf without .cpg or code page mark is left as
it is), so the bytes are checked here first, once, and decoded by Django with the encoding
found. Only the text is checked: a GeoJSON's whole content, a .dbf's field names and records
(its binary header is skipped).
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO

from django.utils.translation import gettext as _

DETECTED = ("utf-8", "gb18030")  # tried in this order
CHUNK = 1 << 20
# Code pages a .cpg names by number (ArcGIS writes "936" or "65001").
CPG_NUMBERS = {"65001": "utf-8", "936": "gb18030", "54936": "gb18030", "950": "big5"}


class EncodingError(ValueError):
    """The text is not in the encoding given or found (the message says where)."""


@dataclass(frozen=True)
class Encoding:
    """The codec the attributes are decoded with and how it was chosen."""

    codec: str
    how: str  # "given" | "cpg" | "detected" | "format"

    def describe(self) -> str:
        how = {
            "given": _("given with --encoding"),
            "cpg": _("named by the .cpg file"),
            "detected": _("detected"),
            "format": _("the format's own"),
        }[self.how]
        return _("%(codec)s (%(how)s)") % {"codec": self.codec.upper(), "how": how}


def codec_name(name: str) -> str:
    """A Python codec name for an encoding a person or a .cpg names (GBK, CP936, 936, UTF8...);
    GBK and CP936 widen to GB18030, which decodes every GBK byte the same."""
    raw = name.strip().strip("\x00").lower()
    raw = CPG_NUMBERS.get(raw, raw)
    try:
        found = codecs.lookup(raw).name
    except LookupError:
        raise EncodingError(
            _("Unknown text encoding %(name)s (e.g. UTF-8, GBK, GB18030).") % {"name": repr(name)}
        ) from None
    return "gb18030" if found in ("gbk", "gb2312", "cp936") else found


def first_error(chunks: Iterable[bytes], codec: str) -> int | None:
    """The byte offset where ``codec`` fails on the stream of chunks, or None if it decodes."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = 0
    for chunk in chunks:
        try:
            decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            return offset + exc.start
        offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return offset
    return None


# Opens the bytes afresh for a `with` (a file is its own context manager).
Opener = Callable[[], AbstractContextManager[IO[bytes]]]


def _chunks(
    open_bytes: Opener, text: Callable[[IO[bytes]], Iterator[bytes]] | None
) -> Iterator[bytes]:
    with open_bytes() as f:
        if text is not None:
            yield from text(f)
            return
        while chunk := f.read(CHUNK):
            yield chunk


def choose(
    open_bytes: Opener,
    *,
    label: str,
    given: str | None = None,
    cpg: str | None = None,
    dbf: bool = False,
) -> Encoding:
    """The encoding of the text behind ``open_bytes`` (a GeoJSON, or a .dbf when ``dbf``):
    ``given`` (--encoding), else the .cpg's, else UTF-8 if the text decodes, else GB18030.
    Raises EncodingError naming the byte where the chosen or every tried encoding fails."""
    text = dbf_text if dbf else None
    if given or cpg:
        codec = codec_name(given or cpg or "")
        at = first_error(_chunks(open_bytes, text), codec)
        if at is None:
            return Encoding(codec, "given" if given else "cpg")
        if given:
            raise EncodingError(
                _("%(file)s is not valid %(codec)s text (byte %(at)s): check --encoding.")
                % {"file": label, "codec": codec.upper(), "at": at}
            )
        raise EncodingError(
            _(
                "%(file)s is not valid %(codec)s text (byte %(at)s), the encoding its .cpg file "
                "names: correct the .cpg, or give the encoding with --encoding."
            )
            % {"file": label, "codec": codec.upper(), "at": at}
        )
    failed_at = []
    for codec in DETECTED:
        at = first_error(_chunks(open_bytes, text), codec)
        if at is None:
            return Encoding(codec, "detected")
        failed_at.append(at)
    raise EncodingError(
        _(
            "The text of %(file)s is neither UTF-8 (it fails at byte %(utf8)s) nor GB18030 (at "
            "byte %(gb)s): give its encoding with --encoding."
        )
        % {"file": label, "utf8": failed_at[0], "gb": failed_at[1]}
    )


def dbf_text(f: IO[bytes]) -> Iterator[bytes]:
    """The text of a dBASE file: its field names, then its records (the header's counts and
    lengths are binary, and would fail any text encoding)."""
    head = f.read(32)
    if len(head) < 32:
        return
    header_len = int.from_bytes(head[8:10], "little")
    descriptors = f.read(max(header_len - 32, 0))
    for start in range(0, len(descriptors) - 31, 32):
        if descriptors[start] == 0x0D:
            break
        yield descriptors[start : start + 11].split(b"\x00", 1)[0] + b"\n"
    while chunk := f.read(CHUNK):
        yield chunk
