"""The access matrix: every staff role, scoped to its natural grid, against an object inside
and an object outside that grid, on every page that guards a capability. The expected answer
of each cell comes from the one policy table (gridgov.accounts.policy.RULES): allowed iff the
role holds the capability and the object lies in the role's grid subtree."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from gridgov.accounts import policy
from gridgov.accounts.models import StaffRole
from gridgov.people.models import ReportStatus
from tests.factories import MemberFactory

# Where each role is assigned in the tree (tests/conftest.py): its natural level.
SCOPE = {
    StaffRole.STREET_ADMIN: "c1",  # a street prefix covering community C1 (not C2)
    StaffRole.COMMUNITY_SECRETARY: "c1",
    StaffRole.COMMUNITY_STAFF: "c1",
    StaffRole.BRANCH_SECRETARY: "k1",
    StaffRole.GRID_LEADER: "k1",
    StaffRole.BUILDING_LEADER: "b1",
    StaffRole.MEMBER: "b1",
}
# The object each page is asked about: inside (building B1 of compound K1 in C1) or
# outside (building B4 of compound K3 in C2) every scope above.
HOME = {"inside": Point(113.102, 23.002, srid=4326), "outside": Point(113.113, 23.003,
                                                                       srid=4326)}


@dataclasses.dataclass
class Probe:
    capability: str
    level: str  # which grid of the side the page is about: building or compound
    url: Callable  # (tree grid, member living there) -> URL


PROBES = {
    "dashboard": Probe(policy.VIEW_DASHBOARD, "building",
                       lambda grid, member: f"/en/map/grid/{grid.code}/"),
    "reports": Probe(policy.VIEW_REPORTS, "building",
                     lambda grid, member: f"/en/reports/?grid={grid.code}"),
    "annual check": Probe(policy.VIEW_REPORTS, "building",
                          lambda grid, member: f"/en/reports/annual/?grid={grid.code}"),
    "member groups": Probe(policy.PLAN, "compound",
                           lambda grid, member: f"/en/planning/groups/{grid.code}/"),
    "reporting record": Probe(policy.CONFIRM_REPORTING, "building",
                              lambda grid, member: f"/en/reporting/members/{member.pk}/"),
    "member's ledger": Probe(policy.KEEP_POINTS, "building",
                            lambda grid, member: f"/en/points/staff/members/{member.pk}/"),
}


def _user(make_user, tree, role):
    grid = getattr(tree, SCOPE[role])
    if role == StaffRole.STREET_ADMIN:
        return make_user("u", role, None, scope=grid.code)
    return make_user("u", role, grid)


@pytest.mark.parametrize("side", ["inside", "outside"])
@pytest.mark.parametrize("role", list(StaffRole))
@pytest.mark.parametrize("page", list(PROBES))
def test_access_matrix(client, tree, make_user, role, side, page):
    probe = PROBES[page]
    user = _user(make_user, tree, role)
    member = MemberFactory(name="被查看的党员", location=HOME[side],
                           report_status=ReportStatus.REGISTERED,
                           report_submitted_at=timezone.now())
    grid = member.building if probe.level == "building" else member.compound
    scope = getattr(tree, SCOPE[role]).code
    expected = role in policy.roles(probe.capability) and grid.code.startswith(scope)

    client.force_login(user)
    response = client.get(probe.url(grid, member))
    if expected:
        assert response.status_code == 200, (page, role, side, response.status_code)
    else:
        assert response.status_code in (403, 404), (page, role, side, response.status_code)
    assert policy.allows(user, probe.capability, grid.code) is expected


def test_every_capability_names_known_roles():
    known = set(StaffRole)
    for capability, roles in policy.RULES.items():
        assert roles <= known, capability
        assert roles, f"{capability} is held by nobody"
