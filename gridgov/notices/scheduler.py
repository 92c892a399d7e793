"""The scheduler: the site's timed work, in one process beside the web server.

``manage.py scheduler`` starts a pass every ``GRIDGOV_SCHEDULER_TICK`` seconds (10) and runs
the jobs that are due, in the order of ``JOBS``:

- ``sla_alarms`` (every pass): a request that has just missed a deadline alarms the
  community secretary (notices.alarms);
- ``reminders`` (every 5 minutes): deadlines about to be missed, activities tomorrow
  (notices.reminders, the same sweep as ``manage.py send_reminders``);
- ``messages`` (every pass): SMS and e-mail that are due, first attempts and retries
  (gridgov.messaging).

``--once`` runs one pass and exits (for cron, and tests). Every job is idempotent (what it
sends carries a key, or is claimed before it is sent), and each is held by one process at a
time through its ``ScheduledJob`` row: a conditional UPDATE that succeeds for one process
only, on both databases, with a lease after which a dead process's job is taken over. So
several schedulers (or cron beside one) never notify twice. A job that fails is logged and
the pass goes on with the next one."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from gridgov.notices.models import ScheduledJob

log = logging.getLogger("gridgov.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[dt.datetime], object]
    every: dt.timedelta = dt.timedelta(0)  # 0: on every pass
    lease: dt.timedelta = dt.timedelta(minutes=2)  # longer than one run takes


def _sla_alarms(now: dt.datetime) -> int:
    from gridgov.notices.alarms import sla_breach_alarms

    return sla_breach_alarms(now=now)


def _reminders(now: dt.datetime) -> dict[str, int]:
    from gridgov.notices.reminders import run_all

    return run_all(now=now)


def _messages(now: dt.datetime) -> dict[str, int]:
    from gridgov.messaging.services import send_due

    return send_due(now=now)


JOBS: tuple[Job, ...] = (
    Job("sla_alarms", _sla_alarms),
    Job("reminders", _reminders, every=dt.timedelta(minutes=5), lease=dt.timedelta(minutes=10)),
    Job("messages", _messages),
)


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _take(job: Job, now: dt.datetime, owner: str) -> bool:
    """Hold the job if it is due and nobody holds it: one conditional UPDATE, which on
    PostgreSQL waits for a concurrent one and re-reads the row, and on SQLite runs while
    holding the write lock; either way one process wins."""
    if not ScheduledJob.objects.filter(name=job.name).exists():
        try:
            with transaction.atomic():
                ScheduledJob.objects.create(name=job.name)
        except IntegrityError:  # another scheduler made it first
            pass
    free = Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    due = Q(next_run_at__isnull=True) | Q(next_run_at__lte=now)
    taken = ScheduledJob.objects.filter(free, due, name=job.name).update(
        locked_by=owner, locked_until=now + job.lease, last_started_at=now
    )
    return taken == 1


def _release(job: Job, now: dt.datetime, owner: str, error: str) -> None:
    ScheduledJob.objects.filter(name=job.name, locked_by=owner).update(
        locked_by="",
        locked_until=None,
        next_run_at=now + job.every,
        last_finished_at=timezone.now(),
        last_error=error[:2000],
        runs=F("runs") + 1,
        failures=F("failures") + (1 if error else 0),
    )


def run_pass(
    *,
    now: dt.datetime | None = None,
    jobs: tuple[Job, ...] | None = None,
    owner: str | None = None,
) -> dict[str, object]:
    """Run every job (of ``JOBS`` unless given) that is due and not held elsewhere; job
    name -> what it returned, or the error it raised (as text). Jobs not run are left out."""
    owner = owner or owner_name()
    jobs = JOBS if jobs is None else jobs
    results: dict[str, object] = {}
    for job in jobs:
        at = now or timezone.now()
        if not _take(job, at, owner):
            continue
        error = ""
        try:
            results[job.name] = job.run(at)
        except Exception as e:
            error = f"{type(e).__name__}: {e}"
            results[job.name] = error
            log.exception("scheduler: job %s failed", job.name)
        try:
            _release(job, at, owner, error)
        except Exception:  # the lease runs out by itself
            log.exception("scheduler: could not release job %s", job.name)
    return results


def worth_telling(result: object) -> bool:
    """Whether a job's result says it did something (a non-zero count somewhere)."""
    if isinstance(result, dict):
        return any(worth_telling(v) for v in result.values())
    if isinstance(result, int):
        return result != 0
    return bool(result)


def run_forever(
    *,
    tick: float,
    stop: threading.Event,
    report: Callable[[dict[str, object]], None] = lambda results: None,
) -> None:
    """Passes every ``tick`` seconds until ``stop`` is set (the command sets it on SIGTERM
    and SIGINT; the pass under way is finished first). A pass that fails as a whole (the
    database is away) is logged, and the next one tries again."""
    owner = owner_name()
    while not stop.is_set():
        started = time.monotonic()
        close_old_connections()  # drop a connection the database closed meanwhile
        try:
            report(run_pass(owner=owner))
        except Exception:
            log.exception("scheduler: the pass failed")
        stop.wait(max(0.0, tick - (time.monotonic() - started)))
