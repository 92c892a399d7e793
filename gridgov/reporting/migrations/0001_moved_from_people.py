# The models of dual reporting move from people to this app (issue 17 part 2). Their tables
# stay where they are (db_table: people_unitreport ...): this migration only tells Django's
# state that the models now live here; the database is not touched. people/0006 drops them
# from people's state after this one; 0002 moves their content types.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('grids', '0006_service_station'),
        ('people', '0005_household_resident_count'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='UnitReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('reported_on', models.DateField(verbose_name='reported on')),
                        ('status', models.CharField(choices=[('registered', 'registered, awaiting confirmation'), ('confirmed', 'reported and confirmed'), ('rejected', 'rejected')], default='registered', max_length=16, verbose_name='status')),
                        ('contact_name', models.CharField(blank=True, max_length=50, verbose_name='contact person')),
                        ('contact_phone', models.CharField(blank=True, max_length=20, verbose_name='contact phone')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('reject_reason', models.TextField(blank=True, verbose_name='reason for rejection')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='decided')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('community', models.ForeignKey(limit_choices_to={'level': 1}, on_delete=django.db.models.deletion.PROTECT, related_name='unit_reports', to='grids.grid', verbose_name='community')),
                        ('organisation', models.ForeignKey(limit_choices_to={'kind': 'unit_org'}, on_delete=django.db.models.deletion.PROTECT, related_name='unit_reports', to='people.partyorganisation', verbose_name='unit party organisation')),
                    ],
                    options={
                        'db_table': 'people_unitreport',
                        'verbose_name': 'unit organisation report',
                        'verbose_name_plural': 'unit organisation reports',
                        'ordering': ['-reported_on', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('organisation', 'community'), name='unitreport_once_per_community')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(choices=[('registered', 'registered online'), ('corrected', 'corrected while awaiting confirmation'), ('resubmitted', 'corrected and resubmitted'), ('recorded', 'recorded by community staff'), ('confirmed', 'confirmed'), ('rejected', 'rejected')], max_length=16, verbose_name='action')),
                        ('from_status', models.CharField(blank=True, choices=[('not_reported', 'not reported'), ('registered', 'registered, awaiting confirmation'), ('confirmed', 'reported and confirmed'), ('rejected', 'rejected')], max_length=16, verbose_name='from')),
                        ('to_status', models.CharField(choices=[('not_reported', 'not reported'), ('registered', 'registered, awaiting confirmation'), ('confirmed', 'reported and confirmed'), ('rejected', 'rejected')], max_length=16, verbose_name='to')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('at', models.DateTimeField(db_index=True, verbose_name='time')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='actor')),
                        ('member', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_events', to='people.member', verbose_name='party member')),
                        ('unit_report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reporting.unitreport', verbose_name='unit organisation report')),
                    ],
                    options={
                        'db_table': 'people_reportevent',
                        'verbose_name': 'reporting event',
                        'verbose_name_plural': 'reporting events',
                        'ordering': ['at', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('member__isnull', False), ('unit_report__isnull', True)), models.Q(('member__isnull', True), ('unit_report__isnull', False)), _connector='OR'), name='reportevent_member_or_unit')],
                    },
                ),
                migrations.CreateModel(
                    name='CoBuildingAgreement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('signed_on', models.DateField(verbose_name='signed on')),
                        ('valid_until', models.DateField(verbose_name='valid until')),
                        ('commitments', models.TextField(verbose_name='commitments')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('community', models.ForeignKey(limit_choices_to={'level': 1}, on_delete=django.db.models.deletion.PROTECT, related_name='agreements', to='grids.grid', verbose_name='community')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreements', to='people.cobuildingunit', verbose_name='unit')),
                    ],
                    options={
                        'db_table': 'people_cobuildingagreement',
                        'verbose_name': 'co-building agreement',
                        'verbose_name_plural': 'co-building agreements',
                        'ordering': ['-signed_on', 'id'],
                        'constraints': [models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('signed_on'))), name='agreement_valid_after_signing')],
                    },
                ),
                migrations.CreateModel(
                    name='ReportingDeadline',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('deadline', models.DateField(verbose_name='deadline')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='note')),
                        ('community', models.ForeignKey(blank=True, help_text='Empty: the deadline of every community that has none of its own.', limit_choices_to={'level': 1}, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='reporting_deadlines', to='grids.grid', verbose_name='community')),
                    ],
                    options={
                        'db_table': 'people_reportingdeadline',
                        'verbose_name': 'reporting deadline',
                        'verbose_name_plural': 'reporting deadlines',
                        'ordering': ['-year', 'community_id'],
                        'constraints': [models.UniqueConstraint(fields=('year', 'community'), name='deadline_once_per_community'), models.UniqueConstraint(condition=models.Q(('community__isnull', True)), fields=('year',), name='deadline_once_general')],
                    },
                ),
            ],
        ),
    ]
