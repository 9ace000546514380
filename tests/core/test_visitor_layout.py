"""A visitor's layout (issue 21), without a browser: the favicon and the print stylesheet, the
links a page builds (no blank parameters), the filter panel's count and a long facet's fold.
The layout itself is checked in a browser: tests/browser/test_visitor_layout.py."""

import html
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.conf import settings
from django.template import Context, Template
from django.test import RequestFactory

from core.templatetags.directory import facet_split
from tests import factories
from tests.pages import LIST_PAGES, RECORD_PAGES, body, get, page

pytestmark = pytest.mark.usefixtures("seeded")

PAGES = ["/", *LIST_PAGES, *RECORD_PAGES]
BLANKS = "q=&ordering=&country=&page="


def hrefs(text):
    return [html.unescape(href) for href in re.findall(r'href="([^"]*)"', text)]


def summary_of(text):
    return re.search(r'<details class="filter-panel"[^>]*>\s*<summary>([^<]*)</summary>', text)[1]


def test_favicon_ico_is_served_at_the_root(client):
    response = get(client, "/favicon.ico")
    assert response["Content-Type"] == "image/x-icon"
    icon = body(response)
    # An ICO header (reserved 0, type 1 icon, one image) holding a 32×32 PNG.
    assert icon[:6] == b"\x00\x00\x01\x00\x01\x00"
    assert icon[6:8] == b"\x20\x20"
    assert icon[22:30] == b"\x89PNG\r\n\x1a\n"
    # WhiteNoise serves it from the same folder under runserver and in production.
    assert (Path(settings.WHITENOISE_ROOT) / "favicon.ico").read_bytes() == icon


def test_svg_favicon_is_a_static_file(client):
    response = get(client, "/static/favicon.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert body(response).startswith(b"<svg")


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_the_icons_and_the_print_stylesheet(client, prefix, path):
    text = page(client, f"{prefix}{path}")
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in text
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in text
    # After the screen stylesheet, so that its rules win on paper.
    assert text.index("css/site.css") < text.index("css/print.css")


def test_print_stylesheet_hides_the_screen_controls_and_writes_out_addresses(client):
    response = get(client, "/static/css/print.css")
    assert response["Content-Type"].startswith("text/css")
    css = body(response).decode()
    hidden = re.search(r"([^{}]*)\{\s*display: none !important;", css)[1]
    for selector in (".main-nav", ".languages", ".filter-panel", ".pagination", ".nav-search"):
        assert selector in hidden, selector
    assert 'a[href^="http"]::after { content: " (" attr(href) ")"' in css
    assert ".results thead { display: table-header-group; }" in css


@pytest.mark.parametrize("path", LIST_PAGES[:-1])
def test_links_a_list_builds_carry_no_blank_parameters(client, path):
    text = page(client, f"{path}?{BLANKS}")
    built = [href for href in hrefs(text) if "?" in href]
    for href in built:
        pairs = parse_qsl(urlsplit(href).query, keep_blank_values=True)
        assert pairs and all(value for _name, value in pairs), href
    # The language switch leads to the same list, without the blanks.
    assert f'href="/es{path}"' in text


def test_csv_and_language_links_keep_the_filters_chosen(client):
    text = page(client, f"/exhibitors/?{BLANKS}&sector=video-iot")
    assert 'href="/exhibitors/export.csv?sector=video-iot"' in text
    assert 'href="/es/exhibitors/?sector=video-iot"' in text
    text = page(client, f"/expos/?{BLANKS}")
    assert 'href="/expos/calendar.ics"' in text
    text = page(client, f"/forums/?{BLANKS}")
    assert 'href="/forums/calendar.ics"' in text


def test_pagination_links_carry_no_blank_parameters(client):
    factories.ExhibitorFactory.create_batch(30)
    text = page(client, "/exhibitors/?q=&country=CN&ordering=")
    assert 'href="?country=CN&amp;page=2" rel="next"' in text
    text = page(client, "/exhibitors/?q=&page=2&ordering=")
    assert 'href="?page=1" rel="prev"' in text


@pytest.mark.parametrize(
    ("query", "changes", "expected"),
    [
        ("q=&country=CN&ordering=&page=1", "page=2", "?country=CN&page=2"),
        ("q=&ordering=", "page=None", ""),
        ("country=CN&country=&q=%20", "", "?country=CN"),
        ("", "page=3", "?page=3"),
    ],
)
def test_chosen_query_is_querystring_without_blanks(query, changes, expected):
    request = RequestFactory().get(f"/exhibitors/?{query}")
    template = Template(f"{{% load directory %}}{{% chosen_query {changes} %}}")
    assert template.render(Context({"request": request})) == expected.replace("&", "&amp;")


@pytest.mark.parametrize(
    ("url", "summary"),
    [
        ("/exhibitors/?country=CN&sector=video-iot", "Filters (2)"),
        ("/es/exhibitors/?country=CN&sector=video-iot", "Filtros (2)"),
        ("/exhibitors/?q=dahua&country=CN&ordering=-name&page=1", "Filters (2)"),
        ("/exhibitors/?q=&ordering=", "Filters"),
        ("/es/expos/", "Filtros"),
        ("/deals/?sector=digital-economy", "Filters (1)"),
    ],
)
def test_filter_panel_is_folded_and_counts_the_filters_on(client, url, summary):
    text = page(client, url)
    assert summary_of(text) == summary
    # Folded in the page (site.js opens it beside the results on a wide screen).
    assert re.search(r'<details class="filter-panel"(?![^>]*\bopen\b)[^>]*>', text)


@pytest.mark.parametrize(("prefix", "label"), [("", "Show more (5)"), ("/es", "Mostrar más (5)")])
def test_a_long_facet_shows_eight_options_and_folds_the_rest(client, prefix, label):
    text = page(client, f"{prefix}/exhibitors/")
    sector = re.search(r'<fieldset class="facet">(?:(?!</fieldset>).)*name="sector"', text, re.S)
    fieldset = text[sector.start() : text.index("</fieldset>", sector.start())]
    first, _sep, rest = fieldset.partition('<details class="facet-rest">')
    assert first.count('type="checkbox"') == 8
    assert rest.count('type="checkbox"') == 5
    assert f'<span class="when-closed">{label}</span>' in rest


def test_facet_split_keeps_every_chosen_option_unfolded():
    options = [{"value": str(i), "selected": i in (0, 1, 2)} for i in range(12)]
    first, rest = facet_split(options, 2)
    assert [o["value"] for o in first] == ["0", "1", "2"]
    assert [o["value"] for o in rest] == [str(i) for i in range(3, 12)]
    first, rest = facet_split(options[3:], 4)
    assert [o["value"] for o in first] == ["3", "4", "5", "6"]
    assert len(rest) == 5
