"""`make run` and manage.py as a new user meets them (issue 18 part 1): no variables set,
debug off, the secret key generated once into var/ and kept, static files served."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from gridgov.ops.secret_key import read_or_create

ROOT = Path(__file__).resolve().parents[2]


def test_the_key_is_made_once_private_and_then_kept(tmp_path):
    path = tmp_path / "var" / "secret_key"
    first = read_or_create(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_or_create(path) == first
    assert [p.name for p in path.parent.iterdir()] == ["secret_key"]  # no temporary left


def test_processes_starting_together_agree_on_one_key(tmp_path):
    path = tmp_path / "secret_key"
    with ProcessPoolExecutor(max_workers=6) as pool:
        keys = set(pool.map(read_or_create, [path] * 24))
    assert keys == {path.read_text().strip()}


def test_an_empty_key_file_is_refused_with_what_to_do(tmp_path):
    path = tmp_path / "secret_key"
    path.write_text("\n")
    with pytest.raises(ValueError, match="delete it to make a new key"):
        read_or_create(path)


def _new_shell(*args: str) -> subprocess.CompletedProcess:
    """manage.py in a shell with nothing of ours set (only PATH and HOME)."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(Path.home())}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_readme_command_works_in_a_new_shell_with_debug_off():
    result = _new_shell("check_grids", "--help")
    assert result.returncode == 0, result.stderr
    assert "usage: manage.py check_grids" in result.stdout
    shown = _new_shell(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG, len(settings.SECRET_KEY))",
    )
    assert shown.returncode == 0, shown.stderr
    debug, length = shown.stdout.split()[-2:]
    assert debug == "False"
    assert int(length) >= 50
    assert (ROOT / "var" / "secret_key").read_text().strip()


@pytest.mark.django_db
def test_static_files_are_served_with_debug_off(client, settings):
    assert settings.DEBUG is False
    response = client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b".topbar" in b"".join(response.streaming_content)
