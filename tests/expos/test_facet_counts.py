"""Facet count tables (core.lists.counttables): after every kind of write, each table holds what a
full COUNT … GROUP BY of the records gives, and the facets read from them are the facets the
GROUP BY gives."""

import threading
import time

import pgtrigger
import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.models import Count, Q
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from core.lists import facets as facets_module
from core.lists.counttables import (
    count_models,
    flush_function_body,
    flush_function_sql,
    flush_pending,
)
from core.lists.facets import count_facets
from exhibitors.models import Exhibitor, Sector
from exhibitors.models.facetcounts import CountryCount, CountrySectorCount
from exhibitors.selectors import exhibitor_list
from expos import importing
from expos.filtersets import DealFilterSet, ExhibitorFilterSet, ForumFilterSet
from expos.models import Expo, ExpoExhibitorCount, Participation, YearExhibitorCount
from tests import factories
from tests.expos.importing.files import GOOD, write

LINKS = Exhibitor.sectors.through


def full_counts():
    """What every count table should hold, by a GROUP BY of the records."""
    return {
        CountryCount: {
            (row["country"],): row["n"]
            for row in Exhibitor.objects.values("country").annotate(n=Count("id")).order_by()
        },
        CountrySectorCount: {
            (row["exhibitor__country"], row["sector_id"]): row["n"]
            for row in LINKS.objects.values("exhibitor__country", "sector_id")
            .annotate(n=Count("id"))
            .order_by()
        },
        ExpoExhibitorCount: {
            (row["expo_id"],): row["n"]
            for row in Participation.objects.values("expo_id").annotate(n=Count("id")).order_by()
        },
        YearExhibitorCount: {
            (row["expo__edition_year"],): row["n"]
            for row in Participation.objects.filter(expo__edition_year__isnull=False)
            .values("expo__edition_year")
            .annotate(n=Count("exhibitor_id", distinct=True))
            .order_by()
        },
    }


def table_counts():
    """What the count tables hold (a key counted down to 0 is as good as no row), once this
    transaction's pending deltas are applied."""
    flush_pending()
    keys = {
        CountryCount: ("country",),
        CountrySectorCount: ("country", "sector_id"),
        ExpoExhibitorCount: ("expo_id",),
        YearExhibitorCount: ("year",),
    }
    return {
        model: {
            tuple(row[k] for k in fields): row["n"]
            for row in model.objects.exclude(n=0).values(*fields, "n")
        }
        for model, fields in keys.items()
    }


def assert_counts_match():
    assert table_counts() == full_counts()


def by_group_by(monkeypatch, query, queryset=None, *, shortcuts=False):
    """count_facets with the count tables out of the way and, unless `shortcuts`, the counting
    over a relation's rows and without DISTINCT too: a plain COUNT(DISTINCT exhibitor) … GROUP
    BY of every facet over the exhibitors joined to its path."""
    with monkeypatch.context() as patch:
        patch.setattr(facets_module, "count_table", lambda *args: None)
        if not shortcuts:
            patch.setattr(facets_module, "link_of", lambda *args: None)
            patch.setattr(facets_module, "single_valued", lambda *args: False)
        return count_facets(ExhibitorFilterSet, QueryDict(query), queryset or exhibitor_list())


@pytest.fixture
def directory(db):
    """Three sectors, four exhibitors in two countries, three expos over two years."""
    video, lighting, twins = (
        factories.SectorFactory(slug=slug, name=name)
        for slug, name in [
            ("video-iot", "Video IoT"),
            ("smart-lighting", "Smart lighting"),
            ("digital-twin", "Digital twin"),
        ]
    )
    cn = [factories.ExhibitorFactory(country="CN") for _ in range(3)]
    es = factories.ExhibitorFactory(country="ES")
    cn[0].sectors.set([video, lighting])
    cn[1].sectors.set([video])
    es.sectors.set([lighting, twins])
    expos = [
        factories.ExpoFactory(edition_year=2023, short_name="A 2023"),
        factories.ExpoFactory(edition_year=2023, short_name="B 2023"),
        factories.ExpoFactory(edition_year=2021, short_name="C 2021"),
    ]
    for exhibitor, expo in [(cn[0], 0), (cn[0], 1), (cn[1], 0), (cn[2], 2), (es, 2)]:
        factories.ParticipationFactory(exhibitor=exhibitor, expo=expos[expo])
    return {"sectors": (video, lighting, twins), "cn": cn, "es": es, "expos": expos}


def test_the_migration_filled_the_tables_and_writes_through_the_orm_keep_them(directory):
    assert_counts_match()
    year = dict(YearExhibitorCount.objects.values_list("year", "n"))
    # cn[0] exhibits at two expos of 2023 and is counted there once.
    assert year == {2023: 2, 2021: 2}


def test_every_kind_of_write_keeps_every_table_equal_to_a_full_count(directory):
    video, lighting, twins = directory["sectors"]
    cn, es, expos = directory["cn"], directory["es"], directory["expos"]

    es.country = "CN"  # moves its sector links with it
    es.save()
    assert_counts_match()
    Exhibitor.objects.filter(pk__in=[cn[0].pk, cn[1].pk]).update(country="BY")
    assert_counts_match()
    cn[0].sectors.add(twins)
    cn[1].sectors.remove(video)
    cn[2].sectors.set([lighting, twins])
    es.sectors.clear()
    assert_counts_match()
    LINKS.objects.bulk_create([LINKS(exhibitor=es, sector=video)])
    created = Exhibitor.objects.bulk_create(
        [Exhibitor(slug=f"bulk-{i}", name=f"Bulk {i}", country="FR") for i in range(5)]
    )
    Participation.objects.bulk_create(
        [Participation(exhibitor=e, expo=expos[i % 3]) for i, e in enumerate(created)]
    )
    assert_counts_match()

    expos[1].edition_year = 2021  # its exhibitors move from 2023 to 2021
    expos[1].save()
    assert_counts_match()
    Expo.objects.filter(pk=expos[2].pk).update(edition_year=None)
    assert_counts_match()
    Participation.objects.filter(exhibitor=cn[2]).update(expo=expos[0])
    Participation.objects.filter(exhibitor=cn[0], expo=expos[0]).delete()
    assert_counts_match()

    # Deleting is explicit: the participations and the sector's links go first.
    Participation.objects.filter(Q(expo=expos[0]) | Q(exhibitor=cn[0])).delete()
    expos[0].delete()
    cn[0].delete()  # takes its sector links
    LINKS.objects.filter(sector=video).delete()
    Sector.objects.filter(pk=video.pk).delete()
    assert_counts_match()
    assert Exhibitor.objects.count() == 8


def test_writes_in_the_order_a_deferred_foreign_key_allows_are_counted(directory):
    """Raw SQL may delete an expo or an exhibitor before what points at it, the foreign keys
    being checked at commit."""
    cn, expos = directory["cn"], directory["expos"]
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("DELETE FROM expos_expo WHERE id = %s", [expos[2].pk])
        cursor.execute("DELETE FROM exhibitors_exhibitor WHERE id = %s", [cn[0].pk])
        # The expo's year lost its exhibitors, the exhibitor's country and sectors lost it;
        # its participations still count until they go too.
        midway = table_counts()
        cursor.execute("DELETE FROM expos_participation WHERE expo_id = %s", [expos[2].pk])
        cursor.execute(
            "DELETE FROM exhibitors_exhibitor_sectors WHERE exhibitor_id = %s", [cn[0].pk]
        )
        cursor.execute("DELETE FROM expos_participation WHERE exhibitor_id = %s", [cn[0].pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    assert midway[YearExhibitorCount] == {(2023,): 2}
    assert midway[CountryCount] == {("CN",): 2, ("ES",): 1}
    assert_counts_match()


def test_truncate_counts_again(directory):
    with connection.cursor() as cursor:
        # A table with foreign-key checks still pending cannot be truncated.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE expos_participation")
    assert_counts_match()
    assert not ExpoExhibitorCount.objects.exclude(n=0).exists()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE exhibitors_exhibitor_sectors")
    assert_counts_match()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE exhibitors_exhibitor CASCADE")
    assert_counts_match()
    assert not CountryCount.objects.exclude(n=0).exists()


def test_recount_facets_counts_a_table_that_was_bypassed_again(directory):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no trigger fires
        cursor.execute("DELETE FROM expos_participation")
        cursor.execute("UPDATE exhibitors_exhibitor SET country = 'FR'")
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert table_counts() != full_counts()
    call_command("recount_facets", verbosity=0)
    assert_counts_match()


def test_an_import_and_generate_directory_keep_the_tables(directory, tmp_path):
    importing.import_directory(write(tmp_path, GOOD))
    assert_counts_match()
    importing.import_directory(write(tmp_path, GOOD.replace(",ES,Barcelona", ",FR,Paris")))
    assert_counts_match()
    call_command("generate_directory", "--exhibitors", "200", "--seed", "3", "--no-progress")
    assert_counts_match()
    call_command("generate_directory", "--remove")
    assert_counts_match()


@pytest.mark.django_db(transaction=True)
def test_a_bulk_import_keeps_the_tables(tmp_path):
    """An import that owns its transaction and drops the tables' indexes while it writes."""
    factories.SectorFactory(slug="digital-twin", name="Digital twin")
    factories.SectorFactory(slug="smart-lighting", name="Smart lighting")
    importing.import_directory(write(tmp_path, GOOD), bulk=True)
    assert_counts_match()
    assert dict(YearExhibitorCount.objects.values_list("year", "n")) == {2030: 2, 2031: 1}


QUERIES = [
    "",
    "country=CN",
    "country=cn&country=ES",
    "sector=video-iot",
    "sector=video-iot&sector=smart-lighting",
    "country=CN&sector=video-iot",
    "year=2023",
    "expo=expo-0",
    "q=exhibitor",
    "country=CN&sector=video-iot&year=2023",
    "expo=expo-0&year=2021",
]


@pytest.mark.parametrize("query", QUERIES)
def test_facets_from_the_tables_are_the_facets_of_a_group_by(directory, monkeypatch, query):
    query = query.replace("expo-0", directory["expos"][0].slug)
    assert count_facets(ExhibitorFilterSet, QueryDict(query), exhibitor_list()) == by_group_by(
        monkeypatch, query
    )


@pytest.mark.parametrize("query", QUERIES)
def test_counting_without_distinct_or_a_relations_rows_gives_the_numbers_of_a_group_by(
    directory, monkeypatch, query
):
    query = query.replace("expo-0", directory["expos"][0].slug)
    assert by_group_by(monkeypatch, query, shortcuts=True) == by_group_by(monkeypatch, query)


def test_the_expo_and_year_facets_under_the_same_filters_read_the_participations_once(directory):
    with CaptureQueriesContext(connection) as captured:
        facets = count_facets(
            ExhibitorFilterSet, QueryDict("country=CN&q=exhibitor"), exhibitor_list()
        )
    participations = [q["sql"] for q in captured if "expos_participation" in q["sql"]]
    assert len(participations) == 1
    assert participations[0].startswith("WITH facet_rows AS MATERIALIZED")
    # An exhibitor at two expos of 2023 is one exhibitor of 2023.
    assert {o["value"]: o["count"] for o in facets["year"]} == {"2023": 2, "2021": 1}
    assert {o["label"]: o["count"] for o in facets["expo"]} == {
        "A 2023": 2,
        "B 2023": 1,
        "C 2021": 1,
    }


def test_an_expo_page_counts_its_own_exhibitors_with_a_group_by(directory, monkeypatch):
    queryset = exhibitor_list().filter(participations__expo=directory["expos"][0])
    facets = count_facets(ExhibitorFilterSet, QueryDict(""), queryset)
    assert facets == by_group_by(monkeypatch, "", queryset)
    assert {o["value"]: o["count"] for o in facets["country"]} == {"CN": 2}


def test_the_unfiltered_facets_read_only_count_tables(directory):
    with CaptureQueriesContext(connection) as captured:
        facets = count_facets(ExhibitorFilterSet, QueryDict(""), exhibitor_list())
    counted = [q["sql"] for q in captured if "GROUP BY" in q["sql"]]
    assert len(counted) == 4
    assert not any("exhibitors_exhibitor" in sql.split("FROM", 1)[1][:40] for sql in counted)
    assert {o["value"]: o["count"] for o in facets["year"]} == {"2023": 2, "2021": 2}
    assert {o["value"]: o["count"] for o in facets["sector"]} == {
        "video-iot": 2,
        "smart-lighting": 2,
        "digital-twin": 1,
    }


@pytest.mark.django_db
def test_the_installed_triggers_are_those_of_the_code():
    """Every count trigger the code declares is installed, as the code has it: this catches a
    change to one that no migration installs."""
    installed = {
        trigger.get_pgid(model): trigger.get_installation_status(model)
        for model, trigger in pgtrigger.registered()
        if "facet_counts" in trigger.name
    }
    assert len(installed) == 16  # four tables, a trigger for each event
    assert set(installed.values()) == {("INSTALLED", True)}
    assert {m._meta.db_table for m in count_models()} == {
        "exhibitors_countrycount",
        "exhibitors_countrysectorcount",
        "expos_expoexhibitorcount",
        "expos_yearexhibitorcount",
    }


@pytest.mark.django_db
def test_the_installed_flush_is_that_of_the_code():
    """counttables_flush(), which applies the pending deltas at commit, is installed by a
    migration: this catches a count table or a flush changed without one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'counttables_flush'")
        assert cursor.fetchall() == [(flush_function_body(count_models()),)]


def wait_until_blocked(pid, seconds=20):
    """Wait (bounded) until the backend `pid` waits on a lock."""
    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} never waited on a lock")


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_on_the_same_counters_both_land():
    """Two transactions on their own connections add the same exhibitor to the same year (at
    two expos) and an exhibitor each to the same country. The counters are taken at commit
    (core.lists.counttables), so the second is not held up by the first, which is still open; the
    first then counts with what the second committed."""
    exhibitor = factories.ExhibitorFactory(country="CN")
    first_expo, second_expo = factories.ExpoFactory(), factories.ExpoFactory()  # both 2023
    first_written, release = threading.Event(), threading.Event()
    pids, errors = {}, []

    def write(name, expo, wait):
        try:
            with transaction.atomic():
                pids[name] = connection.connection.info.backend_pid
                factories.ExhibitorFactory(country="ES")
                Participation.objects.create(exhibitor=exhibitor, expo=expo)
                if wait:
                    first_written.set()
                    if not release.wait(30):
                        raise AssertionError("never released")
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=("first", first_expo, True))
    first.start()
    assert first_written.wait(30)
    second = threading.Thread(target=write, args=("second", second_expo, False))
    second.start()
    second.join(30)
    assert not second.is_alive(), "the second write waited for the first"
    release.set()
    first.join(30)
    assert not first.is_alive()
    assert errors == []
    assert dict(YearExhibitorCount.objects.values_list("year", "n")) == {2023: 1}
    assert CountryCount.objects.get(country="ES").n == 2
    assert ExpoExhibitorCount.objects.get(expo=first_expo).n == 1
    assert ExpoExhibitorCount.objects.get(expo=second_expo).n == 1
    assert_counts_match()


@pytest.mark.parametrize("filterset_class", [ExhibitorFilterSet, ForumFilterSet, DealFilterSet])
@pytest.mark.parametrize("language", ["en", "es"])
def test_expo_labels_read_as_values_are_those_of_the_records(db, language, filterset_class):
    expos = [
        factories.ExpoFactory(short_name_en="Short", short_name_es="Corto"),
        factories.ExpoFactory(short_name_en="Only English"),
        factories.ExpoFactory(short_name_en="", name_en="Long name", name_es="Nombre largo"),
        factories.ExpoFactory(short_name_en="", name_en="English name"),
    ]
    expo_filter = filterset_class.base_filters["expo"]
    with translation.override(language), CaptureQueriesContext(connection) as captured:
        labels = expo_filter.facet_labels([expo.slug for expo in expos])
    assert len(captured) == 1
    with translation.override(language):
        records = {
            e.slug: e.short_name or e.name
            for e in Expo.objects.filter(pk__in=[e.pk for e in expos])
        }
    assert labels == records
    assert len(set(labels.values())) == 4


def table_columns(cursor, table):
    cursor.execute(
        "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, c.relpersistence"
        " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
        " WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped"
        " ORDER BY a.attnum",
        [table],
    )
    return cursor.fetchall()


@pytest.mark.django_db
@pytest.mark.parametrize("model", count_models(), ids=lambda m: m._meta.db_table)
def test_the_installed_pending_tables_are_those_of_the_code(model):
    """Each count table's pending twin, made by a migration, is the table the code describes:
    made again from create_pending_sql(), it has the same columns, types and logging."""
    with connection.cursor() as cursor:
        installed = table_columns(cursor, model.pending_table())
        assert [name for name, *_rest in installed][-1] == "n"
        assert all(persistence == "u" for *_rest, persistence in installed)  # unlogged
        with transaction.atomic():
            cursor.execute(f"DROP TABLE {model.pending_table()}")
            cursor.execute(model.create_pending_sql())
            assert table_columns(cursor, model.pending_table()) == installed
            transaction.set_rollback(True)


@pytest.mark.django_db
def test_installing_the_flush_again_installs_the_same_function():
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'counttables_flush'")
        installed = cursor.fetchall()
        cursor.execute(flush_function_sql(count_models()))
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = 'counttables_flush'")
        assert cursor.fetchall() == installed == [(flush_function_body(count_models()),)]
        transaction.set_rollback(True)
