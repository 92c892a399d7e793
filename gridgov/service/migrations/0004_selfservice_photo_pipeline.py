# The evidence photo's column becomes gridgov.photos' PhotoFileField (the same varchar(200)):
# a change of the model state only, nothing in the database.

import gridgov.photos.fields
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("service", "0003_activities"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="selfservice",
                    name="photo",
                    field=gridgov.photos.fields.PhotoFileField(
                        max_length=200, upload_to="service/self/%Y/%m/", verbose_name="photo"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
