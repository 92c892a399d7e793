"""manage.py clean_photos [--dry-run]: re-encode the photos stored before gridgov.photos
existed (they keep their EXIF, GPS position included), in place. Run once after upgrading."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from gridgov.photos.recleaning import reclean_all


class Command(BaseCommand):
    help = (
        "Re-encode every stored photo that still carries metadata (EXIF with its GPS "
        "position, XMP, ICC profile, comments) or is larger than GRIDGOV_PHOTO_MAX_EDGE; "
        "each keeps its name and format. Clean photos are left alone."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would change; write nothing"
        )

    def handle(self, *args: Any, dry_run: bool = False, **options: Any) -> None:
        counts, trouble = reclean_all(dry_run=dry_run)
        for line in trouble:
            self.stderr.write(line)
        verb = "would be cleaned" if dry_run else "cleaned"
        self.stdout.write(
            f"{counts['cleaned']} {verb}, {counts['clean']} already clean, "
            f"{counts['missing']} missing, {counts['unreadable']} unreadable"
        )
