"""Search: full text in English and Spanish with websearch syntax, and accent-insensitive,
typo-tolerant names."""

import re

import pytest
from django.db import connection
from django.db.models import CharField, Func, Value
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from core.lists import searchwindow as search
from core.lists.searchwindow import EARLY_STOP_MS, SearchTooBroad, matching_ids
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


def ordered(q, ordering):
    """Every match of `q` in the order `ordering`, as the filter lists them (downloads)."""
    data = QueryDict(mutable=True) | {"q": q, "ordering": ordering}
    filterset = ExhibitorFilterSet(data, queryset=exhibitor_list())
    assert filterset.is_valid()
    return [e.slug for e in filterset.qs]


def window_queries(captured):
    """The statements that look for a search's window: ids only, LIMITed."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "exhibitors_exhibitor"."id" AS "pk" FROM')
    ]


def test_search_in_a_chosen_order_lists_a_bounded_window(client, settings):
    """`ordering` with `q` walked the chosen index, checking each row for the words, until a
    page was full (16 s at a million exhibitors for a rare word): it orders the window."""
    everything = ordered("smart", "name")
    assert len(everything) > 3
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 3
    with CaptureQueriesContext(connection) as captured:
        data = client.get("/api/v1/exhibitors/", {"q": "smart", "ordering": "name"}).json()
    assert len(window_queries(captured)) == 1
    slugs = [row["slug"] for row in data["results"]]
    assert len(slugs) == 3 and set(slugs) <= set(everything)
    assert slugs == [slug for slug in everything if slug in slugs]  # by name, A to Z
    assert data["count_capped"] is True and data["next"] is None
    # The page's ids are cut from the window's, sorted in the order chosen, not walked
    # along the names' index (which PostgreSQL would check row by row against the window).
    (listing,) = [q["sql"] for q in captured.captured_queries if "ORDER BY (" in q["sql"]]
    assert (
        'ORDER BY ("exhibitors_exhibitor"."id" * 0) ASC, "exhibitors_exhibitor"."name_en"'
        in listing
    )
    window = re.search(r'"exhibitors_exhibitor"\."id" IN \(([^)]*)\)', listing)
    assert window and len(window.group(1).split(",")) == 3

    response = client.get("/exhibitors/", {"q": "smart", "ordering": "-name"})
    page = response.context["page_obj"]
    slugs = [e.slug for e in page.object_list]
    assert len(slugs) == 3 and set(slugs) <= set(everything)
    assert slugs == [slug for slug in reversed(everything) if slug in slugs]
    assert page.paginator.capped is True


def test_admin_search_in_a_chosen_column_order_lists_a_bounded_window(admin_client, settings):
    everything = ordered("smart", "name")
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 3
    # The first column is the name.
    response = admin_client.get("/admin/exhibitors/exhibitor/", {"q": "smart", "o": "1"})
    cl = response.context["cl"]
    slugs = [e.slug for e in cl.result_list]
    assert len(slugs) == 3 and set(slugs) <= set(everything)
    assert slugs == [slug for slug in everything if slug in slugs]
    assert cl.result_capped is True


def test_search_window_of_whole_words_reads_no_name_likeness(client, settings):
    """The records with the words are looked for without the trigram condition, which made
    PostgreSQL read every name like a common word too; names alike are looked for only
    where the words do not fill the window."""
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 3
    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/exhibitors/", {"q": "smart"})
    (words,) = window_queries(captured)
    assert "@@" in words and "%>" not in words and "similarity" not in words

    with CaptureQueriesContext(connection) as captured:
        client.get("/api/v1/exhibitors/", {"q": "Dahau"})  # a typo: no record has the word
    words, alike = window_queries(captured)
    assert "@@" in words and "%>" not in words
    assert "%>" in alike and "@@" not in alike


def sleeping(queryset):
    """`queryset`, each of whose rows takes a second to check: a search too broad."""
    slept = Func(Value(1.0), function="pg_sleep", output_field=CharField())
    return queryset.alias(slept=slept).filter(slept__isnull=False)


def test_matching_ids_refuses_a_search_past_its_budget(settings):
    settings.DIRECTORY_SEARCH_BUDGET_MS = 50
    queryset = ExhibitorFilterSet(
        QueryDict(mutable=True) | {"q": "smart"}, queryset=exhibitor_list()
    ).qs
    with pytest.raises(SearchTooBroad) as raised:
        matching_ids(sleeping(queryset), 10)
    assert list(raised.value.message_dict) == ["q"]
    assert "too broad" in raised.value.message_dict["q"][0]
    with connection.cursor() as cursor:  # the settings are as they were
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone() == ("0",)


@pytest.fixture
def too_broad(settings, monkeypatch):
    """Every search's window query takes longer than the budget."""
    settings.DIRECTORY_SEARCH_BUDGET_MS = 50
    looked_for = search.matching_ids
    monkeypatch.setattr(
        search, "matching_ids", lambda qs, limit, **kw: looked_for(sleeping(qs), limit, **kw)
    )


@pytest.mark.usefixtures("too_broad")
@pytest.mark.parametrize("ordering", [None, "name"])
def test_search_too_broad_is_refused_naming_q(client, admin_client, ordering):
    params = {"q": "smart -city"} | ({"ordering": ordering} if ordering else {})
    response = client.get("/api/v1/exhibitors/", params)
    assert response.status_code == 400
    (message,) = response.json()["q"]
    assert "too broad" in message

    response = client.get("/exhibitors/", params)
    assert response.status_code == 400
    named = [{"parameter": "q", "label": "Search", "messages": [message]}]
    assert response.context["errors"] == named
    assert response.context["object_list"] == []

    response = client.get("/search/", {"q": "smart -city"})
    assert response.status_code == 400
    assert response.context["errors"] == named

    response = admin_client.get("/admin/exhibitors/exhibitor/", {"q": "smart -city"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []
    assert [str(m) for m in response.context["messages"]] == [message]
