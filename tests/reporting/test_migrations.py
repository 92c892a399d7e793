"""Dual reporting moved from people to its own app with no data moved (people/0006,
reporting/0001 and 0002): the tables stay, the content types follow the models (so the admin's
history and the permissions granted on them follow too), and the whole move goes back and
forth. The audit trail keeps naming the moved models as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from gridgov.accounts.models import AuditEntry, StaffRole
from gridgov.people.models import CoBuildingUnit, OrgKind, PartyOrganisation
from gridgov.reporting.models import ReportingDeadline, UnitReport
from gridgov.reporting.services import deadline_set, unit_report_record

MOVED = ("unitreport", "reportevent", "cobuildingagreement", "reportingdeadline")
BEFORE = [("people", "0005_household_resident_count"), ("reporting", None)]


def migrate(targets=None) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def labels() -> dict[str, tuple[int, str]]:
    return {ct.model: (ct.pk, ct.app_label) for ct in ContentType.objects.filter(model__in=MOVED)}


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_rows_history_and_grants_and_goes_back(tree, make_user):
    unit = CoBuildingUnit.objects.create(name="区税务局")
    org = PartyOrganisation.objects.create(kind=OrgKind.UNIT_ORG, name="机关党支部", unit=unit)
    report = unit_report_record(
        organisation=org, community=tree.c1, reported_on=dt.date(2026, 1, 5), acting_user=None
    )
    # A database from before the move: the types under "people" (going back relabels them),
    # a grant, an admin entry.
    migrate(BEFORE)
    assert {app for _pk, app in labels().values()} == {"people"}
    old = ContentType.objects.get(app_label="people", model="unitreport")
    Permission.objects.filter(content_type=old).delete()
    grant = Permission.objects.create(content_type=old, codename="change_unitreport", name="x")
    user = make_user("sec", StaffRole.COMMUNITY_SECRETARY, tree.c1)
    user.user_permissions.add(grant)
    LogEntry.objects.create(
        user=user,
        content_type=old,
        object_id=str(report.pk),
        object_repr=str(report),
        action_flag=CHANGE,
    )

    migrate()
    assert labels()["unitreport"] == (old.pk, "reporting")
    assert {app for _pk, app in labels().values()} == {"reporting"}
    user = type(user).objects.get(pk=user.pk)  # no cached permissions
    assert user.has_perm("reporting.change_unitreport")
    assert LogEntry.objects.get().get_edited_object() == UnitReport.objects.get(pk=report.pk)

    # Back: the types return to "people", with their ids.
    migrate(BEFORE)
    assert labels()["unitreport"] == (old.pk, "people")
    # A type made under "reporting" meanwhile (post_migrate after a partial migrate) gives
    # way to the one holding the history and the grants.
    ContentType.objects.create(app_label="reporting", model="unitreport")
    migrate()
    assert labels()["unitreport"] == (old.pk, "reporting")
    assert type(user).objects.get(pk=user.pk).has_perm("reporting.change_unitreport")
    assert UnitReport.objects.filter(pk=report.pk).exists()


@pytest.mark.django_db
def test_audit_rows_name_the_moved_models_as_before():
    row = deadline_set(year=2026, deadline=dt.date(2026, 3, 31), acting_user=None)
    entry = AuditEntry.objects.get(action="deadline.set")
    assert (entry.object_type, entry.object_id) == ("people.reportingdeadline", str(row.pk))
    assert ReportingDeadline._meta.db_table == "people_reportingdeadline"
    assert ReportingDeadline._meta.label_lower == "reporting.reportingdeadline"
