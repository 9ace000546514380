"""The pages of the expos app: home, expos, forums, speakers, deals, search, 404."""

import pytest

from tests import factories
from tests.pages import csv_records, page

pytestmark = pytest.mark.usefixtures("seeded")


def test_home_has_search_expos_counts_and_charts(client):
    html = page(client, "/")
    assert 'action="/search/"' in html and 'name="q"' in html
    for expo in ("Smart China Expo 2021", "Smart City Expo World Congress 2023"):
        assert expo in html
    assert "<strong>11</strong> exhibitors" in html
    assert "<strong>4</strong> expos" in html
    assert "<strong>1</strong> deals" in html
    # Charts: exhibitors by country and by sector, deal value by expo.
    assert "Exhibitors by country" in html and 'href="/exhibitors/?country=CN"' in html
    assert 'width="100.0%"' in html  # China, the longest bar
    assert "Exhibitors by sector" in html
    assert 'href="/exhibitors/?sector=artificial-intelligence"' in html
    assert "Deal value by expo" in html and "USD\xa039\xa0billion" in html
    assert "<svg" in html
    assert "Each chart shows its ten largest entries." in html
    assert "Cada gráfico muestra sus diez entradas mayores." in page(client, "/es/")


def test_home_counts_and_charts_are_cached_until_the_data_changes(
    client, django_assert_num_queries
):
    from exhibitors.models import Exhibitor

    page(client, "/")
    # The expos list and the data version; the counts and charts come from the cache.
    with django_assert_num_queries(2):
        html = page(client, "/")
    assert "<strong>11</strong> exhibitors" in html
    dell = Exhibitor.objects.get(slug="dell")
    dell.country = "US"
    dell.save()
    html = page(client, "/")
    assert "<strong>11</strong> exhibitors" in html
    assert 'href="/exhibitors/?country=US"' in html
    Exhibitor.objects.create(slug="new-lab", name="New Lab", country="US")
    assert "<strong>12</strong> exhibitors" in page(client, "/")
    # Each language has its own copy.
    assert 'href="/es/exhibitors/?country=US"' in page(client, "/es/")


def test_expo_list_filters_by_year_country_and_series(client):
    html = page(client, "/expos/?year=2021")
    assert "Smart China Expo 2021" in html and "Smart City Expo World Congress" not in html
    html = page(client, "/expos/?country=ES")
    assert "2 results" in html
    html = page(client, "/expos/?series=smart-city-expo-world-congress")
    assert "1 result" in html and "Smart City Expo World Congress 2023" in html


def test_expo_list_invalid_series_names_parameter(client):
    html = page(client, "/expos/?series=nope", status=400)
    assert "<strong>Series</strong>" in html


def test_expo_detail_shows_dates_venue_figures_parent_forums_and_sources(client):
    html = page(client, "/expos/zhejiang-smart-city-exhibition-spain-2023/")
    assert "Nov. 7, 2023" in html and "Nov. 9, 2023" in html
    assert "Europe/Madrid" in html
    assert "Barcelona Convention and Exhibition Centre" in html
    assert "Department of Commerce of Zhejiang Province" in html
    assert 'href="/expos/smart-city-expo-world-congress-2023/"' in html  # parent
    assert "11</strong> participating companies" in html
    assert 'href="/forums/empowering-smart-city-construction-with-digital-technology/"' in html
    assert 'href="/speakers/xu-juemin/"' in html
    assert "Liveable and Inclusive City" in html and "Anji County" in html
    assert "Del 7 al 9 de noviembre de 2023" in html  # the cited sentence
    assert 'href="/expos/zhejiang-smart-city-exhibition-spain-2023/calendar.ics"' in html


def test_expo_detail_lists_exhibitors_with_the_exhibitor_filters(client):
    url = "/expos/zhejiang-smart-city-exhibition-spain-2023/"
    html = page(client, url)
    assert "6 results" in html
    assert "FondaCity AIoT" in html  # what each showcased
    filtered = page(client, url + "?sector=video-iot")
    assert "1 result" in filtered and "Zhejiang Dahua Technology Co., Ltd." in filtered
    # The page's own download: its table's columns, what each showcased among them.
    assert (
        "/expos/zhejiang-smart-city-exhibition-spain-2023/exhibitors.csv?sector=video-iot"
        in filtered
    )
    page(client, url + "?sector=nope", status=400)


def test_expo_detail_children_figures_deals_areas(client):
    html = page(client, "/expos/smart-city-expo-world-congress-2023/")
    assert 'href="/expos/zhejiang-smart-city-exhibition-spain-2023/"' in html  # child
    assert "more than 1,000</strong> exhibitors" in html
    assert "Dates</dt><dd>Not reported" in html
    sce = page(client, "/expos/smart-china-expo-2021/")
    assert (
        "CNY\xa0252.4\xa0billion" in sce
        and '(<span class="money">USD\xa039\xa0billion</span>)' in sce
    )
    assert "20,000 m²" in sce
    assert "Lijia Yuelai Smart Park" in sce
    assert "Asia/Shanghai" in sce
    assert "production islands" in sce


def test_expo_csv(client):
    rows = csv_records(client, "/expos/export.csv?year=2023")
    assert {r["name"] for r in rows} == {
        "Smart City Expo World Congress 2023",
        "Zhejiang Smart City Exhibition for Commercial Services (Spain) 2023",
    }
    zhejiang = next(r for r in rows if r["start date"])
    assert (zhejiang["start date"], zhejiang["end date"], zhejiang["time zone"]) == (
        "2023-11-07",
        "2023-11-09",
        "Europe/Madrid",
    )


def test_forum_list_and_detail(client):
    html = page(client, "/forums/?year=2023")
    assert "Empowering Smart City Construction with Digital Technology" in html
    assert "China-SCO Forum" not in html
    detail = page(client, "/forums/china-sco-forum-on-the-digital-economy-industry-2021/")
    assert 'href="/speakers/vladimir-imamovich-norov/"' in detail
    assert "Trade and Economic Multifunctional Platform for SCO Countries" in detail
    assert 'href="/expos/smart-china-expo-2021/"' in detail
    assert "Date</dt><dd>Not reported" in detail


def test_forum_list_filter_kind_and_csv(client):
    html = page(client, "/forums/?kind=round_table")
    assert "1 result" in html
    rows = csv_records(client, "/forums/export.csv?kind=round_table")
    assert [r["speakers"] for r in rows] == ["Dr. Song Hongwei; Zhao Hongming; Xu Juemin"]
    page(client, "/forums/?kind=party", status=400)


def test_speaker_list_and_detail(client):
    html = page(client, "/speakers/?country=CN")
    assert "Dr. Song Hongwei" in html and "Vladimir Imamovich Norov" not in html
    html = page(client, "/speakers/?expo=smart-china-expo-2021")
    assert "Zhang Zhuowen" in html and "Vladimir Imamovich Norov" in html
    assert "Song Hongwei" not in html
    detail = page(client, "/speakers/song-hongwei/")
    assert 'href="/exhibitors/zhejiang-fangda-zhikong-technology/"' in detail
    assert "digital infrastructure" in detail
    assert 'href="/forums/empowering-smart-city-construction-with-digital-technology/"' in detail


def test_deal_list_and_detail(client):
    html = page(client, "/deals/?sector=digital-economy")
    assert "92 major projects signed at Smart China Expo 2021" in html
    assert page(client, "/deals/?sector=video-iot").count("No deals match") == 1
    detail = page(client, "/deals/smart-china-expo-2021-major-projects/")
    assert '<span class="money">CNY\xa0252.4\xa0billion</span>' in detail
    assert "not named in the source" in detail
    assert "They signed 92 major projects worth 252.4 billion yuan" in detail
    rows = csv_records(client, "/deals/export.csv")
    assert rows[0]["number of projects"] == "92"
    assert rows[0]["currency"] == "CNY"


def test_search_groups_results_by_kind(client):
    html = page(client, "/search/?q=smart")
    assert '<h2 id="group-expos">Expos' in html
    assert '<h2 id="group-forums">Forums' in html
    assert '<h2 id="group-deals">Deals' in html
    assert "Smart City Expo World Congress 2023" in html
    nothing = page(client, "/search/?q=zzzqqq")
    assert "Nothing matches" in nothing


def test_search_finds_a_speaker_by_organisation(client):
    html = page(client, "/search/?q=Shaoxing")
    assert 'href="/speakers/xu-juemin/"' in html


def test_unknown_url_is_friendly_404(client):
    html = page(client, "/no/such/page/", status=404)
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_spanish_pages_and_language_switcher(client):
    html = page(client, "/es/expos/")
    assert '<html lang="es">' in html
    assert "Segunda Exposición Mundial de Comercio Digital" in html
    assert 'href="/expos/" hreflang="en"' in html
    english = page(client, "/expos/?year=2023")
    assert 'href="/es/expos/?year=2023" hreflang="es"' in english


def test_pages_use_only_local_assets(client):
    html = page(client, "/")
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html
    assert "/static/css/site.css" in html


def test_home_lists_the_latest_expos_and_links_to_all(client):
    from expos.views.home import HOME_EXPOS

    assert "All 4 expos" not in page(client, "/")  # all four fit
    for year in range(2001, 2001 + HOME_EXPOS):
        factories.ExpoFactory(name=f"Expo of {year}", edition_year=year)
    html = page(client, "/")
    assert html.count('class="card"') == HOME_EXPOS
    assert f"Expo of {2000 + HOME_EXPOS}" in html  # the latest ones
    assert "Smart City Expo World Congress 2023" in html
    assert "Expo of 2001" not in html and "Expo of 2002" not in html
    total = HOME_EXPOS + 4
    assert f'<a href="/expos/">All {total} expos</a>' in html
    assert f"Las {total} expos" in page(client, "/es/")


def test_expo_list_filters_by_attendance_with_a_facet(client):
    html = page(client, "/expos/?attendance=hybrid")
    assert "1 result" in html
    # The filter form offers it, as checkboxes named like the API's parameter.
    assert 'name="attendance" value="hybrid" checked' in html
    # Labelled "Format", as on the expo's page and in the API (the parameter keeps its name).
    assert "Format" in html and "Attendance" not in html and "Hybrid (online and in person)" in html
    spanish = page(client, "/es/expos/?attendance=in_person")  # and the hybrid one
    assert "2 resultados" in spanish and "Formato" in spanish and "Presencial" in spanish
    assert "Modalidad" not in spanish


def test_expo_list_still_reads_format_as_attendance(client):
    assert "2 results" in page(client, "/expos/?format=in_person")
    assert "4 results" in page(client, "/expos/?attendance=&format=")


def test_expo_list_filters_synthetic_records(client):
    generated = factories.ExpoFactory(synthetic=True, name="Load test expo")
    assert generated.name in page(client, "/expos/?synthetic=true")
    assert generated.name not in page(client, "/expos/?synthetic=false")
    html = page(client, "/expos/?synthetic=perhaps", status=400)
    assert "<strong>Synthetic (load-test) records</strong>" in html
