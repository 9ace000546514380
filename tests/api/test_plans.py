"""The read path through record plans (core/api/plans.py) gives the JSON the serializers give,
field for field: every list and every record, in English and Spanish, with every `?expand=`,
numbered pages and cursor walks, and records whose translations, relations and countries are
missing."""

from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config.api import router
from core.api import plans
from core.api.viewsets import RecordPlanMixin
from tests import factories
from tests.api.helpers import get

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}
# The lists whose serializers have only fields a plan writes; the others (a method field, a
# nested serializer) keep the serializer. A serializer that gains such a field leaves this set,
# and this test says so.
PLANNED = {
    "appearances",
    "areas",
    "awards",
    "deals",
    "exhibitors",
    "expos",
    "figures",
    "highlights",
    "organisations",
    "sectors",
    "series",
    "sources",
    "speakers",
    "statements",
}


def serialised(client, url, **headers):
    """The JSON of `url` through the serializers, as before plans."""
    with mock.patch.object(RecordPlanMixin, "record_plan", return_value=None):
        return get(client, url, **headers).json()


def both(client, url, **headers):
    """(through a plan, through the serializer) for `url`, with the response cache off."""
    with override_settings(DIRECTORY_API_CACHE=False):
        return get(client, url, **headers).json(), serialised(client, url, **headers)


def expansions(prefix):
    names = sorted(ENDPOINTS[prefix].expandable)
    return (
        [""] + [f"expand={name}" for name in names] + ([f"expand={','.join(names)}"] * bool(names))
    )


@pytest.fixture
def awkward():
    """Records that take every branch: a Spanish translation missing (the English is shown),
    no country, no sectors, several sectors in an order other than their ids', a name with
    quotes and line separators, a foreign key left empty."""
    sectors = [
        factories.SectorFactory(name_en="Zeta", name_es="Alfa"),
        factories.SectorFactory(name_en="Alpha", name_es=""),
    ]
    exhibitor = factories.ExhibitorFactory(
        name_en='Ünïcode "quoted" \u2028 name', name_es="", country="", city_en="Vigo"
    )
    exhibitor.sectors.set(sectors)
    factories.ExhibitorFactory(name_en="No sectors", country="ES")
    factories.ExpoFactory(series=None, parent=None, name_es="")
    factories.HighlightFactory(forum=None, exhibitor=None, area=None)
    return exhibitor


def test_the_planned_lists_are_the_ones_with_plain_fields(client):
    planned = set()
    for prefix, viewset in ENDPOINTS.items():
        serializer = viewset.serializer_class(context={"request": None, "expand": []})
        if plans.plan_for(serializer) is not None:
            planned.add(prefix)
    assert planned == PLANNED


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_every_list_and_record_is_the_same_json(client, awkward, prefix, language):
    for expand in expansions(prefix):
        query = "&".join(part for part in (f"lang={language}", "page_size=500", expand) if part)
        fast, slow = both(client, f"/api/v1/{prefix}/?{query}")
        assert fast == slow, (prefix, expand)
        assert fast["results"], prefix
        for record in fast["results"]:
            url = record["url"] + "?" + "&".join(p for p in (f"lang={language}", expand) if p)
            fast_record, slow_record = both(client, url)
            assert fast_record == slow_record, url
            assert fast_record == record


def test_accept_language_chooses_the_plan_language(client, awkward):
    fast, slow = both(client, "/api/v1/exhibitors/?page_size=500", HTTP_ACCEPT_LANGUAGE="es")
    assert fast == slow
    row = next(r for r in fast["results"] if r["slug"] == awkward.slug)
    # No Spanish name: the English one is shown, as modeltranslation's fallback does.
    assert row["name"] == awkward.name_en and row["name_es"] == ""
    # Sectors are ordered by the Spanish column, where the untranslated one is empty.
    assert [s["name"] for s in row["sectors"]] == ["Alpha", "Alfa"]
    assert row["country"] == "" and row["country_name"] == ""


def test_filters_orderings_and_cursor_walks_are_the_same_json(client, awkward):
    for query in (
        "country=CN&sector=video-iot",
        "q=hangzhou&ordering=-name",
        "year=2023&facets=country,sector",
        "ordering=-updated&page=2&page_size=3",
        "cursor=&page_size=4",
    ):
        fast, slow = both(client, f"/api/v1/exhibitors/?{query}")
        assert fast == slow, query
    # Following a cursor: the same pages, to the end.
    url, pages = "/api/v1/exhibitors/?cursor=&page_size=7", 0
    while url and pages < 50:
        fast, slow = both(client, url)
        assert fast == slow
        url, pages = fast["next"], pages + 1
    assert url is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/exhibitors/no-such-one/",
        "/api/v1/sectors/no-such-one/",
        "/api/v1/awards/abc/",  # a primary key that cannot be one
        "/api/v1/awards/99999999999999999999/",
        "/api/v1/exhibitors/zhejiang-dahua-technology/?country=ES",  # filtered out
    ],
)
def test_a_missing_or_impossible_record_is_the_same_404(client, url):
    with override_settings(DIRECTORY_API_CACHE=False):
        fast = get(client, url, status=404).json()
        with mock.patch.object(RecordPlanMixin, "record_plan", return_value=None):
            slow = get(client, url, status=404).json()
    assert fast == slow and "detail" in fast


def test_a_plan_reads_a_page_in_a_fixed_number_of_queries(client, awkward):
    factories.ExhibitorFactory.create_batch(60)
    get(client, "/api/v1/exhibitors/?page_size=1")  # what a process reads once
    counts = []
    for size in (10, 50):
        with (
            override_settings(DIRECTORY_API_CACHE=False),
            CaptureQueriesContext(connection) as queries,
        ):
            data = get(client, f"/api/v1/exhibitors/?page_size={size}").json()
        assert len(data["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], [q["sql"][:120] for q in queries.captured_queries]
    # The page's rows and their sectors, each one query, with no model instances built.
    page = [q["sql"] for q in queries.captured_queries if "exhibitors_exhibitor" in q["sql"]]
    assert not any('"search_vector"' in sql for sql in page)
