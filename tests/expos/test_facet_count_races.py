"""Facet count tables under concurrent writers: two transactions on their own connections, one
held open while the other writes, each changing one of the two things a count is made of (an
exhibitor's country and its sector links; an expo's year and its participations). Whichever
commits first, the tables must end equal to a full count.

In its own module: the writes must commit, so these tests use `transactional_db`.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from exhibitors.models import Exhibitor, Sector
from exhibitors.models.facetcounts import CountrySectorCount
from expos import importing
from expos.models import Participation, YearExhibitorCount
from tests import factories
from tests.expos.importing.files import HEADER, write

from .test_facet_counts import assert_counts_match

pytestmark = pytest.mark.django_db(transaction=True)


def backend_waits(pid):
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


class Writer(threading.Thread):
    """`write()` in a transaction of its own connection; with `hold`, the transaction stays
    open after it until `release()`, which may give it more to write before it commits."""

    def __init__(self, write, *, hold=False):
        super().__init__(daemon=True)
        self.write, self.hold, self.then = write, hold, None
        self.pid = None
        self.written, self.released = threading.Event(), threading.Event()
        self.errors = []

    def run(self):
        try:
            with transaction.atomic():
                self.pid = connection.connection.info.backend_pid
                self.write()
                self.written.set()
                if self.hold and not self.released.wait(30):
                    raise AssertionError("never released")
                if self.then:
                    self.then()
        except Exception as error:  # reported by the main thread
            self.errors.append(error)
        finally:
            self.written.set()
            connections.close_all()

    def release(self, then=None):
        self.then = then
        self.released.set()


def race(first, second):
    """`first` writes and holds its transaction open; `second` writes meanwhile, and either
    finishes or waits on a lock `first` holds; then `first` commits, and `second` after it."""
    holder = Writer(first, hold=True)
    holder.start()
    assert holder.written.wait(30)
    assert not holder.errors, holder.errors
    other = Writer(second)
    other.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not other.is_alive() or (other.pid and backend_waits(other.pid)):
            break
        time.sleep(0.02)
    else:
        raise AssertionError("the second writer neither finished nor waited")
    holder.release()
    holder.join(30)
    other.join(30)
    assert not holder.is_alive() and not other.is_alive()
    assert holder.errors == [] and other.errors == []


@pytest.fixture
def exhibitor():
    """An exhibitor in China working in video IoT, and a second sector it may take up."""
    video = factories.SectorFactory(slug="video-iot", name="Video IoT")
    factories.SectorFactory(slug="smart-lighting", name="Smart lighting")
    exhibitor = factories.ExhibitorFactory(country="CN")
    exhibitor.sectors.set([video])
    return exhibitor


def move_to_spain(exhibitor):
    def write():
        exhibitor.country = "ES"
        exhibitor.save()

    return write


def change_sectors(exhibitor, change):
    def write():
        lighting = Sector.objects.get(slug="smart-lighting")
        video = Sector.objects.get(slug="video-iot")
        if change == "add":
            exhibitor.sectors.add(lighting)
        else:
            exhibitor.sectors.remove(video)

    return write


@pytest.mark.parametrize("change", ["add", "remove"])
@pytest.mark.parametrize("country_first", [True, False], ids=["country-first", "sector-first"])
def test_a_country_change_and_a_sector_change_at_once_are_both_counted(
    exhibitor, change, country_first
):
    writes = [move_to_spain(exhibitor), change_sectors(exhibitor, change)]
    race(*(writes if country_first else reversed(writes)))
    pairs = set(CountrySectorCount.objects.exclude(n=0).values_list("country", "sector__slug", "n"))
    assert pairs == (
        {("ES", "video-iot", 1), ("ES", "smart-lighting", 1)} if change == "add" else set()
    )
    assert_counts_match()


@pytest.fixture
def expo():
    """An expo of 2023 with no participations, and an exhibitor that may take part in it."""
    factories.ExhibitorFactory(country="CN")
    return factories.ExpoFactory(edition_year=2023)


def move_to_2024(expo):
    def write():
        expo.edition_year = 2024
        expo.save()

    return write


def add_participation(expo):
    def write():
        Participation.objects.create(expo=expo, exhibitor=Exhibitor.objects.get())

    return write


@pytest.mark.parametrize("year_first", [True, False], ids=["year-first", "participation-first"])
def test_a_year_change_and_the_first_participation_at_once_are_both_counted(expo, year_first):
    writes = [move_to_2024(expo), add_participation(expo)]
    race(*(writes if year_first else reversed(writes)))
    assert dict(YearExhibitorCount.objects.exclude(n=0).values_list("year", "n")) == {2024: 1}
    assert_counts_match()


@pytest.mark.parametrize("year_first", [True, False], ids=["year-first", "participation-first"])
def test_a_year_change_and_the_last_participation_going_at_once_are_both_counted(expo, year_first):
    add_participation(expo)()

    def remove():
        Participation.objects.filter(expo=expo).delete()

    writes = [move_to_2024(expo), remove]
    race(*(writes if year_first else reversed(writes)))
    assert not YearExhibitorCount.objects.exclude(n=0).exists()
    assert_counts_match()


def test_an_import_and_an_editor_writing_at_once_do_not_deadlock(tmp_path):
    """The editor moves an exhibitor to Spain (its link to smart lighting moves to the Spanish
    pair) and, in the same transaction, gives it video IoT; meanwhile an import gives two
    Spanish exhibitors video IoT and smart lighting. Counting at each statement, the import
    held the Spanish video IoT pair and waited for the smart lighting one, which the editor
    held while it waited for video IoT."""
    video = factories.SectorFactory(slug="video-iot", name="Video IoT")
    lighting = factories.SectorFactory(slug="smart-lighting", name="Smart lighting")
    for slug in ["spanish-one", "spanish-two"]:
        factories.ExhibitorFactory(slug=slug, name=slug, country="ES")
    moving = factories.ExhibitorFactory(country="FR")
    moving.sectors.set([lighting])
    path = write(
        tmp_path,
        HEADER
        + "spanish-one,spanish-one,ES,,video-iot,,,,,,\n"
        + "spanish-two,spanish-two,ES,,smart-lighting,,,,,,\n",
    )

    def move():
        moving.country = "ES"
        moving.save()

    editor = Writer(move, hold=True)
    editor.start()
    assert editor.written.wait(30)
    importer = Writer(lambda: importing.import_directory(path))
    importer.start()
    deadline = time.monotonic() + 20
    while importer.is_alive() and not (importer.pid and backend_waits(importer.pid)):
        assert time.monotonic() < deadline, "the import neither finished nor waited"
        time.sleep(0.02)
    # The editor's second statement, in the transaction it held open.
    editor.release(then=lambda: moving.sectors.add(video))
    editor.join(30)
    importer.join(60)
    assert not editor.is_alive() and not importer.is_alive()
    assert editor.errors == [] and importer.errors == []
    assert set(Exhibitor.objects.get(slug="spanish-two").sectors.all()) == {lighting}
    pairs = set(CountrySectorCount.objects.exclude(n=0).values_list("country", "sector", "n"))
    assert pairs == {("ES", video.pk, 2), ("ES", lighting.pk, 2)}
    assert_counts_match()
