"""A patrol finding opens a request at its point, once, on the patrol channel."""

import datetime as dt

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.exceptions import ValidationError
from django.utils import timezone

from gridgov.cases.models import Case
from gridgov.patrols.services import case_from_finding, patrol_record, route_create
from tests.factories import MemberFactory


def test_finding_opens_a_located_case_once(tree, case_categories, admin_user):
    route = route_create(
        acting_user=admin_user,
        grid=tree.k1,
        name="东湖夜巡线",
        line=LineString((113.1015, 23.0035), (113.1045, 23.0035), srid=4326),
    )
    walker = MemberFactory(name="巡逻员")
    patrol = patrol_record(
        route=route,
        walked_on=timezone.localdate() - dt.timedelta(days=1),
        members=[walker],
        acting_user=admin_user,
        findings=[
            {"point": Point(113.102, 23.0028, srid=4326), "kind": "hazard", "note": "井盖松动"}
        ],
    )
    finding = patrol.findings.get()
    category = next(iter(case_categories.values()))
    case = case_from_finding(finding=finding, category=category, acting_user=admin_user)
    finding.refresh_from_db()
    assert finding.opened_case_number == case.number
    assert case.channel == "patrol"
    assert case.title == "井盖松动"
    assert case.building.code == "100001001001"  # located at the finding's point
    with pytest.raises(ValidationError, match=case.number):
        case_from_finding(finding=finding, category=category, acting_user=admin_user)
    assert Case.objects.count() == 1
