# Dual reporting's models move to their own app (gridgov.reporting, issue 17 part 2). Their
# tables stay (people_unitreport, people_reportevent, people_cobuildingagreement,
# people_reportingdeadline): people only forgets them in Django's state, after
# reporting/0001 has taken them up; the database is not touched.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0005_household_resident_count'),
        ('reporting', '0001_moved_from_people'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='ReportEvent'),
                migrations.DeleteModel(name='UnitReport'),
                migrations.DeleteModel(name='CoBuildingAgreement'),
                migrations.DeleteModel(name='ReportingDeadline'),
            ],
        ),
    ]
