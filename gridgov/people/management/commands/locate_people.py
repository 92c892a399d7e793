import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from gridgov.grids.relocation import relocate
from gridgov.grids.relocation_sql import relocate_sql
from gridgov.people.models import Household, Member


class Command(BaseCommand):
    help = (
        "Re-locate every member and household in community, compound and building grids, "
        "set-based, never one query per person: inside the database on PostGIS (SQL, each "
        "grid the outer loop), with a vectorised shapely STRtree elsewhere."
    )
    # A batch job (after an import, or from cron): Django's system checks are the server's
    # business and cost ≈ 0.5 s of start-up here, as for export_geojson.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument(
            "--engine",
            choices=["auto", "sql", "python"],
            default="auto",
            help="auto: SQL on PostGIS, the vectorised Python path on SpatiaLite",
        )

    def handle(self, *args, engine: str, **options):
        if engine == "auto":
            engine = "sql" if connection.vendor == "postgresql" else "python"
        if engine == "sql" and connection.vendor != "postgresql":
            raise CommandError(f"--engine sql needs PostGIS; this database is {connection.vendor}")
        for model in (Member, Household):
            start = time.perf_counter()
            counts = relocate_sql(model) if engine == "sql" else relocate(model.objects.all())
            seconds = time.perf_counter() - start
            self.stdout.write(
                f"{model._meta.verbose_name_plural}: {counts['total']} with a point, "
                f"{counts['located']} in a building, {counts['unlocated']} unlocated, "
                f"{counts.get('written', counts['total'])} rewritten ({seconds:.1f} s, {engine}"
                + (", bulk write" if counts.get("bulk") else "")
                + ")"
            )
