import os
import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from gridgov.grids.exporting import (
    CRS_CHOICES,
    FORMATS,
    LAYERS,
    ExportRequestError,
    check_request,
    export_file,
    write_geojson,
)
from gridgov.grids.management.commands._text import TextOut


class Command(BaseCommand):
    help = (
        "Export a layer (communities, compounds, buildings, grids, members, households) as "
        "RFC 7946 GeoJSON, streamed to stdout or a file, or as a GeoPackage / zipped "
        "Shapefile. Every feature carries community_code, compound_code and building_code."
    )
    # A read-only export, often run by cron or a city system's script: the system checks
    # (about 0.5 s, a third of a small export's time) belong to the server and to migrate.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("layer", help=f"one of: {', '.join(LAYERS)}")
        parser.add_argument("--grid", help="only this grid's subtree (its code)")
        parser.add_argument("--crs", default="wgs84", help=f"one of: {', '.join(CRS_CHOICES)}")
        parser.add_argument(
            "--format", default="geojson", dest="fmt", help=f"one of: {', '.join(FORMATS)}"
        )
        parser.add_argument(
            "-o", "--output", help="file to write (stdout when omitted; required for gpkg and shp)"
        )

    def handle(self, *args, layer, grid, crs, fmt, output, **options):
        start = time.perf_counter()
        try:
            check_request(layer, grid_code=grid, crs=crs, fmt=fmt)
            if fmt != "geojson" and not output:
                raise ExportRequestError(
                    _("The %(fmt)s format needs an output file (-o FILE).") % {"fmt": fmt}
                )
            if output:
                count = export_file(layer, output, fmt=fmt, grid_code=grid, crs=crs)
            else:
                count = write_geojson(layer, TextOut(self.stdout), grid_code=grid, crs=crs)
        except ExportRequestError as exc:
            raise CommandError(str(exc)) from exc
        except BrokenPipeError:  # the reader went away (| head): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return
        self.stderr.write(
            ngettext(
                "Exported %(n)d feature of %(layer)s in %(s).1f s.",
                "Exported %(n)d features of %(layer)s in %(s).1f s.",
                count,
            )
            % {"n": count, "layer": layer, "s": time.perf_counter() - start}
        )
