"""The server under measurement: `make serve` on a free loopback port, its gunicorn workers,
and their resident memory read from /proc.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.databases import django_environment
from bench.http import Client
from bench.settings import ROOT, say


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", status, re.MULTILINE):
            found.append(int(entry.name))
    return found


def rss_kib(pid):
    """Resident memory of a process in KiB, from /proc (None once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User and system CPU seconds the processes `pids` have used (/proc/<pid>/stat); a
    process that has gone counts nothing."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def postgres_pids():
    """The PostgreSQL server's processes on this machine (the benchmark's databases)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Server:
    """`make serve` on a free port for one database, stopped with its whole process group.

    `environment` adds to (or overrides) the variables it is served with, and `name` says how
    it differs, for its log and the run's output: servers of the same database side by side.
    """

    def __init__(self, database, logs, *, api_cache, environment=None, name=""):
        self.database = database
        self.api_cache = api_cache
        self.environment = environment or {}
        self.name = name
        self.port = free_port()
        suffix = f"-{name}" if name else ""
        self.log_path = Path(logs) / f"serve-{database}-cache-{int(api_cache)}{suffix}.log"

    def variables(self):
        """The environment it is served with."""
        return {
            **django_environment(self.database),
            "DJANGO_API_CACHE": "1" if self.api_cache else "0",
            **self.environment,
        }

    def __enter__(self):
        cache = "on" if self.api_cache else "off"
        named = f" ({self.name})" if self.name else ""
        say(f"{self.database}: make serve PORT={self.port}{named}, API response cache {cache}")
        self.log = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={self.port}"],
            cwd=ROOT,
            env=self.variables(),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        client = Client(self.port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if client.get("/bench/json/16/")[0].status == 200:
                    client.close()
                    return self
            except OSError:
                client.close()
            time.sleep(0.5)
        self.__exit__()
        sys.exit(f"The server did not start:\n{self.log_path.read_text()[-3000:]}")

    def workers(self):
        """The gunicorn worker processes (the children of the gunicorn master)."""
        pending, found = [self.process.pid], []
        for _ in range(4):  # make → (shell →) gunicorn master → workers
            pending = [child for pid in pending for child in children_of(pid)]
            found += [pid for pid in pending if "gunicorn" in command_line(pid)]
        masters = {pid for pid in found if any(c in found for c in children_of(pid))}
        return [pid for pid in found if pid not in masters]

    def cpu(self):
        """CPU seconds used so far by the gunicorn workers ("app"), by PostgreSQL's processes
        ("postgres") and by this process, whose threads are the clients ("clients")."""
        return {
            "app": cpu_seconds(self.workers()),
            "postgres": cpu_seconds(postgres_pids()),
            "clients": time.process_time(),
        }

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()
