"""Database helpers of the proofs, each run as its own process against DATABASE_URL.

    .venv/bin/python bench/proof/dbtools.py fixtures OUT.json     key, logins, addresses, points
    .venv/bin/python bench/proof/dbtools.py buildings OUT.geojson [--parts N]
    .venv/bin/python bench/proof/dbtools.py grid-state              fingerprint of the grid tables
    .venv/bin/python bench/proof/dbtools.py cases-exist IDS.json    which case numbers exist

They read (and ``fixtures`` issues one API key through gridgov.api.services, the one writer of
keys); nothing else here writes to the database.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from gridgov.accounts.models import Assignment, AuditEntry  # noqa: E402
from gridgov.api.models import ApiKey  # noqa: E402
from gridgov.api.services import api_key_issue  # noqa: E402
from gridgov.cases.models import Case, CaseCategory  # noqa: E402
from gridgov.demo.builder import DEMO_PASSWORD  # noqa: E402
from gridgov.grids.models import Grid, GridVersion, Level  # noqa: E402
from gridgov.people.models import Household, Member  # noqa: E402

SAMPLE = 400  # addresses and points handed to the load test


def fixtures(out: Path) -> None:
    """What the proofs need from the demo: an API key (read + Open311 POST, a rate no test
    reaches), the grid leader's grid, household addresses and points with their building."""
    raw = api_key_issue(
        key=ApiKey(
            name="reliability proof (bench/proof)",
            can_read=True,
            can_post_requests=True,
            rate_limit_per_minute=10_000_000,
        ),
        acting_user=None,
    )
    leader = get_user_model().objects.get(username="leader")
    grid = Assignment.objects.filter(user=leader).select_related("grid").first().grid
    rng = random.Random(8)
    homes = list(
        Household.objects.filter(building__isnull=False)
        .exclude(address="")
        .values_list("address", "location", "building__code")
    )
    rng.shuffle(homes)
    homes = homes[:SAMPLE]
    json.dump(
        {
            "key": raw,
            "password": DEMO_PASSWORD,
            "leader": {"username": "leader", "grid": grid.code},
            "admin": {"username": "demo"},
            "addresses": [a for a, _p, _b in homes],
            "points": [[round(p.x, 7), round(p.y, 7), b] for _a, p, b in homes],
            "service_codes": list(
                CaseCategory.objects.filter(active=True).values_list("code", flat=True)
            ),
            "counts": {
                "grids": Grid.objects.count(),
                "members": Member.objects.count(),
                "households": Household.objects.count(),
                "cases": Case.objects.count(),
            },
        },
        out.open("w"),
        ensure_ascii=False,
    )


def buildings(out: Path, parts: int) -> None:
    """A large, valid building import: every demo building cut into ``parts`` strips; the
    first strip keeps the building's code (an update: its old boundary becomes a version),
    the others are new buildings <compound>500.. with parent_code given. The strips only
    touch each other and stay inside their compound, so every feature passes the importer's
    checks; the import then writes updates, versions, creates, audit rows and re-locates
    the people inside."""
    import shapely
    from shapely.geometry import box, mapping

    features = []
    next_code: dict[str, int] = {}
    for code, name, parent, geom in (
        Grid.objects.filter(level=Level.BUILDING)
        .order_by("code")
        .values_list("code", "name", "parent__code", "geom")
    ):
        shape = shapely.from_wkb(bytes(geom.wkb))
        x0, y0, x1, y1 = shape.bounds
        step = (x1 - x0) / parts
        for j in range(parts):
            piece = shape.intersection(
                box(x0 + j * step, y0 - 1e-6, x0 + (j + 1) * step, y1 + 1e-6)
            )
            polys = [
                g
                for g in getattr(piece, "geoms", [piece])
                if g.geom_type == "Polygon" and g.area > 0
            ]
            if not polys:
                continue
            if j == 0:
                piece_code = code
            else:
                n = next_code.get(parent, 500)
                next_code[parent] = n + 1
                piece_code = f"{parent}{n:03d}"
            features.append(
                {
                    "type": "Feature",
                    "geometry": mapping(shapely.MultiPolygon(polys)),
                    "properties": {
                        "code": piece_code,
                        "name": f"{name}-{j + 1}",
                        "parent_code": parent,
                    },
                }
            )
    json.dump({"type": "FeatureCollection", "features": features}, out.open("w"))
    print(len(features))


def grid_state() -> None:
    """Counts and a SHA-256 over every grid (code, name, level, kind, parent, geometry WKB),
    boundary versions, audit rows and people's placements: equal before and after means the
    import left nothing behind."""
    h = hashlib.sha256()
    for code, name, level, kind, parent, geom in (
        Grid.objects.order_by("code")
        .values_list("code", "name", "level", "kind", "parent__code", "geom")
        .iterator(chunk_size=2000)
    ):
        h.update(f"{code}|{name}|{level}|{kind}|{parent}|".encode())
        h.update(bytes(geom.wkb))
    for model in (Member, Household):
        for row in (
            model.objects.order_by("pk")
            .values_list("pk", "grid_code", "building_id", "nearest_building_id")
            .iterator(chunk_size=5000)
        ):
            h.update(repr(row).encode())
    print(
        json.dumps(
            {
                "grids": Grid.objects.count(),
                "buildings": Grid.objects.filter(level=Level.BUILDING).count(),
                "versions": GridVersion.objects.count(),
                "audit": AuditEntry.objects.count(),
                "sha256": h.hexdigest(),
            }
        )
    )


def cases_exist(ids_file: Path) -> None:
    wanted = json.loads(ids_file.read_text())
    found = set()
    for i in range(0, len(wanted), 500):
        found.update(
            Case.objects.filter(number__in=wanted[i : i + 500]).values_list("number", flat=True)
        )
    print(
        json.dumps(
            {
                "asked": len(wanted),
                "found": len(found),
                "missing": sorted(set(wanted) - found),
                "proof_cases": Case.objects.filter(description__startswith="proof-kill ").count(),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("fixtures").add_argument("out", type=Path)
    b = sub.add_parser("buildings")
    b.add_argument("out", type=Path)
    b.add_argument("--parts", type=int, default=5)
    sub.add_parser("grid-state")
    sub.add_parser("cases-exist").add_argument("ids", type=Path)
    opts = parser.parse_args()
    if opts.cmd == "fixtures":
        fixtures(opts.out)
    elif opts.cmd == "buildings":
        buildings(opts.out, opts.parts)
    elif opts.cmd == "grid-state":
        grid_state()
    else:
        cases_exist(opts.ids)


if __name__ == "__main__":
    main()
