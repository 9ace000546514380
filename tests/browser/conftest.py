"""Real-browser tests: the system's Chromium driven by Playwright's sync API against `live_server`.

They launch Debian's `chromium` (or Ubuntu's `chromium-browser`) from PATH, which `make test`
installs where it can (scripts/ensure-chromium); where there is none, Playwright's own build if
`playwright install chromium` downloaded it. A missing Chromium fails the tests: never skips.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import sync_playwright

SYSTEM_CHROMIUM = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent
SCREENSHOTS = HERE / "screenshots"
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Every test in this folder carries the `browser` marker, so `-m "not browser"` leaves
    them out; `make test` runs them all."""
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package", autouse=True)
def allow_database_in_playwright_loop():
    """Playwright's sync API runs an asyncio event loop in the test thread; Django would
    otherwise refuse database access from it. Set for this folder's tests only
    (tests/test_settings.py keeps it out of the deployment check's environment)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for this folder's tests. It ends with them: Playwright's event
    loop stays running in the test thread while it is open, which would turn Django's async
    views (the readiness check) into errors in the tests that run after."""
    with sync_playwright() as playwright:
        executable = next(filter(None, map(shutil.which, SYSTEM_CHROMIUM)), None)
        if executable is None and not Path(playwright.chromium.executable_path).exists():
            pytest.fail(
                "The browser tests need Chromium, which is missing: `make test` installs it "
                "or prints the command that does (scripts/ensure-chromium).",
                pytrace=False,
            )
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    """The live server, its database holding the seed (live_server's tests commit, then flush)."""
    call_command("loaddata", "seed", verbosity=0)
    return live_server


@pytest.fixture
def page(browser, seeded_live_server):
    """A fresh browser context (no cookies) and page, with relative URLs on the live server."""
    context = browser.new_context(
        base_url=seeded_live_server.url,
        viewport=DEFAULT_VIEWPORT,
        locale="en-US",
        accept_downloads=True,
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots_dir():
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
