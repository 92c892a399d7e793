"""Member groups (党员小组) and household teams (包干到层、包干到户) of branch planning.

A compound's party members are split into groups of 20–30 by the buildings they live in,
each with a leader and a deputy; a building's (or compound's) households are shared out among
teams of 3 members, each owning whole floors where possible. Both are suggested, edited on a
page, checked and saved as a whole (docs/PLANNING.md).

- ``splitting.py``: the pure algorithms (Hilbert order, group sizes, cutting, leader ranking);
  rooms and floors are read by ``gridgov.grids.addresses.read_room``;
- ``selectors/``: readers — ``member_groups.py`` (scope, pool, leader facts, suggestion,
  saved set, page rows), ``household_teams.py`` (targets, households in cutting order, pool,
  suggestion, saved set, overlapping teams) and ``places.py`` (positions in local metres,
  the buildings' Hilbert order); import them from ``selectors``;
- ``services/``: writers (check, save as a whole, clear), each with its audit row —
  ``member_groups.py``, ``household_teams.py`` and ``guards.py`` (the refusal, the
  stale-edit check, the grid lock); import them from ``services``.

The models are in ``gridgov/planning/models.py``; the pages are in ``maps/planning/``.
"""
