"""restore_db of a damaged backup (cut short, as by a full disk or an interrupted copy): a
clear error naming the file and what is wrong, no traceback, and the database as it was."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from gridgov.people.models import Member
from tests.factories import MemberFactory
from tests.ops.helpers import fingerprint

pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.995])
@pytest.mark.django_db(transaction=True)
def test_a_truncated_backup_is_refused_and_nothing_is_restored(tree, tmp_path, keep):
    MemberFactory(name="backed-up", location=Point(113.102, 23.002, srid=4326))
    path = tmp_path / "gridgov.backup"
    call_command("backup_db", str(path), stdout=io.StringIO())
    whole = path.read_bytes()
    path.write_bytes(whole[: int(len(whole) * keep)])

    # Life after the backup: what a half-done restore would lose.
    Member.objects.all().delete()
    MemberFactory(name="after the backup", location=Point(113.107, 23.003, srid=4326))
    before = fingerprint()

    with pytest.raises(CommandError) as err:
        call_command("restore_db", str(path), "--yes", stdout=io.StringIO())
    text = str(err.value)
    assert str(path) in text
    assert "damaged or truncated" in text
    assert "Traceback" not in text
    assert fingerprint() == before
    assert list(Member.objects.values_list("name", flat=True)) == ["after the backup"]
