"""Every add and change form of the admin fits a 1,280 px window, in English and in Spanish:
no form or inline is wider than the window, so nothing (an inline's "Delete?") needs
sideways scrolling.

The models are those the admin index lists to a superuser (admin.site.get_app_list), so a
model registered later is measured too.
"""

import re

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from playwright.sync_api import expect

from exhibitors.models import Exhibitor
from tests.browser.conftest import DEFAULT_VIEWPORT, TIMEOUT_MS

PASSWORD = "a-long-test-password-7Qx"

# What the page is wider than the window by, and what is widest: for the failure message.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map((element) => element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
      + "." + [...element.classList].join("."));
  return {scroll: document.documentElement.scrollWidth, window: width, wide};
}"""


def admin_forms(user):
    """The add form (where adding is allowed) and the first record's change form of every
    model the admin index lists."""
    request = RequestFactory().get("/admin/")
    request.user = user
    paths = []
    for app in admin.site.get_app_list(request):
        for entry in app["models"]:
            if entry.get("add_url"):
                paths.append(entry["add_url"])
            record = entry["model"]._default_manager.order_by("pk").first()
            if record is not None and entry.get("admin_url"):
                paths.append(f"{entry['admin_url']}{record.pk}/change/")
    return paths


def sign_in(page):
    user = get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    page.goto("/admin/login/?next=/admin/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    return user


def too_wide(page, paths):
    """The paths whose page is wider than the window, with what sticks out."""
    found = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("load")
        # A new row in each inline, as an editor adds one: an empty inline is narrower.
        for link in page.locator(".inline-group .add-row a").all():
            link.click()
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > measured["window"]:
            found.append(f"{path}: {measured['scroll']} px in {measured['window']}: {measured}")
    return found


@pytest.fixture
def browser_in(browser, seeded_live_server):
    """A page of a browser set to a language (its Accept-Language), at 1,280 x 800."""
    contexts = []

    def open_page(locale):
        context = browser.new_context(
            base_url=seeded_live_server.url, viewport=DEFAULT_VIEWPORT, locale=locale
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_admin_form_fits_the_window(browser_in, language):
    assert DEFAULT_VIEWPORT == {"width": 1280, "height": 800}
    page = browser_in({"en": "en-US", "es": "es-ES"}[language])
    user = sign_in(page)
    paths = admin_forms(user)
    # Every model of the directory and Django's own: an add and a change form of each.
    assert len(paths) > 30, paths
    exhibitor = Exhibitor.objects.order_by("pk").first()
    assert f"/admin/exhibitors/exhibitor/{exhibitor.pk}/change/" in paths
    problems = too_wide(page, paths)
    assert not problems, "\n".join(problems)
    # The pages were in the language asked for.
    page.goto(paths[0])
    assert page.locator("html").get_attribute("lang") == language


def test_the_measure_can_fail(page):
    sign_in(page)
    page.goto("/admin/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<div id=wide></div>')")
    page.evaluate(
        "Object.assign(document.getElementById('wide').style, {width: '2000px', height: '1em'})"
    )
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] >= 2000 > measured["window"]


# The slug models' add forms, with the field each slug is made from.
SLUG_SOURCES = {
    "/admin/core/source/add/": "title",
    "/admin/exhibitors/sector/add/": "name_en",
    "/admin/exhibitors/exhibitor/add/": "name_en",
    "/admin/expos/exposeries/add/": "name_en",
    "/admin/expos/expo/add/": "name_en",
    "/admin/expos/organisation/add/": "name_en",
    "/admin/expos/forum/add/": "title_en",
    "/admin/expos/speaker/add/": "name",
    "/admin/expos/deal/add/": "title_en",
}


def test_each_slug_is_filled_in_from_the_name_as_it_is_typed(page):
    sign_in(page)
    for path, source in SLUG_SOURCES.items():
        page.goto(path)
        page.locator(f"#id_{source}").fill("Smart Street Lighting 2025")
        page.locator(f"#id_{source}").blur()
        expect(page.locator("#id_slug")).to_have_value("smart-street-lighting-2025")


def test_a_citations_record_is_picked_by_name(page):
    from exhibitors.models import Exhibitor

    exhibitor = Exhibitor.objects.filter(name_en="Dell").get()
    sign_in(page)
    page.goto("/admin/core/citation/add/")
    page.locator(".field-cited_record .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("Dell")
    option = page.locator(".select2-results__option", has_text="Exhibitor: Dell")
    option.click()
    chosen = page.locator("#id_cited_record").input_value()
    assert chosen.endswith(f":{exhibitor.pk}")
    expect(page.locator(".field-cited_record .select2-selection__rendered")).to_have_text(
        re.compile(r"Exhibitor: Dell")
    )
