"""The ledger cannot be edited or deleted: not through the model, not through a queryset,
not by raw SQL on either backend. A correction is a new entry; only the demo reset empties
the ledger."""

import pytest
from django.db import IntegrityError, connection, transaction

from gridgov.points import selectors, services
from gridgov.points.models import LedgerEntry, LedgerImmutableError

TABLE = LedgerEntry._meta.db_table


@pytest.fixture
def entry(people, earn):
    return earn(people.wang, 3)


def test_model_refuses_save_and_delete(entry):
    entry.points = 1000
    with pytest.raises(LedgerImmutableError, match="immutable"):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        LedgerEntry.objects.filter(pk=entry.pk).update(points=1000)
    with pytest.raises(LedgerImmutableError):
        LedgerEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(LedgerImmutableError):
        entry.member.ledger_entries.all().delete()
    assert LedgerEntry.objects.get(pk=entry.pk).points == 30


@pytest.mark.parametrize(
    "sql",
    [
        f"UPDATE {TABLE} SET points = 1000 WHERE id = %s",
        f"UPDATE {TABLE} SET reason = 'changed', occurred_on = occurred_on WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ],
)
def test_raw_sql_update_and_delete_fail_in_the_database(entry, sql):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [entry.pk])
    row = LedgerEntry.objects.get(pk=entry.pk)
    assert (row.points, row.reason) == (30, "社区清洁活动")


def test_raw_delete_of_the_whole_table_fails(entry):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
    assert LedgerEntry.objects.count() == 1


def test_raw_insert_still_works_and_check_constraints_hold(entry):
    # spending must take points out and no hours
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            member=entry.member,
            kind="spend",
            points=5,
            reason="x",
            occurred_on=entry.occurred_on,
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # an adjustment needs a reason
        LedgerEntry.objects.create(
            member=entry.member,
            kind="adjust",
            points=5,
            reason="",
            occurred_on=entry.occurred_on,
        )


def test_a_member_with_entries_cannot_be_deleted(entry):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        entry.member.delete()


def test_demo_reset_empties_the_ledger_and_keeps_the_triggers(people, earn, item):
    earn(people.li, 5)
    r = services.redemption_create(member=people.li, item=item(cost=10), acting_user=None)
    assert r.pk
    services.points_reset_all()
    assert LedgerEntry.objects.count() == 0
    assert selectors.points_balance(people.li) == 0
    e = earn(people.li, 1)
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):  # still immutable after the reset
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [e.pk])


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_leave_entries_with_ledger_flushable(
    ledger_flushable, people, earn
):
    """Without the fixture, Django's flush after this test fails on SQLite (the trigger)."""
    earn(people.wang, 1)
    assert LedgerEntry.objects.count() == 1
