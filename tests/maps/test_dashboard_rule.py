"""The dashboard asks the policy's ``view_dashboard`` row (docs/ACCESS.md), not "any role":
change the row and the page follows."""

import pytest

from gridgov.accounts import policy
from gridgov.accounts.models import StaffRole
from tests.pages import shows

pytestmark = pytest.mark.django_db


def test_the_dashboard_follows_the_view_dashboard_row(tree, make_user, client, monkeypatch):
    client.force_login(make_user("b1lead", StaffRole.BUILDING_LEADER, tree.b1))
    shows(client.get(f"/map/grid/{tree.b1.code}/"), "楼栋 · 100001001001")
    monkeypatch.setitem(policy.RULES, policy.VIEW_DASHBOARD, frozenset(policy.COMMUNITY))
    assert client.get(f"/map/grid/{tree.b1.code}/").status_code == 404
