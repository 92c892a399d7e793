"""Shared pieces of the proofs: commands, the gunicorn server, its access log, logging in,
PostgreSQL tools. Standard library only (run by .venv/bin/python)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PY = str(ROOT / ".venv" / "bin" / "python")
MANAGE = [PY, str(ROOT / "manage.py")]
# One line per request: method, status, duration (µs), path (no query).
ACCESS_FORMAT = "%(m)s %(s)s %(D)s %(U)s"
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): ")


def say(msg: str) -> None:
    print(f"proof: {msg}", flush=True)


def run(
    cmd: list[str], env: dict[str, str], *, check: bool = True, timeout: float | None = None
) -> subprocess.CompletedProcess:
    res = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    if check and res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({res.returncode}):\n{res.stdout}\n{res.stderr}")
    return res


def manage(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return run([*MANAGE, *args], env, **kw)


def dbtool(args: list[str], env: dict[str, str]) -> str:
    """Last line of bench/proof/dbtools.py's output."""
    out = run([PY, str(HERE / "dbtools.py"), *args], env).stdout.strip().splitlines()
    return out[-1] if out else ""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_note() -> str:
    """The 1-minute load average and the busiest other processes (the machine is shared)."""
    load = os.getloadavg()[0]
    ps = subprocess.run(
        ["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    busy = [" ".join(line.split()) for line in ps[:8] if float(line.split()[0]) >= 20.0]
    return f"load {load:.2f}" + (f" (busy: {', '.join(busy)})" if busy else "")


@dataclass
class Server:
    """gunicorn gridgov.wsgi (sync workers) on 127.0.0.1:port, production settings."""

    env: dict[str, str]
    workers: int
    work: Path
    port: int = 0
    proc: subprocess.Popen | None = None
    command: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.work / "access.log"

    def start(self) -> None:
        self.port = free_port()
        self.command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "gridgov.wsgi",
            "--workers",
            str(self.workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            "--access-logfile",
            str(self.access_log),
            "--access-logformat",
            ACCESS_FORMAT,
        ]
        log = (self.work / "gunicorn.log").open("a")
        self.proc = subprocess.Popen(
            self.command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"gunicorn exited:\n{(self.work / 'gunicorn.log').read_text()}")
            try:
                with urllib.request.urlopen(
                    f"{self.url}/open311/v2/services.json", timeout=10
                ) as r:
                    if r.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.5)
        sys.exit(f"gunicorn did not answer:\n{(self.work / 'gunicorn.log').read_text()}")

    def worker_pids(self) -> list[int]:
        """The master's children (its workers), from /proc."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if self.proc and int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return sorted(pids)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def exceptions(self) -> dict[str, int]:
        """The exceptions the server logged, counted: the last line of each traceback (a
        cause that another exception wrapped is left out)."""
        log = self.work / "gunicorn.log"
        lines = log.read_text(errors="replace").splitlines() if log.exists() else []
        found: dict[str, int] = {}
        for i, line in enumerate(lines):
            if not EXCEPTION_LINE.match(line):
                continue
            after = next((x for x in lines[i + 1 : i + 4] if x.strip()), "")
            if after.startswith(("The above exception", "During handling")):
                continue
            found[line.strip()[:200]] = found.get(line.strip()[:200], 0) + 1
        return found

    def log_lines(self) -> int:
        return sum(1 for _ in self.access_log.open()) if self.access_log.exists() else 0

    def requests_since(self, start_line: int) -> list[tuple[str, int, float, str]]:
        """(method, status, seconds, path) of the requests logged after ``start_line``."""
        out = []
        with self.access_log.open(errors="replace") as f:
            for i, line in enumerate(f):
                if i < start_line:
                    continue
                parts = line.rstrip("\n").split(" ", 3)
                if len(parts) == 4 and parts[1].isdigit():
                    out.append((parts[0], int(parts[1]), int(parts[2]) / 1e6, parts[3]))
        return out


def login_cookie(url: str, username: str, password: str) -> str:
    """Sign in through /accounts/login/ (CSRF token from the form); the session cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{url}/accounts/login/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": "/"}
    ).encode()
    opener.open(f"{url}/accounts/login/", data=data, timeout=60).read()
    session = [c.value for c in jar if c.name == "sessionid"]
    if not session:
        sys.exit(f"could not sign in as {username}")
    return f"sessionid={session[0]}"


# --- PostgreSQL -------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    bins = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0,
    )
    return str(bins[-1]) if bins else (shutil.which(name) or name)


def pg_args(url: str) -> list[str]:
    u = urllib.parse.urlparse(url)
    args = ["-d", u.path.lstrip("/")]
    if u.hostname:
        args += ["-h", urllib.parse.unquote(u.hostname)]
    if u.port:
        args += ["-p", str(u.port)]
    args += ["-U", urllib.parse.unquote(u.username or "postgres")]
    return args


def psql(url: str, sql: str, env: dict[str, str]) -> str:
    return run([pg_tool("psql"), "-XAtq", *pg_args(url), "-c", sql], env).stdout.strip()


def as_pg(cmd: list[str]) -> list[str]:
    """A server command as the cluster's owner (scripts/pg_cluster.sh's as_pg)."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else cmd
