"""Search: full text in English and Spanish with websearch syntax, and accent-insensitive,
typo-tolerant names."""

import pytest
from django.http import QueryDict

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


def test_search_past_the_ranking_limit_comes_in_the_usual_order(settings):
    ranked = exhibitors("smart")
    settings.DIRECTORY_RANKED_SEARCH_LIMIT = 0
    by_name = exhibitors("smart")
    # The same matches: only their order changes, to the list's usual one (by name, then id).
    usual = exhibitor_list().filter(slug__in=ranked).order_by("name_en", "id")
    assert by_name == [e.slug for e in usual]
    assert sorted(by_name) == sorted(ranked) and by_name != ranked
