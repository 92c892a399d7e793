"""Send due reminders (deadlines about to be missed, activities tomorrow). Idempotent."""

from django.core.management.base import BaseCommand

from gridgov.notices.reminders import run_all


class Command(BaseCommand):
    help = "Send reminders that are due (run every few minutes); never sends one twice."

    def handle(self, *args, **options):
        counts = run_all()
        for name, n in counts.items():
            self.stdout.write(f"{name}: {n}")
