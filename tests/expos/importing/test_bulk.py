"""Bulk loads: a large import drops and recreates the tables' indexes and keys."""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection, transaction

from exhibitors.models import Exhibitor
from expos import importing
from expos.models import Participation
from tests import factories
from tests.expos.importing.files import GOOD, run, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]


def schema():
    """The indexes and constraints of the tables an import writes."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [importing.TABLES],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable,"
            " condeferred, convalidated FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])"
            " ORDER BY 1, 2",
            [importing.TABLES],
        )
        return indexes, cursor.fetchall()


def index_names():
    return {name for name, _definition in schema()[0]}


class Watch:
    """A stage_done callback that notes which indexes exist as each table is written."""

    def __init__(self):
        self.indexes = {}

    def __call__(self, table):
        self.indexes[table] = index_names()


@pytest.mark.django_db(transaction=True)
def test_a_large_import_drops_and_recreates_the_indexes_and_keys(tmp_path):
    before = schema()
    watch = Watch()
    importing.import_directory(write(tmp_path, GOOD), stage_done=watch)
    # While writing, the secondary indexes were gone; the unique ones stayed.
    during = watch.indexes["participations"]
    assert "exhibitors_exhibitor_search" not in during
    assert "participation_expo_exhibitor" not in during
    assert {"exhibitors_exhibitor_unique_slug", "expos_participation_unique_exhibitor_expo"} <= (
        during
    )
    assert "indexes" in watch.indexes
    assert schema() == before  # the same names, definitions and keys
    assert Participation.objects.count() == 3
    assert Exhibitor.objects.get(slug="acme-iot").sectors.count() == 2

    # As large again as the tables: a bulk load again, which changes only what changed.
    updated = dict(Exhibitor.objects.values_list("slug", "updated"))
    importing.import_directory(write(tmp_path, GOOD.replace("Lamps", "Street lamps")))
    assert dict(Exhibitor.objects.values_list("slug", "updated")) == updated
    assert Participation.objects.get(expo__slug="sce-2031").showcase == "Street lamps"
    assert schema() == before


@pytest.mark.django_db(transaction=True)
def test_a_small_import_or_keep_indexes_writes_into_the_indexed_tables(tmp_path):
    for n in range(5):
        factories.ExhibitorFactory(slug=f"already-{n}")
    watch = Watch()
    importing.import_directory(write(tmp_path, GOOD), stage_done=watch)
    assert "exhibitors_exhibitor_search" in watch.indexes["exhibitors"]  # 2 of 7 exhibitors
    assert "participation_expo_exhibitor" not in watch.indexes["participations"]  # a new table

    watch = Watch()
    importing.import_directory(write(tmp_path, GOOD), stage_done=watch, bulk=False)
    assert "indexes" not in watch.indexes
    assert all("participation_expo_exhibitor" in names for names in watch.indexes.values())


def test_inside_a_callers_transaction_the_indexes_stay(tmp_path):
    watch = Watch()
    with transaction.atomic():
        importing.import_directory(write(tmp_path, GOOD), stage_done=watch, bulk=True)
    assert "indexes" not in watch.indexes
    assert "exhibitors_exhibitor_search" in watch.indexes["exhibitors"]


@pytest.mark.django_db(transaction=True)
def test_a_bulk_load_waits_for_no_reader_and_writes_as_usual(tmp_path, monkeypatch):
    monkeypatch.setattr("expos.importing.bulk.BULK_LOCK_TIMEOUT", "200ms")
    # A second connection, as Django makes its own (whether the host is in HOST or OPTIONS).
    reader = psycopg.connect(**connection.get_connection_params())
    try:
        reader.execute("SELECT count(*) FROM exhibitors_exhibitor")  # holds a lock until rollback
        watch = Watch()
        counts = importing.import_directory(write(tmp_path, GOOD), stage_done=watch)
    finally:
        reader.rollback()
        reader.close()
    assert counts["participations"] == 3
    assert "indexes" not in watch.indexes
    assert "exhibitors_exhibitor_search" in watch.indexes["exhibitors"]


@pytest.mark.django_db(transaction=True)
def test_generate_directory_loads_in_bulk_into_an_empty_directory():
    before = schema()
    call_command("generate_directory", "--exhibitors", "60", "--seed", "3", "--no-progress")
    assert Exhibitor.objects.filter(synthetic=True).count() == 60
    assert schema() == before


def test_keep_indexes_option(tmp_path, monkeypatch):
    calls = []

    def spy(path, **options):
        calls.append(options["bulk"])
        return importing.import_directory(path, **options)

    monkeypatch.setattr("expos.management.commands.import_directory.import_directory", spy)
    call_command("import_directory", write(tmp_path, GOOD), "--no-progress", "--keep-indexes")
    run(write(tmp_path, GOOD))
    assert calls == [False, None]
