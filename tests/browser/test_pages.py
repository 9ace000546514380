"""The public pages in a real browser: filtering, links, language, CSV, accessibility, layout."""

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.pages import csv_table

DAHUA = "Zhejiang Dahua Technology Co., Ltd."
BELARUS_PARK = "China-Belarus Industrial Park Development Company"
SPAIN_2023 = "Zhejiang Smart City Exhibition for Commercial Services (Spain) 2023"
SPAIN_2023_ES = (
    "Exposición de Ciudades Inteligentes de Zhejiang para Servicios Comerciales (España) 2023"
)
CSV_HEADER = [
    "name",
    "slug",
    "country code",
    "country",
    "province or region",
    "city",
    "sectors",
    "website",
    "description",
]


def result_rows(page):
    return page.locator("table.results tbody tr")


def check_facet_and_wait(page, parameter, value):
    """Click the label of a filter checkbox (opening its facet's "Show more" if it is folded
    there); site.js submits the form on change."""
    checkbox = page.locator(f"input[type=checkbox][name={parameter}][value={value}]")
    folded = page.locator("details.facet-rest:not([open])", has=checkbox)
    if folded.count():
        folded.locator("summary").click()
    label = page.locator(f"label[for='{checkbox.get_attribute('id')}']")
    with page.expect_navigation():
        label.click()
    expect(page).to_have_url(re.compile(rf"[?&]{parameter}={re.escape(value)}(&|$)"))
    expect(page.locator(f"input[name={parameter}][value={value}]")).to_be_checked()


def test_filter_exhibitors_by_country(page):
    page.goto("/exhibitors/")
    expect(page.locator(".result-count")).to_have_text("11 results")
    expect(page.locator("label[for^=f-country-]", has_text="China")).to_contain_text("China (6)")

    check_facet_and_wait(page, "country", "CN")

    expect(page.locator(".result-count")).to_have_text("6 results")
    expect(result_rows(page)).to_have_count(6)
    expect(page.locator("table.results")).not_to_contain_text(BELARUS_PARK)
    for country_cell in result_rows(page).locator("td:nth-child(2)").all_inner_texts():
        assert country_cell.startswith("China"), country_cell


def test_filter_exhibitors_by_sector(page):
    page.goto("/exhibitors/")
    sector = page.locator("input[name=sector][value=video-iot]")
    expect(page.locator(f"label[for='{sector.get_attribute('id')}']")).to_have_text("Video IoT (1)")

    check_facet_and_wait(page, "sector", "video-iot")

    expect(page.locator(".result-count")).to_have_text("1 result")
    expect(result_rows(page)).to_have_count(1)
    expect(result_rows(page).first.locator("th")).to_have_text(DAHUA)


def test_exhibitor_detail_and_its_expo(page):
    page.goto("/exhibitors/")
    page.locator("table.results").get_by_role("link", name=DAHUA, exact=True).click()

    expect(page).to_have_url(re.compile(r"/exhibitors/zhejiang-dahua-technology/$"))
    expect(page.locator("h1")).to_have_text(DAHUA)

    page.locator(".timeline").get_by_role("link", name=SPAIN_2023, exact=True).click()

    expect(page).to_have_url(re.compile(r"/expos/zhejiang-smart-city-exhibition-spain-2023/$"))
    expect(page.locator("h1")).to_have_text(SPAIN_2023)
    expect(page.locator("main time[datetime='2023-11-07']").first).to_have_text("Nov. 7, 2023")
    expect(page.locator("main")).to_contain_text("Nov. 7, 2023")


def test_switch_to_spanish(page):
    page.goto("/exhibitors/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.locator(".languages a[hreflang=es]").click()

    expect(page).to_have_url(re.compile(r"^https?://[^/]+/es/exhibitors/"))
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".languages a[hreflang=es]")).to_have_attribute("aria-current", "true")

    page.goto("/es/expos/zhejiang-smart-city-exhibition-spain-2023/")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator("h1")).to_have_text(SPAIN_2023_ES)

    # And back: the EN link leads to the same page without the prefix.
    page.locator(".languages a[hreflang=en]").click()
    expect(page).to_have_url(re.compile(r"^https?://[^/]+/expos/zhejiang-smart-city-exhibition"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(SPAIN_2023)


def test_download_filtered_csv(page):
    page.goto("/exhibitors/?country=CN")
    expect(page.locator(".result-count")).to_have_text("6 results")
    link = page.get_by_role("link", name="Download these rows as CSV")
    expect(link).to_have_attribute("href", re.compile(r"/exhibitors/export\.csv\?country=CN$"))

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value

    assert download.suggested_filename == "exhibitors.csv"
    raw = Path(download.path()).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the CSV starts with a UTF-8 byte-order mark"
    rows = csv_table(raw)
    header, data = rows[0], rows[1:]
    assert header == CSV_HEADER
    assert len(data) == 6
    code = header.index("country code")
    assert {row[code] for row in data} == {"CN"}
    assert BELARUS_PARK not in {row[0] for row in data}
    assert DAHUA in {row[0] for row in data}


AXE_PAGES = [
    "/",
    "/exhibitors/",
    "/exhibitors/zhejiang-dahua-technology/",
    "/expos/",
    "/expos/smart-china-expo-2021/",
    "/forums/",
    "/speakers/",
    "/deals/",
    "/search/?q=smart",
    "/es/exhibitors/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_violations(page, path):
    response = page.goto(path)
    assert response.status == (404 if path == "/no-such-page/" else 200)
    expect(page.locator("h1")).to_have_count(1)

    assert_no_serious_axe_violations(page, path)


def assert_no_serious_axe_violations(page, label):
    """Run axe-core on the page as it is; fail on a serious or critical violation."""
    results = Axe().run(page)

    violations = results.response["violations"]
    # Every violation is printed (shown with -s, or on failure); serious and critical ones fail.
    for v in violations:
        print(
            f"axe-core on {label}: {v['id']} ({v['impact']}): {v['help']}"
            f" — first node: {v['nodes'][0]['target']} ({len(v['nodes'])} nodes)"
        )
    serious = [v for v in violations if v["impact"] in {"serious", "critical"}]
    report = "\n".join(
        f"  {v['id']} ({v['impact']}): {v['help']} — first node: {v['nodes'][0]['target']}"
        f" ({len(v['nodes'])} nodes) {v['helpUrl']}"
        for v in serious
    )
    assert not serious, f"axe-core on {label}: {len(serious)} serious or critical\n{report}"


@pytest.mark.parametrize("path", ["/", "/exhibitors/"])
def test_no_horizontal_overflow_at_360px(page, path):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(path)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360, f"{path} is {scroll_width}px wide at a 360px viewport"


def test_keyboard_skip_link_and_filter_checkboxes(page):
    page.goto("/exhibitors/")

    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    # Tab on until the first filter checkbox has the focus.
    first_checkbox = page.locator("form.filters input[type=checkbox]").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('form.filters input[type=checkbox]')"):
            break
    else:
        pytest.fail("no filter checkbox receives the focus within 40 presses of Tab")
    expect(first_checkbox).to_be_focused()
    name = first_checkbox.get_attribute("name")
    value = first_checkbox.get_attribute("value")
    expect(first_checkbox).not_to_be_checked()

    # Space toggles it; site.js then submits the form.
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).to_have_url(re.compile(rf"[?&]{name}={re.escape(value)}(&|$)"))
    expect(page.locator(f"input[name={name}][value='{value}']")).to_be_checked()

    # And Space toggles it back off.
    checked = page.locator(f"input[name={name}][value='{value}']")
    checked.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    expect(page).not_to_have_url(re.compile(rf"[?&]{name}={re.escape(value)}(&|$)"))
    expect(checked).not_to_be_checked()


def test_no_request_leaves_the_host(page, seeded_live_server):
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto("/")
    page.wait_for_load_state("networkidle")
    page.goto("/exhibitors/")
    page.wait_for_load_state("networkidle")

    assert any(url.endswith("/static/css/site.css") for url in requested)
    assert any(url.endswith("/static/js/site.js") for url in requested)
    outside = [url for url in requested if not url.startswith(seeded_live_server.url + "/")]
    assert not outside, f"requests to other hosts: {outside}"


SCREENSHOT_PAGES = {
    "home": "/",
    "exhibitor-list": "/exhibitors/",
    "exhibitor-detail": "/exhibitors/zhejiang-dahua-technology/",
}


def test_screenshots(page, screenshots_dir):
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in SCREENSHOT_PAGES.items():
            page.goto(path)
            expect(page.locator("h1")).to_have_count(1)
            target = screenshots_dir / f"{name}-{width}.png"
            page.screenshot(path=target, full_page=True)
            assert target.stat().st_size > 10_000, f"{target} looks empty"
