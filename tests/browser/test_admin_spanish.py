"""The admin in Spanish, in a real browser: for a browser that asks for Spanish, and after the
site's language switch was set to ES."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEFAULT_VIEWPORT, TIMEOUT_MS


@pytest.fixture
def editor(seeded_live_server, django_user_model):
    django_user_model.objects.create_superuser("editor", password="a long pass phrase")
    return seeded_live_server


def browser_page(browser, server, locale):
    context = browser.new_context(base_url=server.url, viewport=DEFAULT_VIEWPORT, locale=locale)
    context.set_default_timeout(TIMEOUT_MS)
    return context, context.new_page()


def sign_in(page):
    page.goto("/admin/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill("a long pass phrase")
    page.locator("#login-form [type=submit]").click()


def test_admin_is_spanish_for_a_spanish_browser(browser, editor):
    context, page = browser_page(browser, editor, "es-ES")
    try:
        page.goto("/admin/login/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("label[for=id_username]")).to_have_text("Nombre de usuario:")
        sign_in(page)
        expect(page.locator("#content h1")).to_have_text("Sitio administrativo")
        expect(page.locator("#content-main .app-exhibitors caption")).to_have_text("Expositores")
        expect(page.locator("#content-main a[href='/admin/expos/expo/']").first).to_have_text(
            "Exposiciones"
        )
        expect(page.locator("#access-apps-title")).to_have_text("Acceso y seguridad")
    finally:
        context.close()


def test_admin_follows_the_sites_switch(browser, editor):
    context, page = browser_page(browser, editor, "en-US")
    try:
        sign_in(page)
        expect(page.locator("#content h1")).to_have_text("Site administration")

        page.goto("/exhibitors/")
        page.locator(".languages a[hreflang=es]").click()
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.goto("/admin/")
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("#content h1")).to_have_text("Sitio administrativo")
        expect(page.locator("#content-main .app-expos caption")).to_have_text("Exposiciones")

        page.goto("/es/exhibitors/")
        page.locator(".languages a[hreflang=en]").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        page.goto("/admin/")
        expect(page.locator("#content h1")).to_have_text("Site administration")
    finally:
        context.close()
