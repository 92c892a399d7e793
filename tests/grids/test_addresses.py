"""The one Chinese address parser (gridgov.grids.addresses), table by table. No database.

It replaced two: the finder's (gridgov/people/contacts.py: building numbers, Chinese
numerals with 两 / 百 / 〇 / 零) and household teams' (planning's grouping.py: units, floors,
rooms; Chinese numerals only as 一…十 before a building marker, never converted). The rows
marked "was" are where the two read the same text differently; the parser now reads them
the finder's way for numerals and the teams' way for units and floors.
"""

import pytest

from gridgov.grids.addresses import cn_to_int, normalise, parse_address, read_room

NUMERALS = [
    ("〇", 0),
    ("零", 0),
    ("一", 1),
    ("二", 2),
    ("两", 2),  # was: not a numeral for teams
    ("三", 3),
    ("九", 9),
    ("十", 10),
    ("十二", 12),
    ("二十", 20),
    ("二十三", 23),
    ("一百", 100),  # was: not a numeral for teams
    ("两百", 200),
    ("一百零五", 105),
    ("一〇五", 105),  # digit by digit
    ("三〇二", 302),
]


@pytest.mark.parametrize(("numeral", "value"), NUMERALS)
def test_chinese_numerals(numeral, value):
    assert cn_to_int(numeral) == value


@pytest.mark.parametrize("text", ["", "东", "十一楼", "1"])
def test_not_a_numeral(text):
    assert cn_to_int(text) is None


# Every way of writing a building: (as written, as normalise spells it, its number). The
# finder reads the number, and the teams' reading finds the room after it.
BUILDINGS = [
    ("1栋", "1栋", "1"),
    ("1幢", "1栋", "1"),
    ("1座", "1栋", "1"),
    ("1号楼", "1栋", "1"),
    ("1号栋", "1栋", "1"),
    ("1号座", "1栋", "1"),
    ("一栋", "1栋", "1"),
    ("第一栋", "1栋", "1"),
    ("第 一 幢", "1栋", "1"),  # was: no building for teams (spaces)
    ("１栋", "1栋", "1"),
    (" 1 栋", "1栋", "1"),  # was: no building for teams (spaces)
    ("　１号楼", "1栋", "1"),
    ("两栋", "2栋", "2"),  # was: no building for teams (两)
    ("十二幢", "12栋", "12"),
    ("一百零五号楼", "105栋", "105"),  # teams found its end (五栋) but not its number
    ("一百栋", "100栋", "100"),  # was: no building for teams (百)
    ("05栋", "05栋", "5"),
    ("A座", "A栋", "A"),
    ("a座", "A栋", "A"),
    ("Ｂ座", "B栋", "B"),
]


@pytest.mark.parametrize(("written", "spelled", "number"), BUILDINGS)
def test_building_spellings(written, spelled, number):
    address = f"东湖花园{written}302室"
    assert normalise(f"东湖花园{written}") == f"东湖花园{spelled}"
    query = parse_address(address)
    assert (query.place, query.building) == ("东湖花园", number)
    room = read_room("", address)
    assert (room.unit, room.floor, room.number, room.label) == (None, 3, 302, "302室")


# read_room(room, address): (unit, floor, number, label). The label is the room as written.
ROOMS = [
    ("302", "", None, 3, 302, "302"),
    ("1502室", "", None, 15, 1502, "1502室"),
    ("１２０３室", "", None, 12, 1203, "1203室"),  # full-width digits
    ("2单元302", "", 2, 3, 302, "2单元302"),
    ("2-302", "", 2, 3, 302, "2-302"),
    ("2—302", "", 2, 3, 302, "2—302"),  # was: unit unread (a long dash)
    ("301~302", "", None, 3, 302, "301~302"),  # a range, not unit-room
    ("5层", "", None, 5, None, "5层"),
    ("地下室", "", None, None, None, "地下室"),
    ("二单元302", "", 2, 3, 302, "二单元302"),  # was: unit None
    ("五层", "", None, 5, None, "五层"),  # was: floor None
    ("十二层", "", None, 12, None, "十二层"),  # was: floor None
    ("第三层", "", None, 3, None, "第三层"),  # was: floor None
    ("三〇二室", "", None, 3, 302, "三〇二室"),  # was: all None
    ("二单元一五〇二室", "", 2, 15, 1502, "二单元一五〇二室"),  # was: all None
    # with a room, the address gives only the unit
    ("1203室", "东湖路7号东湖花园1栋2单元1203室", 2, 12, 1203, "2-1203室"),
    ("302", "东湖花园1栋二单元", 2, 3, 302, "2-302"),  # was: unit None, label "302"
    # without a room, the part of the address after the last building
    ("", "东湖路7号东湖花园一幢2单元302室", 2, 3, 302, "2单元302室"),
    ("", "东湖花园1栋5室", None, None, 5, "5室"),
    ("", "东湖花园a座301", None, 3, 301, "301"),
    ("", "东湖花园两栋二单元三〇二室", 2, 3, 302, "二单元三〇二室"),  # was: label ""
    ("", "私人住址（无楼栋）", None, None, None, ""),
    ("", "", None, None, None, ""),
]


@pytest.mark.parametrize(("room", "address", "unit", "floor", "number", "label"), ROOMS)
def test_rooms(room, address, unit, floor, number, label):
    read = read_room(room, address)
    assert (read.unit, read.floor, read.number, read.label) == (unit, floor, number, label)


# One address, both readings: the finder's building and the teams' unit and floor.
ADDRESSES = [
    ("亲仁路13号和安公寓5栋3单元801室", "和安公寓", "5", 3, 8),
    ("和安公寓五栋三单元八〇一室", "和安公寓", "5", 3, 8),  # was (teams): unit and floor None
    ("和安公寓两栋2单元1201", "和安公寓", "2", 2, 12),  # was (teams): no building, no label
    ("和安公寓第十二幢一单元五层", "和安公寓", "12", 1, 5),  # was (teams): unit and floor None
    ("和安公寓Ｂ座３单元３０２", "和安公寓", "B", 3, 3),
]


@pytest.mark.parametrize(("address", "place", "building", "unit", "floor"), ADDRESSES)
def test_one_address_read_both_ways(address, place, building, unit, floor):
    query = parse_address(address)
    room = read_room("", address)
    assert (query.place, query.building, room.unit, room.floor) == (place, building, unit, floor)
