import os

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import translation

from config.database import database_settings, use_embedded_postgres


def pytest_configure(config):
    """Without DATABASE_URL, the suite runs on a throw-away embedded PostgreSQL, deleted when
    the run ends. Started here rather than by the settings, whose import starts nothing; the
    URL is also set for the commands the tests run in subprocesses."""
    if os.environ.get("DATABASE_URL"):
        return
    from django.conf import settings

    found = database_settings(use_embedded_postgres(throwaway=True))
    found.pop("OPTIONS")  # the settings' own connection options stay
    settings.DATABASES["default"].update(found)


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
