"""What the messaging tests share, and the notices' and privacy tests use: a file outbox of
a test's own (GRIDGOV_SMS_URL=file://…) and what is in it; an SMS gateway on loopback."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


class Gateway:
    """An SMS gateway on 127.0.0.1: records each request and answers from ``script`` (a
    list of (status, JSON body, delay in seconds); the last one repeats)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[tuple[int, dict, float]] = [(200, {"id": "gw-1"}, 0.0)]
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": json.loads(self.rfile.read(length).decode("utf-8")),
                    }
                )
                status, answer, delay = gateway.script[
                    min(len(gateway.requests), len(gateway.script)) - 1
                ]
                time.sleep(delay)
                payload = json.dumps(answer).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, token: str = "s3cret") -> str:
        auth = f"{token}@" if token else ""
        return f"http://{auth}127.0.0.1:{self.port}/sms/send"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
