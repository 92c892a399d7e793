"""The catalogue the migrations seed: case categories, service categories, post kinds and the
links between case and service categories. A ``transaction=True`` test ends with a flush that
empties them, as if the database had never been migrated; each getter here seeds them again
the migrations' own way when its row is missing."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

from gridgov.cases.models import CaseCategory
from gridgov.posts.models import PostKind
from gridgov.service.models import ServiceCategory

SEEDS = (  # in the migrations' order: post kinds name service categories
    "gridgov.cases.migrations.0002_seed_categories",
    "gridgov.service.migrations.0002_seed_categories",
    "gridgov.posts.migrations.0002_seed_kinds",
)


def seed_catalogue() -> None:
    """Every seeded row, as the migrations write them (update_or_create: idempotent)."""
    for module in SEEDS:
        import_module(module).seed(apps, None)


def _get(model, code: str):
    found = model.objects.filter(code=code).first()
    if found is None:
        seed_catalogue()
        found = model.objects.get(code=code)
    return found


def case_category(code: str = "repair") -> CaseCategory:
    return _get(CaseCategory, code)


def service_category(code: str = "clean_home") -> ServiceCategory:
    return _get(ServiceCategory, code)


def post_kind(code: str | None = None) -> PostKind:
    """The kind of that code; by default the first seeded kind."""
    if code is not None:
        return _get(PostKind, code)
    if not PostKind.objects.exists():
        seed_catalogue()
    return PostKind.objects.order_by("code").first()


def case_categories() -> dict[str, CaseCategory]:
    """Every case category by code (seeded first if the table is empty)."""
    case_category()
    return {c.code: c for c in CaseCategory.objects.all()}


def service_categories() -> dict[str, ServiceCategory]:
    service_category()
    return {c.code: c for c in ServiceCategory.objects.all()}


def post_kinds() -> dict[str, PostKind]:
    post_kind()
    return {k.code: k for k in PostKind.objects.all()}
