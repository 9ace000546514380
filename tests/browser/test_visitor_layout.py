"""A visitor's layout (issue 21): on a phone the results come before the filters, which fold
behind "Filters (2)"; the header keeps to its width; a long facet shows its first options and
"Show more", never a clipped scroll box; forms and links carry only what was chosen; cards and
pills read well; every list and record page passes axe at both widths, in both languages."""

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.test_pages import assert_no_serious_axe_violations
from tests.pages import LIST_PAGES, RECORD_PAGES

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
TWO_FILTERS = "exhibitors/?country=CN&sector=video-iot"
DAHUA = "Zhejiang Dahua Technology Co., Ltd."
LANGUAGES = [("", "Filters (2)"), ("/es", "Filtros (2)")]


def box(locator):
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def query_pairs(url):
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def assert_no_blank_parameters(url):
    blank = [name for name, value in query_pairs(url) if not value.strip()]
    assert not blank, f"{url} carries blank parameters: {blank}"


@pytest.mark.parametrize(("prefix", "summary"), LANGUAGES)
def test_results_come_first_on_a_phone(page, prefix, summary, screenshots_dir):
    page.set_viewport_size(PHONE)
    page.goto(f"{prefix}/{TWO_FILTERS}")

    panel = page.locator("details.filter-panel")
    expect(panel.locator("> summary")).to_have_text(summary)
    form = page.locator("form.filters")
    expect(form).to_be_hidden()
    first_row = page.locator("table.results tbody tr").first
    expect(first_row).to_contain_text(DAHUA)
    row = box(first_row)
    assert row["y"] + row["height"] <= PHONE["height"], f"the first result ends at {row}"
    page.screenshot(path=screenshots_dir / f"visitor-two-filters{prefix.replace('/', '-')}-390.png")

    # The filters are one tap away, and then lie between the summary and the results.
    panel.locator("> summary").click()
    expect(form).to_be_visible()
    expect(form.locator("input[name=sector][value=video-iot]")).to_be_checked()
    assert box(form)["y"] > box(panel.locator("> summary"))["y"]


def test_without_javascript_too(browser, seeded_live_server):
    """The fold is the page's own <details>: folded on a phone, a sidebar on a wide screen
    (where the browser can style a closed <details>' content, as Chromium does)."""
    context = browser.new_context(base_url=seeded_live_server.url, java_script_enabled=False)
    try:
        page = context.new_page()
        page.set_viewport_size(PHONE)
        page.goto(f"/{TWO_FILTERS}")
        expect(page.locator("details.filter-panel > summary")).to_have_text("Filters (2)")
        expect(page.locator("form.filters")).to_be_hidden()
        expect(page.locator("table.results tbody tr").first).to_be_in_viewport()
        page.set_viewport_size(DESKTOP)
        expect(page.locator("form.filters")).to_be_visible()
        expect(page.locator("details.filter-panel > summary")).to_be_hidden()
        assert box(page.locator("form.filters"))["x"] < box(page.locator("table.results"))["x"]
    finally:
        context.close()


@pytest.mark.parametrize(("prefix", "summary"), LANGUAGES)
def test_no_filter_is_counted_without_one(page, prefix, summary):
    page.set_viewport_size(PHONE)
    page.goto(f"{prefix}/exhibitors/?q=&ordering=")
    expect(page.locator("details.filter-panel > summary")).to_have_text(summary[:-4])


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", ["/exhibitors/", "/deals/", "/expos/smart-china-expo-2021/"])
def test_header_keeps_to_a_phone_width(page, prefix, path):
    page.set_viewport_size(PHONE)
    page.goto(f"{prefix}{path}")

    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    items = page.locator(".site-header a:visible, .site-header input, .site-header button")
    for item in items.all():
        found = box(item)
        assert found["x"] >= 0 and found["x"] + found["width"] <= PHONE["width"], (item, found)

    # EN and ES side by side, on one line, each one line high.
    en, es = (box(page.locator(f".languages a[hreflang={code}]")) for code in ("en", "es"))
    assert abs(en["y"] - es["y"]) < 1, (en, es)
    assert es["x"] >= en["x"] + en["width"], (en, es)
    assert en["height"] < 40 and es["height"] < 40, (en, es)

    # The sections wrap as a block: no line holds a single one of them.
    tops = [round(box(link)["y"]) for link in page.locator(".main-nav ul a").all()]
    lines = [tops.count(top) for top in sorted(set(tops))]
    assert len(lines) <= 2 and min(lines) >= 2, f"sections per line: {lines}"


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_long_facets_show_more_instead_of_clipping(page, prefix, screenshots_dir):
    page.set_viewport_size(DESKTOP)
    page.goto(f"{prefix}/exhibitors/")

    boxes = page.locator("form.filters .facet, form.filters .facet ul")
    assert boxes.count() >= 4
    for facet_box in boxes.all():
        heights = facet_box.evaluate("e => [e.scrollHeight, e.clientHeight]")
        assert heights[0] <= heights[1], f"a facet box is clipped: {heights}"

    sector = page.locator("fieldset.facet", has=page.locator("input[name=sector]"))
    expect(sector.locator("> ul > li")).to_have_count(8)
    more = sector.locator("details.facet-rest")
    folded = more.locator("li")
    count = folded.count()
    assert count > 0
    more_label, fewer_label = (
        ("Mostrar más", "Mostrar menos") if prefix else ("Show more", "Show fewer")
    )
    summary = more.locator("summary")
    expect(summary).to_have_accessible_name(f"{more_label} ({count})")
    expect(folded.first).to_be_hidden()
    summary.click()
    for option in folded.all():
        expect(option).to_be_visible()
    expect(summary).to_have_accessible_name(fewer_label)
    page.screenshot(
        path=screenshots_dir / f"visitor-facets{prefix.replace('/', '-')}-1280.png", full_page=True
    )


def test_a_chosen_option_is_never_folded(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/exhibitors/")
    sector = page.locator("fieldset.facet", has=page.locator("input[name=sector]"))
    last = sector.locator("details.facet-rest input[name=sector]").last
    value = last.get_attribute("value")

    page.goto(f"/exhibitors/?sector={value}")
    chosen = sector.locator(f"input[name=sector][value='{value}']")
    expect(chosen).to_be_checked()
    expect(chosen).to_be_visible()
    expect(sector.locator(f"> ul input[value='{value}']")).to_have_count(1)


def test_the_filter_form_sends_only_what_was_chosen(page):
    page.set_viewport_size(DESKTOP)
    page.goto("/exhibitors/")
    for parameter, value in (("country", "CN"), ("sector", "video-iot")):
        checkbox = page.locator(f"input[name={parameter}][value={value}]")
        with page.expect_navigation():
            page.locator(f"label[for='{checkbox.get_attribute('id')}']").click()
        assert_no_blank_parameters(page.url)
    assert sorted(query_pairs(page.url)) == [("country", "CN"), ("sector", "video-iot")]

    # A chosen order is sent; the default one is not.
    with page.expect_navigation():
        page.locator("#filter-ordering").select_option("-name")
    assert ("ordering", "-name") in query_pairs(page.url)
    with page.expect_navigation():
        page.locator("#filter-ordering").select_option("")
    assert sorted(query_pairs(page.url)) == [("country", "CN"), ("sector", "video-iot")]


@pytest.mark.parametrize("prefix", ["", "/es"])
def test_phone_filters_apply_with_the_button_and_send_only_choices(page, prefix):
    page.set_viewport_size(PHONE)
    page.goto(f"{prefix}/exhibitors/")
    page.locator("details.filter-panel > summary").click()
    for value in ("CN", "BY"):
        checkbox = page.locator(f"input[name=country][value={value}]")
        page.locator(f"label[for='{checkbox.get_attribute('id')}']").click()
    with page.expect_navigation():
        page.locator("form.filters button[type=submit]").click()
    assert sorted(query_pairs(page.url)) == [("country", "BY"), ("country", "CN")]
    expect(page.locator("details.filter-panel > summary")).to_contain_text("(2)")


@pytest.mark.parametrize(
    ("start", "form"),
    [("/exhibitors/", "form.nav-search"), ("/search/", "form.big-search")],
)
def test_search_forms_send_no_blank_query(page, start, form):
    page.goto(start)
    with page.expect_navigation():
        page.locator(f"{form} button[type=submit]").click()
    assert urlsplit(page.url).path == "/search/"
    assert query_pairs(page.url) == []


@pytest.mark.parametrize("path", ["/expos/", "/forums/"])
def test_cards_have_no_gap_above_their_titles(page, path):
    page.goto(path)
    cards = page.locator(".card")
    assert cards.count() > 0
    for card in cards.all():
        gap = card.evaluate(
            """card => card.firstElementChild.getBoundingClientRect().top
                - card.getBoundingClientRect().top - parseFloat(getComputedStyle(card).paddingTop)
                - parseFloat(getComputedStyle(card).borderTopWidth)"""
        )
        assert abs(gap) < 1, f"{gap}px between a card's padding and its title"


def test_wrapped_pills_stay_readable_boxes(page, screenshots_dir):
    page.set_viewport_size(PHONE)
    page.goto("/exhibitors/")
    tags = page.locator("table.results .tag")
    assert tags.count() > 0
    for tag in tags.all():
        radius, line_height = tag.evaluate(
            """t => [parseFloat(getComputedStyle(t).borderTopLeftRadius),
                     parseFloat(getComputedStyle(t).lineHeight)]"""
        )
        # Rounded no more than half a line's box: a wrapped pill is a rounded rectangle.
        assert radius <= line_height, f"a pill's radius {radius}px over its line {line_height}px"
    page.screenshot(path=screenshots_dir / "visitor-pills-390.png", full_page=True)


@pytest.mark.parametrize("prefix", ["", "/es"])
@pytest.mark.parametrize("path", [*LIST_PAGES, *RECORD_PAGES])
def test_list_and_record_pages_pass_axe_at_both_widths(page, prefix, path):
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        response = page.goto(f"{prefix}{path}")
        assert response.status == 200
        assert_no_serious_axe_violations(page, f"{prefix}{path} at {viewport['width']}px")
    # And with every fold open (the filters, "Show more", the sources).
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert_no_serious_axe_violations(page, f"{prefix}{path} unfolded")


SCREENSHOTS = {
    "exhibitors": "/exhibitors/",
    "expos": "/expos/",
    "deals": "/deals/",
    "expo-detail": "/expos/smart-china-expo-2021/",
    "es-exhibitors": "/es/exhibitors/?country=CN&sector=video-iot",
}


def test_layout_screenshots(page, screenshots_dir):
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for name, path in SCREENSHOTS.items():
            page.goto(path)
            target = screenshots_dir / f"visitor-{name}-{viewport['width']}.png"
            page.screenshot(path=target, full_page=True)
            assert target.stat().st_size > 10_000, f"{target} looks empty"
    page.emulate_media(media="print")
    page.goto("/exhibitors/?country=CN")
    expect(page.locator("form.filters")).to_be_hidden()
    expect(page.locator(".main-nav")).to_be_hidden()
    page.screenshot(path=screenshots_dir / "visitor-exhibitors-print.png", full_page=True)
    assert re.search(r"China", page.locator("table.results").inner_text())
