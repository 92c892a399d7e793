"""Grid rules: the database, clean() and the services refuse bad nesting and bad geometry,
with a message naming the grid and the reason, and write nothing when they refuse."""

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from gridgov.accounts.models import AuditEntry
from gridgov.grids.models import Grid, Kind, Level
from gridgov.grids.services import grid_create, grid_update
from tests.factories import box, wkt

# The messages are asserted in English (zh-hans is checked in test_messages_in_chinese).
pytestmark = pytest.mark.usefixtures("english")


def create(**kw):
    defaults = {"acting_user": None, "name": "测试", "kind": Kind.BUILDING}
    return grid_create(**{**defaults, **kw})


def counts():
    return Grid.objects.count(), AuditEntry.objects.count()


# --- the database itself ---------------------------------------------------------------


def test_database_refuses_parent_two_levels_up(tree):
    bad = Grid(
        level=Level.BUILDING,
        parent=tree.c1,
        code="100001999",
        name="x",
        kind=Kind.BUILDING,
        geom=MultiPolygon(box(113.101, 23.001, 113.102, 23.002)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()
    assert not Grid.objects.filter(code="100001999").exists()


def test_database_refuses_a_community_with_a_parent(tree):
    bad = Grid(
        level=Level.COMMUNITY,
        parent=tree.c2,
        code="100002777",
        name="x",
        kind=Kind.COMMUNITY,
        geom=MultiPolygon(box(113.111, 23.001, 113.112, 23.002)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


def test_database_refuses_a_compound_without_parent(db):
    bad = Grid(
        level=Level.COMPOUND,
        code="777",
        name="x",
        kind=Kind.RESIDENTIAL,
        geom=MultiPolygon(box(1, 1, 2, 2)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


def test_database_refuses_child_code_not_starting_with_parent_code(tree):
    bad = Grid(
        level=Level.BUILDING,
        parent=tree.k1,
        code="999999001003",
        name="x",
        kind=Kind.BUILDING,
        geom=MultiPolygon(box(113.101, 23.004, 113.102, 23.005)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


def test_database_refuses_changing_a_parent_code_that_would_orphan_children(tree):
    tree.k1.code = "100001777"
    with pytest.raises(IntegrityError), transaction.atomic():
        tree.k1.save()


def test_database_refuses_kind_of_another_level(tree):
    bad = Grid(
        level=Level.COMPOUND,
        parent=tree.c1,
        code="100001888",
        name="x",
        kind=Kind.BUILDING,
        geom=MultiPolygon(box(113.101, 23.0095, 113.102, 23.0099)),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()


# --- clean() and the services: clear messages -------------------------------------------


def test_clean_names_the_wrong_parent_level(tree):
    with pytest.raises(ValidationError) as err:
        create(
            level=Level.BUILDING,
            parent=tree.c1,
            code="100001003001",
            geom=box(113.1005, 23.0095, 113.1008, 23.0098),
        )
    assert "parent" in err.value.message_dict
    assert "exactly one level up" in " ".join(err.value.message_dict["parent"])


def test_community_with_parent_refused_by_clean(tree):
    with pytest.raises(ValidationError) as err:
        create(
            level=Level.COMMUNITY,
            parent=tree.c2,
            code="100002555",
            kind=Kind.COMMUNITY,
            geom=box(113.111, 23.0092, 113.112, 23.0095),
        )
    assert "no parent" in " ".join(err.value.message_dict["parent"])


def test_self_intersecting_polygon_refused_with_reason_and_nothing_written(tree):
    before = counts()
    bowtie = wkt(
        "POLYGON((113.1011 23.0041, 113.1019 23.0049, 113.1019 23.0041, "
        "113.1011 23.0049, 113.1011 23.0041))"
    )
    with pytest.raises(ValidationError) as err:
        create(level=Level.BUILDING, parent=tree.k1, code="100001001009", geom=bowtie)
    text = " ".join(err.value.messages)
    assert "100001001009" in text
    assert "Self-intersection" in text
    assert counts() == before


def test_building_sticking_out_of_its_compound_refused_with_area(tree):
    before = counts()
    # 0.001° x 0.001° square half outside K1's west edge (x=113.101): about 51 m x 102 m out.
    with pytest.raises(ValidationError) as err:
        create(
            level=Level.BUILDING,
            parent=tree.k1,
            code="100001001010",
            geom=box(113.1005, 23.005, 113.1015, 23.006),
        )
    text = " ".join(err.value.messages)
    assert "100001001010" in text
    assert "100001001" in text
    outside = float(text.split(" m²")[0].split()[-1])
    assert 5600 < outside < 5800  # 0.0005° lon x 0.001° lat at 23°N ≈ 51.2 m x 110.7 m
    assert counts() == before


def test_overlapping_sibling_refused_with_area(tree):
    before = counts()
    # Overlaps B1 (113.101..113.103 x 23.001..23.003) on 0.001° x 0.001°.
    with pytest.raises(ValidationError) as err:
        create(
            level=Level.BUILDING,
            parent=tree.k1,
            code="100001001011",
            geom=box(113.102, 23.002, 113.1025, 23.004),
        )
    text = " ".join(err.value.messages)
    assert "100001001011" in text
    assert "100001001001" in text
    overlap = float(text.split("by ")[1].split(" m²")[0])
    assert 5600 < overlap < 5800
    assert counts() == before


def test_touching_siblings_are_accepted(tree):
    # B1 and B2 share the edge x=113.103 (made by the fixture); a third touches B2 only.
    g = create(
        level=Level.BUILDING,
        parent=tree.k1,
        code="100001001003",
        geom=box(113.103, 23.003, 113.105, 23.004),
    )
    assert g.pk
    assert g.geom.geom_type == "MultiPolygon"


def test_coordinates_out_of_range_refused(db):
    with pytest.raises(ValidationError) as err:
        create(
            level=Level.COMMUNITY,
            code="900001",
            kind=Kind.COMMUNITY,
            geom=box(179.5, 89.5, 181.0, 91.0),
        )
    assert "out of range" in " ".join(err.value.messages)
    assert not Grid.objects.exists()


def test_polygon_is_stored_as_multipolygon_and_audited(tree):
    g = Grid.objects.get(code="100001001001")
    assert g.geom.geom_type == "MultiPolygon"
    assert g.geom.srid == 4326
    entry = AuditEntry.objects.get(object_type="grids.grid", object_id=str(g.pk))
    assert entry.action == "grid.create"
    assert entry.after["code"] == "100001001001"


def test_update_with_overlap_is_refused_and_keeps_old_boundary(tree):
    old = tree.b2.geom.wkt
    with pytest.raises(ValidationError):
        grid_update(grid=tree.b2, acting_user=None, geom=box(113.102, 23.001, 113.105, 23.003))
    tree.b2.refresh_from_db()
    assert tree.b2.geom.wkt == old


def test_descendants_are_a_code_prefix_match(tree):
    codes = set(Grid.objects.within(tree.k1).values_list("code", flat=True))
    assert codes == {"100001001", "100001001001", "100001001002"}


def test_messages_in_chinese(tree):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as err:
        create(
            level=Level.BUILDING,
            parent=tree.k1,
            code="100001001012",
            geom=box(113.102, 23.002, 113.1025, 23.004),
        )
    assert "网格 100001001012：与同级网格 100001001001 重叠" in " ".join(err.value.messages)
