"""Seed the catalogue of post kinds (the kinds the field reports name; Chinese names are seed
data), each tied to one of the ten service categories, and link the seeded case categories to
service categories for the needs list. Reversible: the reverse removes only the seeded rows
(and fails while a post still uses a seeded kind, which is PROTECTed)."""

from django.db import migrations

# code, name, service category code
KINDS = [
    ("vanguard", "党员先锋岗", "co_building"),
    ("environment", "环境维护岗", "clean_home"),
    ("mutual_aid", "邻里互助岗", "neighbourly"),
    ("poverty_relief", "扶贫解困救助岗", "poverty_relief"),
    ("legal_advice", "法律法规咨询岗", "co_governance"),
    ("mediation", "矛盾纠纷调解岗", "neighbourly"),
    ("clean_home", "清洁家园奉献岗", "clean_home"),
    ("policy_publicity", "政策宣传员", "co_sharing"),
    ("traffic_warden", "交通协管员", "civil_travel"),
    ("security_mediator", "治安调解员", "safety"),
    ("patrol_inspector", "巡回检查员", "safety"),
    ("epidemic_prevention", "疫情防控岗", "epidemic"),
    ("culture_sports", "文体活动岗", "culture_sports"),
    ("civility_advisor", "文明劝导员", "civil_travel"),
    ("building_liaison", "楼栋联络员", "co_governance"),
    ("care_support", "关爱帮扶岗", "poverty_relief"),
]

# case category code -> service category code
CASE_LINKS = [
    ("consultation", "co_governance"),
    ("sanitation", "clean_home"),
    ("repair", "co_building"),
    ("neighbour_dispute", "neighbourly"),
    ("safety_hazard", "safety"),
    ("micro_wish", "neighbourly"),
]


def seed(apps, schema_editor):
    ServiceCategory = apps.get_model("service", "ServiceCategory")
    CaseCategory = apps.get_model("cases", "CaseCategory")
    PostKind = apps.get_model("posts", "PostKind")
    CaseCategoryLink = apps.get_model("posts", "CaseCategoryLink")
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    for code, name, category in KINDS:
        PostKind.objects.update_or_create(
            code=code, defaults={"name": name, "category": categories[category]})
    for case_code, service_code in CASE_LINKS:
        case_category = CaseCategory.objects.filter(code=case_code).first()
        if case_category is not None:
            CaseCategoryLink.objects.update_or_create(
                case_category=case_category,
                defaults={"service_category": categories[service_code]})


def unseed(apps, schema_editor):
    PostKind = apps.get_model("posts", "PostKind")
    CaseCategoryLink = apps.get_model("posts", "CaseCategoryLink")
    CaseCategoryLink.objects.filter(
        case_category__code__in=[c for c, _ in CASE_LINKS]).delete()
    PostKind.objects.filter(code__in=[k[0] for k in KINDS]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("posts", "0001_posts"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
