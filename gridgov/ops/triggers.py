"""SQLite triggers that migrations made, put back after a table rebuild.

SQLite cannot alter most columns in place: Django's schema editor copies the table into a
new one and drops the old, and the old table's triggers go with it. Four sets of triggers
keep rules no CheckConstraint can express: grid nesting (grids/0003), the code rule
(grids/0008, on grids_grid and grids_street), the immutable points
ledger (points/0003) and each household's resident count (people/0005).
``repair_triggers`` runs after every ``migrate`` (a post_migrate receiver) and recreates any
of them that its migration made and that is now missing, so a later migration on those
tables can never switch a rule off unnoticed.
PostgreSQL keeps triggers across ALTER TABLE: nothing to do there.
"""

from __future__ import annotations

import importlib
import re

from django.db import connections

# (app label, migration name, table): the migration's SQLITE list creates the triggers.
TRIGGER_MIGRATIONS = [
    ("grids", "0003_grid_parent_trigger", "grids_grid"),
    ("grids", "0008_grid_code_rule", "grids_grid"),
    ("points", "0003_ledger_immutable", "points_ledgerentry"),
    ("people", "0005_household_resident_count", "people_resident"),
]
NAME = re.compile(r"CREATE\s+TRIGGER\s+(\w+)", re.IGNORECASE)


def expected_triggers() -> list[tuple[str, str, str, str, str]]:
    """(app, migration, table, trigger name, CREATE statement) of every guarded trigger."""
    found = []
    for app, migration, table in TRIGGER_MIGRATIONS:
        module = importlib.import_module(f"gridgov.{app}.migrations.{migration}")
        for sql in module.SQLITE:
            found.append((app, migration, table, NAME.search(sql).group(1), sql))
    return found


def repair_triggers(using: str = "default") -> list[str]:
    """Recreate the guarded SQLite triggers that are missing (their migration applied, their
    table present); the names recreated."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return []
    repaired = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        if "django_migrations" not in tables:
            return []
        cursor.execute("SELECT app, name FROM django_migrations")
        applied = set(cursor.fetchall())
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
        for app, migration, table, name, sql in expected_triggers():
            if (app, migration) in applied and table in tables and name not in present:
                cursor.execute(sql)
                repaired.append(name)
    return repaired


def repair_after_migrate(sender, using="default", **kwargs) -> None:
    repair_triggers(using)
