import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gridgov.grids.checking import grid_report, render_text, summary, write_report_geojson
from gridgov.grids.management.commands._text import TextOut

FORMATS = ("text", "geojson")


class Command(BaseCommand):
    help = (
        "Report topology problems of the stored grids: invalid geometries, children outside "
        "their parent, overlaps, gaps, slivers (areas in m²), and buildings nobody is "
        "located in. Always exits 0: it is a report."
    )

    def add_arguments(self, parser):
        parser.add_argument("--code", help="only the grids whose code begins with this prefix")
        parser.add_argument(
            "--format", default="text", dest="fmt", help=f"one of: {', '.join(FORMATS)}"
        )

    def handle(self, *args, code, fmt, **options):
        if fmt not in FORMATS:
            raise CommandError(
                _("Unknown format %(value)s: expected one of %(allowed)s.")
                % {"value": repr(fmt), "allowed": ", ".join(FORMATS)}
            )
        start = time.perf_counter()
        problems, checked = grid_report(code or None)
        if code and not checked:
            raise CommandError(_("No grid code begins with %(value)s.") % {"value": repr(code)})
        if fmt == "geojson":
            write_report_geojson(problems, TextOut(self.stdout))
            self.stderr.write(summary(problems, checked))
        else:
            for line in render_text(problems, checked):
                self.stdout.write(line)
        self.stderr.write(_("Checked in %(s).1f s.") % {"s": time.perf_counter() - start})
