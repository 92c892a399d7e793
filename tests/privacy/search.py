"""Search the whole database the way an investigator would: every text column of every table
(found by introspection, not through the models, so a table the code forgot is searched
too), JSON columns read as text. SQLite stores JSON with non-ASCII characters \\u-escaped,
so each needle is looked for in that spelling as well."""

from __future__ import annotations

import json
from types import SimpleNamespace

from django.db import connection, transaction

TEXT_TYPES = {
    "CharField",
    "TextField",
    "JSONField",
    "SlugField",
    "EmailField",
    "GenericIPAddressField",
    "UUIDField",
}
SQLITE_TEXT = ("char", "text", "clob", "json", "varchar")


def _is_text(column) -> bool:
    try:
        kind = connection.introspection.get_field_type(column.type_code, column)
    except (KeyError, AttributeError):
        kind = ""
    if kind in TEXT_TYPES:
        return True
    if connection.vendor == "sqlite":
        declared = str(column.type_code or "").lower()
        return not declared or any(t in declared for t in SQLITE_TEXT)
    return False


def _ours(table: str) -> bool:
    return table in connection.introspection.django_table_names()


def text_columns() -> list[tuple[str, str]]:
    """(table, column) for every text or JSON column in the database."""
    out = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            try:
                with transaction.atomic():
                    description = connection.introspection.get_table_description(cursor, table)
            except Exception:
                if connection.vendor != "sqlite":
                    raise
                # Django's SQLite introspection fails on some table definitions (SpatiaLite's
                # virtual tables, a constraint it cannot parse): ask SQLite itself.
                cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
                description = [
                    SimpleNamespace(name=row[1], type_code=row[2]) for row in cursor.fetchall()
                ]
            out += [(table, col.name) for col in description if _is_text(col)]
    return out


def _like(needle: str) -> str:
    return "%" + needle.replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%"


def find_everywhere(*needles: str) -> dict[str, list[str]]:
    """needle -> ["table.column", …] holding it somewhere."""
    spellings = {n: {n, json.dumps(n)[1:-1]} for n in needles}
    hits: dict[str, list[str]] = {n: [] for n in needles}
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, column in text_columns():
            for needle, forms in spellings.items():
                where = " OR ".join(f"CAST({q(column)} AS TEXT) LIKE %s ESCAPE '!'" for _f in forms)
                try:
                    with transaction.atomic():
                        cursor.execute(
                            f"SELECT COUNT(*) FROM {q(table)} WHERE {where}",
                            [_like(f) for f in sorted(forms)],
                        )
                        found = cursor.fetchone()[0]
                except Exception:  # a SpatiaLite virtual table that cannot be read
                    if _ours(table):
                        raise
                    continue
                if found:
                    hits[needle].append(f"{table}.{column}")
    return hits


def phone_spellings(digits: str) -> tuple[str, ...]:
    """An 11-digit number as people write it: whole, grouped 3-4-4 with dashes or spaces,
    with +86 in front (each looked for as it stands)."""
    head, mid, tail = digits[:3], digits[3:7], digits[7:]
    return (
        digits,
        f"{head}-{mid}-{tail}",
        f"{head} {mid} {tail}",
        f"+86 {head} {mid} {tail}",
        f"+86{digits}",
    )


def find_person(name: str, digits: str, *more: str) -> dict[str, list[str]]:
    """Where the name, any spelling of the number, or ``more`` is still found (only hits)."""
    return {k: v for k, v in find_everywhere(name, *phone_spellings(digits), *more).items() if v}
