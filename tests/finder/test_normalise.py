"""Address normalisation: one spelling for 1幢 / 1栋 / 1号楼 / 1座 / 一栋, full-width digits,
spaces, units, rooms and a leading road number. No database."""

import pytest

from gridgov.grids.addresses import building_numbers, cn_to_int, normalise, parse_address


@pytest.mark.parametrize(
    "text",
    [
        "东湖花园1栋",
        "东湖花园1幢",
        "东湖花园1号楼",
        "东湖花园1座",
        "东湖花园一栋",
        "东湖花园第一栋",
        "东湖花园１栋",
        "东湖花园 1 栋",
        "东湖花园　１号楼",
        "东湖花园1号栋",
        "东湖花园 第 一 幢",
    ],
)
def test_building_variants_are_one_spelling(text):
    assert normalise(text) == "东湖花园1栋"


@pytest.mark.parametrize(
    ("numeral", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("二十三", 23),
        ("一百零五", 105),
        ("一〇五", 105),
        ("两", 2),
        ("〇", 0),
    ],
)
def test_chinese_numerals(numeral, value):
    assert cn_to_int(numeral) == value


def test_cn_to_int_refuses_other_text():
    assert cn_to_int("") is None
    assert cn_to_int("东") is None


def test_numerals_only_convert_before_a_marker():
    # 一 inside a name stays (一品花园), 十二 before 幢 becomes 12.
    assert normalise("一品花园第十二幢") == "一品花园12栋"


def test_full_width_letters_and_punctuation():
    assert normalise("（东湖花园）Ａ座，３单元") == "东湖花园A栋3单元"


@pytest.mark.parametrize(
    ("text", "place", "building"),
    [
        ("亲仁路13号和安公寓5栋3单元801室", "和安公寓", "5"),
        ("佛山市禅城区亲仁路13号和安公寓二十三座1201", "和安公寓", "23"),
        ("和安公寓 5 号楼", "和安公寓", "5"),
        ("和安公寓5-3-801", "和安公寓", "5"),
        ("和安公寓7号", "和安公寓", "7"),
        ("和安公寓05栋", "和安公寓", "5"),
        ("和安公寓B座", "和安公寓", "B"),
        ("和安公寓", "和安公寓", None),
        ("亲仁路13号", "", None),
        ("1栋", "", "1"),
        ("", "", None),
    ],
)
def test_parse_address(text, place, building):
    q = parse_address(text)
    assert (q.place, q.building) == (place, building)


@pytest.mark.parametrize(
    ("name", "numbers"),
    [
        ("5栋", {"5"}),
        ("5幢", {"5"}),
        ("五栋", {"5"}),
        ("5号楼", {"5"}),
        ("A座", {"A"}),
        ("5-7栋党员联系区", {"5", "6", "7"}),
        ("5、6栋", {"5", "6"}),
        ("党员之家", set()),
    ],
)
def test_building_numbers_of_grid_names(name, numbers):
    assert building_numbers(name) == numbers
