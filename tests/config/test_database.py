"""The embedded PostgreSQL that manage.py, `make run` and `make serve` start when
DATABASE_URL is not set (config/database.py)."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from config.database import database_settings, database_url
from tests.paths import ROOT

CONNECT = """
import os, psycopg
with psycopg.connect(os.environ["DATABASE_URL"]) as connection:
    print(connection.execute("SELECT current_database()").fetchone()[0])
"""


def run(*command, **environment):
    inherited = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    return subprocess.run(
        [sys.executable, "-m", "config.database", *command],
        cwd=ROOT,
        env={**inherited, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_database_url_of_a_socket_is_read_back_as_the_same_connection():
    entry = {"USER": "postgres", "NAME": "expo_directory", "HOST": "/tmp/a b", "PORT": "5433"}
    parsed = database_settings(database_url(entry))
    assert (parsed["NAME"], parsed["USER"]) == ("expo_directory", "postgres")
    assert (parsed["HOST"], parsed["PORT"], parsed["OPTIONS"]) == ("/tmp/a b", "5433", {})


def test_a_set_database_url_is_passed_through_with_the_exit_code():
    result = run(
        sys.executable,
        "-c",
        "import os, sys; print(os.environ['DATABASE_URL']); sys.exit(3)",
        DATABASE_URL="postgres://someone@db.invalid:5432/elsewhere",
    )
    assert result.returncode == 3
    assert result.stdout.strip() == "postgres://someone@db.invalid:5432/elsewhere"


@pytest.fixture
def scratch_pgdata():
    # The server runs as an unprivileged user when we are root: it must reach this folder.
    folder = Path(tempfile.mkdtemp(prefix="expo-directory-pg-"))
    folder.chmod(0o755)
    yield folder / "pgdata"
    shutil.rmtree(folder, ignore_errors=True)


def test_without_database_url_the_command_runs_on_the_embedded_server(scratch_pgdata):
    result = run(sys.executable, "-c", CONNECT, DJANGO_EMBEDDED_PGDATA=str(scratch_pgdata))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "expo_directory"
    # The data stays for the next run, as `make run`'s does.
    assert (scratch_pgdata / "PG_VERSION").exists()


def test_without_a_command_it_says_how_to_use_it():
    result = run()
    assert result.returncode != 0
    assert "usage: python -m config.database COMMAND" in result.stderr
