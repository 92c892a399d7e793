from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gridgov.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup written by backup_db. Stop the "
        "web server first. See docs/OPERATIONS.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help="a file written by backup_db")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="confirm that the current contents are to be replaced",
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError(
                "restore_db replaces everything in the database: add --yes to confirm"
            )
        try:
            restore(options["input"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(f"restored from {options['input']}")
