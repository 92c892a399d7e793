"""Helpers of the notice tests."""

from __future__ import annotations

from gridgov.cases.services import case_create
from tests.world import IN_B1


def raise_request(case_categories, people, *, category="sanitation", at=None, requester_user=None):
    """A request in building B1, registered by the C1 secretary (who hears of it: the staff
    over B1)."""
    return case_create(
        acting_user=people.c1_staff,
        category=case_categories[category],
        channel="phone",
        title="楼道堆物",
        requester_name="陈先生",
        location=IN_B1,
        at=at,
        requester_user=requester_user,
    )
