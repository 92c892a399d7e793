"""Seed the case categories the field uses (Chinese names are seed data). Reversible: the
reverse removes only the seeded codes, and only while no case uses them (PROTECT)."""

from django.db import migrations

# code, name, kind, first response (minutes), resolution (hours)
CATEGORIES = [
    ("consultation", "政策咨询", "consultation", 5, 24),
    ("sanitation", "环境卫生", "problem", 60, 72),
    ("repair", "设施维修", "problem", 120, 168),
    ("neighbour_dispute", "邻里纠纷", "problem", 60, 168),
    ("safety_hazard", "治安隐患", "problem", 30, 48),
    ("micro_wish", "微心愿", "micro_wish", 1440, 336),
]


def seed(apps, schema_editor):
    CaseCategory = apps.get_model("cases", "CaseCategory")
    for code, name, kind, first_minutes, resolution_hours in CATEGORIES:
        CaseCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "kind": kind,
                      "first_response_sla_minutes": first_minutes,
                      "resolution_sla_hours": resolution_hours},
        )


def unseed(apps, schema_editor):
    CaseCategory = apps.get_model("cases", "CaseCategory")
    CaseCategory.objects.filter(code__in=[c[0] for c in CATEGORIES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0001_cases"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
