"""Fixtures for cases: a factory of cases raised by the resident's account; refusals in
English. The tree, the cast (``people``) and the categories are the suite's
(tests/plugins/world.py)."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from gridgov.cases.services import case_create
from tests.world import IN_B1


@pytest.fixture(autouse=True)
def in_english(english):
    """Refusal messages are asserted in English here (the pages' tests compare against
    gettext, whatever the language)."""


@pytest.fixture
def new_case(case_categories, people):
    """A factory of cases raised by the resident account, in building B1 by default."""

    def make(category: str = "repair", location: Point = IN_B1, **extra):
        fields = {
            "channel": "phone",
            "title": "楼道灯不亮",
            "requester_name": "陈阿姨",
            "requester_phone": "13800001234",
            "requester_user": people.resident,
            "description": "三楼楼道灯坏了一周",
        }
        fields.update(extra)
        return case_create(
            acting_user=people.c1_staff,
            category=case_categories[category],
            location=location,
            **fields,
        )

    return make
