from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridgov.demo.builder import DEMO_PASSWORD, SCALES, build, demo_logins
from gridgov.grids.models import Grid


class Command(BaseCommand):
    help = (
        "Load the deterministic demo district (a street near Foshan Chancheng, or a whole "
        "district with --scale district). Does nothing when grids already exist, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="same seed, same data")
        parser.add_argument("--scale", choices=sorted(SCALES), default="street")
        parser.add_argument(
            "--reset", action="store_true", help="delete every grid and person first"
        )

    def handle(self, *args, seed: int, scale: str, reset: bool, **options):
        if Grid.objects.exists():
            if not reset:
                self.stdout.write(
                    f"Data already loaded ({Grid.objects.count()} grids): reusing it. "
                    "Use --reset to rebuild the demo."
                )
                self._print_logins(demo_logins())
                return
            from gridgov.demo.reset import wipe

            wipe()
        try:
            demo = build(seed=seed, scale=scale, progress=self.stdout.write)
        except Exception as exc:  # the transaction rolled back: nothing half-written
            raise CommandError(f"demo load failed, nothing written: {exc}") from exc
        if connection.vendor == "postgresql":
            # Fresh statistics for the planner: tables that were empty a moment ago (or were
            # last analysed when small) otherwise get nested loops over sequential scans, and
            # a page joining residents to their grids can take minutes until autovacuum runs.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        counts = ", ".join(f"{k} {v}" for k, v in demo.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo district loaded (seed {seed}): {counts}"))
        self._print_logins(demo.logins)

    def _print_logins(self, logins):
        for username, role in logins:
            self.stdout.write(f"  login: {username} / {DEMO_PASSWORD}  ({role})")
