"""Django's signing key when the environment gives none: generated once into ``var/``.

Production sets its own key (``GRIDGOV_SECRET_KEY``, or ``GRIDGOV_SECRET_KEY_FILE`` naming a
file; the container's entry point makes one on its volume). Without either, ``make run`` and
every ``manage.py`` command in a new shell read ``var/secret_key``, which the first of them
creates: 50 random URL-safe characters, readable by its owner only. Several processes
starting together (runserver, the scheduler, gunicorn workers) agree on one key: the file is
written under a temporary name and linked into place, and whoever loses the race reads the
winner's key.

Imported by ``gridgov/settings.py`` before the apps load: no Django imports here.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def read_or_create(path: Path) -> str:
    """The key stored at ``path``, created (with its folder) when it does not exist yet."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(50) + "\n")
        try:
            os.link(temporary, path)  # fails if another process linked its key first
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    key = path.read_text().strip()
    if not key:
        raise ValueError(f"the secret key file {path} is empty: delete it to make a new key")
    return key
