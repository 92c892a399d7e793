"""Backup and restore: a restored backup holds exactly the data that was backed up."""

from __future__ import annotations

import io

import pytest
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command

from gridgov.people.models import Member
from tests.factories import MemberFactory
from tests.ops.helpers import fingerprint


@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_is_identical_to_what_was_backed_up(tree, tmp_path):
    MemberFactory(name="王芳", location=Point(113.102, 23.002, srid=4326))
    MemberFactory(name="赵敏", location=Point(113.113, 23.003, srid=4326))
    before = fingerprint()
    assert before["people_member"][0] == 2
    out = io.StringIO()
    call_command("backup_db", str(tmp_path / "gridgov.backup"), stdout=out)
    assert "backup written" in out.getvalue()

    # Life goes on after the backup: a member leaves, another arrives, a grid is renamed.
    Member.objects.filter(name="王芳").delete()
    MemberFactory(name="李强", location=Point(113.107, 23.003, srid=4326))
    tree.b1.name = "改名"
    tree.b1.save()
    assert fingerprint() != before

    call_command("restore_db", str(tmp_path / "gridgov.backup"), "--yes", stdout=io.StringIO())
    assert fingerprint() == before
    assert sorted(Member.objects.values_list("name", flat=True)) == ["王芳", "赵敏"]


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_without_confirmation_or_with_a_wrong_file(tree, tmp_path):
    before = fingerprint()
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_db", str(tmp_path / "none.backup"))
    with pytest.raises(CommandError, match="no such backup file"):
        call_command("restore_db", str(tmp_path / "none.backup"), "--yes")
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database dump")
    with pytest.raises(CommandError):
        call_command("restore_db", str(junk), "--yes")
    assert fingerprint() == before


@pytest.mark.django_db(transaction=True)
def test_the_backup_file_is_a_real_database_dump(tree, tmp_path):
    """What a person restoring by hand gets: a SpatiaLite file sqlite can open, or a
    pg_dump archive pg_restore can list."""
    from django.db import connection

    path = tmp_path / "gridgov.backup"
    call_command("backup_db", str(path), stdout=io.StringIO())
    head = path.read_bytes()[:16]
    if connection.vendor == "postgresql":
        assert head.startswith(b"PGDMP")
    else:
        import sqlite3

        assert head == b"SQLite format 3\x00"
        with sqlite3.connect(path) as db:
            names = {r[0] for r in db.execute("select name from grids_grid")}
        assert tree.c1.name in names
