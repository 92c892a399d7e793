"""Each household's resident count is kept by the database, whoever writes the residents:
services, bulk loads, moves, deletes, raw SQL; and a stale household saved by the
application never overwrites it. Exports read it (tests/grids/test_export_command.py
compares them with residents counted one by one)."""

import pytest
from django.db import connection

from gridgov.people.models import Gender, Household, Resident
from gridgov.people.services import household_update
from tests.factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db


def counts(*households: Household) -> list[int]:
    return [Household.objects.get(pk=h.pk).resident_count for h in households]


def test_residents_added_moved_and_removed_are_counted():
    east, west = HouseholdFactory(), HouseholdFactory()
    assert counts(east, west) == [0, 0]
    people = [ResidentFactory(household=east) for _ in range(3)]
    assert counts(east, west) == [3, 0]
    people[0].household = west
    people[0].save()
    assert counts(east, west) == [2, 1]
    people[1].name = "改名"  # a change that is not a move
    people[1].save()
    assert counts(east, west) == [2, 1]
    people[2].delete()
    assert counts(east, west) == [1, 1]


def test_bulk_loads_and_raw_sql_are_counted():
    east, west = HouseholdFactory(), HouseholdFactory()
    Resident.objects.bulk_create(
        [
            Resident(household=east if i % 3 else west, name=f"居民{i}", gender=Gender.MALE)
            for i in range(300)
        ],
        batch_size=70,
    )
    assert counts(east, west) == [200, 100]
    Resident.objects.filter(household=west).update(household=east)
    assert counts(east, west) == [300, 0]
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM people_resident WHERE id IN (SELECT id FROM people_resident"
            " WHERE household_id = %s ORDER BY id LIMIT 120)",
            [east.pk],
        )
    assert counts(east, west) == [180, 0]
    assert counts(east)[0] == Resident.objects.filter(household=east).count()


def test_a_stale_household_saved_does_not_overwrite_the_count():
    home = HouseholdFactory()
    stale = Household.objects.get(pk=home.pk)  # read while empty
    ResidentFactory(household=home)
    ResidentFactory(household=home)
    stale.room = "302"
    stale.save()  # resident_count 0 in memory
    fresh = Household.objects.get(pk=home.pk)
    assert (fresh.room, fresh.resident_count) == ("302", 2)
    household_update(household=fresh, acting_user=None, room="303")  # the service's way
    assert counts(home) == [2]


def test_a_household_deleted_with_its_residents():
    home = HouseholdFactory()
    ResidentFactory(household=home)
    home.delete()
    assert not Household.objects.filter(pk=home.pk).exists()
    assert not Resident.objects.filter(household_id=home.pk).exists()


def test_the_admin_shows_the_count(admin_client):
    home = HouseholdFactory(address="东湖花园9栋101")
    ResidentFactory(household=home)
    ResidentFactory(household=home)
    listing = admin_client.get("/en/admin/people/household/").content.decode()
    assert "东湖花园9栋101" in listing
    assert ">Residents<" in listing
    assert '<td class="field-resident_count">2</td>' in listing
    page = admin_client.get(f"/en/admin/people/household/{home.pk}/change/").content.decode()
    assert 'name="resident_count"' not in page  # shown, never edited
