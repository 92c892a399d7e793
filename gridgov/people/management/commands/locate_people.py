import time

from django.core.management.base import BaseCommand

from gridgov.grids.location import relocate
from gridgov.people.models import Household, Member


class Command(BaseCommand):
    help = (
        "Re-locate every member and household in community, compound and building grids, "
        "set-based (vectorised point-in-polygon, batched writes; never one query per person)."
    )

    def handle(self, *args, **options):
        for model in (Member, Household):
            start = time.perf_counter()
            counts = relocate(model.objects.all())
            seconds = time.perf_counter() - start
            self.stdout.write(
                f"{model._meta.verbose_name_plural}: {counts['total']} with a point, "
                f"{counts['located']} in a building, {counts['unlocated']} unlocated "
                f"({seconds:.1f} s)"
            )
