"""Residents' requests (cases), created with ``case_create`` and brought to any state through
the state machine's own services (dispatch → take → start → resolve, or close), so every
step has its event and audit row as in the application.

``CaseFactory(status=Status.RESOLVED)`` walks the case there; the member who works it is
``worker`` (by default a confirmed member living at the case's point, so of its
community)."""

from __future__ import annotations

import factory
from django.contrib.gis.geos import Point

from gridgov.cases import services
from gridgov.cases.models import Case, ClosureReason, Status
from tests.factories.base import B1, ServiceFactory
from tests.factories.catalogue import case_category
from tests.factories.people import MemberFactory

# The steps from NEW to each state (CLOSED: closed without a fix, from NEW).
PATH = {
    Status.NEW: (),
    Status.DISPATCHED: ("dispatch",),
    Status.TAKEN: ("dispatch", "take"),
    Status.IN_PROGRESS: ("dispatch", "take", "start"),
    Status.RESOLVED: ("dispatch", "take", "start", "resolve"),
    Status.CLOSED: ("close",),
}


def walk(case: Case, status: str, *, worker=None, acting_user=None) -> Case:
    """Bring a new case to ``status`` through the services."""
    steps = PATH[Status(status)]
    if {"dispatch", "take"} & set(steps) and worker is None:
        worker = MemberFactory(location=case.location, confirmed=True)
    for step in steps:
        if step == "dispatch":
            case = services.case_dispatch(case=case, member=worker, acting_user=acting_user)
        elif step == "take":
            case = services.case_take(case=case, member=worker, acting_user=acting_user)
        elif step == "start":
            case = services.case_start(case=case, acting_user=acting_user)
        elif step == "resolve":
            case = services.case_resolve(case=case, acting_user=acting_user, note="已处理完毕")
        else:
            case = services.case_close(
                case=case, acting_user=acting_user, reason=ClosureReason.NO_FURTHER_ACTION
            )
    return case


class CaseFactory(ServiceFactory):
    """A repair request by phone at building B1's point, in state ``status``."""

    class Meta:
        model = Case

    category = factory.LazyFunction(case_category)
    channel = "phone"
    title = factory.Sequence(lambda n: f"楼道灯不亮{n}")
    requester_name = "陈阿姨"
    requester_phone = factory.Sequence(lambda n: f"138{n:08d}")
    description = "三楼楼道灯坏了一周"
    location = factory.LazyFunction(lambda: Point(*B1, srid=4326))
    status = Status.NEW  # walked there after creation (not a field given to case_create)
    worker = None  # the member it is dispatched to and taken by

    @classmethod
    def _create(cls, model_class, *args, status=Status.NEW, worker=None, **kwargs):
        case = services.case_create(acting_user=None, **kwargs)
        return walk(case, status, worker=worker)
