"""manage.py import_grids PATH --level community|compound|building: thin over
gridgov.grids.importing (which checks every feature, then writes all or nothing)."""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from geodata.crs import CRS_NAMES
from gridgov.grids.importing import LEVELS, ImportFailed, ImportResult, grids_import

MAX_LINES = 50  # bad features printed; the rest are counted


class TerminalProgress:
    """One line on stderr rewritten in place (\\r), only when stderr is a terminal."""

    def __init__(self, stream=None, every: float = 0.2):
        self.stream = stream or sys.stderr
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.every = every
        self.last = 0.0
        self.stage = ""

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if stage == self.stage and done < total and now - self.last < self.every:
            return
        if stage != self.stage and self.stage:
            self.stream.write("\n")
        self.stage, self.last = stage, now
        width = 30
        filled = int(width * done / total) if total else width
        pct = 100 * done / total if total else 100
        self.stream.write(
            f"\r{stage:<10} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} {pct:5.1f}%"
        )
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.stage:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import grid boundaries of one level from GeoJSON, a zipped Shapefile or a GeoPackage. "
        "Every feature is checked first; one bad feature and nothing is written. Existing codes "
        "are updated in place, their previous boundary kept as a dated version."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .geojson/.json, a .zip holding a Shapefile, a .gpkg")
        parser.add_argument("--level", required=True, choices=sorted(LEVELS))
        parser.add_argument("--code-field", help="attribute holding the grid code")
        parser.add_argument("--name-field", help="attribute holding the grid name")
        parser.add_argument(
            "--parent-code",
            help="the parent of every feature (else found by a "
            "parent_code field, or by containment)",
        )
        parser.add_argument(
            "--source-crs",
            choices=CRS_NAMES,
            help="datum of longitude/latitude coordinates (e.g. gcj02 for Gaode)",
        )
        parser.add_argument("--layer", help="layer to read when the file holds several")
        parser.add_argument(
            "--encoding",
            help="text encoding of the attributes (e.g. GBK, "
            "UTF-8); by default a Shapefile's .cpg, else UTF-8 or GB18030 "
            "as detected",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check and report what would change, write nothing",
        )

    def handle(
        self,
        *args,
        path: str,
        level: str,
        code_field: str | None,
        name_field: str | None,
        parent_code: str | None,
        source_crs: str | None,
        layer: str | None,
        encoding: str | None,
        dry_run: bool,
        **options,
    ) -> None:
        progress = TerminalProgress(getattr(self.stderr, "_out", sys.stderr))
        start = time.perf_counter()
        try:
            result = grids_import(
                path,
                level=LEVELS[level],
                dry_run=dry_run,
                progress=progress,
                code_field=code_field,
                name_field=name_field,
                parent_code=parent_code,
                source_crs=source_crs,
                layer=layer,
                encoding=encoding,
            )
        except ImportFailed as exc:
            raise CommandError(self._failure(exc)) from exc
        finally:
            progress.close()
        self._report(result, time.perf_counter() - start, options.get("verbosity", 1))

    def _failure(self, exc: ImportFailed) -> str:
        lines = [exc.message]
        lines += [f"  {p}" for p in exc.problems[:MAX_LINES]]
        if len(exc.problems) > MAX_LINES:
            lines.append("  " + _("... and %(n)s more") % {"n": len(exc.problems) - MAX_LINES})
        return "\n".join(lines)

    def _report(self, result: ImportResult, seconds: float, verbosity: int) -> None:
        plan = result.plan
        self.stdout.write(
            _(
                "Layer %(layer)s: %(n)s features, code field %(code)s, name field %(name)s; "
                "coordinates %(how)s; text encoding %(encoding)s."
            )
            % {
                "layer": plan.layer,
                "n": len(plan.rows),
                "code": plan.fields["code"],
                "name": plan.fields["name"],
                "how": plan.transformed,
                "encoding": plan.encoding,
            }
        )
        if verbosity >= 2:
            for action in ("create", "update"):
                codes = plan.codes(action)
                if codes:
                    self.stdout.write(
                        f"  {action}: {', '.join(codes[:200])}"
                        + (" ..." if len(codes) > 200 else "")
                    )
        timings = ", ".join(f"{k} {v:.1f} s" for k, v in result.timings.items())
        values = {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "versions": result.versions,
            "timings": timings,
            "total": f"{seconds:.1f}",
        }
        if result.dry_run:
            line = (
                _(
                    "Dry run, nothing written: would create %(created)s, update %(updated)s "
                    "(%(versions)s new boundaries), unchanged %(unchanged)s "
                    "(%(timings)s; %(total)s s in all)."
                )
                % values
            )
        else:
            line = (
                _(
                    "Imported: created %(created)s, updated %(updated)s (%(versions)s previous "
                    "boundaries kept), unchanged %(unchanged)s (%(timings)s; %(total)s s in "
                    "all)."
                )
                % values
            )
        self.stdout.write(self.style.SUCCESS(line))
