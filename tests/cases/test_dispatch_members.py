"""Who a case may be dispatched to (or taken for): members the community confirmed, and
public role holders. An unreported, unconfirmed or rejected registration is neither listed on
the case page (for a plain member or for staff) nor accepted by the service."""

import pytest

from gridgov.accounts.models import StaffRole
from gridgov.cases import services
from gridgov.cases.errors import CaseError
from gridgov.cases.models import Status
from gridgov.grids.models import RoleKind
from gridgov.grids.services import gridrole_assign
from gridgov.people.models import ReportStatus
from tests.factories import MemberFactory
from tests.world import IN_B1

NOT_DISPATCHABLE = {
    "待确认": ReportStatus.REGISTERED,
    "被退回": ReportStatus.REJECTED,
    "未报到": ReportStatus.NOT_REPORTED,
}


@pytest.fixture
def registrations(db):
    """One member of C1 in each status that may not be dispatched; a building leader who
    never reported (public through the role)."""
    out = {
        name: MemberFactory(name=name, location=IN_B1, report_status=status)
        for name, status in NOT_DISPATCHABLE.items()
    }
    return out


@pytest.fixture
def leader(tree):
    member = MemberFactory(name="楼长老周", location=IN_B1)
    gridrole_assign(grid=tree.b1, member=member, role=RoleKind.BUILDING_LEADER, acting_user=None)
    return member


def _options(client, user, case) -> str:
    client.force_login(user)
    page = client.get(f"/en/cases/{case.number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="step-dispatch"' in html  # the step is offered to this user
    return html


@pytest.mark.parametrize("who", ["member", "staff"])
def test_dispatch_list_has_no_unconfirmed_or_rejected_names(
    client, tree, make_user, people, new_case, registrations, leader, who
):
    user = make_user("plain", StaffRole.MEMBER, tree.c1) if who == "member" else people.c1_staff
    html = _options(client, user, new_case())
    for name in NOT_DISPATCHABLE:
        assert name not in html
    assert people.wang.name in html
    assert people.li.name in html
    assert leader.name in html
    assert people.zhao.name not in html  # another community's


@pytest.mark.parametrize("name", list(NOT_DISPATCHABLE))
def test_the_service_refuses_a_registration_not_confirmed(people, new_case, registrations, name):
    case = new_case()
    with pytest.raises(CaseError, match=f"{name} cannot be sent case {case.number}"):
        services.case_dispatch(case=case, member=registrations[name], acting_user=people.c1_staff)
    with pytest.raises(CaseError, match="Only members the community confirmed"):
        services.case_take(
            case=new_case(category="micro_wish"),
            member=registrations[name],
            acting_user=people.c1_staff,
        )
    case.refresh_from_db()
    assert case.status == Status.NEW
    assert case.dispatched_to is None


def test_a_public_role_holder_may_be_dispatched_whatever_their_reporting(people, new_case, leader):
    case = services.case_dispatch(case=new_case(), member=leader, acting_user=people.c1_staff)
    assert case.status == Status.DISPATCHED
    assert case.dispatched_to == leader


def test_the_page_says_why_a_rejected_registration_is_refused(
    client, people, new_case, registrations
):
    case = new_case()
    client.force_login(people.c1_staff)
    response = client.post(
        f"/en/cases/{case.number}/dispatch/", {"member": registrations["被退回"].pk}, follow=True
    )
    html = response.content.decode()
    assert "被退回 cannot be sent case" in html
    assert "rejected" in html
    case.refresh_from_db()
    assert case.status == Status.NEW
