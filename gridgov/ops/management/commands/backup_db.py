from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write a consistent backup of the database (SpatiaLite: a copy through SQLite's "
        "backup API; PostGIS: pg_dump --format=custom). See docs/OPERATIONS.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("output", type=Path, help="the backup file to write")

    def handle(self, *args, **options):
        try:
            path = backup(options["output"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"backup written: {path} ({path.stat().st_size:,} bytes)")
