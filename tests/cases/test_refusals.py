"""Every forbidden step is refused with a message naming the case, and nothing is written."""

from contextlib import contextmanager

import pytest
from django.core.exceptions import ValidationError

from gridgov.accounts.models import AuditEntry
from gridgov.accounts.services import snapshot
from gridgov.cases import services
from gridgov.cases.errors import CaseAlreadyTaken, CaseNotAllowed, CaseTransitionError
from gridgov.cases.models import Case, CaseEvent


@contextmanager
def refused(case, exc, match):
    """The step raises ``exc`` matching ``match``; the case row, its events and the audit
    trail are exactly as before."""
    before = (
        snapshot(Case.objects.get(pk=case.pk)),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(exc, match=match):
        yield
    after = (
        snapshot(Case.objects.get(pk=case.pk)),
        CaseEvent.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before


def test_take_a_closed_case(new_case, people):
    case = services.case_close(
        case=new_case(), acting_user=people.c1_staff, reason="no_further_action"
    )
    with refused(
        case,
        CaseTransitionError,
        rf"Case {case.number} is closed without a fix: "
        "it cannot be taken.",
    ):
        services.case_take(case=case, member=people.wang, acting_user=people.c1_staff)


def test_resolve_a_case_not_taken(new_case, people):
    case = new_case()
    with refused(
        case,
        CaseTransitionError,
        rf"Case {case.number} is new: only a case a "
        "member has taken can be resolved.",
    ):
        services.case_resolve(case=case, acting_user=people.c1_staff, note="done")


def test_feedback_before_resolution(new_case, people):
    case = services.case_dispatch(case=new_case(), member=people.wang, acting_user=people.c1_staff)
    with refused(
        case,
        CaseTransitionError,
        rf"Case {case.number} is dispatched: feedback "
        "can be given once it is resolved or closed.",
    ):
        services.case_feedback(case=case, acting_user=people.resident, satisfaction=4)


def test_feedback_by_someone_else(new_case, people):
    case = services.case_close(case=new_case(), acting_user=people.c1_staff, reason="not_ours")
    for who in (people.stranger, people.c1_staff, None):
        with refused(case, CaseNotAllowed, rf"Only the resident who raised case {case.number}"):
            services.case_feedback(case=case, acting_user=who, satisfaction=5)


@pytest.mark.parametrize("score", [0, 6, "abc", 3.5, ""])
def test_feedback_satisfaction_must_be_1_to_5(new_case, people, score):
    case = services.case_close(case=new_case(), acting_user=people.c1_staff, reason="not_ours")
    with refused(case, ValidationError, "satisfaction is a whole number from 1 to 5"):
        services.case_feedback(case=case, acting_user=people.resident, satisfaction=score)


def test_a_problem_cannot_be_taken_before_dispatch(new_case, people):
    case = new_case()
    with refused(case, CaseTransitionError, "only micro-wishes can be taken before dispatch"):
        services.case_take(case=case, member=people.wang, acting_user=people.c1_staff)


def test_only_the_dispatched_member_takes_it(new_case, people):
    case = services.case_dispatch(case=new_case(), member=people.wang, acting_user=people.c1_staff)
    with refused(case, CaseTransitionError, "was dispatched to 王芳: 李强 cannot take it"):
        services.case_take(case=case, member=people.li, acting_user=people.c1_staff)


def test_second_taker_is_told_who_took_it(new_case, people):
    wish = services.case_take(
        case=new_case(category="micro_wish"), member=people.wang, acting_user=people.c1_staff
    )
    with refused(wish, CaseAlreadyTaken, rf"Case {wish.number} has already been taken by 王芳"):
        services.case_take(case=wish, member=people.li, acting_user=people.c1_staff)


def test_member_from_another_community(new_case, people):
    case = new_case(category="micro_wish")
    with refused(case, ValidationError, "赵敏 does not belong to the community of case"):
        services.case_take(case=case, member=people.zhao, acting_user=people.c1_staff)


def test_staff_outside_the_case_grids(new_case, people):
    case = new_case()
    with refused(case, CaseNotAllowed, "lies outside their grids"):
        services.case_dispatch(case=case, member=people.wang, acting_user=people.c2_staff)
    with refused(case, CaseNotAllowed, "lies outside their grids"):
        services.case_close(case=case, acting_user=people.resident, reason="not_ours")


def test_close_needs_a_reason_and_resolved_cases_are_not_closed(new_case, people):
    case = new_case()
    with refused(case, ValidationError, "choose why it is closed"):
        services.case_close(case=case, acting_user=people.c1_staff, reason="")
    case = services.case_dispatch(case=case, member=people.wang, acting_user=people.c1_staff)
    case = services.case_take(case=case, member=people.wang, acting_user=people.c1_staff)
    case = services.case_resolve(case=case, acting_user=people.c1_staff, note="修好了")
    with refused(case, CaseTransitionError, "only an open case can be closed"):
        services.case_close(case=case, acting_user=people.c1_staff, reason="not_ours")


def test_reopen_needs_a_finished_case_a_reason_and_the_right_person(new_case, people):
    case = new_case()
    with refused(case, CaseTransitionError, "only a resolved or closed case can be reopened"):
        services.case_reopen(case=case, acting_user=people.c1_staff, reason="x")
    case = services.case_close(case=case, acting_user=people.c1_staff, reason="not_ours")
    with refused(case, ValidationError, "say why it is reopened"):
        services.case_reopen(case=case, acting_user=people.resident, reason=" ")
    with refused(case, CaseNotAllowed, "lies outside their grids"):
        services.case_reopen(case=case, acting_user=people.stranger, reason="我也有意见")


def test_state_fields_cannot_be_edited_around_the_services(new_case, people):
    case = new_case()
    with refused(case, ValidationError, "can only change through the case's steps"):
        services.case_update(case=case, acting_user=people.c1_staff, status="resolved")
