"""Every download that carries personal data leaves an access-log row (who, when, what):
the unit's not-reported list (names, phones), the quarterly and annual reports (names), the
person_data export. Refused downloads leave none; exports without personal data (the
branch-planning lists of grids) leave none."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from gridgov.accounts.models import AuditEntry
from tests.pages import shows, table

SECRETARY = "community_secretary"


def _exports():
    return AuditEntry.objects.filter(action__in=["personal.export", "privacy.export"])


@pytest.mark.parametrize(
    "url",
    [
        "/en/reporting/units/{unit}/export.csv",
        "/en/reporting/units/{unit}/export.xlsx",
        "/en/reports/quarterly.csv?grid={grid}",
        "/en/reports/quarterly.csv?grid={grid}&table=units",
        "/en/reports/quarterly.xlsx?grid={grid}",
        "/en/reports/annual.csv?grid={grid}",
        "/en/reports/annual.xlsx?grid={grid}",
        "/en/planning/groups/{compound}/export.csv",
    ],
)
def test_a_download_with_personal_data_is_logged(client, world, url):
    url = url.format(unit=world.unit.pk, grid=world.tree.c1.code, compound=world.tree.k1.code)
    user = world.users[SECRETARY]
    client.force_login(user)
    before = timezone.now()
    rows = table(client.get(url))
    assert len(rows) > 1, rows  # a header and the rows of people
    entry = _exports().get()
    assert entry.actor == user
    assert entry.at >= before
    assert entry.object_type == "people.member"
    assert entry.object_repr
    # A role that may not download it leaves no row.
    client.force_login(world.users["building_leader"])
    shows(
        client.get(url),
        "Your role does not let you open this page, or it belongs to another grid.",
        status=403,
    )
    assert _exports().count() == 1


def test_a_download_without_personal_data_is_not_logged(client, world):
    client.force_login(world.users[SECRETARY])
    for url in (
        "/en/planning/export.csv",
        f"/en/reports/quarterly.csv?grid={world.tree.c1.code}&table=grids",
    ):
        rows = table(client.get(url))
        assert len(rows) > 1, (url, rows)
    assert not _exports().exists()


def test_the_unit_export_names_the_file_in_the_log(client, world):
    client.force_login(world.users[SECRETARY])
    client.get(f"/en/reporting/units/{world.unit.pk}/export.csv")
    entry = _exports().get()
    assert entry.object_repr.startswith(f"not-reported-{world.unit.pk}-")


def test_the_person_data_command_logs_its_export(world):
    resident = world.sides["inside"].resident
    out = io.StringIO()
    call_command("person_data", "export", "--resident", str(resident.pk), stdout=out)
    assert resident.name in out.getvalue()
    entry = _exports().get()
    assert (entry.action, entry.object_type, entry.object_id) == (
        "privacy.export",
        "people.resident",
        str(resident.pk),
    )
