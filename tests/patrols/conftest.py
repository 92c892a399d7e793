"""Patrol fixtures: the seeded case categories (a finding opens a case in one)."""

from tests.cases.conftest import categories  # noqa: F401  (re-exported fixture)
