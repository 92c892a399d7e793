"""Backup and restore of the whole database, one interface for both backends.

SpatiaLite: SQLite's online backup API (a consistent copy while the site runs).
PostGIS: ``pg_dump --format=custom`` / ``pg_restore --clean``, from the newest PostgreSQL
client on the machine (GRIDGOV_PG_BIN to choose), so that the dump matches the server.
Uploaded files (MEDIA_ROOT) are plain files: copy them alongside (docs/OPERATIONS.md).

A restore reads the whole backup before it changes anything: a file cut short or damaged
is refused with the reason and the database is left as it was (SQLite: the size the header
promises and ``PRAGMA quick_check`` on the file; PostGIS: ``pg_restore`` reading the whole
archive to /dev/null, then restoring in one transaction).
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _


class BackupError(Exception):
    pass


def _is_postgres(alias: str = "default") -> bool:
    return connections[alias].vendor == "postgresql"


def _pg_tool(name: str) -> str:
    wanted = os.environ.get("GRIDGOV_PG_BIN")
    candidates = (
        [wanted]
        if wanted
        else sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))[
            ::-1
        ]
    )
    for folder in candidates:
        tool = Path(folder) / name
        if tool.exists():
            return str(tool)
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install postgresql-client (Debian) or set "
            "GRIDGOV_PG_BIN to the folder holding it"
        )
    return found


def _pg_args(alias: str) -> tuple[list[str], dict[str, str]]:
    db = connections[alias].settings_dict
    args, env = [], dict(os.environ)
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args + ["--dbname", db["NAME"]], env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _raw(alias: str) -> sqlite3.Connection:
    """The open sqlite3 connection Django uses (works for files and in-memory test
    databases alike; SpatiaLite's tables are ordinary tables to the backup API)."""
    connection = connections[alias]
    connection.ensure_connection()
    return connection.connection


def backup(path: Path, alias: str = "default") -> Path:
    """Write a consistent copy of the database to ``path``."""
    path = Path(path)
    if connections[alias].in_atomic_block:
        raise BackupError(
            "back up outside a transaction: uncommitted changes would be missed or block the copy"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    if _is_postgres(alias):
        args, env = _pg_args(alias)
        _run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(path), *args], env
        )
        return path
    target = sqlite3.connect(path)
    try:
        _raw(alias).backup(target)
    finally:
        target.close()
    return path


def restore(path: Path, alias: str = "default") -> None:
    """Replace the database's contents with the backup at ``path``."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if _is_postgres(alias):
        _check_pg_archive(path)
        connections[alias].close()
        args, env = _pg_args(alias)
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                *args,
                str(path),
            ],
            env,
        )
        return
    _check_sqlite_file(path)
    source = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        source.backup(_raw(alias))
    except sqlite3.Error as exc:
        raise BackupError(_damaged(path, str(exc))) from exc
    finally:
        source.close()


def _damaged(path: Path, why: str) -> str:
    return _("%(path)s is damaged or truncated, nothing was restored: %(why)s") % {
        "path": path,
        "why": why,
    }


def _check_pg_archive(path: Path) -> None:
    """pg_restore reads the whole archive (its table of contents and every data block) into
    a script thrown away: a dump cut short fails here, before the database is touched."""
    with open(path, "rb") as f:
        if f.read(5) != b"PGDMP":
            raise BackupError(
                _(
                    "%(path)s is not a PostGIS backup (pg_dump --format=custom), "
                    "nothing was restored."
                )
                % {"path": path}
            )
    done = subprocess.run(
        [_pg_tool("pg_restore"), "--file", os.devnull, str(path)], capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(_damaged(path, done.stderr.strip()[-1000:]))


def _check_sqlite_file(path: Path) -> None:
    """The SQLite header's promises kept: the magic string, a file as long as its page count
    says, and SQLite's own quick check of every page."""
    with open(path, "rb") as f:
        head = f.read(100)
    if not head.startswith(b"SQLite format 3\x00"):
        raise BackupError(
            _("%(path)s is not a SpatiaLite/SQLite backup, nothing was restored.") % {"path": path}
        )
    if len(head) < 100:
        raise BackupError(_damaged(path, _("the file ends inside its header")))
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    size = path.stat().st_size
    # The page count is valid when the change counter matches "version valid for" (3.7.0+).
    if pages and head[24:28] == head[92:96] and size < pages * page_size:
        raise BackupError(
            _damaged(
                path,
                _("%(size)s bytes of the %(expected)s its header announces")
                % {"size": size, "expected": pages * page_size},
            )
        )
    try:
        check = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        try:
            rows = [r[0] for r in check.execute("PRAGMA quick_check")]
        finally:
            check.close()
    except sqlite3.Error as exc:
        raise BackupError(_damaged(path, str(exc))) from exc
    if rows != ["ok"]:
        raise BackupError(_damaged(path, "; ".join(rows[:5])))


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)
