"""The code rule (gridgov.grids.codes): no grid's code begins with another grid's code unless
that grid is its ancestor, so that a scope (a code prefix) holds exactly its subtree. Issue 16
item 3: ``import_grids F --level community`` accepted ``<A's code>999`` and A's secretary saw
it and its residents. Refused now by the importer, the services (and so the admin form), the
database; street offices' codes under the same rule."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from shapely.geometry import box as sbox

from gridgov.accounts.models import Assignment, StaffRole
from gridgov.grids import codes
from gridgov.grids.checking import grid_report, render_text
from gridgov.grids.importing import ImportFailed, grids_import
from gridgov.grids.models import Grid, Kind, Level, Street
from gridgov.grids.services import grid_create, grid_update
from tests.factories import box
from tests.grids.importing import geojson

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English

PAD = "give siblings codes of the same width, e.g. 01 … 10"


def create(level, code, geom, parent=None, kind=None):
    kind = kind or {1: Kind.COMMUNITY, 2: Kind.RESIDENTIAL, 3: Kind.BUILDING}[level]
    return grid_create(
        acting_user=None, level=level, code=code, name="x", kind=kind, geom=geom, parent=parent
    )


def raw(level, code, geom, parent=None, kind=None):
    """A row written past the services: only the database stands in the way."""
    kind = kind or {1: Kind.COMMUNITY, 2: Kind.RESIDENTIAL, 3: Kind.BUILDING}[level]
    with transaction.atomic():
        Grid(
            level=level, code=code, name="x", kind=kind, parent=parent, geom=MultiPolygon(geom)
        ).save()


EAST = box(113.120, 23.000, 113.130, 23.010)  # beside the tree's communities, overlapping none
SEAST = sbox(113.120, 23.000, 113.130, 23.010)


# --- the pure rule ----------------------------------------------------------------------


def test_the_longest_code_a_code_begins_with_must_be_its_parents():
    parents = {
        "44": None,
        "4401": "44",
        "440101": "4401",
        "4402": "44",
        "44011": "44",
        "4410": "44",
        "441": "44",
        "4499": None,
        "4401019": "44",
    }
    found = {(c.code, c.other, c.sibling) for c in codes.conflicts(parents)}
    assert found == {
        ("44011", "4401", True),
        ("4410", "441", True),
        ("4499", "44", True),
        ("4401019", "440101", False),
    }


# --- the finding: <A>999 as a community ------------------------------------------------


def test_import_refuses_a_community_beginning_with_another_communitys_code(tree, tmp_path):
    path = geojson(tmp_path, "c", [("100001999", "假社区", SEAST)])
    with pytest.raises(ImportFailed) as failed:
        grids_import(path, level=Level.COMMUNITY)
    reasons = [str(p) for p in failed.value.problems]
    assert reasons == [
        "feature 1 (code 100001999), code: code 100001999 begins with sibling 100001's code: " + PAD
    ]
    assert not Grid.objects.filter(code="100001999").exists()


def test_import_refuses_a_community_beginning_with_a_compounds_code(tree, tmp_path):
    path = geojson(
        tmp_path, "c", [("100001001999", "假社区", sbox(113.120, 23.000, 113.130, 23.010))]
    )
    with pytest.raises(ImportFailed) as failed:
        grids_import(path, level=Level.COMMUNITY)
    reasons = " ".join(str(p) for p in failed.value.problems)
    assert (
        "code 100001001999 begins with the code of grid 100001001, which is not its ancestor"
    ) in reasons


def test_import_refuses_a_community_whose_code_begins_an_existing_one(tree, tmp_path):
    path = geojson(tmp_path, "c", [("10000", "前缀社区", SEAST)])
    with pytest.raises(ImportFailed) as failed:
        grids_import(path, level=Level.COMMUNITY)
    reasons = " ".join(str(p) for p in failed.value.problems)
    assert "code 10000 is the beginning of" in reasons, reasons
    assert "100001" in reasons, reasons


def test_the_services_refuse_it_both_ways(tree):
    with pytest.raises(ValidationError) as refused:
        create(Level.COMMUNITY, "100001999", EAST)
    assert "code 100001999 begins with sibling 100001's code" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        create(Level.COMMUNITY, "1000", EAST)
    assert "code 1000 is the beginning of sibling 100001, 100002's code" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        create(Level.COMMUNITY, "10000100", EAST)
    assert (
        "code 10000100 is the beginning of the code of 100001001, 100001002, which would "
        "not lie under it"
    ) in str(refused.value)
    # nor may an existing community take a code beginning with another's
    with pytest.raises(ValidationError) as refused:
        grid_update(grid=tree.c2, acting_user=None, code="1000019")
    assert "code 1000019 begins with sibling 100001's code" in str(refused.value)
    assert Grid.objects.filter(code__startswith="100001").count() == 6


def test_a_secretary_of_a_sees_no_grid_that_merely_shares_the_prefix(
    tree, make_user, client, tmp_path
):
    path = geojson(tmp_path, "c", [("100001999", "假社区", SEAST)])
    with pytest.raises(ImportFailed):
        grids_import(path, level=Level.COMMUNITY)
    with pytest.raises(ValidationError):
        create(Level.COMMUNITY, "100001999", EAST)
    with pytest.raises(IntegrityError):
        raw(Level.COMMUNITY, "100001999", EAST)
    client.force_login(make_user("sec", StaffRole.COMMUNITY_SECRETARY, tree.c1))
    assert client.get("/map/grid/100001999/").status_code == 404
    answer = client.get("/api/v1/residents/?grid=100001999")
    assert answer.status_code == 200  # no such grid: nobody listed
    assert answer.json() == {"count": 0, "next": None, "previous": None, "results": []}
    # every grid the secretary's scope matches is C1 or below it
    inside = Grid.objects.filter(code__startswith=tree.c1.code)
    assert all(g.code == tree.c1.code or tree.c1.code in g.ancestors_codes() for g in inside)


# --- unpadded siblings -----------------------------------------------------------------


@pytest.fixture
def community(db):
    return create(Level.COMMUNITY, "440604001001", box(113.0, 23.0, 113.1, 23.1))


SHORT = ("4406040010011", box(113.00, 23.0, 113.01, 23.01))
LONG = ("44060400100110", box(113.02, 23.0, 113.03, 23.01))


@pytest.mark.parametrize(
    ("first", "second", "told"),
    [
        (SHORT, LONG, "code 44060400100110 begins with sibling 4406040010011's code: "),
        (LONG, SHORT, "code 4406040010011 is the beginning of sibling 44060400100110's code: "),
    ],
    ids=["longer after shorter", "shorter after longer"],
)
def test_unpadded_siblings_are_told_how_to_pad(community, first, second, told):
    create(Level.COMPOUND, *first, community)
    with pytest.raises(ValidationError) as refused:
        create(Level.COMPOUND, *second, community)
    assert told + PAD in str(refused.value)


def test_import_tells_unpadded_siblings_in_one_file_how_to_pad(community, tmp_path):
    items = [
        (f"440604001001{n}", f"{n}号院", sbox(113.0 + n / 100, 23.0, 113.005 + n / 100, 23.005))
        for n in (1, 2, 10)
    ]
    path = geojson(tmp_path, "k", items, parent_code="440604001001")
    with pytest.raises(ImportFailed) as failed:
        grids_import(path, level=Level.COMPOUND)
    reasons = [str(p) for p in failed.value.problems]
    assert any(
        "44060400100110" in r and "sibling 4406040010011's code" in r and PAD in r for r in reasons
    ), reasons
    assert Grid.objects.count() == 1


def test_padded_codes_of_any_width_are_accepted(community):
    for n in (1, 2, 10):
        create(
            Level.COMPOUND,
            f"440604001001{n:03d}",
            box(113.0 + n * 0.006, 23.0, 113.005 + n * 0.006, 23.005),
            community,
        )
    k = Grid.objects.get(code="440604001001010")
    create(Level.BUILDING, "4406040010010101", box(113.06, 23.0, 113.061, 23.001), k)
    assert Grid.objects.count() == 5


# --- the database ----------------------------------------------------------------------


def test_the_database_refuses_raw_rows_breaking_the_rule(tree, community):
    with pytest.raises(IntegrityError):
        raw(Level.COMMUNITY, "100001999", EAST)  # begins with a community's code
    with pytest.raises(IntegrityError):
        raw(Level.COMMUNITY, "10000", EAST)  # begins two communities' codes
    raw(Level.COMPOUND, "4406040010011", box(113.00, 23.0, 113.01, 23.01), community)
    with pytest.raises(IntegrityError):
        raw(Level.COMPOUND, "44060400100110", box(113.02, 23.0, 113.03, 23.01), community)
    with pytest.raises(IntegrityError), transaction.atomic():  # a raw UPDATE of the code
        Grid.objects.filter(pk=tree.c2.pk).update(code="1000019")
    assert not Grid.objects.filter(
        code__in=["100001999", "10000", "44060400100110", "1000019"]
    ).exists()


def test_the_database_still_takes_a_whole_tree_in_one_statement(db):
    c = Grid.objects.create(
        level=1, code="77", name="c", kind=Kind.COMMUNITY, geom=MultiPolygon(box(1, 1, 2, 2))
    )
    Grid.objects.bulk_create(
        [
            Grid(
                level=2,
                code=f"77{n:02d}",
                name="k",
                kind=Kind.RESIDENTIAL,
                parent=c,
                geom=MultiPolygon(box(1, 1, 2, 2)),
            )
            for n in range(1, 12)
        ]
    )
    assert Grid.objects.count() == 12
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.bulk_create(
            [
                Grid(
                    level=2,
                    code=code,
                    name="k",
                    kind=Kind.RESIDENTIAL,
                    parent=c,
                    geom=MultiPolygon(box(1, 1, 2, 2)),
                )
                for code in ("771", "7712")
            ]
        )


# --- street offices --------------------------------------------------------------------


def test_street_codes_begin_with_no_other_streets(db):
    Street.objects.create(code="440604001", name="祖庙街道")
    bad = Street(code="4406040010", name="x")
    with pytest.raises(ValidationError) as refused:
        bad.full_clean()
    assert "street code 4406040010 begins with street 440604001's code" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        Street(code="44060400", name="x").full_clean()
    assert "is the beginning of street 440604001's code" in str(refused.value)
    for code in ("4406040010", "44060400"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Street.objects.create(code=code, name="x")
    Street(code="440604002", name="石湾街道").full_clean()


def test_a_community_lies_under_exactly_one_street(db):
    Street.objects.create(code="440604001", name="祖庙街道")
    create(Level.COMMUNITY, "440604001001", box(113.0, 23.0, 113.1, 23.1))
    with pytest.raises(ValidationError) as refused:
        create(Level.COMMUNITY, "440604009001", box(113.2, 23.0, 113.3, 23.1))
    assert "community 440604009001 lies under no street office" in str(refused.value)
    with pytest.raises(ValidationError) as refused:  # a street code inside a community
        Street(code="4406040010019", name="x").full_clean()
    assert "begins with grid 440604001001's code" in str(refused.value)
    street = Street.objects.get()
    street.code = "440604002"  # would leave 440604001001 under no street
    with pytest.raises(ValidationError) as refused:
        street.full_clean()
    assert "community 440604001001 lies under no street office" in str(refused.value)


def test_a_street_admins_scope_is_a_streets_code(db, django_user_model):
    Street.objects.create(code="440604001", name="祖庙街道")
    user = django_user_model.objects.create_user("street", password="x-Pass-2026!")
    loose = Assignment(user=user, role=StaffRole.STREET_ADMIN, scope_code="4406040")
    with pytest.raises(ValidationError) as refused:
        loose.full_clean()
    assert "4406040 is not a street office's code" in str(refused.value)
    Assignment(user=user, role=StaffRole.STREET_ADMIN, scope_code="440604001").full_clean()
    Assignment(user=user, role=StaffRole.STREET_ADMIN, scope_code="").full_clean()


# --- rows from before the rule ---------------------------------------------------------

MIGRATION = importlib.import_module("gridgov.grids.migrations.0008_grid_code_rule")


def old_rows(tree):
    """Rows written before the rule, as an old database holds them: the rule's triggers
    dropped for this test's transaction (rolled back with it on both backends)."""
    drop = {"sqlite": MIGRATION.SQLITE_DROP, "postgresql": MIGRATION.POSTGRES_DROP}
    with connection.cursor() as cursor:
        for sql in drop[connection.vendor]:
            cursor.execute(sql)
    raw(Level.COMMUNITY, "100001999", EAST)
    raw(Level.COMPOUND, "1000010019", box(113.1011, 23.0011, 113.1012, 23.0012), tree.c1)


def test_check_grids_lists_stored_rows_breaking_the_rule(tree):
    old_rows(tree)
    problems, _checked = grid_report()
    lines = render_text(problems, _checked)
    assert "code 100001999 begins with sibling 100001's code: " + PAD in lines
    assert any(
        line.startswith("code 1000010019 begins with sibling 100001001's code") for line in lines
    ), lines
    assert "2 codes break the code rule." in lines[-1]


def test_the_migration_refuses_stored_rows_breaking_the_rule_naming_both(tree, capsys):
    from django.apps import apps

    old_rows(tree)
    assert MIGRATION.violations(apps) == [
        "grid 1000010019 begins with the code of grid 100001001, which is not its ancestor"
        " (siblings of unequal width: pad them, e.g. 01 … 10)",
        "grid 100001999 begins with the code of grid 100001, which is not its ancestor"
        " (siblings of unequal width: pad them, e.g. 01 … 10)",
    ]
    with pytest.raises(RuntimeError) as refused:
        MIGRATION.install(apps, connection.schema_editor(collect_sql=True))
    assert "grid 100001999 begins with the code of grid 100001" in str(refused.value)
    assert "grid 100001999 begins with the code of grid 100001" in capsys.readouterr().err
