"""Database-enforced nesting: a grid's parent is exactly one level up and its code a prefix.

CheckConstraints cannot look at another row, so a trigger does it, on both backends. It also
refuses changing a grid's level or code when that would break its children.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER grids_grid_parent_ins BEFORE INSERT ON grids_grid
    WHEN NEW.parent_id IS NOT NULL AND (
        (SELECT level FROM grids_grid WHERE id = NEW.parent_id) IS NOT NEW.level - 1
        OR substr(NEW.code, 1, length((SELECT code FROM grids_grid WHERE id = NEW.parent_id)))
           IS NOT (SELECT code FROM grids_grid WHERE id = NEW.parent_id))
    BEGIN
        SELECT RAISE(ABORT, 'grid parent must be exactly one level up and its code a prefix');
    END
    """,
    """
    CREATE TRIGGER grids_grid_parent_upd BEFORE UPDATE OF parent_id, level, code ON grids_grid
    WHEN (NEW.parent_id IS NOT NULL AND (
        (SELECT level FROM grids_grid WHERE id = NEW.parent_id) IS NOT NEW.level - 1
        OR substr(NEW.code, 1, length((SELECT code FROM grids_grid WHERE id = NEW.parent_id)))
           IS NOT (SELECT code FROM grids_grid WHERE id = NEW.parent_id)))
      OR EXISTS (SELECT 1 FROM grids_grid c WHERE c.parent_id = NEW.id
                 AND (c.level != NEW.level + 1 OR substr(c.code, 1, length(NEW.code)) != NEW.code))
    BEGIN
        SELECT RAISE(ABORT, 'grid parent must be exactly one level up and its code a prefix');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS grids_grid_parent_ins",
    "DROP TRIGGER IF EXISTS grids_grid_parent_upd",
]

POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION grids_grid_check_parent() RETURNS trigger AS $$
    DECLARE
        p_level smallint;
        p_code text;
    BEGIN
        IF NEW.parent_id IS NOT NULL THEN
            SELECT level, code INTO p_level, p_code FROM grids_grid WHERE id = NEW.parent_id;
            IF p_level IS DISTINCT FROM NEW.level - 1 THEN
                RAISE EXCEPTION 'grid %: parent % is level %, must be level %',
                    NEW.code, p_code, p_level, NEW.level - 1 USING ERRCODE = '23514';
            END IF;
            IF left(NEW.code, length(p_code)) <> p_code THEN
                RAISE EXCEPTION 'grid %: code must begin with the parent''s code %',
                    NEW.code, p_code USING ERRCODE = '23514';
            END IF;
        END IF;
        IF TG_OP = 'UPDATE' AND EXISTS (
            SELECT 1 FROM grids_grid c WHERE c.parent_id = NEW.id
            AND (c.level <> NEW.level + 1 OR left(c.code, length(NEW.code)) <> NEW.code)
        ) THEN
            RAISE EXCEPTION 'grid %: its children would no longer nest in it', NEW.code
                USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER grids_grid_check_parent BEFORE INSERT OR UPDATE OF parent_id, level, code
    ON grids_grid FOR EACH ROW EXECUTE FUNCTION grids_grid_check_parent()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS grids_grid_check_parent ON grids_grid",
    "DROP FUNCTION IF EXISTS grids_grid_check_parent()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_grid_roles")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        )
    ]
