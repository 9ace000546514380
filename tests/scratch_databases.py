"""Fresh databases on the test suite's server, and the project's commands run against them.

The backup and migration tests restore or migrate into a database of their own, beside the
test database, and run manage.py in a subprocess with DATABASE_URL pointing at it.
"""

import contextlib
import hashlib
import os
import subprocess
import sys
import uuid
from urllib.parse import quote, urlencode

import psycopg
from django.db import connection

from tests.paths import ROOT


def conninfo(name: str) -> dict:
    """psycopg's connection parameters for database `name` on the test database's server."""
    entry = connection.settings_dict
    given = {"host": entry["HOST"], "port": entry["PORT"], "user": entry["USER"]}
    given["password"] = entry["PASSWORD"]
    return {key: str(value) for key, value in given.items() if value} | {"dbname": name}


def url(name: str) -> str:
    """DATABASE_URL for database `name` on the test database's server."""
    entry = connection.settings_dict
    user = quote(entry["USER"] or "")
    if entry["PASSWORD"]:
        user += ":" + quote(entry["PASSWORD"])
    query = urlencode({"host": entry["HOST"], "port": entry["PORT"]}) if entry["HOST"] else ""
    return f"postgres://{user}@/{quote(name)}" + (f"?{query}" if query else "")


@contextlib.contextmanager
def fresh_database(purpose: str):
    """An empty database, dropped afterwards. Yields its name."""
    name = f"scratch_{purpose}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**conninfo("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(**conninfo("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(name: str, *arguments, timeout=300) -> subprocess.CompletedProcess:
    """`manage.py ARGUMENTS` with the test settings against database `name`."""
    env = {**os.environ, "DATABASE_URL": url(name)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def table_digests(name: str) -> dict:
    """{table: md5 of its rows, sorted} for every table of the public schema of `name`."""
    digests = {}
    with psycopg.connect(**conninfo(name)) as database:
        tables = database.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
        ).fetchall()
        for (table,) in tables:
            rows = database.execute(f'SELECT t::text FROM "{table}" t ORDER BY 1').fetchall()
            digest = hashlib.md5(usedforsecurity=False)
            for (row,) in rows:
                digest.update(row.encode() + b"\n")
            digests[table] = (len(rows), digest.hexdigest())
    return digests
