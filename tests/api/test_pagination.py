"""API v1 pagination: page numbers with capped and estimated counts, cursor walks, page
sizes and `updated_since`."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from exhibitors.models import Exhibitor
from tests.api.helpers import get

pytestmark = pytest.mark.usefixtures("seeded")


def test_full_walk_returns_every_record_once(client):
    expected = set(Exhibitor.objects.values_list("slug", flat=True))
    for ordering in ("name", "-country", "updated"):
        seen = []
        url = f"/api/v1/exhibitors/?page_size=3&ordering={ordering}"
        while url:
            data = get(client, url).json()
            seen += [r["slug"] for r in data["results"]]
            url = data["next"]
        assert sorted(seen) == sorted(expected), ordering


def test_cursor_walk_returns_every_record_once(client):
    seen = []
    url = "/api/v1/exhibitors/?page_size=4&cursor="
    pages = 0
    while url:
        data = get(client, url).json()
        seen += [r["id"] for r in data["results"]]
        url = data["next"]
        pages += 1
    assert seen == sorted(Exhibitor.objects.values_list("id", flat=True))
    assert pages == 3


def test_page_size_is_capped(client):
    data = get(client, "/api/v1/citations/?page_size=100000").json()
    assert len(data["results"]) == min(500, data["count"])


def test_query_count_does_not_change_with_page_size(client):
    counts = []
    for size in (1, 10):
        cache.clear()  # the work itself, not an answer or an estimate kept from before
        with CaptureQueriesContext(connection) as captured:
            get(client, f"/api/v1/exhibitors/?page_size={size}&expand=participations")
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_updated_since(client):
    Exhibitor.objects.filter(slug="dell").update(updated="2030-01-01T00:00:00Z")
    data = get(client, "/api/v1/exhibitors/?updated_since=2029-12-31T00:00:00Z").json()
    assert [r["slug"] for r in data["results"]] == ["dell"]


def test_page_numbers_stop_at_the_count_cap(client, settings):
    settings.DIRECTORY_COUNT_CAP = 5
    first = get(client, "/api/v1/exhibitors/?page_size=2&ordering=name").json()
    assert (first["count"], first["count_exact"], first["count_capped"]) == (11, True, True)
    last = get(client, "/api/v1/exhibitors/?page_size=2&ordering=name&page=3").json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    body = get(client, "/api/v1/exhibitors/?page_size=2&page=4", status=400).json()
    assert "cursor" in " ".join(body["page"])
    exact = get(client, "/api/v1/exhibitors/?country=BY").json()
    assert (exact["count"], exact["count_exact"], exact["count_capped"]) == (1, True, False)
    walk = get(client, "/api/v1/exhibitors/?cursor=&page_size=20").json()
    assert len(walk["results"]) == 11
    assert not {"count", "count_exact", "count_capped"} & set(walk)


def test_count_is_exact_below_the_limit(client):
    data = get(client, "/api/v1/exhibitors/").json()
    assert (data["count"], data["count_exact"], data["count_capped"]) == (11, True, False)


def test_count_past_the_limit_is_an_estimate(client, settings, monkeypatch):
    from core.lists import counting

    settings.DIRECTORY_EXACT_COUNT = 3
    monkeypatch.setattr(counting, "estimated_rows", lambda queryset: 26_045)
    data = get(client, "/api/v1/exhibitors/?page_size=5").json()
    assert (data["count"], data["count_exact"], data["count_capped"]) == (26_000, False, True)
    assert len(data["results"]) == 5
    # The last page comes back short, and from there the count is exact.
    last = get(client, "/api/v1/exhibitors/?page_size=5&page=3").json()
    assert (last["count"], last["count_exact"], len(last["results"])) == (11, True, 1)
    assert last["next"] is None
    # A page past the real end is a 404, however many pages the estimate offered.
    get(client, "/api/v1/exhibitors/?page_size=5&page=4", status=404)
