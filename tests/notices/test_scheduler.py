"""The scheduler's passes: due jobs run in order, a failing job is logged and the others
still run, a job held by another scheduler is left alone until its lease runs out."""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.notices import scheduler
from gridgov.notices.models import ScheduledJob
from gridgov.notices.scheduler import Job, run_pass

pytestmark = pytest.mark.django_db


def recorder(name: str, ran: list, result=0):
    def run(now):
        ran.append((name, now))
        return result

    return run


def test_every_job_runs_once_a_pass_in_order():
    ran: list = []
    jobs = (Job("a", recorder("a", ran)), Job("b", recorder("b", ran)))
    now = timezone.now()
    assert run_pass(now=now, jobs=jobs, owner="p1") == {"a": 0, "b": 0}
    assert ran == [("a", now), ("b", now)]
    row = ScheduledJob.objects.get(name="a")
    assert row.runs == 1
    assert row.failures == 0
    assert row.locked_by == ""
    assert row.next_run_at == now


def test_a_failing_job_is_logged_and_the_pass_goes_on(caplog):
    ran: list = []

    def boom(now):
        raise RuntimeError("the database of a job is away")

    jobs = (Job("boom", boom), Job("after", recorder("after", ran)))
    with caplog.at_level(logging.ERROR, logger="gridgov.scheduler"):
        results = run_pass(jobs=jobs, owner="p1")
    assert results["boom"] == "RuntimeError: the database of a job is away"
    assert [name for name, _ in ran] == ["after"]
    assert "job boom failed" in caplog.text
    row = ScheduledJob.objects.get(name="boom")
    assert row.failures == 1
    assert "away" in row.last_error
    assert row.locked_by == ""
    # the next pass tries it again
    assert "boom" in run_pass(jobs=jobs, owner="p1")
    assert ScheduledJob.objects.get(name="boom").failures == 2


def test_a_job_runs_when_it_is_due():
    ran: list = []
    jobs = (Job("every5", recorder("every5", ran), every=dt.timedelta(minutes=5)),)
    now = timezone.now()
    run_pass(now=now, jobs=jobs, owner="p1")
    run_pass(now=now + dt.timedelta(minutes=4), jobs=jobs, owner="p1")
    run_pass(now=now + dt.timedelta(minutes=5), jobs=jobs, owner="p1")
    assert [at - now for _, at in ran] == [dt.timedelta(0), dt.timedelta(minutes=5)]


def test_a_job_held_by_another_scheduler_is_left_until_its_lease_runs_out():
    ran: list = []
    job = Job("held", recorder("held", ran), lease=dt.timedelta(minutes=2))
    now = timezone.now()
    ScheduledJob.objects.create(name="held", locked_by="other:1", locked_until=now + job.lease)
    assert run_pass(now=now, jobs=(job,), owner="p1") == {}
    assert ran == []
    # the other scheduler died: after the lease this one takes the job over
    later = now + job.lease + dt.timedelta(seconds=1)
    assert run_pass(now=later, jobs=(job,), owner="p1") == {"held": 0}
    # the dead one's late release changes nothing
    scheduler._release(job, later, "other:1", "")
    assert ScheduledJob.objects.get(name="held").runs == 1


def test_two_schedulers_in_one_pass_run_a_job_once():
    """The second scheduler asks while the first holds the job (the first's run asks)."""
    ran: list = []
    now = timezone.now()

    def first(now_):
        ran.append("first")
        assert run_pass(now=now_, jobs=(job_of("second"),), owner="p2") == {}
        return 0

    def job_of(who):
        return Job("shared", first if who == "first" else recorder("second", ran))

    run_pass(now=now, jobs=(job_of("first"),), owner="p1")
    assert ran == ["first"]


def test_the_default_jobs_are_the_alarms_the_reminders_and_the_messages():
    assert [j.name for j in scheduler.JOBS] == ["sla_alarms", "reminders", "messages"]
    assert scheduler.JOBS[1].every == dt.timedelta(minutes=5)


def test_once_runs_one_pass_and_says_what_it_did(monkeypatch):
    monkeypatch.setattr(
        scheduler,
        "JOBS",
        (Job("quiet", lambda now: {"sent": 0}), Job("busy", lambda now: {"sent": 2})),
    )
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    assert "busy: {'sent': 2}" in out.getvalue()
    assert "quiet" not in out.getvalue()


def test_the_loop_stops_when_asked(monkeypatch):
    passes = []
    stop = threading.Event()

    def one_pass(**kwargs):
        passes.append(kwargs["owner"])
        if len(passes) == 3:
            stop.set()
        return {}

    monkeypatch.setattr(scheduler, "run_pass", one_pass)
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    scheduler.run_forever(tick=0.01, stop=stop)
    assert len(passes) == 3
    assert len(set(passes)) == 1


def test_a_pass_that_fails_as_a_whole_is_logged_and_the_loop_goes_on(monkeypatch, caplog):
    calls = []
    stop = threading.Event()

    def one_pass(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            stop.set()
        raise ConnectionError("database restarting")

    monkeypatch.setattr(scheduler, "run_pass", one_pass)
    monkeypatch.setattr(scheduler, "close_old_connections", lambda: None)
    with caplog.at_level(logging.ERROR, logger="gridgov.scheduler"):
        scheduler.run_forever(tick=0.01, stop=stop)
    assert len(calls) == 2
    assert "the pass failed" in caplog.text
