"""Fixtures for dual reporting: the units, staff and registration page of the suite's
reporting world (``reporting`` and ``register``, tests/world/reporting.py, through
tests/plugins/world.py, with the tree, make_user, english and fresh_cache)."""
