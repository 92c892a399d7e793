"""The code rule in the database: a grid's code begins with no grid's code but its
ancestors' (the longest grid code it begins with is its parent's, none for a community), no
grid's code begins with it but its descendants', and no street office's code begins with
another's (gridgov.grids.codes; docs/TOPOLOGY.md).

Triggers on both backends, looking up by index only: the beginnings of the new code by
equality, the codes beginning with it by a range of the code index (binary order, where
every code beginning with C lies between C and C followed by U+10FFFF).

Rows already breaking the rule make the migration fail, naming both codes of each pair
(docs/DECISIONS.md, "Grid codes that begin with another's"): recode them, then migrate.
"""

import sys

from django.db import migrations

CODE_MAX = 40
# substr(NEW.code, 1, 1), …, substr(NEW.code, 1, 39): the beginnings of the new code.
_BEGINNINGS = ", ".join(f"substr(NEW.code, 1, {n})" for n in range(1, CODE_MAX))
_BEGINS_WITH_NEW = ("{t}.code > NEW.code AND {t}.code < (NEW.code || char(1114111)) "
                    "AND substr({t}.code, 1, length(NEW.code)) = NEW.code")

SQLITE = [
    f"""
    CREATE TRIGGER grids_grid_code_rule_ins BEFORE INSERT ON grids_grid
    WHEN (SELECT id FROM grids_grid WHERE code IN ({_BEGINNINGS})
          AND length(code) < length(NEW.code) ORDER BY length(code) DESC LIMIT 1)
         IS NOT NEW.parent_id
      OR EXISTS (SELECT 1 FROM grids_grid g WHERE {_BEGINS_WITH_NEW.format(t="g")})
    BEGIN
        SELECT RAISE(ABORT, 'grid code rule: a code begins only with its ancestors'' codes');
    END
    """,
    f"""
    CREATE TRIGGER grids_grid_code_rule_upd BEFORE UPDATE OF code, parent_id ON grids_grid
    WHEN (SELECT id FROM grids_grid WHERE code IN ({_BEGINNINGS})
          AND length(code) < length(NEW.code) AND id != NEW.id
          ORDER BY length(code) DESC LIMIT 1) IS NOT NEW.parent_id
      OR EXISTS (SELECT 1 FROM grids_grid g WHERE {_BEGINS_WITH_NEW.format(t="g")}
                 AND g.id != NEW.id AND g.parent_id IS NOT NEW.id
                 AND (SELECT p.parent_id FROM grids_grid p WHERE p.id = g.parent_id)
                     IS NOT NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'grid code rule: a code begins only with its ancestors'' codes');
    END
    """,
    f"""
    CREATE TRIGGER grids_street_code_rule_ins BEFORE INSERT ON grids_street
    WHEN EXISTS (SELECT 1 FROM grids_street WHERE code IN ({_BEGINNINGS})
                 AND length(code) < length(NEW.code))
      OR EXISTS (SELECT 1 FROM grids_street s WHERE {_BEGINS_WITH_NEW.format(t="s")})
    BEGIN
        SELECT RAISE(ABORT, 'street code rule: no street code begins with another''s');
    END
    """,
    f"""
    CREATE TRIGGER grids_street_code_rule_upd BEFORE UPDATE OF code ON grids_street
    WHEN EXISTS (SELECT 1 FROM grids_street WHERE code IN ({_BEGINNINGS})
                 AND length(code) < length(NEW.code) AND id != NEW.id)
      OR EXISTS (SELECT 1 FROM grids_street s WHERE {_BEGINS_WITH_NEW.format(t="s")}
                 AND s.id != NEW.id)
    BEGIN
        SELECT RAISE(ABORT, 'street code rule: no street code begins with another''s');
    END
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS grids_grid_code_rule_ins",
    "DROP TRIGGER IF EXISTS grids_grid_code_rule_upd",
    "DROP TRIGGER IF EXISTS grids_street_code_rule_ins",
    "DROP TRIGGER IF EXISTS grids_street_code_rule_upd",
]

# PostgreSQL: ~>~ and ~<~ compare bytes, the order of the code's varchar_pattern_ops index.
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION grids_grid_code_rule() RETURNS trigger AS $$
    DECLARE
        above_id bigint;
        above_code text;
        below_code text;
    BEGIN
        SELECT id, code INTO above_id, above_code FROM grids_grid
        WHERE code = ANY (ARRAY(SELECT left(NEW.code, n)
                                FROM generate_series(1, length(NEW.code) - 1) n))
          AND id <> NEW.id
        ORDER BY length(code) DESC LIMIT 1;
        IF above_id IS DISTINCT FROM NEW.parent_id THEN
            RAISE EXCEPTION 'grid code rule: code % begins with grid %''s code, not its parent''s',
                NEW.code, above_code USING ERRCODE = '23514';
        END IF;
        SELECT g.code INTO below_code FROM grids_grid g
        WHERE g.code ~>~ NEW.code AND g.code ~<~ (NEW.code || chr(1114111))
          AND left(g.code, length(NEW.code)) = NEW.code AND g.id <> NEW.id
          AND g.parent_id IS DISTINCT FROM NEW.id
          AND NOT EXISTS (SELECT 1 FROM grids_grid p WHERE p.id = g.parent_id
                          AND p.parent_id = NEW.id)
        LIMIT 1;
        IF below_code IS NOT NULL THEN
            RAISE EXCEPTION 'grid code rule: code % begins with code %, not its ancestor''s',
                below_code, NEW.code USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER grids_grid_code_rule BEFORE INSERT OR UPDATE OF code, parent_id
    ON grids_grid FOR EACH ROW EXECUTE FUNCTION grids_grid_code_rule()
    """,
    """
    CREATE OR REPLACE FUNCTION grids_street_code_rule() RETURNS trigger AS $$
    DECLARE
        other text;
    BEGIN
        SELECT code INTO other FROM grids_street
        WHERE id <> NEW.id AND (
            code = ANY (ARRAY(SELECT left(NEW.code, n)
                              FROM generate_series(1, length(NEW.code) - 1) n))
            OR (code ~>~ NEW.code AND code ~<~ (NEW.code || chr(1114111))
                AND left(code, length(NEW.code)) = NEW.code))
        LIMIT 1;
        IF other IS NOT NULL THEN
            RAISE EXCEPTION 'street code rule: street codes % and % begin one with the other',
                NEW.code, other USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER grids_street_code_rule BEFORE INSERT OR UPDATE OF code
    ON grids_street FOR EACH ROW EXECUTE FUNCTION grids_street_code_rule()
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS grids_grid_code_rule ON grids_grid",
    "DROP FUNCTION IF EXISTS grids_grid_code_rule()",
    "DROP TRIGGER IF EXISTS grids_street_code_rule ON grids_street",
    "DROP FUNCTION IF EXISTS grids_street_code_rule()",
]


def violations(apps) -> list[str]:
    """One line per stored pair breaking the rule, naming both codes."""
    from gridgov.grids.codes import conflicts, proper_prefixes

    Grid = apps.get_model("grids", "Grid")
    Street = apps.get_model("grids", "Street")
    lines = [
        f"grid {c.code} begins with the code of grid {c.other}, which is not its ancestor"
        + (" (siblings of unequal width: pad them, e.g. 01 … 10)" if c.sibling else "")
        for c in conflicts(dict(Grid.objects.values_list("code", "parent__code")))
    ]
    streets = set(Street.objects.values_list("code", flat=True))
    lines += [f"street {c} begins with the code of street {p}"
              for c in sorted(streets) for p in proper_prefixes(c) if p in streets]
    return lines


def install(apps, schema_editor):
    found = violations(apps)
    if found:
        text = "\n".join(f"  {line}" for line in found)
        sys.stderr.write(f"\ngrids.0008_grid_code_rule: {len(found)} codes break the code "
                         f"rule:\n{text}\n")
        raise RuntimeError(
            f"{len(found)} grid or street codes begin with a code that is not their "
            f"ancestor's (docs/TOPOLOGY.md): give them codes under their parent's, then "
            f"migrate again. manage.py check_grids lists them too.\n{text}")
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor,
                                                              []):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(
            schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("grids", "0007_grid_geojson"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
