"""Database-enforced immutability of the ledger: any UPDATE or DELETE of a ledger row fails,
on both backends, whoever issues it (the application, the admin, a raw SQL session).

A correction is a new entry. The only way to remove entries is
``gridgov.points.services.points_reset_all`` (the demo reset), which switches the triggers off
and on again around its DELETE inside one transaction. (TRUNCATE, which Django's test flush
uses on PostgreSQL, does not fire row triggers.)

Both raise SQLSTATE 23001 (restrict_violation) / SQLITE_CONSTRAINT: Django reports an
IntegrityError on both backends.
"""

from django.db import migrations

MESSAGE = "ledger entries are immutable: record a correcting entry instead"

SQLITE = [
    f"""
    CREATE TRIGGER points_ledger_no_update BEFORE UPDATE ON points_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END
    """,
    f"""
    CREATE TRIGGER points_ledger_no_delete BEFORE DELETE ON points_ledgerentry
    BEGIN
        SELECT RAISE(ABORT, '{MESSAGE}');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS points_ledger_no_update",
    "DROP TRIGGER IF EXISTS points_ledger_no_delete",
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION points_ledger_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'ledger entry %: {MESSAGE} (% refused)', OLD.id, TG_OP
            USING ERRCODE = '23001';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER points_ledger_immutable BEFORE UPDATE OR DELETE ON points_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION points_ledger_immutable()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS points_ledger_immutable ON points_ledgerentry",
    "DROP FUNCTION IF EXISTS points_ledger_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("points", "0002_mall")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
