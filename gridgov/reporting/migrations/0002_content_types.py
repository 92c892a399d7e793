# The content types of the moved models follow them from "people" to "reporting": the admin's
# history (LogEntry) and the permissions granted on them point at the content type, so
# relabelling it carries both over (people.view_unitreport becomes reporting.view_unitreport
# for whoever held it). Reversible. On a fresh database there is nothing to relabel yet:
# post_migrate creates the types under their new label.

from django.db import migrations

MODELS = ("unitreport", "reportevent", "cobuildingagreement", "reportingdeadline")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    types = ContentType.objects.db_manager(schema_editor.connection.alias)
    for model in MODELS:
        source = types.filter(app_label=old, model=model).first()
        if source is None:
            continue
        # A type made under the new label in between (post_migrate after a partial or a
        # reversed migrate) holds only its default permissions: it gives way to the type
        # that holds the history and the grants.
        types.filter(app_label=new, model=model).delete()
        source.app_label = new
        source.save(update_fields=["app_label"])
    types.clear_cache()
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    LiveContentType.objects.clear_cache()


def to_reporting(apps, schema_editor):
    _relabel(apps, schema_editor, "people", "reporting")


def to_people(apps, schema_editor):
    _relabel(apps, schema_editor, "reporting", "people")


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0001_moved_from_people'),
        ('people', '0006_reporting_moves_out'),
        ('contenttypes', '0002_remove_content_type_name'),
        # in the state, so that a type giving way takes its permissions along and leaves
        # the admin's history (set to null) consistent
        ('auth', '0012_alter_user_first_name_max_length'),
        ('admin', '0003_logentry_add_action_flag_choices'),
    ]

    operations = [
        migrations.RunPython(to_reporting, to_people),
    ]
