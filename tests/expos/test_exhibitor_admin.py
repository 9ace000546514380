"""The exhibitor and sector change lists cost the same however many exhibitors there are
(core/admin.py): capped and estimated counts, the countries read along an index, the search
through the full-text and trigram indexes, filters across to-many relations as EXISTS, and
per-row counts only for the rows of the page."""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from core.lists import counting
from core.lists.search import MAX_SEARCH_WORDS
from exhibitors.models import Exhibitor, Sector
from tests.factories import ExhibitorFactory
from tests.pages import changelist, listed, queries_of

pytestmark = pytest.mark.usefixtures("seeded")

EXHIBITORS = "/admin/exhibitors/exhibitor/"
SECTORS = "/admin/exhibitors/sector/"


# --- Counts ----------------------------------------------------------------------------------


def test_exhibitor_list_counts_exactly_below_the_limit(admin_client):
    response = changelist(admin_client, EXHIBITORS)
    cl = response.context["cl"]
    assert cl.result_count == Exhibitor.objects.count() == 11
    assert cl.result_exact is True and cl.result_capped is False
    assert "11 exhibitors" in response.content.decode()


def test_exhibitor_list_past_the_exact_limit_shows_an_estimate(admin_client, settings, monkeypatch):
    settings.DIRECTORY_EXACT_COUNT = 1
    monkeypatch.setattr(counting, "estimated_rows", lambda queryset: 26_045)
    ExhibitorFactory.create_batch(60)  # a full first page: the end is not in sight
    response = changelist(admin_client, EXHIBITORS)
    page = response.content.decode()
    cl = response.context["cl"]
    assert (cl.result_count, cl.result_exact) == (26_000, False)
    assert "About 26,000 exhibitors" in page
    # Pages reach the cap (10,000 results) only, and say so.
    assert cl.result_capped is True and cl.paginator.num_pages == 200
    assert "pages reach the first 10,000" in page
    assert response.context["selection_note_all"] == "All of about 26,000 selected"
    # The admin's addresses have no language prefix, so it is in English; its text is
    # translated all the same.
    with translation.override("es"):
        spanish = render_to_string("admin/pagination.html", {"cl": cl})
    assert "Alrededor de 26\xa0000 expositores" in spanish
    assert "las páginas llegan a los primeros 10\xa0000" in spanish


def test_exhibitor_list_runs_no_full_count(admin_client):
    # Neither the paginator's COUNT(*) of the whole list nor the "N total" of the search box:
    # a count over a LIMITed subquery, which stops at the exact limit.
    counts = [sql for sql in queries_of(admin_client, EXHIBITORS) if "COUNT(*)" in sql]
    assert len(counts) == 1
    assert "LIMIT 1001" in counts[0]


@pytest.mark.parametrize(
    "params",
    [{}, {"country": "CN"}, {"q": "dahua"}, {"sectors__id__exact": "1"}],
    ids=["plain", "country", "search", "sector"],
)
def test_exhibitor_list_queries_do_not_grow_with_the_rows(
    admin_client, django_assert_num_queries, params
):
    # The session and its user, the sectors of the filter, the
    # data version, the count up to the exact limit, the page, the expo counts of its rows,
    # the countries and the years of the filters. (PostgreSQL's estimate is cached until the
    # data changes: the request after a write runs one EXPLAIN more, hence the warm-up.)
    # A search finds its ranked window instead of counting: a savepoint, its time limit, the
    # ids, the limit put back, the release (core.lists.searchwindow.matching_ids), for the records
    # with the words; then for those with a name like them, the same with the plan's settings
    # (the indexes only) and their reset besides.
    expected = 18 if "q" in params else 9
    for extra in (0, 60):
        Sector.objects.get(pk=1).exhibitors.add(*ExhibitorFactory.create_batch(extra))
        changelist(admin_client, EXHIBITORS, params)
        with django_assert_num_queries(expected):
            response = changelist(admin_client, EXHIBITORS, params)
        assert len(response.context["cl"].result_list) <= 50


def test_exhibitor_list_pages_hold_fifty_rows_and_stay_small(admin_client):
    ExhibitorFactory.create_batch(120)
    response = changelist(admin_client, EXHIBITORS)
    assert len(response.context["cl"].result_list) == 50
    assert response.context["cl"].paginator.num_pages == 3
    assert len(response.content) < 150 * 1024


# --- Filters ---------------------------------------------------------------------------------


def test_country_filter_lists_the_countries_present(admin_client):
    response = changelist(admin_client, EXHIBITORS)
    cl = response.context["cl"]
    (spec,) = [s for s in cl.filter_specs if s.field_path == "country"]
    present = {e.country.code for e in Exhibitor.objects.exclude(country="")}
    assert {code for code, _name in spec.lookup_choices(cl)} == present == {"BY", "CN"}
    choices = [choice["display"] for choice in spec.choices(cl)]
    assert choices == ["All", "Belarus", "China"]


def test_country_filter_filters(admin_client):
    response = changelist(admin_client, EXHIBITORS, {"country": "BY"})
    assert listed(response) == [
        str(e) for e in Exhibitor.objects.filter(country="BY").order_by("name_en")
    ]
    assert listed(response)


def test_sector_filter_is_an_exists_not_a_distinct(admin_client):
    sector = Sector.objects.get(slug="video-iot")
    sql = queries_of(admin_client, EXHIBITORS, {"sectors__id__exact": sector.pk})
    listing = [s for s in sql if s.startswith('SELECT "exhibitors_exhibitor"."id"')]
    assert listing and all("EXISTS" in s and "DISTINCT" not in s for s in listing)
    response = changelist(admin_client, EXHIBITORS, {"sectors__id__exact": sector.pk})
    expected = sorted(str(e) for e in sector.exhibitors.all())
    assert sorted(listed(response)) == expected


# --- Search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["dahua", "Dahau", "dahu", "DAHUA technology", '"dahua technology"'],
    ids=["word", "typo", "part of a name", "words", "phrase"],
)
def test_search_finds_through_the_indexed_search(admin_client, typed):
    response = changelist(admin_client, EXHIBITORS, {"q": typed})
    assert listed(response)[0] == "Zhejiang Dahua Technology Co., Ltd."


def test_search_uses_the_indexes_not_icontains(admin_client):
    sql = " ".join(queries_of(admin_client, EXHIBITORS, {"q": "dahua"}))
    assert "search_vector" in sql and "@@" in sql  # full text
    assert "%>" in sql  # trigram word similarity
    assert "directory_unaccent" in sql
    assert "UPPER(" not in sql  # no icontains


def test_search_reads_descriptions_and_excludes(admin_client):
    response = changelist(admin_client, EXHIBITORS, {"q": "technology -dahua"})
    names = listed(response)
    assert names and "Zhejiang Dahua Technology Co., Ltd." not in names


def test_search_ranks_best_matches_first_unless_a_column_is_chosen(admin_client):
    ranked = listed(changelist(admin_client, EXHIBITORS, {"q": "hangzhou"}))
    assert len(ranked) > 1
    assert ranked[0].startswith("Hangzhou")
    by_name = listed(changelist(admin_client, EXHIBITORS, {"q": "hangzhou", "o": "1"}))
    assert by_name == sorted(ranked)


def test_search_of_nothing_but_punctuation_finds_nothing(admin_client):
    response = changelist(admin_client, EXHIBITORS, {"q": "%%"})
    assert response.context["cl"].result_count == 0


def test_search_of_too_many_words_is_refused_with_a_message(admin_client):
    response = changelist(admin_client, EXHIBITORS, {"q": "Dahua " * (MAX_SEARCH_WORDS + 1)})
    assert response.context["cl"].result_count == 0
    messages = [str(message) for message in response.context["messages"]]
    limit = MAX_SEARCH_WORDS
    assert messages == [f"Search for at most {limit} words (this has {limit + 1})."]


def test_search_of_the_most_words_is_searched(admin_client):
    response = changelist(admin_client, EXHIBITORS, {"q": "Dahua " * MAX_SEARCH_WORDS})
    assert listed(response) == ["Zhejiang Dahua Technology Co., Ltd."]


# --- Columns ---------------------------------------------------------------------------------


def test_exhibitor_list_shows_country_names(admin_client):
    page = changelist(admin_client, EXHIBITORS, {"country": "BY"}).content.decode()
    assert '<td class="field-country">Belarus</td>' in page


def test_sector_list_counts_exhibitors_of_its_rows(admin_client):
    response = changelist(admin_client, SECTORS)
    page = response.content.decode()
    sector = Sector.objects.get(slug="video-iot")
    (row,) = [r for r in response.context["cl"].result_list if r.pk == sector.pk]
    assert row.exhibitor_figures == (sector.exhibitors.count(), True)
    assert f'<td class="field-exhibitor_count">{sector.exhibitors.count()}</td>' in page
    # Not sortable: a count for every sector would read every tag.
    assert "sortable column-exhibitor_count" not in page


def test_sector_list_estimates_large_counts(admin_client, settings, monkeypatch):
    settings.DIRECTORY_EXACT_COUNT = 1
    monkeypatch.setattr(counting, "estimated_rows", lambda queryset: 123_456)
    page = changelist(admin_client, SECTORS).content.decode()
    assert '<td class="field-exhibitor_count">about 120,000</td>' in page


def test_row_checkbox_is_djangos_own(admin_client):
    from django.contrib import admin

    from expos.admin.exhibitors import ExhibitorAdmin

    exhibitor = Exhibitor.objects.first()
    ours = admin.site.get_model_admin(Exhibitor)
    assert isinstance(ours, ExhibitorAdmin)
    assert ours.action_checkbox(exhibitor) == admin.ModelAdmin.action_checkbox(ours, exhibitor)
