"""CappedPaginator: counts stop at the cap, and so do the pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exhibitors.models import Exhibitor
from exhibitors.pagination import CappedPaginator
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def seven():
    f.ExhibitorFactory.create_batch(7)
    return Exhibitor.objects.order_by("name", "id")


def test_count_is_exact_up_to_the_cap(seven):
    paginator = CappedPaginator(seven, 2, cap=7)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (7, False, 4)


def test_count_stops_at_the_cap_and_says_so(seven):
    paginator = CappedPaginator(seven, 2, cap=5)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (5, True, 3)
    # The last page ends at the cap: no OFFSET past it, and no page after it.
    assert [e.pk for e in paginator.page(3)] == [e.pk for e in seven][4:5]
    assert not paginator.page(3).has_next()


def test_count_reads_at_most_cap_plus_one_rows(seven):
    with CaptureQueriesContext(connection) as captured:
        assert CappedPaginator(seven, 2, cap=5).count == 5
    (query,) = captured.captured_queries
    assert "LIMIT 6" in query["sql"]
    assert "ORDER BY" not in query["sql"]


def test_cap_comes_from_settings(settings, seven):
    settings.DIRECTORY_COUNT_CAP = 3
    assert CappedPaginator(seven, 2).count == 3
    del settings.DIRECTORY_COUNT_CAP
    assert CappedPaginator(seven, 2).cap == 10_000
