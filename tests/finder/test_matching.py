"""Matching addresses and points against the `tree` grids (plus the finder fixture)."""

import math

import numpy as np
import pytest

from geodata.crs import from_wgs84
from gridgov.people.contacts import building_contact, match_address, match_point, parse_point
from tests.world import DEPUTY_PHONE, GROUP_PHONE, LEADER_MASKED, LEADER_PHONE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text",
    [
        "东湖花园1栋",
        "东湖花园一栋",
        "东湖花园 1 号楼 2 单元 301 室",
        "东湖花园１幢",
        "建新路3号东湖花园1座3单元801室",
        "佛山市禅城区东湖社区东湖花园第一栋",
        "东湖花园1-2-301",
    ],
)
def test_address_variants_find_one_building(tree, people, text):
    outcome = match_address(text)
    assert outcome.status == "building"
    assert outcome.card.code == tree.b1.code
    assert outcome.card.compound == "东湖花园"
    assert outcome.card.community == "东湖社区"


def test_contact_area_covers_its_buildings(tree, people):
    for text in ("东湖花园3栋", "东湖花园四号楼"):
        outcome = match_address(text)
        assert outcome.status == "building"
        assert outcome.card.code == people.area.code
        assert [c.name for c in outcome.card.contacts] == ["周联系人"]


def test_card_holds_only_public_contact_fields(tree, people):
    card = building_contact(tree.b1)
    assert [c.name for c in card.contacts] == ["王楼长", "李组长", "赵副组长"]  # role order
    leader, group, deputy = card.contacts
    assert leader.phone == LEADER_MASKED
    assert leader.tel == ""
    assert group.phone == GROUP_PHONE
    assert group.tel == GROUP_PHONE
    assert DEPUTY_PHONE not in (deputy.phone, deputy.tel)
    assert leader.specialty == "水电维修"
    assert leader.pledge == "有事您找我，件件有回音"
    assert card.has_leader
    assert card.committee == "东湖社区党委"
    assert card.branch == "东湖花园党支部"
    assert LEADER_PHONE not in repr(card)
    assert "私密" not in repr(card)


def test_same_compound_name_twice_gives_a_choice_list(tree, people):
    outcome = match_address("西苑1栋")
    assert outcome.status == "choices"
    assert {c.code for c in outcome.choices} == {tree.b3.code, people.xiyuan2_b1.code}
    assert any("南山社区" in c.label for c in outcome.choices)


def test_community_name_settles_the_ambiguity(tree, people):
    outcome = match_address("南山社区西苑1栋")
    assert outcome.status == "building"
    assert outcome.card.code == people.xiyuan2_b1.code


def test_bare_building_number_gives_a_choice_list(tree, people):
    outcome = match_address("1栋")
    assert outcome.status == "choices"
    assert {c.code for c in outcome.choices} == {
        tree.b1.code,
        tree.b3.code,
        tree.b4.code,
        people.xiyuan2_b1.code,
    }


def test_compound_without_building_lists_its_buildings(tree, people):
    outcome = match_address("东湖花园")
    assert outcome.status == "choices"
    assert [c.code for c in outcome.choices] == [tree.b1.code, tree.b2.code, people.area.code]


def test_unknown_building_in_known_compound_suggests_its_buildings(tree, people):
    outcome = match_address("东湖花园9栋")
    assert outcome.status == "suggestions"
    assert tree.b1.code in {c.code for c in outcome.suggestions}


def test_misspelt_compound_gets_suggestions(tree, people):
    outcome = match_address("亲仁路13号东胡花园1栋")  # 胡 for 湖
    assert outcome.status == "suggestions"
    assert outcome.suggestions[0].query == "东湖花园1栋"


@pytest.mark.parametrize(
    "text",
    [
        "和安公寓5栋",
        "亲仁路13号",
        "？？？",
        "x" * 500,
        "1栋" * 50,
        "<script>alert(1)</script>",
        "'; DROP TABLE grids_grid; --",
    ],
)
def test_nonsense_never_raises(tree, people, text):
    assert match_address(text).status in {"suggestions", "choices", "empty"}


def test_point_in_a_building(tree, people):
    outcome = match_point(113.102, 23.002)
    assert outcome.status == "building"
    assert outcome.card.code == tree.b1.code


def test_point_outside_every_grid_names_the_nearest_community(tree, people):
    outcome = match_point(113.090, 23.002)  # 0.011° west of 1栋 (113.101)
    assert outcome.status == "outside"
    assert outcome.nearest_community == "东湖社区"
    assert outcome.nearest.code == tree.b1.code
    expected = 0.011 * 111_320 * math.cos(math.radians(23.002))  # about 1127 m
    assert abs(outcome.distance_m - expected) < 15


def test_point_between_buildings_names_the_nearest(tree, people):
    outcome = match_point(113.1025, 23.0035)  # 东湖花园, 0.0005° north of 1栋
    assert outcome.status == "between"
    assert outcome.nearest.code == tree.b1.code
    assert 40 < outcome.distance_m < 70


def test_gcj02_point_is_converted(tree, people):
    lon, lat = from_wgs84(np.array([113.102]), np.array([23.002]), "gcj02")
    point = parse_point(str(lon[0]), str(lat[0]), "gcj02")
    assert point == pytest.approx((113.102, 23.002), abs=1e-6)
    assert match_point(*point).card.code == tree.b1.code
    # Read as WGS84 the same numbers land hundreds of metres away, not in 1栋.
    raw = match_point(*parse_point(str(lon[0]), str(lat[0])))
    assert raw.card is None or raw.card.code != tree.b1.code


@pytest.mark.parametrize(
    ("lon", "lat", "crs"),
    [
        ("", "", "wgs84"),
        ("abc", "23", "wgs84"),
        ("nan", "23", "wgs84"),
        ("200", "23", "wgs84"),
        ("113.1", "23", "epsg:3857"),
        ("inf", "1", "gcj02"),
    ],
)
def test_unreadable_points(lon, lat, crs):
    assert parse_point(lon, lat, crs) is None
