"""Each household's number of residents, kept by the database (Household.resident_count).

Exports and counts per building read one column per household instead of counting every
resident (981k at district scale). Triggers on the residents table keep it, whoever writes
(services, bulk loads, the admin, raw SQL):

- SQLite: a row trigger per insert, delete and change of household;
- PostgreSQL: statement triggers with transition tables, one UPDATE per statement whatever
  its size (a bulk load of 5,000 residents is one UPDATE of their households).

The application never writes the column (Household.save leaves it out). TRUNCATE, which
Django's test flush uses on PostgreSQL, empties both tables together. After a SQLite table
rebuild, gridgov.ops.triggers puts the triggers back.
"""

from django.db import migrations, models

SQLITE = [
    """
    CREATE TRIGGER people_resident_count_insert AFTER INSERT ON people_resident
    BEGIN
        UPDATE people_household SET resident_count = resident_count + 1
        WHERE id = NEW.household_id;
    END
    """,
    """
    CREATE TRIGGER people_resident_count_delete AFTER DELETE ON people_resident
    BEGIN
        UPDATE people_household SET resident_count = resident_count - 1
        WHERE id = OLD.household_id;
    END
    """,
    """
    CREATE TRIGGER people_resident_count_move AFTER UPDATE OF household_id ON people_resident
    WHEN NEW.household_id IS NOT OLD.household_id
    BEGIN
        UPDATE people_household SET resident_count = resident_count - 1
        WHERE id = OLD.household_id;
        UPDATE people_household SET resident_count = resident_count + 1
        WHERE id = NEW.household_id;
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS people_resident_count_insert",
    "DROP TRIGGER IF EXISTS people_resident_count_delete",
    "DROP TRIGGER IF EXISTS people_resident_count_move",
]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION people_resident_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            UPDATE people_household h SET resident_count = h.resident_count + d.n
            FROM (SELECT household_id, count(*) AS n FROM added GROUP BY household_id) d
            WHERE h.id = d.household_id;
        ELSIF TG_OP = 'DELETE' THEN
            UPDATE people_household h SET resident_count = h.resident_count - d.n
            FROM (SELECT household_id, count(*) AS n FROM removed GROUP BY household_id) d
            WHERE h.id = d.household_id;
        ELSE
            UPDATE people_household h SET resident_count = h.resident_count + d.n
            FROM (SELECT household_id, sum(n) AS n FROM (
                      SELECT a.household_id, 1 AS n FROM added a
                      JOIN removed r ON r.id = a.id WHERE a.household_id <> r.household_id
                      UNION ALL
                      SELECT r.household_id, -1 FROM added a
                      JOIN removed r ON r.id = a.id WHERE a.household_id <> r.household_id
                  ) moves GROUP BY household_id) d
            WHERE h.id = d.household_id AND d.n <> 0;
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER people_resident_count_insert AFTER INSERT ON people_resident
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION people_resident_count()
    """,
    """
    CREATE TRIGGER people_resident_count_delete AFTER DELETE ON people_resident
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION people_resident_count()
    """,
    """
    CREATE TRIGGER people_resident_count_move AFTER UPDATE ON people_resident
    REFERENCING OLD TABLE AS removed NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION people_resident_count()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS people_resident_count_insert ON people_resident",
    "DROP TRIGGER IF EXISTS people_resident_count_delete ON people_resident",
    "DROP TRIGGER IF EXISTS people_resident_count_move ON people_resident",
    "DROP FUNCTION IF EXISTS people_resident_count()",
]

BACKFILL = """
    UPDATE people_household SET resident_count = (
        SELECT count(*) FROM people_resident r WHERE r.household_id = people_household.id)
"""


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0004_reporting"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="resident_count",
            field=models.PositiveIntegerField(default=0, editable=False,
                                              verbose_name="residents"),
        ),
        migrations.RunPython(
            _run({"sqlite": [BACKFILL, *SQLITE], "postgresql": [BACKFILL, *POSTGRES]}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
