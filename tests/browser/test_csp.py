"""The Content-Security-Policy holds in a real browser: no page breaks it.

Every public page in both languages, the API docs (Swagger UI) and the admin's main pages,
signed in, are opened in Chromium under the policy the site sends. A `securitypolicyviolation`
event, a console message about the Content-Security-Policy or the Permissions-Policy, or a
script error on any of them fails the test, with every offender listed.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from exhibitors.models import Exhibitor, Sector
from expos.models import Deal, Expo, Forum, Speaker

PASSWORD = "a-long-test-password-7Qx"

# Reports each violation to the test, on every page the context opens, before any page script.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation({
    page: location.pathname + location.search,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
});
"""
POLICY_MESSAGE = re.compile(r"Content Security Policy|Permissions-Policy|Permissions Policy", re.I)


class PolicyWatch:
    """What the browser said against the policies while the test ran."""

    def __init__(self, page):
        self.problems = []
        page.expose_function("reportCspViolation", self.violation)
        page.add_init_script(REPORT_VIOLATIONS)
        page.on("console", self.console)
        page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))

    def violation(self, report):
        self.problems.append(
            f"{report['page']}: {report['directive']} blocked {report['blocked'] or 'inline'}"
            f" (from {report['source']}) {report['sample']!r}"
        )

    def console(self, message):
        if message.type in {"error", "warning"} and POLICY_MESSAGE.search(message.text):
            self.problems.append(f"{message.location.get('url')}: console: {message.text}")

    def visit(self, page, path, status=200):
        response = page.goto(path)
        assert response.status == status, path
        assert response.headers["content-security-policy"], path
        # Violations are reported asynchronously; a late one belongs to this page.
        page.wait_for_load_state("networkidle")

    def assert_clean(self):
        problems = list(dict.fromkeys(self.problems))  # each once, in order
        assert not problems, "\n".join([f"{len(problems)} policy problems:", *problems])


@pytest.fixture
def watch(page):
    return PolicyWatch(page)


def public_paths():
    details = [
        Exhibitor.objects.filter(participations__isnull=False).first(),
        Expo.objects.filter(participations__isnull=False).first(),
        Forum.objects.first(),
        Speaker.objects.first(),
        Deal.objects.first(),
    ]
    sector = Sector.objects.first()
    paths = [
        "/",
        "/exhibitors/",
        f"/exhibitors/?sector={sector.slug}&ordering=-name",
        "/expos/",
        "/forums/",
        "/speakers/",
        "/deals/",
        "/search/?q=smart",
        *(record.get_absolute_url() for record in details),
    ]
    return paths


def test_watch_reports_an_inline_style(page, watch):
    # The check must be able to fail: markup with a style attribute breaks style-src.
    watch.visit(page, "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_timeout(0)
    page.wait_for_load_state("networkidle")
    assert any("style-src" in problem for problem in watch.problems), watch.problems


@pytest.mark.slow
def test_public_pages_in_both_languages_keep_to_the_policy(page, watch):
    for path in public_paths():
        watch.visit(page, path)
        watch.visit(page, "/es" + path)
    watch.visit(page, "/no-such-page/", status=404)
    watch.visit(page, "/es/no-such-page/", status=404)
    # The API opened in a browser: its root and a list.
    watch.visit(page, "/api/v1/")
    watch.visit(page, "/api/v1/exhibitors/?page_size=2")
    watch.assert_clean()


def test_api_docs_render_under_the_policy(page, watch):
    watch.visit(page, "/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Smart-city expo directory")
    # Open an operation and call it from the page: Swagger UI's own requests are allowed.
    operation = page.locator("#operations-exhibitors-exhibitors_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    with page.expect_response(re.compile(r"/api/v1/exhibitors/")) as answer:
        operation.get_by_role("button", name="Execute").click()
    assert answer.value.status == 200
    expect(operation.locator(".responses-wrapper .live-responses-table")).to_contain_text("200")
    watch.assert_clean()


def sign_in(page, watch):
    get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)
    watch.visit(page, "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.mark.slow
def test_admin_pages_keep_to_the_policy(page, watch):
    sign_in(page, watch)
    expo = Expo.objects.filter(participations__isnull=False).first()
    exhibitor = Exhibitor.objects.first()
    for path in [
        "/admin/",
        "/admin/expos/",
        "/admin/exhibitors/sector/",
        "/admin/exhibitors/exhibitor/",
        f"/admin/exhibitors/exhibitor/?q=a&country={exhibitor.country.code}",
        "/admin/expos/expo/",
        f"/admin/expos/expo/?edition_year={expo.edition_year}",
        "/admin/expos/participation/",
        "/admin/expos/forum/",
        "/admin/expos/deal/",
        "/admin/core/source/",
        "/admin/core/citation/",
        "/admin/auth/user/",
        "/admin/axes/accessattempt/",
        f"/admin/exhibitors/exhibitor/{exhibitor.pk}/change/",
        f"/admin/expos/expo/{expo.pk}/history/",
        f"/admin/expos/expo/{expo.pk}/delete/",
        "/admin/expos/expo/recover/",
        "/admin/exhibitors/sector/add/",
        "/admin/password_change/",
    ]:
        watch.visit(page, path)

    # The change form with its inlines: add a participation row, pick an exhibitor from the
    # autocomplete, and fill the slug from the name on the add form.
    watch.visit(page, f"/admin/expos/expo/{expo.pk}/change/")
    page.locator("#participations-group .add-row a").click()
    row = page.locator("#participations-group tr.form-row.dynamic-participations").last
    row.locator(".field-exhibitor .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill("a")
    expect(page.locator(".select2-results__option").first).not_to_have_text("Searching…")
    page.keyboard.press("Escape")
    # The date picker, which the admin's script draws and places itself.
    link = page.locator(".field-start_date .datetimeshortcuts a[id^=calendarlink]")
    number = link.get_attribute("id").removeprefix("calendarlink")
    link.click()
    expect(page.locator(f"#calendarbox{number}")).to_be_visible()
    # The admin's "actions" bar and the date drill-down on the change list.
    watch.visit(page, "/admin/expos/expo/")
    page.locator("#changelist-form input.action-select").first.check()
    expect(page.locator(".actions .action-counter")).to_contain_text("1 of")
    watch.visit(page, "/admin/exhibitors/sector/add/")
    page.locator("#id_name_en").fill("Street lighting")
    page.locator("#id_name_en").blur()
    expect(page.locator("#id_slug")).to_have_value("street-lighting")
    page.wait_for_load_state("networkidle")
    watch.assert_clean()
