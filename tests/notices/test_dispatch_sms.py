"""A request dispatched to a member (下单) reaches the member by SMS, with or without a
login; the in-app notice stays for those who have one."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.accounts.models import StaffRole
from gridgov.cases.services import case_dispatch
from gridgov.grids.models import ServiceStation
from gridgov.messaging.backends import sms_available
from gridgov.messaging.models import Message, Status
from gridgov.notices.delivery import community_phone
from gridgov.notices.models import Notice, NoticeKind
from tests.factories import MemberFactory, UserFactory
from tests.messaging.helpers import use_outbox
from tests.notices.sla import IN_B1, raise_case


@pytest.fixture
def outbox(tmp_path, settings):
    return use_outbox(settings, tmp_path / "outbox")


@pytest.fixture
def secretary(tree, make_user):
    return make_user("dispatch_c1sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)


def _member(**extra):
    return MemberFactory(
        name="王芳", phone="139 1234 5678", location=IN_B1, confirmed=True, **extra
    )


def test_a_member_without_a_login_is_texted(secretary, outbox):
    member = _member()
    case = raise_case(at=timezone.now(), acting_user=secretary)
    case_dispatch(case=case, member=member, acting_user=secretary)
    [message] = Message.objects.all()
    assert message.to == "13912345678"
    assert message.ref == f"case:{case.number}"
    call_command("scheduler", "--once", stdout=io.StringIO())
    [text] = outbox.to("13912345678")
    assert f"诉求 {case.number} 已派给您：咨询低保政策" in text
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert not Notice.objects.filter(kind=NoticeKind.CASE_DISPATCHED).exists()


def test_a_member_with_a_login_gets_the_notice_and_the_sms(secretary, outbox):
    member = _member(user=UserFactory(username="wangfang"))
    case = raise_case(at=timezone.now(), acting_user=secretary)
    case_dispatch(case=case, member=member, acting_user=secretary)
    assert Notice.objects.get(kind=NoticeKind.CASE_DISPATCHED).user == member.user
    assert Message.objects.get().to == "13912345678"


def test_a_member_without_a_mobile_number_gets_no_sms(secretary, outbox):
    member = MemberFactory(name="李强", phone="0757-8123456", location=IN_B1, confirmed=True)
    case = raise_case(at=timezone.now(), acting_user=secretary)
    case_dispatch(case=case, member=member, acting_user=secretary)
    assert not Message.objects.exists()


def test_with_sms_off_the_dispatch_goes_on_without_it(secretary, settings):
    settings.GRIDGOV_SMS_URL = "none"
    member = _member(user=UserFactory(username="wangfang"))
    case = raise_case(at=timezone.now(), acting_user=secretary)
    case_dispatch(case=case, member=member, acting_user=secretary)
    assert not Message.objects.exists()
    assert Notice.objects.filter(kind=NoticeKind.CASE_DISPATCHED).count() == 1


def test_without_sms_the_communitys_phone_is_offered_instead(tree, settings):
    settings.GRIDGOV_SMS_URL = "none"
    ServiceStation.objects.create(community=tree.c1, name="东湖党群服务站", phone="0757-86001234")
    assert sms_available() is False
    assert community_phone(tree.b1.code) == "0757-86001234"  # a building of the community
    assert community_phone(tree.b4.code) == ""  # C2 has no station
