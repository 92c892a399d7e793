"""The code rule's PostgreSQL triggers (0008) take a transaction-scoped advisory lock first.

Each trigger looks for conflicting codes among the rows it can see; two transactions
inserting conflicting codes at once (siblings …1 and …10) each cannot see the other's
uncommitted row, so both passed. Now the trigger function first takes
``pg_advisory_xact_lock`` on a constant of its table, held to the end of the transaction:
a second writer of grid (or street) codes waits until the first commits or rolls back, and
its lookups (a new snapshot per statement under READ COMMITTED) then see the first's row.
Only writes that change a code or a parent take it (the triggers' ``UPDATE OF``). SQLite
serialises writers already: nothing to do there.
"""

import importlib

from django.db import migrations

rule = importlib.import_module("gridgov.grids.migrations.0008_grid_code_rule")

# pg_advisory_xact_lock keys (bigint), one per table: "GRDC" and "STRC" in ASCII.
GRID_LOCK = 0x47524443
STREET_LOCK = 0x53545243

GRID_FUNCTION, STREET_FUNCTION = rule.POSTGRES[0], rule.POSTGRES[2]
assert "FUNCTION grids_grid_code_rule()" in GRID_FUNCTION
assert "FUNCTION grids_street_code_rule()" in STREET_FUNCTION


def _locked(function: str, key: int) -> str:
    """The function with the lock taken before anything else it does."""
    body = "    BEGIN\n"
    assert function.count(body) == 1
    return function.replace(body, f"{body}        PERFORM pg_advisory_xact_lock({key});\n")


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_locked(GRID_FUNCTION, GRID_LOCK), params=None)
        schema_editor.execute(_locked(STREET_FUNCTION, STREET_LOCK), params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GRID_FUNCTION, params=None)
        schema_editor.execute(STREET_FUNCTION, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("grids", "0008_grid_code_rule"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
