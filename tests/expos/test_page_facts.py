"""What the home, expo and forum pages, their downloads and calendars say about the seed, in
English and Spanish: one search box, charts that never cut a tie, undated expos last, an
expo's exhibitors with those of the expos held within it, figures beside the rows the directory
lists, each place and term once, speakers with their organisation, downloads with every column
their table shows, and calendars of whole days."""

import re

import pytest
from django.utils import translation
from icalendar import Calendar

from expos.views.home import bar_chart
from tests.pages import csv_rows, get, page

pytestmark = pytest.mark.usefixtures("seeded")

LANGUAGES = ["en", "es"]
SCEWC = "smart-city-expo-world-congress-2023"
ZHEJIANG = "zhejiang-smart-city-exhibition-spain-2023"
SMART_CHINA = "smart-china-expo-2021"
ROUND_TABLE = "empowering-smart-city-construction-with-digital-technology"
SCO_FORUM = "china-sco-forum-on-the-digital-economy-industry-2021"
ZHEJIANG_FIRMS = [
    "Zhejiang Dahua Technology Co., Ltd.",
    "Hangzhou City Big Data Operation Co., Ltd.",
    "Zhejiang Fangda Zhikong Technology Co., Ltd.",
    "Hangzhou Dayu Optoelectronic Technology Co., Ltd.",
    "Graffiti Intelligence",
    "Cloudwalk Technology",
]


def prefix(language):
    return "" if language == "en" else f"/{language}"


def text(html):
    """The page's words, tags dropped and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace(" ,", ",")


def section(html, start, end):
    return html[html.index(start) : html.index(end, html.index(start))]


# --- Home ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_has_one_search_box_the_search_page_one_and_other_pages_the_headers(client, language):
    home = page(client, f"{prefix(language)}/")
    search = page(client, f"{prefix(language)}/search/?q=dahua")
    expos = page(client, f"{prefix(language)}/expos/")

    assert home.count('role="search"') == 1 and 'id="home-q"' in home
    assert 'id="nav-q"' not in home
    assert search.count('role="search"') == 1 and 'id="search-q"' in search
    assert expos.count('role="search"') == 1 and 'id="nav-q"' in expos


SECTOR_CAPTION = {"en": "Exhibitors by sector", "es": "Expositores por sector"}
COUNTRY_CAPTION = {"en": "Exhibitors by country", "es": "Expositores por país"}
SECTOR_TIE = {
    "en": "All 13 sectors have 1 exhibitor each:",
    "es": "Los 13 sectores tienen 1 expositor cada uno:",
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_sector_chart_of_all_ties_names_every_sector_and_draws_no_bars(client, language):
    html = page(client, f"{prefix(language)}/")
    figures = html.split("<figure")[1:]
    (sector_chart,) = [f for f in figures if SECTOR_CAPTION[language] in f]
    (chart,) = [f for f in figures if COUNTRY_CAPTION[language] in f]

    assert SECTOR_TIE[language] in text(sector_chart)
    assert "<svg" not in sector_chart
    # Every one of the 13, those the alphabetical cut at ten left out among them.
    assert sector_chart.count("<li>") == 13
    for slug in ["zero-carbon", "video-iot", "smart-lighting", "robotics", "digital-twin"]:
        assert f"/sectors/{slug}/" in sector_chart or f"sector={slug}" in sector_chart
    # The country chart differs (China 6, Belarus 1): bars.
    assert "<svg" in chart and "6" in text(chart)


def rows(*values):
    return [(f"r{i}", value, str(value), f"/r{i}") for i, value in enumerate(values)]


def sentences():
    return {
        "all_tied": lambda count, value, shown: f"all {count} at {shown}",
        "tied": lambda count, value, shown: f"{count} tie at {shown}",
    }


def test_bar_chart_never_cuts_within_a_tie():
    chart = bar_chart(rows(9, 8, 7, 6, 5, 4, 3, 2, 1, 1, 1, 1, 0.5), bars=10, **sentences())

    assert [bar["label"] for bar in chart["bars"]] == [f"r{i}" for i in range(8)]
    assert [row["label"] for row in chart["tie"]] == ["r8", "r9", "r10", "r11"]
    assert chart["tie_sentence"] == "4 tie at 1"


def test_bar_chart_of_all_ties_has_no_bars_and_a_chart_that_stops_between_values_no_tie():
    all_tied = bar_chart(rows(1, 1, 1), bars=2, **sentences())
    cut_between = bar_chart(rows(3, 2, 1), bars=2, **sentences())
    one = bar_chart(rows(5), bars=2, **sentences())

    assert all_tied["bars"] == [] and len(all_tied["tie"]) == 3
    assert all_tied["tie_sentence"] == "all 3 at 1"
    assert [bar["value"] for bar in cut_between["bars"]] == ["3", "2"]
    assert cut_between["tie"] == [] and cut_between["tie_sentence"] == ""
    assert [bar["percent"] for bar in one["bars"]] == [100.0]


UNDATED = "global-digital-trade-expo-2"


def expo_order(html):
    slugs = re.findall(r'href="(?:/es)?/expos/([a-z0-9-]+)/"', html)
    return list(dict.fromkeys(slugs))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/", "/expos/", "/expos/?ordering=-date", "/expos/?ordering=date"])
def test_expos_of_unknown_dates_are_listed_last(client, language, url):
    html = page(client, f"{prefix(language)}{url}")
    main = html[html.index('id="main"') :]
    order = expo_order(main)

    assert order.index(UNDATED) > order.index(SMART_CHINA)
    assert order.index(UNDATED) > order.index(ZHEJIANG)


@pytest.mark.parametrize("ordering", ["", "?ordering=-date", "?ordering=-year"])
def test_api_and_download_list_expos_of_unknown_dates_last(client, ordering):
    api = [e["slug"] for e in get(client, f"/api/v1/expos/{ordering}").json()["results"]]
    download = [row[1] for row in csv_rows(get(client, f"/expos/export.csv{ordering}"))[1:]]

    for order in (api, download):
        assert order.index(UNDATED) > order.index(SMART_CHINA)
        assert order.index(UNDATED) > order.index(ZHEJIANG)


# --- Expo pages ------------------------------------------------------------------------------

LISTED = {
    ("en", SCEWC): "The directory lists 9 exhibitors here, the ones the sources name "
    "(6 of them at the expos held within it).",
    ("es", SCEWC): "El directorio recoge aquí 9 expositores, los que nombran las fuentes "
    "(6 de ellos en las exposiciones celebradas dentro de esta).",
    ("en", ZHEJIANG): "The directory lists 6 exhibitors here, the ones the sources name.",
    ("es", ZHEJIANG): "El directorio recoge aquí 6 expositores, los que nombran las fuentes.",
    ("en", SMART_CHINA): "The directory lists 2 exhibitors here, the ones the sources name.",
    ("es", SMART_CHINA): "El directorio recoge aquí 2 expositores, los que nombran las fuentes.",
}
HELD_WITHIN = {"en": "(held within this expo)", "es": "(celebrada dentro de esta exposición)"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_parent_expo_lists_the_exhibitors_of_the_exhibition_held_within_it_marked(client, language):
    html = page(client, f"{prefix(language)}/expos/{SCEWC}/")
    table = section(html, '<table class="results">', "</table>")
    body_rows = table.split("<tr>")[2:]

    names = [row for row in body_rows if any(firm in row for firm in ZHEJIANG_FIRMS)]
    assert len(names) == 6
    for row in names:
        assert HELD_WITHIN[language] in row and f"/expos/{ZHEJIANG}/" in row
    own = [row for row in body_rows if "Microsoft" in row or "Dell" in row]
    assert len(own) == 2 and not any(HELD_WITHIN[language] in row for row in own)
    assert len(body_rows) == 9


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("slug", [SCEWC, ZHEJIANG, SMART_CHINA])
def test_figure_that_counts_exhibitors_says_how_many_the_directory_lists(client, language, slug):
    figures = section(
        page(client, f"{prefix(language)}/expos/{slug}/"), "figures-heading", "</section>"
    )

    assert LISTED[(language, slug)] in text(figures)
    # Once: under the exhibitor or company figure, not under countries or regions.
    assert text(figures).count(LISTED[(language, slug)]) == 1


VENUE = {
    "en": "Barcelona Convention and Exhibition Centre",
    "es": "Centro de Convenciones y Exposiciones de Barcelona",
}


def facts(html):
    return text(section(html, '<dl class="facts">', "</dl>"))


@pytest.mark.parametrize(("language", "country"), [("en", "Spain"), ("es", "España")])
def test_expo_page_names_its_place_and_zone_once(client, language, country):
    html = page(client, f"{prefix(language)}/expos/{ZHEJIANG}/")

    assert facts(html).count(country) == 1
    assert facts(html).count("Europe/Madrid") == 1
    assert facts(html).count(VENUE[language]) == 1


@pytest.mark.parametrize(
    ("language", "term", "other"), [("en", "Format", "Attendance"), ("es", "Formato", "Modalidad")]
)
def test_in_person_online_or_hybrid_is_called_one_thing(client, language, term, other):
    expo_page = page(client, f"{prefix(language)}/expos/{ZHEJIANG}/")
    expo_list = page(client, f"{prefix(language)}/expos/")

    assert f"<dt>{term}</dt>" in expo_page
    assert term in text(section(expo_list, "<aside>", "</aside>"))
    assert other not in expo_list and other not in expo_page


# --- Forum pages -----------------------------------------------------------------------------

SPEAKERS = {
    "en": [
        "President, Zhejiang Fangda Zhikong Technology Co., Ltd.",
        "President, Zhejiang Zhongkong Information Industry Co., Ltd.",
        "Director, Shaoxing Historic City Culture Protection Office",
    ],
    "es": [
        "Presidente, Zhejiang Fangda Zhikong Technology Co., Ltd.",
        "Presidente, Zhejiang Zhongkong Information Industry Co., Ltd.",
        "Director, Oficina de Protección de la Cultura de la Ciudad Histórica de Shaoxing",
    ],
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_forum_page_gives_each_speaker_their_organisation(client, language):
    html = page(client, f"{prefix(language)}/forums/{ROUND_TABLE}/")
    speakers = text(section(html, "speakers-heading", "</section>"))

    for line in SPEAKERS[language]:
        assert line in speakers
    assert 'href="' + prefix(language) + '/exhibitors/zhejiang-fangda-zhikong-technology/"' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_forum_page_links_its_own_whole_day_calendar(client, language):
    html = page(client, f"{prefix(language)}/forums/{ROUND_TABLE}/")
    url = f"{prefix(language)}/forums/{ROUND_TABLE}/calendar.ics"
    assert f'href="{url}"' in html

    response = get(client, url)
    (event,) = Calendar.from_ical(response.content).walk("VEVENT")
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert str(event["DTSTART"].to_ical(), "ascii") == "20231107"
    assert str(event["DTEND"].to_ical(), "ascii") == "20231108"
    assert response["Content-Disposition"] == f'attachment; filename="{ROUND_TABLE}.ics"'


def test_forum_of_unknown_day_has_no_calendar_link_and_an_empty_calendar(client):
    html = page(client, f"/forums/{SCO_FORUM}/")

    assert "calendar.ics" not in html
    assert (
        Calendar.from_ical(get(client, f"/forums/{SCO_FORUM}/calendar.ics").content).walk("VEVENT")
        == []
    )
    assert client.get("/forums/no-such-forum/calendar.ics").status_code == 404


# --- Calendars: whole days, every feed -------------------------------------------------------

FEEDS = [
    "/expos/calendar.ics",
    "/forums/calendar.ics",
    f"/expos/{ZHEJIANG}/calendar.ics",
    f"/expos/{SMART_CHINA}/calendar.ics",
    f"/forums/{ROUND_TABLE}/calendar.ics",
]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", FEEDS)
def test_every_calendar_writes_events_of_known_days_as_whole_days(client, language, url):
    calendar = Calendar.from_ical(get(client, f"{prefix(language)}{url}").content)
    events = calendar.walk("VEVENT")

    assert events
    for event in events:
        for name in ("DTSTART", "DTEND"):
            assert event[name].params.get("VALUE") == "DATE", (url, name)
            assert "TZID" not in event[name].params
        assert (event["DTEND"].dt - event["DTSTART"].dt).days >= 1
    assert calendar.walk("VTIMEZONE") == []


def test_smart_china_expo_is_three_whole_days(client):
    (event,) = Calendar.from_ical(get(client, f"/expos/{SMART_CHINA}/calendar.ics").content).walk(
        "VEVENT"
    )

    assert event["DTSTART"].to_ical() == b"20210823"
    assert event["DTEND"].to_ical() == b"20210826"  # exclusive: the 25th is the last day


# --- Downloads hold every column their table shows ------------------------------------------

# A table's column, and the download's column that holds it.
TABLE_TO_CSV = {
    "Name": "name",
    "Country": "country",
    "Sectors": "sectors",
    "Exhibited at": "exhibited at",
    "Showcased": "showcased",
    "Role": "role",
    "Organisation": "organisation",
    "Deal": "title",
    "Expo": "expo",
    "Projects": "number of projects",
    "Amount": "amount",
}
TABLES = ["/exhibitors/", "/speakers/", "/deals/", f"/expos/{SCEWC}/", f"/expos/{ZHEJIANG}/"]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", TABLES)
def test_download_holds_every_column_its_table_shows(client, language, url):
    html = page(client, f"{prefix(language)}{url}")
    href = re.search(r'<a href="([^"]+)" download>', html).group(1).replace("&amp;", "&")
    table = section(html, '<table class="results">', "</thead>")
    shown = [text(label).strip() for label in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', table)]
    header = csv_rows(get(client, href))[0]

    with translation.override(language):
        expected = {
            translation.gettext(label): translation.gettext(column)
            for label, column in TABLE_TO_CSV.items()
        }
    assert shown
    for label in shown:
        assert expected[label] in header, (label, header)


def test_expo_page_download_holds_its_rows_with_where_and_what_each_showcased(client):
    html = page(client, f"/expos/{SCEWC}/?q=dahua")
    href = re.search(r'<a href="([^"]+)" download>', html).group(1).replace("&amp;", "&")
    assert href == f"/expos/{SCEWC}/exhibitors.csv?q=dahua"

    header, *records = csv_rows(get(client, f"/expos/{SCEWC}/exhibitors.csv"))
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in records}
    assert sorted(by_name) == sorted([*ZHEJIANG_FIRMS, "Dell", "Mastercard", "Microsoft"])
    dahua = by_name["Zhejiang Dahua Technology Co., Ltd."]
    assert dahua["exhibited at"] == (
        "Zhejiang Smart City Exhibition for Commercial Services (Spain) 2023"
    )
    assert dahua["showcased"].startswith("World-leading IoT solutions")
    assert by_name["Dell"]["exhibited at"] == "Smart City Expo World Congress 2023"
    assert by_name["Dell"]["showcased"] == ""
