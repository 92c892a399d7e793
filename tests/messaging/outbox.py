"""A file outbox of a test's own (GRIDGOV_SMS_URL=file://…), and what is in it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Outbox:
    folder: Path

    @property
    def url(self) -> str:
        return f"file://{self.folder}"

    def files(self) -> list[Path]:
        return sorted(self.folder.glob("*.txt")) if self.folder.is_dir() else []

    def texts(self) -> list[str]:
        return [p.read_text(encoding="utf-8") for p in self.files()]

    def to(self, number: str) -> list[str]:
        """The messages written to ``number``."""
        return [t for t in self.texts() if t.startswith(f"To: {number}\n")]


def use_outbox(settings, folder: Path) -> Outbox:
    box = Outbox(folder)
    settings.GRIDGOV_SMS_URL = box.url
    return box
