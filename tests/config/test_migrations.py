"""Every migration of the project's apps reverses: each app migrated to zero and forward again
on a scratch database ends with the schema it started with."""

import re
import subprocess

import psycopg
import pytest
from django.db import connection

from core import backups
from tests.scratch_databases import conninfo, fresh_database, manage

# Upper layers first: unapplying an app unapplies what depends on it, never what it needs.
APPS = ["expos", "exhibitors", "core"]

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def schema(name: str) -> str:
    """The schema of database `name` as pg_dump writes it, without its comments and the
    random key pg_dump puts in \\restrict lines."""
    pg_dump = backups.find_client("pg_dump", backups.server_major(connection))
    env = backups.client_environment({**connection.settings_dict, "NAME": name})
    text = subprocess.run(
        [str(pg_dump.path), "--schema-only", "--no-owner"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    kept = [
        line
        for line in text.splitlines()
        if line.strip() and not line.startswith("--") and not re.match(r"\\(un)?restrict ", line)
    ]
    return "\n".join(kept)


def migrate(name, *arguments):
    result = manage(name, "migrate", *arguments, "--no-input")
    assert result.returncode == 0, result.stderr
    return result.stdout


def project_tables(name):
    with psycopg.connect(**conninfo(name)) as database:
        return database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND split_part(tablename, '_', 1) = ANY(%s) ORDER BY 1",
            [APPS],
        ).fetchall()


def test_every_migration_reverses_to_the_same_schema():
    with fresh_database("migrations") as name:
        migrate(name)
        before = schema(name)
        assert "CREATE TABLE public.expos_expo" in before
        for app in APPS:
            said = migrate(name, app, "zero")
            assert f"Unapplying {app}.0001_initial... OK" in said
        assert project_tables(name) == []
        with psycopg.connect(**conninfo(name)) as database:
            (left,) = database.execute(
                "SELECT count(*) FROM django_migrations WHERE app = ANY(%s)", [APPS]
            ).fetchone()
        assert left == 0
        migrate(name)
        assert schema(name) == before
