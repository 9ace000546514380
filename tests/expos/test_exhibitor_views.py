"""The exhibitor pages: list with filters and facets, CSV, detail."""

import pytest
from django.urls import reverse

from exhibitors.models import Exhibitor
from tests.pages import csv_rows, page

pytestmark = pytest.mark.usefixtures("seeded")


def test_exhibitor_list_shows_every_exhibitor_with_country_and_sectors(client):
    html = page(client, "/exhibitors/")
    assert "11 results" in html
    assert "Zhejiang Dahua Technology Co., Ltd." in html
    assert 'href="/exhibitors/zhejiang-dahua-technology/"' in html
    assert "Video IoT" in html


def test_exhibitor_list_filter_by_country_and_sector_is_a_shareable_url(client):
    html = page(client, "/exhibitors/?country=CN&sector=video-iot")
    assert "1 result" in html
    assert "Zhejiang Dahua Technology Co., Ltd." in html
    assert (
        "Hangzhou City Big Data"
        not in html.split("<main")[1].split("<aside")[0] + (html.split("</aside>")[1])
    )


def test_exhibitor_list_shows_count_next_to_each_option(client):
    html = page(client, "/exhibitors/?year=2023")
    assert 'value="CN"' in html
    assert 'China <span class="count">(6)</span>' in html
    assert 'Video IoT <span class="count">(1)</span>' in html
    # The chosen year stays ticked.
    assert 'name="year" value="2023" checked' in html


def test_exhibitor_list_empty_state(client):
    html = page(client, "/exhibitors/?country=BY&sector=video-iot")
    assert "No exhibitors match these filters" in html
    assert "0 results" in html


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("country=ZZ", "Country"), ("sector=unknown", "Sector"), ("year=twenty", "Year")],
)
def test_exhibitor_list_invalid_value_names_parameter_and_lists_nothing(client, query, parameter):
    html = page(client, f"/exhibitors/?{query}", status=400)
    assert f"<strong>{parameter}</strong>" in html
    assert "Some filters were not understood" in html
    assert "Zhejiang Dahua" not in html


def test_exhibitor_list_sorts_by_country(client):
    html = page(client, "/exhibitors/?ordering=-country")
    assert html.index("Cloudwalk Technology") < html.index("China-Belarus Industrial Park")
    assert html.index("China-Belarus Industrial Park") < html.index(">Dell<")


def test_exhibitor_list_paginates(client, settings, monkeypatch):
    from expos.views.exhibitors import ExhibitorListView

    monkeypatch.setattr(ExhibitorListView, "paginate_by", 4)
    first = page(client, "/exhibitors/?ordering=name")
    assert "Page 1 of 3" in first
    assert "China-Belarus" in first and "Hangzhou City" not in first
    third = page(client, "/exhibitors/?ordering=name&page=3")
    assert "Zhejiang Fangda" in third and "China-Belarus" not in third
    assert 'href="?ordering=name&amp;page=2"' in third


def test_exhibitor_list_pages_stop_at_the_cap(client, settings, monkeypatch):
    from expos.views.exhibitors import ExhibitorListView

    settings.DIRECTORY_COUNT_CAP = 5
    monkeypatch.setattr(ExhibitorListView, "paginate_by", 2)
    first = page(client, "/exhibitors/?ordering=name")
    assert "11 results" in first  # below the exact limit the count is exact…
    assert "Page 1</span>" in first and "Page 1 of" not in first  # …but pages stop at 5
    # Pages end at the cap: a later page number shows the last one offered.
    last = page(client, "/exhibitors/?ordering=name&page=99")
    assert "Page 3</span>" in last
    assert 'rel="next"' not in last
    assert "narrow the filters to see the rest" in last
    assert "1 result" in page(client, "/exhibitors/?country=CN&sector=video-iot")


def test_exhibitor_list_past_the_exact_limit_shows_an_estimate(client, settings, monkeypatch):
    from core.lists import counting
    from expos.views.exhibitors import ExhibitorListView

    settings.DIRECTORY_EXACT_COUNT = 1
    monkeypatch.setattr(counting, "estimated_rows", lambda queryset: 26_045)
    monkeypatch.setattr(ExhibitorListView, "paginate_by", 4)
    first = page(client, "/exhibitors/?ordering=name")
    assert "About 26,000 results" in first
    assert "Page 1</span>" in first and 'rel="next"' in first
    assert "Unos 26\xa0000 resultados" in page(client, "/es/exhibitors/?ordering=name")
    # The last page is short: there the count is exact, and so is the page number.
    last = page(client, "/exhibitors/?ordering=name&page=3")
    assert "11 results" in last and "Page 3 of 3" in last
    # Past the real end, the last real page.
    beyond = page(client, "/exhibitors/?ordering=name&page=50")
    assert "11 results" in beyond and "Page 3 of 3" in beyond


def test_counts_are_written_with_thousands_separators():
    from types import SimpleNamespace

    from django.template.loader import render_to_string
    from django.utils import translation

    def header(total, exact):
        paginator = SimpleNamespace(total=total, exact=exact)
        return render_to_string(
            "_list_header.html", {"page_obj": SimpleNamespace(paginator=paginator)}
        )

    assert "About 26,000 results" in header(26_000, False)
    assert "9,990 results" in header(9_990, True)
    assert "1 result\n" in header(1, True)
    with translation.override("es"):
        assert "Unos 26\xa0000 resultados" in header(26_000, False)  # a space groups digits
        # Four digits are not grouped in Spanish (the RAE's Ortografía, CLDR): 9990.
        assert "9990 resultados" in header(9_990, True)


def test_exhibitor_csv_has_the_filtered_rows(client):
    response = client.get("/exhibitors/export.csv?country=CN&sector=zero-carbon")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="exhibitors.csv"' in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert header[:4] == ["name", "slug", "country code", "country"]
    assert rows == [
        [
            "Graffiti Intelligence",
            "graffiti-intelligence",
            "CN",
            "China",
            "Zhejiang",
            "",
            "Zero carbon",
            "",
            "Zhejiang company with solutions for the zero-carbon-emission industry.",
        ]
    ]


def test_exhibitor_csv_invalid_filter_is_400_naming_parameter(client):
    error = page(client, "/exhibitors/export.csv?country=ZZ", status=400)
    assert error.startswith("country:")


def test_exhibitor_detail_shows_profile_expos_people_and_sources(client):
    html = page(client, "/exhibitors/zhejiang-fangda-zhikong-technology/")
    assert "<h1>Zhejiang Fangda Zhikong Technology Co., Ltd.</h1>" in html
    assert "<title>Zhejiang Fangda Zhikong Technology Co., Ltd. · " in html  # the tab says whose
    assert "Smart lighting" in html and "IoT platforms" in html
    # The expo it attended, with what it showed there.
    assert 'href="/expos/zhejiang-smart-city-exhibition-spain-2023/"' in html
    assert "The FondaCity AIoT platform for smart cities" in html
    # Its people.
    assert 'href="/speakers/song-hongwei/"' in html
    assert "Dr. Song Hongwei" in html
    # Its sources, quoted.
    assert "presentó la plataforma FondaCity AIoT para ciudades inteligentes" in html
    assert "000_72fdff20c7f3af27.txt" not in html  # an internal file name, not for readers


def test_exhibitor_detail_shows_quotes_of_its_people(client):
    html = page(client, "/exhibitors/guangyu-mingdao-digital-technology/")
    assert "production islands" in html
    assert "Zhang Zhuowen" in html
    assert "Industrial internet exhibition area" in html


def test_exhibitor_detail_unknown_slug_is_friendly_404(client):
    html = page(client, "/exhibitors/no-such-company/", status=404)
    assert "Page not found" in html
    assert 'href="/"' in html


def test_record_text_is_escaped(client):
    Exhibitor.objects.filter(slug="dell").update(name_en="<script>alert(1)</script>")
    html = page(client, "/exhibitors/")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    detail = page(client, reverse("exhibitors:exhibitor-detail", kwargs={"slug": "dell"}))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in detail


def test_exhibitor_pages_in_spanish(client):
    html = page(client, "/es/exhibitors/zhejiang-dahua-technology/")
    assert '<html lang="es">' in html
    assert "soluciones de IoT con vídeo como núcleo" in html
    expo = page(client, "/es/expos/zhejiang-smart-city-exhibition-spain-2023/")
    assert "<h1>Exposición de Ciudades Inteligentes de Zhejiang" in expo


@pytest.mark.parametrize("query", ["", "country=BY", "country=CN&year=2023"])
def test_each_facet_shows_its_largest_options_and_counts_the_rest(client, monkeypatch, query):
    from django.http import QueryDict

    from core.lists.facets import facet_counts
    from exhibitors.selectors import exhibitor_list
    from expos.filtersets import ExhibitorFilterSet
    from expos.views.exhibitors import ExhibitorListView

    monkeypatch.setattr(ExhibitorListView, "facet_options_shown", 1)
    form = page(client, f"/exhibitors/?{query}").split('<form class="filters"')[1]
    every = facet_counts(ExhibitorFilterSet, QueryDict(query), exhibitor_list())
    assert sum(len(options) for options in every.values()) > len(every)  # something to hide
    for parameter, options in every.items():
        # Chosen options come first, then the largest; one is shown, and every chosen one.
        shown = [o for i, o in enumerate(options) if i == 0 or o["selected"]]
        facet = form.split(f'id="f-{parameter}-1"')[0].rsplit("<fieldset", 1)[1]
        facet += form.split(f'id="f-{parameter}-1"')[1].split("</fieldset>")[0]
        assert facet.count(f'name="{parameter}"') == len(shown)
        for option in shown:
            assert f'value="{option["value"]}"' in facet
        hidden = len(options) - len(shown)
        if hidden:
            assert f"and {hidden} more with fewer results" in facet
        else:
            assert "more with fewer results" not in facet
        assert ('href="/expos/">find an expo</a>' in facet) == (parameter == "expo" and hidden > 0)
