"""The PostgreSQL side: statements on the server, the databases the benchmark loads, and the
filter and search words picked from the data.

`django_environment` and `manage` are here too: every command and server runs Django on one
of these databases.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import psycopg

from bench.settings import (
    DATABASE_PREFIX,
    REDIS_URL,
    REUSE,
    ROOT,
    SECRET_KEY,
    SEED,
    SERVER_URL,
    USE_REDIS,
    label,
    say,
)


def database_url(name):
    return urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))


def sql(database, statement, parameters=()):
    """Run one statement in autocommit (VACUUM and CREATE DATABASE need it); return its rows."""
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        cursor = connection.execute(statement, parameters)
        return cursor.fetchall() if cursor.description else []


def server_database():
    return urlsplit(SERVER_URL).path.lstrip("/") or "postgres"


def recreate_database(name):
    admin = server_database()
    sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql(admin, f'CREATE DATABASE "{name}"')


def drop_database(name):
    sql(server_database(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def loaded_marker(size):
    return f"expo-directory bench: {size} exhibitors, seed {SEED}"


def is_loaded(name, size):
    rows = sql(
        server_database(),
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    )
    return bool(rows) and rows[0][0] == loaded_marker(size)


def django_environment(database):
    """The environment of every command and server: production settings on `database`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_CONN_MAX_AGE") and not key.startswith("MAKE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        # testserver: the in-process client that counts queries.
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ROOT_URLCONF="bench.urls",
        DATABASE_URL=database_url(database),
        # The anonymous throttle would turn the throughput runs into 429s.
        DJANGO_API_ANON_RATE="1000000/s",
        # The benchmark is one client: the per-client page limit would refuse it too.
        DJANGO_PAGE_RATE="",
        # Workers are not recycled mid-run, which would reset the memory figures.
        GUNICORN_MAX_REQUESTS="0",
        PYTHONUNBUFFERED="1",
    )
    if USE_REDIS:
        environment["REDIS_URL"] = REDIS_URL
    return environment


def manage(database, *arguments, timeout=3600):
    """Run a manage.py command on `database`; return its wall-clock seconds and output."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=django_environment(database),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return time.monotonic() - started, result.stdout


def django_script(database, script, *arguments, what, timeout=600):
    """Run `script` (Python that sets Django up itself) with `arguments` in a process of its
    own on `database`, the API's response cache off; return the JSON of its last line. A
    failure ends the run, saying `what` failed."""
    result = subprocess.run(
        [sys.executable, "-c", script, *arguments],
        cwd=ROOT,
        # The work itself: an answer kept by the API's response cache from a warm-up request
        # would be one query and no work, whatever was asked.
        env={**django_environment(database), "DJANGO_API_CACHE": "0"},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"{what} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def psql_command(database, *options):
    """psql on `database` without the user's settings, stopping at the first error."""
    return [
        shutil.which("psql") or "psql",
        "--no-psqlrc",
        "--quiet",
        "--set=ON_ERROR_STOP=1",
        database_url(database),
        *options,
    ]


def load(size):
    """Database bench_<size>: migrated, seeded, filled, analysed.

    Returns its name and the seconds generate_directory took (None when it was kept)."""
    name = f"{DATABASE_PREFIX}{label(size)}"
    if REUSE and is_loaded(name, size):
        # The data stays; the schema follows the code (a new index, for example).
        say(f"{name}: already loaded, kept (BENCH_REUSE); migrating")
        manage(name, "migrate", "--noinput", "--verbosity", "0")
        sql(name, "VACUUM ANALYZE")
        return name, None
    say(f"{name}: creating, migrating, loading the seed")
    recreate_database(name)
    manage(name, "migrate", "--noinput", "--verbosity", "0")
    manage(name, "loaddata", "seed", "--verbosity", "0")
    say(f"{name}: generate_directory --exhibitors {size} --seed {SEED}")
    seconds, _ = manage(
        name, "generate_directory", "--exhibitors", str(size), "--seed", str(SEED), "--no-progress"
    )
    say(f"{name}: generated in {seconds:.0f} s; VACUUM ANALYZE")
    sql(name, "VACUUM ANALYZE")
    sql(server_database(), f"COMMENT ON DATABASE \"{name}\" IS '{loaded_marker(size)}'")
    return name, seconds


def dataset_counts(database):
    (row,) = sql(
        database,
        "SELECT (SELECT count(*) FROM exhibitors_exhibitor), (SELECT count(*) FROM expos_expo),"
        " (SELECT count(*) FROM expos_participation), (SELECT count(*) FROM exhibitors_sector)",
    )
    return dict(zip(["exhibitors", "expos", "participations", "sectors"], row, strict=True))


def pick_filter(database):
    """The most common country, and the most common sector among its exhibitors."""
    ((country, _),) = sql(
        database,
        "SELECT country, count(*) FROM exhibitors_exhibitor WHERE country <> ''"
        " GROUP BY country ORDER BY count(*) DESC LIMIT 1",
    )
    ((sector, _),) = sql(
        database,
        "SELECT s.slug, count(*) FROM exhibitors_exhibitor_sectors es"
        " JOIN exhibitors_sector s ON s.id = es.sector_id"
        " JOIN exhibitors_exhibitor e ON e.id = es.exhibitor_id"
        " WHERE e.country = %s GROUP BY s.slug ORDER BY count(*) DESC LIMIT 1",
        [country],
    )
    return country, sector


def filter_matches(database, country, sector):
    ((count,),) = sql(
        database,
        "SELECT count(DISTINCT e.id) FROM exhibitors_exhibitor e"
        " JOIN exhibitors_exhibitor_sectors es ON es.exhibitor_id = e.id"
        " JOIN exhibitors_sector s ON s.id = es.sector_id WHERE e.country = %s AND s.slug = %s",
        [country, sector],
    )
    return count


def pick_search_terms(database):
    """A word in about a tenth of the exhibitors, and a word in a handful of them.

    Candidates come from the names; each is then counted the way `q` finds it, in names and
    descriptions, stemmed and not. Returns ((rare, matches), (common, matches)).
    """
    ((total,),) = sql(database, "SELECT count(*) FROM exhibitors_exhibitor")
    words = sql(
        database,
        "SELECT word, count(DISTINCT id) FROM (SELECT id, regexp_split_to_table("
        "  lower(name_en), '[^a-z]+') AS word FROM exhibitors_exhibitor) AS words"
        " WHERE length(word) >= 4 GROUP BY word",
    )

    def matches(word):
        ((count,),) = sql(
            database,
            "SELECT count(*) FROM exhibitors_exhibitor WHERE search_vector @@ ("
            " plainto_tsquery('simple', %(w)s) || plainto_tsquery('english', %(w)s)"
            " || plainto_tsquery('spanish', %(w)s))",
            {"w": word},
        )
        return count

    by_tenth = sorted(words, key=lambda w: (abs(w[1] - total / 10), w[0]))[:5]
    common = min(((w, matches(w)) for w, _n in by_tenth), key=lambda c: abs(c[1] - total / 10))
    # Synthetic names repeat a small vocabulary: rare words are the seed's. Stemming can make
    # a word rare in names common in descriptions ("technology"), so count before choosing.
    rare = None
    for word, _names in sorted(words, key=lambda w: (w[1], w[0]))[:40]:
        found = matches(word)
        if 1 <= found <= 20 and (rare is None or abs(found - 5) < abs(rare[1] - 5)):
            rare = (word, found)
    rare = rare or (min(words, key=lambda w: w[1])[0], 0)
    return rare, common
