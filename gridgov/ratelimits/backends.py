"""The rate-limit cache's database backend, and its table made by every ``migrate``.

Django's ``DatabaseCache`` counts badly for a limiter: its ``incr`` (from ``BaseCache``)
reads, then writes the sum back with the cache's *default* timeout, so two workers counting
at once lose a count, and every count pushes the window's end further away. The ``incr``
here updates the row in one transaction that holds it (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's ``BEGIN IMMEDIATE``, which settings.py sets, serialises writers) and
keeps the row's expiry: the window ends when it started plus its length.

Nor does it cull well: past ``MAX_ENTRIES`` rows it deletes the expired rows and then a
third of the rest, live counters among them, so a flood of distinct addresses would reset
the counters of the clients being limited. The cull here deletes expired rows only: a live
window is never dropped, and ``MAX_ENTRIES`` is only how many rows make a write sweep out
the expired ones (the table holds about one row per client of the last window).
"""

from __future__ import annotations

import base64
import pickle

from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.db import connections, router, transaction
from django.utils import timezone


class DatabaseCounterCache(DatabaseCache):
    """``DatabaseCache`` with an atomic, expiry-keeping ``incr`` and a cull that drops
    expired rows only."""

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        q = connection.ops.quote_name
        table = q(self._table)
        lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
        now = timezone.now().replace(microsecond=0)  # aware with USE_TZ, as set() stores
        with transaction.atomic(using=db), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {q('value')} FROM {table} WHERE {q('cache_key')} = %s "
                f"AND {q('expires')} >= %s{lock}",
                [key, connection.ops.adapt_datetimefield_value(now)],
            )
            row = cursor.fetchone()
            if row is None:
                raise ValueError(f"Key '{key}' not found.")
            value = pickle.loads(base64.b64decode(row[0].encode())) + delta
            stored = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
            cursor.execute(
                f"UPDATE {table} SET {q('value')} = %s WHERE {q('cache_key')} = %s", [stored, key]
            )
        return value

    def decr(self, key, delta=1, version=None):
        return self.incr(key, -delta, version)

    def _cull(self, db, cursor, now, num):
        """Delete the expired rows; never a live one (and never ``clear()``, whatever
        ``CULL_FREQUENCY`` says)."""
        connection = connections[db]
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(self._table)} "
            f"WHERE {connection.ops.quote_name('expires')} < %s",
            [connection.ops.adapt_datetimefield_value(now)],
        )


def create_table_after_migrate(sender, using="default", **kwargs) -> None:
    """``createcachetable`` after every ``migrate`` (make run, the container's migrate
    service, the test database, the benches): a database cache's table is not a model, so
    no migration makes it. Does nothing when the table exists or no cache is a database
    cache (Redis, local memory)."""
    call_command("createcachetable", database=using, verbosity=0)
