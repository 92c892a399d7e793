"""The demo's households and residents: flats in the residential buildings (a few by a
road), families of one to five with birth years and phones, the vulnerable among them
(empty-nest elders and others) as surveyed last year."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

from django.contrib.gis.geos import Point

from gridgov.demo import names
from gridgov.demo.clock import REFERENCE_DATE
from gridgov.demo.geography import Geography, Homes, locate
from gridgov.people.models import Household, Resident, Vulnerability, VulnerableCategory


def build_households(
    rng: random.Random,
    n_residents: int,
    geo: Geography,
    homes: Homes,
    progress: Callable[[str], None],
) -> tuple[int, int]:
    """About ``n_residents`` people in households, a street at a time (bounded memory at
    district scale); the households and residents made."""
    living_in = geo.homes
    per_building = n_residents / 2.9 / max(len(living_in), 1)
    n_households = n_people = 0
    current_year = REFERENCE_DATE.year
    categories = list(VulnerableCategory)
    for _, group in itertools.groupby(living_in, key=lambda a: a.code[:9]):
        households: list[Household] = []
        people: list[list[tuple]] = []
        for a in group:
            for _ in range(max(1, round(rng.gauss(per_building, per_building / 4)))):
                x, y, addr = homes.road_point(a) if rng.random() < 0.004 else homes.home_point(a)
                households.append(
                    Household(
                        address=addr,
                        location=Point(x, y, srid=4326),
                        room=addr.rsplit("单元", 1)[-1],
                    )
                )
                size = rng.choices([1, 2, 3, 4, 5], [12, 28, 32, 20, 8])[0]
                members_of = []
                for k in range(size):
                    name, gender = names.person(rng)
                    birth = rng.randint(1938, 2024)
                    vul = []
                    if birth < 1960 and size <= 2 and rng.random() < 0.25:
                        vul.append(VulnerableCategory.EMPTY_NEST)
                    if rng.random() < 0.012:
                        vul.append(rng.choice(categories))
                    members_of.append(
                        (name, gender, birth, names.phone(rng) if birth < 2008 else "", k == 0, vul)
                    )
                people.append(members_of)
        locate(households, geo.layers)
        Household.objects.bulk_create(households, batch_size=5000)
        residents = [
            Resident(household=h, name=n, gender=g, birth_year=b, phone=p, is_head=head)
            for h, ms in zip(households, people, strict=True)
            for n, g, b, p, head, _ in ms
        ]
        Resident.objects.bulk_create(residents, batch_size=5000)
        flat = [vul for ms in people for *_, vul in ms]
        Vulnerability.objects.bulk_create(
            (
                Vulnerability(resident=r, category=c, surveyed_year=current_year - 1)
                for r, vul in zip(residents, flat, strict=True)
                for c in dict.fromkeys(vul)
            ),
            batch_size=5000,
        )
        n_households += len(households)
        n_people += len(residents)
        progress(f"households: {n_households}, residents: {n_people}")
    return n_households, n_people
