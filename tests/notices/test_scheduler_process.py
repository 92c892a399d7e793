"""The real scheduler, as `make run` and docker-compose start it: `manage.py scheduler` in its
own process against the test database, for a few seconds. A request past its 5-minute
deadline reaches the secretary's phone through the file outbox; two schedulers side by side
send every message once (an SMS gateway on loopback counts what it is sent); SIGTERM stops
a scheduler cleanly."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.utils import timezone

from gridgov.messaging.models import Channel, Message
from tests.messaging.helpers import Gateway, Outbox
from tests.notices.sla import SECRETARY_PHONE, community, raise_case

ROOT = Path(__file__).resolve().parents[2]
QUEUED = 12  # messages waiting when the schedulers start


def served_database(tmp_path: Path) -> str:
    """A URL of the test database for another process: on SQLite (an in-memory test
    database) a file copy of it; on PostgreSQL the test database itself."""
    if connection.vendor == "sqlite":
        target = sqlite3.connect(tmp_path / "served.sqlite3")
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"spatialite:///{tmp_path / 'served.sqlite3'}"
    url = urlsplit(os.environ["DATABASE_URL"])
    return url._replace(path="/" + connection.settings_dict["NAME"]).geturl()


def count(tmp_path: Path, sql: str) -> int:
    """A count read from the database the scheduler wrote (the copy, on SQLite)."""
    if connection.vendor == "sqlite":
        with sqlite3.connect(tmp_path / "served.sqlite3") as db:
            return db.execute(sql).fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def start(tmp_path: Path, database: str, sms_url: str, name: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRIDGOV_")}
    env.update(
        DATABASE_URL=database,
        GRIDGOV_SECRET_KEY="test-only-not-secret",
        GRIDGOV_SMS_URL=sms_url,
        GRIDGOV_SCHEDULER_TICK="0.5",
        DJANGO_SETTINGS_MODULE="gridgov.settings",
        no_proxy="127.0.0.1,localhost",
        NO_PROXY="127.0.0.1,localhost",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "scheduler"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / f"{name}.out").open("w"),
        stderr=(tmp_path / f"{name}.err").open("w"),
    )


def stop(proc: subprocess.Popen) -> int:
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise


def wait_for(condition, timeout: float = 120.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture
def breached(transactional_db, tree, make_user):
    """A request raised 6 minutes ago in community C1, past its 5-minute deadline, whose
    secretary's account is linked to a member with a mobile number."""
    community(tree, make_user)
    return raise_case(at=timezone.now() - dt.timedelta(minutes=6))


def test_the_scheduler_process_alarms_the_secretary_of_a_missed_deadline(breached, tmp_path):
    outbox = Outbox(tmp_path / "outbox")
    proc = start(tmp_path, served_database(tmp_path), outbox.url, "scheduler")
    try:
        arrived = wait_for(lambda: outbox.to(SECRETARY_PHONE))
        time.sleep(1.5)  # three more passes: nothing more arrives
    finally:
        code = stop(proc)
    err = (tmp_path / "scheduler.err").read_text()
    assert arrived, err
    [text] = outbox.to(SECRETARY_PHONE)
    assert f"诉求 {breached.number} 已超过首次答复时间时限" in text
    assert len(outbox.files()) == 1
    assert count(tmp_path, "SELECT count(*) FROM notices_notice WHERE kind='sla_breached'") == 1
    out = (tmp_path / "scheduler.out").read_text()
    assert code == 0
    assert "scheduler: a pass every 0.5 s" in out
    assert "scheduler: stopped" in out
    assert "sla_alarms: 1" in out
    assert "Traceback" not in err


def test_two_scheduler_processes_send_every_message_once(breached, tmp_path):
    Message.objects.bulk_create(
        Message(
            channel=Channel.SMS,
            to=f"1390000{n:04d}",
            body=f"第{n}条",
            next_attempt_at=timezone.now(),
        )
        for n in range(QUEUED)
    )
    gateway = Gateway()
    database = served_database(tmp_path)
    procs = [start(tmp_path, database, gateway.url(), f"scheduler{i}") for i in (1, 2)]
    try:
        everything = wait_for(lambda: len({r["body"]["id"] for r in gateway.requests}) > QUEUED)
        time.sleep(2)  # a few more passes of both
    finally:
        codes = [stop(p) for p in procs]
        gateway.stop()
    errors = "".join((tmp_path / f"scheduler{i}.err").read_text() for i in (1, 2))
    assert everything, errors
    posted = Counter(r["body"]["id"] for r in gateway.requests)
    assert len(posted) == QUEUED + 1, posted
    assert set(posted.values()) == {1}, posted
    assert [r["body"]["to"] for r in gateway.requests].count(SECRETARY_PHONE) == 1
    assert count(tmp_path, "SELECT count(*) FROM messaging_message WHERE status='sent'") == (
        QUEUED + 1
    )
    assert count(tmp_path, "SELECT count(*) FROM notices_notice WHERE kind='sla_breached'") == 1
    assert codes == [0, 0]
    assert "Traceback" not in errors


def test_make_run_starts_the_scheduler_beside_the_server():
    recipe = subprocess.run(
        ["make", "-n", "--no-print-directory", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "GRIDGOV_SMS_URL=" in recipe
    assert "/var/outbox" in recipe
    assert "manage.py scheduler & scheduler=$!" in recipe
    assert "kill $scheduler" in recipe
    assert "manage.py runserver" in recipe
