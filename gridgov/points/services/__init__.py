"""Writers of the ledger and the points mall. Ledger entries are only ever added.

Concurrency: every service that can take points or stock away locks the rows it decides on
in one fixed order — the member, then the item, then the redemption — so concurrent
redemptions, cancellations and adjustments queue behind each other and never deadlock. On
PostgreSQL that is SELECT … FOR UPDATE; SQLite has no row locks, so a no-op UPDATE of the
member row takes the database's write lock at the start of the transaction instead (SQLite
writers are serialised). Stock is also taken by a conditional UPDATE (… WHERE stock >= 1) and
a CHECK (stock >= 0) backs it.

The package: ``ledger`` (earn, adjust, demo reset) and ``mall`` (items, redemptions); import
the services from here.
"""

from gridgov.points.services.ledger import (
    ledger_adjust,
    ledger_earn,
    points_for_hours,
    points_reset_all,
)
from gridgov.points.services.mall import (
    ITEM_FIELDS,
    mall_item_create,
    mall_item_restock,
    mall_item_update,
    redemption_cancel,
    redemption_create,
    redemption_hand_over,
)

__all__ = [
    "ITEM_FIELDS",
    "ledger_adjust",
    "ledger_earn",
    "mall_item_create",
    "mall_item_restock",
    "mall_item_update",
    "points_for_hours",
    "points_reset_all",
    "redemption_cancel",
    "redemption_create",
    "redemption_hand_over",
]
