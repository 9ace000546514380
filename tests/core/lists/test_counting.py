"""CappedPaginator: exact counts up to a limit, the planner's estimate past it, and page
numbers that stop at the cap."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.lists import counting
from core.lists.counting import CappedPaginator, estimated_rows, significant
from exhibitors.models import Exhibitor, Sector
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    f.ExhibitorFactory.create_batch(7)
    return Exhibitor.objects.order_by("name", "id")


@pytest.fixture
def estimate(monkeypatch):
    """Make the planner estimate a given number of rows, whatever the table holds."""

    def set_estimate(rows):
        monkeypatch.setattr(counting, "estimated_rows", lambda queryset: rows)

    return set_estimate


def test_count_is_exact_up_to_the_limit(seven, estimate):
    # The planner's guess depends on the statistics earlier tests left; pin it near the truth.
    estimate(7)
    paginator = CappedPaginator(seven, 2, exact_limit=7)
    assert (paginator.total, paginator.exact, paginator.num_pages) == (7, True, 4)
    assert not paginator.capped


def test_exact_count_reads_at_most_limit_plus_one_rows(seven):
    # Fresh statistics, so that the planner's guess is near the 7 rows and the rows are counted.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE exhibitors_exhibitor")
    with CaptureQueriesContext(connection) as captured:
        assert CappedPaginator(seven, 2, exact_limit=5).total >= 6
    # (The data version is read too: the estimate is cached on it.)
    explain, count = (
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith(("EXPLAIN", "SELECT COUNT"))
    )
    assert explain.startswith("EXPLAIN")
    assert "LIMIT 6" in count and "ORDER BY" not in count


def test_past_the_limit_the_count_is_the_rounded_estimate(seven, estimate):
    estimate(26_045)
    with CaptureQueriesContext(connection) as captured:
        paginator = CappedPaginator(seven, 2, exact_limit=3, cap=100_000)
        assert (paginator.total, paginator.exact) == (26_000, False)
    # Far past the limit, nothing is counted at all.
    assert captured.captured_queries == []


def test_an_estimate_below_what_was_counted_is_not_shown(seven, estimate):
    estimate(4)  # near the limit: counted, and the count (5 of 7) says more
    paginator = CappedPaginator(seven, 2, exact_limit=4)
    assert (paginator.total, paginator.exact) == (5, False)


def test_a_short_page_makes_the_count_exact(seven, estimate):
    estimate(100)
    paginator = CappedPaginator(seven, 5, exact_limit=1)
    assert (paginator.total, paginator.exact) == (100, False)
    last = paginator.page(2)
    assert [e.pk for e in last] == [e.pk for e in seven][5:]
    assert (paginator.total, paginator.exact, paginator.num_pages) == (7, True, 2)
    assert not last.has_next()


def test_a_page_past_the_real_end_shows_the_last_one(seven, estimate):
    estimate(100)
    paginator = CappedPaginator(seven, 3, exact_limit=1)
    page = paginator.get_page(9)  # the estimate offered 34 pages; there are 3
    assert (page.number, paginator.total, paginator.exact) == (3, 7, True)
    assert [e.pk for e in page] == [e.pk for e in seven][6:]


def test_a_full_page_where_the_estimate_ended_looks_further(seven, estimate):
    estimate(6)
    paginator = CappedPaginator(seven, 3, exact_limit=1)
    assert paginator.num_pages == 2
    page = paginator.page(2)
    assert page.has_next()
    assert (paginator.total, paginator.exact, paginator.num_pages) == (7, True, 3)


def test_pages_stop_at_the_cap_and_say_so(seven):
    paginator = CappedPaginator(seven, 2, cap=5)
    assert (paginator.total, paginator.count, paginator.capped, paginator.num_pages) == (
        7,
        5,
        True,
        3,
    )
    # The last page ends at the cap: no OFFSET past it, and no page after it.
    assert [e.pk for e in paginator.page(3)] == [e.pk for e in seven][4:5]
    assert not paginator.page(3).has_next()


def test_cap_and_limit_come_from_settings(settings, seven):
    settings.DIRECTORY_COUNT_CAP = 3
    settings.DIRECTORY_EXACT_COUNT = 2
    paginator = CappedPaginator(seven, 2)
    assert (paginator.cap, paginator.exact_limit, paginator.count) == (3, 2, 3)


def test_cap_and_limit_settings_come_from_the_environment():
    read = (
        "import config.settings.base as s; "
        "print(s.DIRECTORY_COUNT_CAP, s.DIRECTORY_EXACT_COUNT, s.DIRECTORY_RANKED_SEARCH_LIMIT)"
    )
    environment = {**os.environ, "DJANGO_COUNT_CAP": "40", "DJANGO_EXACT_COUNT": "7"}
    environment.pop("DJANGO_RANKED_SEARCH_LIMIT", None)
    shown = subprocess.run(
        [sys.executable, "-c", read], env=environment, capture_output=True, text=True, check=True
    )
    assert shown.stdout.split() == ["40", "7", "1000"]


def test_estimated_rows_asks_the_planner(seven):
    assert estimated_rows(Exhibitor.objects.none()) == 0
    with CaptureQueriesContext(connection) as captured:
        rows = estimated_rows(seven.filter(country="CN"))
    assert isinstance(rows, int) and rows >= 0
    assert any(q["sql"].startswith("EXPLAIN (FORMAT JSON)") for q in captured.captured_queries)
    # Asked again before the data changes, the answer comes from the cache.
    with CaptureQueriesContext(connection) as again:
        assert estimated_rows(seven.filter(country="CN")) == rows
    assert not any(q["sql"].startswith("EXPLAIN") for q in again.captured_queries)


@pytest.mark.parametrize(
    ("number", "shown"),
    [(7, 7), (99, 99), (1_001, 1_000), (26_045, 26_000), (25_170, 25_000), (195_850, 200_000)],
)
def test_significant_keeps_two_digits(number, shown):
    assert significant(number) == shown


def test_a_short_page_is_read_before_anything_is_counted(django_assert_num_queries):
    f.SectorFactory.create_batch(3)
    total = Sector.objects.count()
    rows = Sector.objects.order_by("id")
    # One query, the page's: coming back short, it is the last page and the total is exact.
    with django_assert_num_queries(1):
        paginator = CappedPaginator(rows, total + 5)
        page = paginator.page(1)
        assert len(page.object_list) == total
        assert (paginator.total, paginator.exact, paginator.num_pages) == (total, True, 1)
    # A full page keeps the rows it read: the count comes after them, and they are not read
    # again.
    first_two = list(rows.values_list("pk", flat=True)[:2])
    # The rows, then the data version and the estimate (EXPLAIN) it keys, and the count.
    with django_assert_num_queries(4):
        paginator = CappedPaginator(rows, 2)
        page = paginator.page(1)
        assert [s.pk for s in page.object_list] == first_two
        assert paginator.total == total and page.has_next()
