"""Fifty members take one case at the same moment: exactly one wins (PostGIS only)."""

import threading

import pytest
from django.contrib.gis.geos import Point
from django.db import connection, connections
from django.utils import translation

from gridgov.cases import services
from gridgov.cases.errors import CaseAlreadyTaken
from gridgov.cases.models import Case, CaseEvent
from gridgov.people.models import ReportStatus
from tests.factories import MemberFactory

TAKERS = 50


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_takers_one_winner(tree, case_categories):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: real concurrency needs PostGIS")
    members = [
        MemberFactory(
            name=f"党员{i:02d}",
            location=Point(113.102, 23.002, srid=4326),
            report_status=ReportStatus.CONFIRMED,
        )
        for i in range(TAKERS)
    ]
    wish = services.case_create(
        acting_user=None,
        category=case_categories["micro_wish"],
        channel="online",
        title="帮独居老人换灯泡",
        requester_name="吴奶奶",
        location=Point(113.102, 23.002, srid=4326),
    )
    barrier = threading.Barrier(TAKERS)
    won: list[int] = []
    lost: list[str] = []
    other: list[BaseException] = []
    lock = threading.Lock()

    def take(member):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):  # each thread starts in the default language
                services.case_take(case=wish, member=member, acting_user=None)
            with lock:
                won.append(member.pk)
        except CaseAlreadyTaken as exc:
            with lock:
                lost.append(exc.messages[0])
        except BaseException as exc:
            with lock:
                other.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take, args=(m,)) for m in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    assert other == []
    assert len(won) == 1
    assert len(lost) == TAKERS - 1
    wish = Case.objects.get(pk=wish.pk)
    assert wish.taken_by_id == won[0]
    assert wish.status == "taken"
    assert CaseEvent.objects.filter(case=wish, action="taken").count() == 1
    winner = wish.taken_by.name
    assert all(msg == f"Case {wish.number} has already been taken by {winner}." for msg in lost)
