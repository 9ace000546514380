"""Security headers on every kind of response: the Content-Security-Policy (django-csp) with
no unsafe-inline or unsafe-eval, the Permissions-Policy, and Django's own headers.

The browser side of the policy, that no page breaks it, is tests/browser/test_csp.py.
"""

import re

import pytest
from django.test import Client
from rest_framework.throttling import BaseThrottle

from expos.api.views import ExpoViewSet
from expos.views.expos import ExpoListView
from tests.paths import ROOT

pytestmark = pytest.mark.usefixtures("seeded")

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
# Features no page uses; the header must deny each one (an empty allow-list).
DENIED_FEATURES = {
    "camera",
    "microphone",
    "geolocation",
    "payment",
    "usb",
    "serial",
    "hid",
    "midi",
    "browsing-topics",
    "display-capture",
    "publickey-credentials-get",
}


def fail(*args, **kwargs):
    raise RuntimeError("forced for the test")


class Refuse(BaseThrottle):
    def allow_request(self, request, view):
        return False

    def wait(self):
        return 30


def page_500(client, monkeypatch, settings):
    monkeypatch.setattr(ExpoListView, "get_queryset", fail)
    return Client(raise_request_exception=False).get("/expos/")


def api_500(client, monkeypatch, settings):
    monkeypatch.setattr(ExpoViewSet, "list", fail)
    return Client(raise_request_exception=False).get("/api/v1/expos/")


def api_429(client, monkeypatch, settings):
    monkeypatch.setattr(ExpoViewSet, "get_throttles", lambda self: [Refuse()])
    return client.get("/api/v1/expos/")


def https_redirect(client, monkeypatch, settings):
    settings.SECURE_SSL_REDIRECT = True
    return client.get("/expos/")


def page_429(client, monkeypatch, settings):
    settings.DIRECTORY_PAGE_RATE = "1/min"
    client.get("/expos/")
    return client.get("/expos/")


# What a browser asks for when it opens a link: the API answers JSON, not DRF's HTML page.
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def get(path, **headers):
    return lambda client, monkeypatch, settings: client.get(path, headers=headers)


# kind: (how to get it, status, start of its Content-Type)
RESPONSES = {
    "page": (get("/exhibitors/"), 200, "text/html"),
    "Spanish page": (get("/es/expos/"), 200, "text/html"),
    "detail page": (get("/exhibitors/zhejiang-dahua-technology/"), 200, "text/html"),
    "page CSV": (get("/exhibitors/export.csv"), 200, "text/csv"),
    "calendar": (get("/expos/calendar.ics"), 200, "text/calendar"),
    "API JSON": (get("/api/v1/exhibitors/"), 200, "application/json"),
    "API CSV": (get("/api/v1/exhibitors/?format=csv"), 200, "text/csv"),
    "API NDJSON": (get("/api/v1/exhibitors/?format=ndjson"), 200, "application/x-ndjson"),
    "API root": (get("/api/v1/", Accept=BROWSER_ACCEPT), 200, "application/json"),
    "API docs": (get("/api/docs/"), 200, "text/html"),
    "API docs script": (get("/api/docs/?script="), 200, "application/javascript"),
    "API schema": (get("/api/schema/"), 200, "application/vnd.oai.openapi"),
    "admin login": (get("/admin/login/"), 200, "text/html"),
    "404 page": (get("/no-such-page/"), 404, "text/html"),
    "Spanish 404 page": (get("/es/no-such-page/"), 404, "text/html"),
    "API 404": (get("/api/v1/exhibitors/no-such-exhibitor/"), 404, "application/json"),
    "500 page": (page_500, 500, "text/html"),
    "API 500": (api_500, 500, "application/json"),
    "API 429": (api_429, 429, "application/json"),
    "page 429": (page_429, 429, "text/html"),
    "redirect to sign in": (get("/admin/"), 302, "text/html"),
    "redirect to the slash": (get("/expos"), 301, "text/html"),
    "redirect to HTTPS": (https_redirect, 301, "text/html"),
    "health": (get("/health/live/"), 200, "application/json"),
    "static file": (get("/static/css/site.css"), 200, "text/css"),
}


def parse_policy(header):
    directives = [part.split() for part in header.split(";") if part.strip()]
    return {name: values for name, *values in directives}


@pytest.fixture(params=RESPONSES)
def answer(request, client, monkeypatch, settings):
    fetch, status, content_type = RESPONSES[request.param]
    response = fetch(client, monkeypatch, settings)
    assert response.status_code == status, request.param
    assert response["Content-Type"].startswith(content_type), response["Content-Type"]
    yield response
    response.close()  # a streamed body (a static file, a CSV) holds a file or a cursor


def test_every_response_has_the_site_policy(answer):
    header = answer["Content-Security-Policy"]
    assert "unsafe" not in header
    assert parse_policy(header) == SITE_POLICY


def test_every_response_denies_the_powerful_features(answer):
    features = dict(item.strip().split("=", 1) for item in answer["Permissions-Policy"].split(","))
    assert set(features) >= DENIED_FEATURES
    assert set(features.values()) == {"()"}


def test_every_response_keeps_djangos_security_headers(answer):
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert answer["Referrer-Policy"] == "same-origin"
    assert answer["Cross-Origin-Opener-Policy"] == "same-origin"


def test_pages_refuse_to_be_framed(client):
    for path in ["/", "/api/docs/", "/admin/login/", "/api/v1/"]:
        assert client.get(path)["X-Frame-Options"] == "DENY", path


def test_api_docs_load_their_script_and_style_from_this_site(client):
    html = client.get("/api/docs/").content.decode()

    scripts = re.findall(r"<script\b([^>]*)>", html)
    sources = [re.search(r'src="([^"]+)"', attributes) for attributes in scripts]
    assert all(sources), scripts  # no inline script
    urls = [source[1] for source in sources]
    # Not swagger-ui-standalone-preset.js, which the start-up script does not use.
    assert urls == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/api/docs/?script=",
    ]
    assert "<style" not in html
    assert 'href="/static/css/api-docs.css"' in html
    script = client.get(urls[1])
    assert "SwaggerUIBundle" in script.content.decode()
    assert '"/api/schema/"' in script.content.decode()


INLINE_CODE = re.compile(
    r"<style\b|\sstyle\s*=|\son[a-z]+\s*=|<script\b(?![^>]*\bsrc=)|javascript:", re.IGNORECASE
)


def test_templates_hold_no_inline_script_or_style():
    found = [
        f"{path.relative_to(ROOT)}: {match[0]!r}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for match in INLINE_CODE.finditer(path.read_text())
    ]
    assert not found, found
