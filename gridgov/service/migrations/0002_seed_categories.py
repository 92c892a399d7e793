"""Seed the ten standard service categories (Chancheng; Chinese names are seed data).
Reversible: the reverse removes only the seeded codes."""

from django.db import migrations

CATEGORIES = [
    ("epidemic", "疫情防控"),
    ("poverty_relief", "扶贫助困"),
    ("clean_home", "洁净家园"),
    ("safety", "守护平安"),
    ("civil_travel", "文明出行"),
    ("neighbourly", "和睦邻里"),
    ("culture_sports", "文体活动"),
    ("co_building", "社区共建"),
    ("co_governance", "社区共治"),
    ("co_sharing", "社区共享"),
]


def seed(apps, schema_editor):
    ServiceCategory = apps.get_model("service", "ServiceCategory")
    for code, name in CATEGORIES:
        ServiceCategory.objects.update_or_create(code=code, defaults={"name": name})


def unseed(apps, schema_editor):
    ServiceCategory = apps.get_model("service", "ServiceCategory")
    ServiceCategory.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0001_service_category"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
