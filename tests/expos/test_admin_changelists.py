"""The change lists of expos/admin/ at scale: an expo is chosen in a filter through the
admin's autocomplete (core.admin.changelists.AutocompleteFilter) rather than from one link per expo,
participations are searched through their exhibitor's and expo's indexes, the exhibitor list
counts expos for the rows of its page only, and the queries do not grow with the rows."""

import json

import pytest

from core.lists.search import MAX_SEARCH_WORDS
from exhibitors.models import Exhibitor
from expos.models import Expo, Participation
from tests.factories import ExpoFactory, ParticipationFactory
from tests.pages import changelist, listed, queries_of

pytestmark = pytest.mark.usefixtures("seeded")

EXHIBITORS = "/admin/exhibitors/exhibitor/"
PARTICIPATIONS = "/admin/expos/participation/"
BY_EXPO = "participations__expo__id__exact"
# Every change list with an expo filter, and its parameter.
EXPO_FILTERS = {
    EXHIBITORS: BY_EXPO,
    PARTICIPATIONS: "expo__id__exact",
    "/admin/expos/figure/": "expo__id__exact",
    "/admin/expos/area/": "expo__id__exact",
    "/admin/expos/forum/": "expo__id__exact",
    "/admin/expos/speaker/": "appearances__forum__expo__id__exact",
    "/admin/expos/appearance/": "forum__expo__id__exact",
    "/admin/expos/statement/": "expo__id__exact",
    "/admin/expos/deal/": "expo__id__exact",
    "/admin/expos/award/": "expo__id__exact",
    "/admin/expos/highlight/": "expo__id__exact",
}


# --- The expo filter -------------------------------------------------------------------------


@pytest.mark.parametrize("url", EXPO_FILTERS, ids=lambda url: url.split("/")[-2])
def test_expo_filter_is_an_autocomplete_not_a_link_per_expo(admin_client, url):
    many = ExpoFactory.create_batch(30, name="Listed Nowhere Expo")
    page = changelist(admin_client, url).content.decode()
    assert "Listed Nowhere Expo" not in page
    lookup = EXPO_FILTERS[url]
    assert f'<select name="{lookup}" class="autocomplete-filter admin-autocomplete"' in page
    assert 'data-ajax--url="/admin/autocomplete/"' in page
    assert f'data-lookup="{lookup}"' in page
    # The autocomplete searches the expos of the relation's last field.
    field = {"speaker": "forum", "appearance": "forum"}.get(url.split("/")[-2])
    assert 'data-field-name="expo"' in page
    if field:
        assert 'data-model-name="forum"' in page
    # The select2 box and the script that applies the choice, after what it needs.
    scripts = [line for line in page.splitlines() if "<script src=" in line]
    names = [line.split('src="')[1].split('"')[0].rsplit("/", 1)[-1] for line in scripts]
    assert names.index("autocomplete_filter.js") > names.index("autocomplete.js")
    assert names.index("autocomplete.js") > names.index("jquery.init.js")
    assert names.index("jquery.init.js") > names.index("select2.full.min.js")
    assert "/static/admin/css/autocomplete_filter.css" in page  # the box fits the sidebar
    assert len(many) == 30


@pytest.mark.parametrize("url", EXPO_FILTERS, ids=lambda url: url.split("/")[-2])
def test_expo_filter_shows_the_expo_chosen(admin_client, url):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    page = changelist(admin_client, url, {EXPO_FILTERS[url]: expo.pk}).content.decode()
    assert f'<option value="{expo.pk}" selected>{expo}</option>' in page
    # "All" leads back to the list without the filter.
    assert '<li>\n        <a href="?">All</a>' in page


def test_expo_filter_filters_exhibitors(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    response = changelist(admin_client, EXHIBITORS, {BY_EXPO: expo.pk})
    expected = Exhibitor.objects.filter(participations__expo=expo).order_by("name_en", "id")
    assert listed(response) == [str(exhibitor) for exhibitor in expected]
    assert len(listed(response)) == 2


def test_expo_filter_filters_participations(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    response = changelist(admin_client, PARTICIPATIONS, {"expo__id__exact": expo.pk})
    rows = response.context["cl"].result_list
    assert {row.expo_id for row in rows} == {expo.pk} and len(rows) == 2


def test_expo_filter_with_no_such_key_is_reported(admin_client):
    response = admin_client.get(EXHIBITORS, {BY_EXPO: "abc"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_expo_filter_autocomplete_finds_expos_by_the_indexed_search(admin_client):
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "expos",
            "model_name": "participation",
            "field_name": "expo",
            "term": "smart chna",
        },
    )
    assert response.status_code == 200
    found = [result["text"] for result in json.loads(response.content)["results"]]
    assert found[0] == "Smart China Expo 2021"


# --- The participation list --------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dahua", {"Zhejiang Dahua Technology Co., Ltd."}),  # the exhibitor's name
        ("dahu", {"Zhejiang Dahua Technology Co., Ltd."}),  # part of it
        ("trade", {"Cloudwalk Technology", "Graffiti Intelligence"}),  # the expo's name
    ],
)
def test_participation_search_finds_by_exhibitor_or_expo(admin_client, typed, expected):
    expo = Expo.objects.get(slug="global-digital-trade-expo-2")
    if typed == "trade":
        expected = {str(p.exhibitor) for p in Participation.objects.filter(expo=expo)}
    response = changelist(admin_client, PARTICIPATIONS, {"q": typed})
    assert {str(row.exhibitor) for row in response.context["cl"].result_list} == expected


@pytest.mark.parametrize("url", [PARTICIPATIONS, "/admin/expos/expo/"])
def test_search_of_too_many_words_is_refused_with_one_message(admin_client, url):
    response = changelist(admin_client, url, {"q": "trade " * (MAX_SEARCH_WORDS + 1)})
    assert list(response.context["cl"].result_list) == []
    messages = [str(message) for message in response.context["messages"]]
    limit = MAX_SEARCH_WORDS
    assert messages == [f"Search for at most {limit} words (this has {limit + 1})."]


def test_participation_search_uses_the_indexes(admin_client):
    sql = " ".join(queries_of(admin_client, PARTICIPATIONS, {"q": "dahua"}))
    assert "@@" in sql and "%>" in sql and "UNION" in sql
    assert "UPPER(" not in sql


def test_participation_list_shows_country_names(admin_client):
    page = changelist(admin_client, PARTICIPATIONS).content.decode()
    assert '<td class="field-country">China</td>' in page
    assert '<a href="?exhibitor__country=BY">Belarus</a>' in page


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "dahua"}, {"expo__id__exact": "3"}, {"exhibitor__country": "CN"}],
    ids=["plain", "search", "expo", "country"],
)
def test_participation_list_queries_do_not_grow_with_the_rows(
    admin_client, django_assert_num_queries, params
):
    # The session and its user, the sectors of the filter, the
    # data version, the count up to the exact limit, the page, the countries and the years;
    # with an expo chosen, that expo's name for the filter and for its select2 box.
    queries = {"expo__id__exact": 10}.get(next(iter(params), None), 8)
    for extra in (0, 60):
        ParticipationFactory.create_batch(extra, expo=Expo.objects.get(pk=3))
        changelist(admin_client, PARTICIPATIONS, params)
        with django_assert_num_queries(queries):
            response = changelist(admin_client, PARTICIPATIONS, params)
        assert len(response.context["cl"].result_list) <= 50


# --- The exhibitor list's expo count -------------------------------------------------------


def test_exhibitor_list_counts_expos_of_the_rows_of_its_page(admin_client):
    exhibitor = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    ParticipationFactory(exhibitor=exhibitor)
    response = changelist(admin_client, EXHIBITORS)
    rows = {row.pk: row for row in response.context["cl"].result_list}
    assert rows[exhibitor.pk].num_expos == 2
    assert all(
        row.num_expos == Participation.objects.filter(exhibitor=row).count()
        for row in rows.values()
    )
    page = response.content.decode()
    assert '<td class="field-expo_count">2</td>' in page
    # Not sortable: it is counted for the page's rows only.
    assert "sortable column-expo_count" not in page


@pytest.mark.parametrize(
    ("url", "queries"),
    [("/admin/expos/expo/", 11), ("/admin/expos/deal/", 8), ("/admin/expos/forum/", 6)],
)
def test_other_lists_queries_do_not_grow_with_the_rows(
    admin_client, django_assert_num_queries, url, queries
):
    for extra in (0, 60):
        ExpoFactory.create_batch(extra)
        changelist(admin_client, url)
        with django_assert_num_queries(queries):
            response = changelist(admin_client, url)
        assert len(response.content) < 150 * 1024


def test_expo_list_searches_through_the_indexes(admin_client):
    response = changelist(admin_client, "/admin/expos/expo/", {"q": "Smart Chna"})
    assert listed(response)[0] == "Smart China Expo 2021"
    page = changelist(admin_client, "/admin/expos/expo/", {"country": "ES"}).content.decode()
    assert '<td class="field-country">Spain</td>' in page


# --- The expo's page -----------------------------------------------------------------------


def test_expo_page_holds_its_first_participations_and_links_to_all(admin_client):
    from expos.admin.expos import EXPO_PAGE_PARTICIPATIONS
    from tests.expos.test_admin import form_data

    expo = Expo.objects.get(slug="smart-china-expo-2021")
    ParticipationFactory.create_batch(EXPO_PAGE_PARTICIPATIONS + 5, expo=expo)
    url = f"/admin/expos/expo/{expo.pk}/change/"
    response = admin_client.get(url)
    (inline,) = [
        i for i in response.context["inline_admin_formsets"] if i.formset.model is Participation
    ]
    assert len(inline.formset.forms) == EXPO_PAGE_PARTICIPATIONS
    total = Participation.objects.filter(expo=expo).count()
    assert f'<a href="/admin/expos/participation/?expo__id__exact={expo.pk}">All {total},' in (
        response.content.decode()
    )
    # Saving the page leaves the participations it did not show as they were.
    data = form_data(response)
    data["name_en"] = "Renamed with its participations kept"
    assert admin_client.post(url, data).status_code == 302
    assert Participation.objects.filter(expo=expo).count() == total
