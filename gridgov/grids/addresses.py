"""Chinese building addresses, read one way (no database, no Django).

The one parser of building / unit / room text, used by the building-contact finder
(``gridgov.people.contacts``: which building a typed address names) and by planning's
household teams (``gridgov.planning.groups``: which unit and floor a household's room is on).

The rules, shared by both:

- full-width letters and digits are ASCII (NFKC), letters compare in upper case;
- a building is a number or letters followed by 栋, 幢, 座, 号楼, 号栋 or 号座 (one meaning,
  spelled 栋 by ``normalise``), with spaces allowed before the marker;
- Chinese numerals (〇 零 一 二 两 三 … 九 十 百, also digit by digit: 一〇五) before a
  building, unit, room, floor or door marker (栋 幢 座 号楼 号栋 号座 号 单元 室 层 楼 梯),
  with an optional 第, are digits: 第十二幢 → 12栋, 二单元 → 2单元, 五层 → 5层, 三〇二室 →
  302室; elsewhere they are part of a name (一品花园);
- a unit is ``N单元`` (or ``N-`` before a room: 2-302), a floor ``N层``, else the room
  number without its last two digits (302 → 3, 1502 → 15).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CN_NUMERALS = "〇零一二两三四五六七八九十百"
_CN_DIGIT = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# The ways of writing "building" after its number; normalise() spells them all 栋.
BUILDING_MARKERS = "号楼|号栋|号座|栋|幢|座"
# Markers after which a number is a building, unit, room, floor or door number.
_MARKERS = f"{BUILDING_MARKERS}|号|单元|室|层|楼|梯"
_CN_BEFORE_MARKER = re.compile(rf"第?\s*([{CN_NUMERALS}]+)\s*(?=(?:{_MARKERS}))")
_ORDINAL = re.compile(r"第\s*(\d+)")
# A building in normalised text (numerals already digits, no spaces): 5栋, 12幢, 3号楼, A座.
_BUILDING_MARK = re.compile(rf"([0-9A-Z]+)(?:{BUILDING_MARKERS})")
# The end of a building in text as written (spaces kept): the same markers after a digit,
# a letter or a Chinese numeral, for cutting the room part off an address.
_BUILDING_END = re.compile(rf"[0-9A-Z{CN_NUMERALS}]\s*(?:{BUILDING_MARKERS})", re.IGNORECASE)
_DROP = re.compile(r"[\s,，、.。·:：;；()（）\[\]【】\"'“”‘’#]+")


def cn_to_int(text: str) -> int | None:
    """A Chinese numeral to an int: 一 1, 两 2, 十二 12, 二十三 23, 一百零五 105, 一〇五 105."""
    if not text or any(c not in CN_NUMERALS for c in text):
        return None
    if "十" not in text and "百" not in text:  # digit by digit: 一〇五
        return int("".join(str(_CN_DIGIT[c]) for c in text))
    total, current = 0, 0
    for c in text:
        if c in _CN_DIGIT:
            current = _CN_DIGIT[c]
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        elif c == "百":
            total += (current or 1) * 100
            current = 0
    return total + current


def _fold(text: str) -> str:
    """Full-width to ASCII (NFKC) and upper case."""
    return unicodedata.normalize("NFKC", text or "").upper()


def _numerals_to_digits(text: str) -> str:
    """Chinese numerals before a marker, and ordinals (第), become digits: 第十二幢 → 12幢."""
    text = _CN_BEFORE_MARKER.sub(lambda m: str(cn_to_int(m.group(1))), text)
    return _ORDINAL.sub(r"\1", text)


def normalise(text: str) -> str:
    """One spelling for the many ways an address is written.

    Full-width letters and digits become ASCII (NFKC), letters upper case, spaces and
    punctuation go, dashes are "-", Chinese numerals before a building/unit/room marker
    become digits (一栋 → 1栋, 第十二幢 → 12栋), and 幢 / 号楼 / 座 become 栋. Grid names go
    through the same function, so a name and an address compare spelling for spelling."""
    s = _DROP.sub("", _fold(text))
    s = s.replace("—", "-").replace("–", "-").replace("~", "-")
    return _BUILDING_MARK.sub(r"\1栋", _numerals_to_digits(s))


# --- which building an address names (the finder) -----------------------------------------------


@dataclass(frozen=True)
class AddressQuery:
    """What a typed address asks for: a compound part and maybe a building number."""

    text: str  # normalised
    place: str  # the part naming the compound (road number and building part removed)
    building: str | None  # "5", "A", or None when no building was given


_TAIL = re.compile(r"(\d+(?:单元|室|层|楼|梯|户)).*$")
_SHORTHAND = re.compile(r"(\d+)-\d+(?:-\d+)?$")  # 5-3-801: building-unit-room
_ROAD_NUMBER = re.compile(r"^.*?(?:大道|路|街|巷|弄|道)\d+(?:-\d+)?号(?!楼|栋|座)")


def parse_address(text: str) -> AddressQuery:
    """Split a typed address into compound part and building number (see ``normalise``):
    the last building marker wins; else a 5-3-801 shorthand or a trailing number (7号), unit,
    room and floor dropped; a leading road number (亲仁路13号) is never the building."""
    s = normalise(text)
    building: str | None = None
    marks = list(_BUILDING_MARK.finditer(s))
    if marks:
        last = marks[-1]
        building, head = last.group(1), s[: last.start()]
    else:
        head = _TAIL.sub("", s)
        short = _SHORTHAND.search(head)
        trailing = re.search(r"(\d+)号?$", head)
        if short:
            building, head = short.group(1), head[: short.start()]
        elif trailing and not _ROAD_NUMBER.fullmatch(head):
            building, head = trailing.group(1), head[: trailing.start()]
    place = _ROAD_NUMBER.sub("", head)
    return AddressQuery(text=s, place=place, building=_number(building) if building else None)


def _number(token: str) -> str:
    """A building number without leading zeros (05 → 5); letters as they are."""
    return (token.lstrip("0") or "0") if token.isdigit() else token


def building_numbers(name: str) -> set[str]:
    """The building numbers a level-3 grid name covers: 5栋 → {5}; 5-7栋党员联系区 → {5,6,7};
    5、6栋 → {5, 6}; A座 → {A}."""
    s = normalise(name)
    span = re.search(r"(\d+)-(\d+)栋", s)
    if span:
        lo, hi = int(span.group(1)), int(span.group(2))
        if 0 <= hi - lo <= 200:
            return {str(n) for n in range(lo, hi + 1)}
    listed = re.search(r"((?:\d+)(?:[、,/和及](?:\d+))+)栋", name)
    if listed:
        return {
            str(int(n)) for n in re.findall(r"\d+", unicodedata.normalize("NFKC", listed.group(1)))
        }
    return {_number(m.group(1)) for m in _BUILDING_MARK.finditer(s)}


# --- where in its building a room is (household teams) -----------------------------------------

_UNIT = re.compile(r"(\d+)单元")
_FLOOR = re.compile(r"(\d+)层")
_SHORT = re.compile(r"^(\d+)-(\d+)")  # 2-302: unit-room
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Room:
    """A household's place in its building as read from its room (or address): unit, floor
    and room number, each None when it cannot be read. ``label`` is what pages show."""

    unit: int | None
    floor: int | None
    number: int | None
    label: str


def _readable(text: str) -> str:
    """Text to read numbers from: folded, Chinese numerals before markers as digits, long
    dashes as "-" (a "~" stays: in a room it is a range, 301~302)."""
    return _numerals_to_digits(_fold(text)).replace("—", "-").replace("–", "-")


def read_room(room: str, address: str = "") -> Room:
    """302 → floor 3; 1502室 → 15; 2单元302 → unit 2, floor 3; 2-302 → unit 2, floor 3;
    5层 → floor 5; 二单元三〇二室 → unit 2, floor 3. Without a room, the part of the address
    after the building (…1栋2单元302室) is read; with a room, the address gives only the unit.
    The label is the room as written (NFKC), prefixed "unit-" when the unit came from the
    address; anything unreadable gives None fields, never an error."""
    text = unicodedata.normalize("NFKC", room or "").strip()
    unit = None
    if not text and address:
        written = unicodedata.normalize("NFKC", address)
        marks = list(_BUILDING_END.finditer(written))
        text = written[marks[-1].end() :].strip() if marks else ""
    elif address:
        found = _UNIT.search(_readable(address))
        unit = int(found.group(1)) if found else None
    label = f"{unit}-{text}" if unit is not None and text else text
    rest = _readable(text)
    found = _UNIT.search(rest)
    if found:
        unit = int(found.group(1))
        rest = rest[found.end() :]
    short = _SHORT.match(rest)
    if short:
        unit = int(short.group(1))
        rest = rest[short.end(1) + 1 :]
    floor = number = None
    explicit = _FLOOR.search(rest)
    digits = _DIGITS.findall(rest)
    if explicit:
        floor = int(explicit.group(1))
    if digits and not (explicit and digits[-1] == explicit.group(1)):
        number = int(digits[-1])
        if floor is None and len(digits[-1]) >= 3:
            floor = int(digits[-1][:-2])
    return Room(unit, floor, number, label)
