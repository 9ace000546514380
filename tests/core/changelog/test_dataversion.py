"""The data version: moved by every write to either app, by any path, read in one query, and
the cache that is keyed on it."""

import pytest
from django.db import connection
from django.utils import translation

from core.changelog import dataversion
from exhibitors.models import Exhibitor, Sector
from tests import factories as f

pytestmark = pytest.mark.django_db


def version():
    return dataversion.current()[0]


def test_current_is_one_query(django_assert_num_queries):
    f.ExhibitorFactory()
    with django_assert_num_queries(1):
        token, changed = dataversion.current()
    assert token.count(".") == 2 and changed is not None


def moves(write):
    """Whether `write` moves the version (read in the same transaction)."""
    before = version()
    write()
    return version() != before


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_write_path_moves_the_version():
    exhibitor, sector, deal = f.ExhibitorFactory(), f.SectorFactory(), f.DealFactory()
    table = Exhibitor._meta.db_table
    paths = {
        "create": lambda: f.ExhibitorFactory(),
        "save": lambda: (setattr(exhibitor, "name", "Renamed"), exhibitor.save()),
        "many-to-many add": lambda: exhibitor.sectors.add(sector),
        "many-to-many on another app": lambda: deal.parties.add(exhibitor),
        "many-to-many clear": lambda: exhibitor.sectors.clear(),
        "QuerySet.update": lambda: Exhibitor.objects.update(city="Hangzhou"),
        "bulk_create": lambda: Sector.objects.bulk_create([Sector(slug="bulk", name="Bulk")]),
        "raw UPDATE": lambda: raw(f"UPDATE {table} SET region = 'Zhejiang'"),
        "raw DELETE": lambda: raw(f"DELETE FROM {Sector._meta.db_table} WHERE slug = 'bulk'"),
        "delete": lambda: f.ExpoFactory().delete(),
    }
    assert [name for name, write in paths.items() if not moves(write)] == []


def test_an_update_that_changes_nothing_is_no_change():
    f.ExhibitorFactory(city="Hangzhou")
    assert not moves(lambda: raw(f"UPDATE {Exhibitor._meta.db_table} SET city = city"))
    assert not moves(lambda: Exhibitor.objects.filter(pk=-1).update(city="x"))


def test_cached_computes_once_per_version(django_assert_num_queries):
    calls = []

    def compute():
        calls.append(1)
        return {"exhibitors": Exhibitor.objects.count()}

    f.ExhibitorFactory()
    first = dataversion.cached(compute, "test")
    with django_assert_num_queries(1):  # the version, nothing else
        assert dataversion.cached(compute, "test") == first == {"exhibitors": 1}
    f.ExhibitorFactory()
    assert dataversion.cached(compute, "test") == {"exhibitors": 2}
    assert len(calls) == 2


def test_cached_keeps_languages_and_keys_apart():
    f.ExhibitorFactory()
    english = dataversion.cached(translation.get_language, "language")
    with translation.override("es"):
        spanish = dataversion.cached(translation.get_language, "language")
    assert (english, spanish) == ("en", "es")
    assert dataversion.cached(lambda: "a", "one") == "a"
    assert dataversion.cached(lambda: "b", "two") == "b"


@pytest.mark.django_db(transaction=True)
def test_a_write_shows_the_earlier_answer_while_a_thread_computes_the_new_one(settings):
    settings.DIRECTORY_REFRESH_IN_BACKGROUND = True

    def count():
        return (translation.get_language(), Exhibitor.objects.count())

    def shown():
        with translation.override("es"):
            return dataversion.cached(count, "count", stale_while_refreshing=True)

    f.ExhibitorFactory()
    assert shown() == ("es", 1)  # nothing earlier to show: computed at once
    f.ExhibitorFactory()
    assert shown() == ("es", 1)  # the earlier answer, while a thread counts
    dataversion.wait_for_refreshes()
    assert shown() == ("es", 2)  # counted in the page's language
    # Without stale_while_refreshing (the API's answers), a write shows at once.
    f.ExhibitorFactory()
    assert dataversion.cached(count, "count") == ("en", 3)


@pytest.mark.django_db(transaction=True)
def test_a_failed_refresh_is_retried_by_the_next_request(settings):
    settings.DIRECTORY_REFRESH_IN_BACKGROUND = True
    answers = iter([1, RuntimeError("database went away"), 3])

    def compute():
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    f.ExhibitorFactory()
    assert dataversion.cached(compute, "flaky", stale_while_refreshing=True) == 1
    f.ExhibitorFactory()
    assert dataversion.cached(compute, "flaky", stale_while_refreshing=True) == 1
    dataversion.wait_for_refreshes()  # it failed, and let go of its lock
    assert dataversion.cached(compute, "flaky", stale_while_refreshing=True) == 1
    dataversion.wait_for_refreshes()
    assert dataversion.cached(compute, "flaky", stale_while_refreshing=True) == 3


def sector_lookups(queries):
    return [
        q["sql"] for q in queries.captured_queries if 'FROM "exhibitors_sector" WHERE' in q["sql"]
    ]


def test_slugs_a_filter_names_are_looked_up_once_per_data_version(client, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.DIRECTORY_API_CACHE = False
    f.SectorFactory(slug="kept-sector")
    url = "/api/v1/exhibitors/?sector=kept-sector"
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200
    assert len(sector_lookups(first)) == 1 and sector_lookups(again) == []
    # A write moves the version: a sector added since is found, one removed is refused.
    f.SectorFactory(slug="added-sector")
    assert client.get("/api/v1/exhibitors/?sector=added-sector").status_code == 200
    Sector.objects.filter(slug="kept-sector").delete()
    answer = client.get(url)
    assert answer.status_code == 400 and "kept-sector" in answer.json()["sector"][0]


def test_remembered_keeps_a_bounded_number_of_answers(monkeypatch):
    monkeypatch.setattr(dataversion, "REMEMBERED_MAX", 3)
    f.SectorFactory()
    calls = []
    for n in range(5):
        assert dataversion.remembered(lambda n=n: calls.append(n) or n * 10, "k", n) == n * 10
    assert len(dataversion._remembered["values"]) == 3
    assert dataversion.remembered(lambda: calls.append("again") or -1, "k", 4) == 40
    assert dataversion.remembered(lambda: calls.append("again") or -1, "k", 0) == -1
    assert calls == [0, 1, 2, 3, 4, "again"]
