"""The seeded catalogue: the kinds the field names, each in one of the ten categories, and
the data migration undoes exactly what it did."""

from __future__ import annotations

import importlib

from django.apps import apps

from gridgov.posts.models import CaseCategoryLink, PostKind
from gridgov.service.models import ServiceCategory

seed = importlib.import_module("gridgov.posts.migrations.0002_seed_kinds")

FIELD_KINDS = {
    "党员先锋岗",
    "环境维护岗",
    "邻里互助岗",
    "扶贫解困救助岗",
    "法律法规咨询岗",
    "矛盾纠纷调解岗",
    "清洁家园奉献岗",
    "政策宣传员",
    "交通协管员",
    "治安调解员",
    "巡回检查员",
}


def test_catalogue_holds_the_field_kinds_in_the_ten_categories(catalogue):
    kinds = {k.name: k for k in PostKind.objects.select_related("category")}
    assert FIELD_KINDS <= set(kinds)
    assert len(kinds) >= 16
    assert {k.category.code for k in kinds.values()} == set(
        ServiceCategory.objects.values_list("code", flat=True)
    )  # every category has posts
    assert kinds["交通协管员"].category.name == "文明出行"
    assert kinds["扶贫解困救助岗"].category.name == "扶贫助困"
    assert all(k.act_every_days == 15 for k in kinds.values())
    links = dict(
        CaseCategoryLink.objects.values_list("case_category__code", "service_category__code")
    )
    assert links["sanitation"] == "clean_home"
    assert links["neighbour_dispute"] == "neighbourly"


def test_seed_migration_is_reversible(catalogue, categories):
    extra = PostKind.objects.create(
        code="local_kind", name="本社区自设岗", category=categories["co_sharing"]
    )
    seed.unseed(apps, None)
    assert list(PostKind.objects.all()) == [extra]  # only the seeded rows went
    assert CaseCategoryLink.objects.count() == 0
    seed.seed(apps, None)
    assert PostKind.objects.count() == len(seed.KINDS) + 1
    assert CaseCategoryLink.objects.count() == len(seed.CASE_LINKS)
