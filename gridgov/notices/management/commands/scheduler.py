"""Run the site's timed work: service-level alarms, reminders, sending and retrying messages
(gridgov/notices/scheduler.py). `make run` and docker-compose start it; cron may run
``scheduler --once`` every minute instead."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from gridgov.notices.scheduler import JOBS, run_forever, run_pass, worth_telling


class Command(BaseCommand):
    help = (
        "Run the scheduler: service-level alarms, reminders and messages, a pass every "
        "GRIDGOV_SCHEDULER_TICK seconds until stopped (--once: one pass, for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run one pass and exit")
        parser.add_argument(
            "--tick",
            type=float,
            default=None,
            help="seconds between passes (default: GRIDGOV_SCHEDULER_TICK)",
        )

    def report(self, results: dict) -> None:
        done = {name: result for name, result in results.items() if worth_telling(result)}
        if done:
            stamp = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
            self.stdout.write(
                f"{stamp} " + "  ".join(f"{name}: {result}" for name, result in done.items())
            )
            self.stdout.flush()

    def handle(self, *args, once=False, tick=None, **options):
        if once:
            self.report(run_pass())
            return
        tick = tick if tick is not None else settings.GRIDGOV_SCHEDULER_TICK
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        jobs = ", ".join(
            j.name + (f" (every {int(j.every.total_seconds())} s)" if j.every else "") for j in JOBS
        )
        self.stdout.write(f"scheduler: a pass every {tick:g} s: {jobs}")
        self.stdout.flush()
        run_forever(tick=tick, stop=stop, report=self.report)
        self.stdout.write("scheduler: stopped")
