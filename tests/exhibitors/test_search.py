"""Search: full text in English and Spanish with websearch syntax, and accent-insensitive,
typo-tolerant names."""

import re

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from core.search import EARLY_STOP_MS, matching_ids
from exhibitors.selectors import exhibitor_list
from expos import selectors as expo_selectors
from expos.filtersets import ExhibitorFilterSet, ExpoFilterSet

pytestmark = pytest.mark.usefixtures("seeded")


def exhibitors(q):
    filterset = ExhibitorFilterSet(QueryDict(mutable=True) | {"q": q}, queryset=exhibitor_list())
    assert filterset.is_valid()
    return [e.slug for e in filterset.qs]


def expos(q):
    filterset = ExpoFilterSet(QueryDict(mutable=True) | {"q": q}, queryset=expo_selectors.expos())
    assert filterset.is_valid()
    return [e.slug for e in filterset.qs]


def test_search_tolerates_typos_in_names():
    assert exhibitors("Dahau") == ["zhejiang-dahua-technology"]
    assert "mastercard" in exhibitors("mastercrd")


def test_search_ignores_accents():
    assert "zhejiang-smart-city-exhibition-spain-2023" in expos("Exposicion")
    assert "global-digital-trade-expo-2" in expos("Exposición Mundial")
    assert "zhejiang-dahua-technology" in exhibitors("NUCLEO")


def test_search_stems_english_and_spanish():
    assert "zhejiang-fangda-zhikong-technology" in exhibitors("lights")  # lighting
    assert "graffiti-intelligence" in exhibitors("emisiones")  # emisión


def test_search_websearch_phrase_and_exclusion():
    with_lighting = exhibitors('"smart cities"')
    assert "zhejiang-fangda-zhikong-technology" in with_lighting
    without = exhibitors('"smart cities" -lighting')
    assert "zhejiang-fangda-zhikong-technology" not in without


def test_search_ranks_names_above_descriptions():
    results = exhibitors("Hangzhou")
    assert results[:2] == [
        "hangzhou-city-big-data-operation",
        "hangzhou-dayu-optoelectronic-technology",
    ]


def test_search_nothing_for_unrelated_words():
    assert exhibitors("zzzqqq") == []


def test_search_page_and_api_use_it(client):
    html = client.get("/search/?q=Dahau").content.decode()
    assert 'href="/exhibitors/zhejiang-dahua-technology/"' in html
    data = client.get("/api/v1/expos/?q=Exposicion").json()
    assert "zhejiang-smart-city-exhibition-spain-2023" in [r["slug"] for r in data["results"]]


@pytest.mark.parametrize(
    "url, query, expected",
    [
        # Stemmed, accent-blind, ranked full text on every list's `q`.
        ("/api/v1/forums/", "economies", ["china-sco-forum-on-the-digital-economy-industry-2021"]),
        (
            "/api/v1/forums/",
            "digital -SCO",
            ["empowering-smart-city-construction-with-digital-technology"],
        ),
        ("/api/v1/deals/", "projects signing", ["smart-china-expo-2021-major-projects"]),
        ("/api/v1/speakers/", "Hongwei", ["song-hongwei"]),
        ("/api/v1/speakers/", "Hongwie", ["song-hongwei"]),  # a typo in a name
        # A speaker is found by the name of the body it speaks for.
        ("/api/v1/speakers/", "Shanghai Cooperation", ["vladimir-imamovich-norov"]),
        ("/api/v1/organisations/", "department commerce", ["zhejiang-department-of-commerce"]),
    ],
)
def test_every_list_q_uses_full_text_search(client, url, query, expected):
    results = client.get(url, {"q": query}).json()["results"]
    slugs = [row["slug"] for row in results]
    if " -" in query:
        assert slugs == expected  # the excluded word really excludes
    else:
        assert slugs[: len(expected)] == expected  # best match first; a near name may follow


def ranking_queries(captured):
    """The statements that order rows by their rank (not those that count or estimate)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if "ts_rank(" in q["sql"] and " ORDER BY " in q["sql"] and "EXPLAIN" not in q["sql"]
    ]


def test_search_of_many_matches_ranks_a_bounded_window(client, settings):
    everything = exhibitors("smart")  # the filter itself ranks every match, for downloads
    assert len(everything) > 3
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 3
    with CaptureQueriesContext(connection) as captured:
        data = client.get("/api/v1/exhibitors/", {"q": "smart"}).json()
    # The page is ranked among three matches, whose ids the statement that ranks names:
    # before, it ranked every match to cut the first page.
    (ranking,) = ranking_queries(captured)
    window = re.search(r'"exhibitors_exhibitor"\."id" IN \(([^)]*)\)', ranking)
    assert window and len(window.group(1).split(",")) == 3
    slugs = [row["slug"] for row in data["results"]]
    assert len(slugs) == 3 and set(slugs) <= set(everything)
    assert slugs == [slug for slug in everything if slug in slugs]  # in the ranking's order
    # Pages stop at the window, and say so; the count is of every match.
    assert data["count_capped"] is True and data["count"] >= len(everything)
    assert data["next"] is None


def test_search_within_the_window_is_ranked_whole_and_counted_exactly(client, settings):
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 100
    with CaptureQueriesContext(connection) as captured:
        data = client.get("/api/v1/exhibitors/", {"q": "smart", "page_size": 500}).json()
    assert [row["slug"] for row in data["results"]] == exhibitors("smart")
    assert (data["count"], data["count_exact"]) == (len(exhibitors("smart")), True)
    # Finding the window counted the matches: no count of its own, no estimate.
    sql = [q["sql"] for q in captured.captured_queries]
    assert not any(s.startswith("EXPLAIN") or "COUNT(" in s for s in sql)


def test_search_window_is_found_through_the_indexes_when_the_table_would_take_long():
    """A phrase of two common words is estimated as common: the plan that reads the table
    until it has enough gets EARLY_STOP_MS, then the indexes are read instead."""
    queryset = ExhibitorFilterSet(
        QueryDict(mutable=True) | {"q": "smart"}, queryset=exhibitor_list()
    ).qs
    with CaptureQueriesContext(connection) as captured:
        ids = matching_ids(queryset, 1000)
    assert sorted(ids) == sorted(e.pk for e in queryset)
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert f"set_config('statement_timeout', '{EARLY_STOP_MS}ms', true)" in sql
    with connection.cursor() as cursor:  # and the settings are as they were
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)
