import os
from collections import Counter

import psycopg
import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from config.database import database_settings, use_embedded_postgres
from tests.scratch_databases import conninfo


def pytest_configure(config):
    """Without DATABASE_URL, the suite runs on a throw-away embedded PostgreSQL, deleted when
    the run ends. Started here rather than by the settings, whose import starts nothing; the
    URL is also set for the commands the tests run in subprocesses.

    Run in parallel (`make test` runs pytest-xdist's workers), the main process starts it
    before its workers, which inherit DATABASE_URL: one cluster, on which pytest-django gives
    each worker a test database of its own (test_expo_directory_gw0, _gw1, …)."""
    if os.environ.get("DATABASE_URL"):
        return
    from django.conf import settings

    found = database_settings(use_embedded_postgres(throwaway=True))
    found.pop("OPTIONS")  # the settings' own connection options stay
    settings.DATABASES["default"].update(found)


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`) the workers take the tests one at a time, in this order,
    except those of an `xdist_group`, which run together on one worker.

    pytest-xdist sends tests to its workers by node id: two tests with one id would be run as
    one, the first, so such ids are refused. In a worker, the slow tests go first (after the
    order pytest-django gives), so that none of them starts last and keeps one worker busy
    while the others have finished."""
    result = yield
    ids = Counter(item.nodeid for item in items)
    repeated = sorted(nodeid for nodeid, count in ids.items() if count > 1)
    if repeated:
        raise pytest.UsageError(f"Tests with the same node id (xdist would run one): {repeated}")
    if hasattr(config, "workerinput"):
        items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    return result


# Held shared by each test under pytest-xdist, and alone by a test marked `alone`: on the
# server's maintenance database, which every worker reaches (advisory locks are kept per
# database), in the two-key form that the application's one-key locks never meet. PostgreSQL
# grants the lock in the order it is asked for, so a test waiting to run alone is not overtaken.
ALONE_LOCK = "SELECT pg_advisory_{}(0, hashtext('tests run alone'))"
LOCK_CONNECTION = pytest.StashKey[psycopg.Connection]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """A test marked `alone` reads state of the whole PostgreSQL server, such as the oldest
    transaction running in any database: under pytest-xdist it runs, fixtures and all, while
    no other worker runs a test, and the others wait for it."""
    config = item.config
    if not hasattr(config, "workerinput"):
        return (yield)
    if LOCK_CONNECTION not in config.stash:
        config.stash[LOCK_CONNECTION] = psycopg.connect(**conninfo("postgres"), autocommit=True)
    lock = config.stash[LOCK_CONNECTION]
    mode = "lock" if item.get_closest_marker("alone") else "lock_shared"
    lock.execute(ALONE_LOCK.format(mode))
    try:
        return (yield)
    finally:
        lock.execute(ALONE_LOCK.format("un" + mode))


def pytest_sessionfinish(session):
    lock = session.config.stash.get(LOCK_CONNECTION, None)
    if lock is not None:
        lock.close()


@pytest.fixture(scope="module")
def seed_committed(django_db_setup, django_db_blocker):
    """Load the seed once per test module (loading takes about a second), flush it afterwards.

    Tests that use it still run inside a transaction that is rolled back, so they may write.
    """
    with django_db_blocker.unblock():
        call_command("loaddata", "seed", verbosity=0)
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def seeded(seed_committed, db):
    """The database holding the seed data from fixtures/seed.yaml."""


@pytest.fixture(autouse=True)
def english_by_default():
    """Each test starts in English: a request to /es/… leaves Spanish active in the thread."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with nothing cached: a test's writes are rolled back, and writes with
    QuerySet.update() do not change the data version that cached answers are keyed on."""
    cache.clear()
