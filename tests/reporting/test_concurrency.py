"""Staff deciding the same registration at the same moment: exactly one decision is recorded,
the others are told it was already decided (PostGIS only: SQLite serialises writers)."""

import threading

import pytest
from django.db import connection, connections
from django.utils import translation

from gridgov.people.models import Member, ReportStatus
from gridgov.reporting.models import ReportAction, ReportEvent
from gridgov.reporting.services import ReportingTransitionError, report_confirm, report_reject
from tests.reporting.helpers import IN_B1, PASSWORD

DECIDERS = 12


@pytest.mark.django_db(transaction=True)
def test_concurrent_confirm_and_reject_one_decision(reporting):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")
    from gridgov.reporting.services import report_register

    member = report_register(
        name="王芳",
        gender="F",
        phone="13912345678",
        kind="retired",
        address="东湖花园1栋",
        location=IN_B1,
        username="wangfang",
        password=PASSWORD,
    )
    staff = [reporting.c1sec, reporting.c1staff, reporting.street]
    barrier = threading.Barrier(DECIDERS)
    done: list[str] = []
    refused: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def decide(i: int):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                if i % 2:
                    report_confirm(member=member, acting_user=staff[i % 3])
                else:
                    report_reject(member=member, acting_user=staff[i % 3], reason="核对地址")
            with lock:
                done.append("confirm" if i % 2 else "reject")
        except ReportingTransitionError as exc:
            with lock:
                refused.append(exc.messages[0])
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(i,)) for i in range(DECIDERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert other == []
    assert len(done) == 1
    assert len(refused) == DECIDERS - 1
    member = Member.objects.get(pk=member.pk)
    expected = ReportStatus.CONFIRMED if done[0] == "confirm" else ReportStatus.REJECTED
    assert member.report_status == expected
    decisions = ReportEvent.objects.filter(
        member=member, action__in=[ReportAction.CONFIRMED, ReportAction.REJECTED]
    )
    assert decisions.count() == 1
    assert all("王芳's reporting" in message for message in refused)
