"""API errors: forged cursors, bodies no parser should choke on, writes in a download format,
and every error (a 500 included) as JSON in the API's error shape."""

import base64
import json

import pytest
from django.test import Client
from rest_framework.test import APIClient

from exhibitors.models import Exhibitor, Sector

pytestmark = pytest.mark.usefixtures("seeded")


def cursor(text):
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "value",
    [
        cursor("p=abc"),
        cursor("p=1.5"),
        cursor("p=99999999999999999999999999"),
        cursor("p=-99999999999999999999999999"),
        cursor("p=1\x00"),
        cursor("o=-1"),
        cursor("o=abc"),
        cursor("r=abc"),
        cursor("o=1&r=1&p=x"),
        "!!!not base64!!!",
        base64.b64encode(b"\xff\xfe").decode(),
        "é",
    ],
)
def test_forged_cursor_is_a_400_naming_cursor(value):
    response = Client(raise_request_exception=False).get("/api/v1/exhibitors/", {"cursor": value})
    assert response.status_code == 400, response.content[:300]
    assert list(response.json()) == ["cursor"]


def test_cursor_walk_still_follows_next_links(client):
    data = client.get("/api/v1/exhibitors/", {"cursor": "", "page_size": 4}).json()
    seen = [row["slug"] for row in data["results"]]
    while data["next"]:
        data = client.get(data["next"]).json()
        seen += [row["slug"] for row in data["results"]]
    assert sorted(seen) == sorted(Exhibitor.objects.values_list("slug", flat=True))
    assert len(seen) == len(set(seen)) == Exhibitor.objects.count()


@pytest.fixture
def writer(admin_user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(admin_user)
    return client


def nested(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000,  # RecursionError in the parser
        nested(900),  # parses at the top level, not within a request
        json.dumps({"name_en": json.loads(nested(40)), "slug": "deep"}),  # parses, then deep
        '{"name_en": "x", "slug": "y", "extra": 1e999}',  # infinity is no number
    ],
)
def test_body_nested_too_deep_or_out_of_range_is_a_400(writer, body):
    before = Sector.objects.count()
    response = writer.post("/api/v1/sectors/", body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "JSON parse error" in response.json()["detail"]
    assert Sector.objects.count() == before


def test_body_of_invalid_utf8_is_a_400(writer):
    response = writer.post(
        "/api/v1/sectors/", b'{"name_en": "\xff\xfe", "slug": "x"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_body_nested_within_the_limit_is_validated_as_usual(writer):
    body = json.dumps({"name_en": json.loads(nested(10)), "slug": "ok"})
    response = writer.post("/api/v1/sectors/", body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()) == ["name_en"]


def sector_nothing_depends_on():
    """A sector that can be deleted: tagged on no exhibitor, expo or deal, given to no area."""
    return Sector.objects.create(name_en="Spare", slug="spare")


DOWNLOAD_FORMATS = [
    ({"format": "csv"}, {}, 400),
    ({"format": "ndjson"}, {}, 400),
    ({}, {"HTTP_ACCEPT": "text/csv"}, 406),
    ({}, {"HTTP_ACCEPT": "application/x-ndjson"}, 406),
]


@pytest.mark.parametrize("query, headers, status", DOWNLOAD_FORMATS)
@pytest.mark.parametrize("method", ["delete", "put", "patch"])
def test_write_asking_for_a_download_format_is_refused_before_it_changes_anything(
    writer, method, query, headers, status
):
    sector = sector_nothing_depends_on()
    url = f"/api/v1/sectors/{sector.slug}/"
    if query:
        url += f"?format={query['format']}"
    payload = {"name_en": "Renamed", "slug": sector.slug}
    response = getattr(writer, method)(url, payload, format="json", **headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if status == 400:
        assert response.json() == {"format": ["Choose one of: json."]}
    else:
        assert "detail" in response.json()
    sector.refresh_from_db()  # still there, unchanged
    assert sector.name_en != "Renamed"


@pytest.mark.parametrize("query, headers, status", DOWNLOAD_FORMATS)
def test_create_asking_for_a_download_format_is_refused_before_it_creates(
    writer, query, headers, status
):
    url = "/api/v1/sectors/" + (f"?format={query['format']}" if query else "")
    response = writer.post(url, {"name_en": "New", "slug": "new"}, format="json", **headers)
    assert response.status_code == status
    assert not Sector.objects.filter(slug="new").exists()


def test_write_answers_in_json(writer):
    sector = sector_nothing_depends_on()
    response = writer.delete(
        f"/api/v1/sectors/{sector.slug}/?format=json", HTTP_ACCEPT="text/csv, */*"
    )
    assert response.status_code == 204
    assert not Sector.objects.filter(pk=sector.pk).exists()


@pytest.fixture
def failing_views(monkeypatch):
    """The sector list and the exhibitor page raise an unexpected error."""
    from expos.api.views import SectorViewSet
    from expos.views.exhibitors import ExhibitorListView

    def fail(*args, **kwargs):
        raise RuntimeError("an unexpected failure")

    monkeypatch.setattr(SectorViewSet, "get_queryset", fail)
    monkeypatch.setattr(ExhibitorListView, "get_queryset", fail)


def test_unhandled_exception_under_api_is_a_json_500(failing_views, caplog):
    response = Client(raise_request_exception=False).get("/api/v1/sectors/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "A server error occurred."}
    assert "an unexpected failure" not in response.content.decode()
    logged = [r for r in caplog.records if r.levelname == "ERROR" and r.exc_info]
    assert logged and "an unexpected failure" in str(logged[0].exc_info[1])


def test_unhandled_exception_on_a_page_is_the_site_s_500_page(failing_views):
    response = Client(raise_request_exception=False).get("/exhibitors/")
    html = response.content.decode()
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    assert "Server error" in html and 'class="site-header"' in html
    assert "an unexpected failure" not in html


def test_500_page_falls_back_to_plain_html_when_the_layout_fails(failing_views, monkeypatch):
    import core.lists.views

    def broken_render(*args, **kwargs):
        raise RuntimeError("the layout is broken too")

    monkeypatch.setattr(core.lists.views, "render", broken_render)
    response = Client(raise_request_exception=False).get("/exhibitors/")
    assert response.status_code == 500
    assert "<h1>Server error</h1>" in response.content.decode()


def test_unknown_api_url_is_a_json_404():
    response = Client().get("/api/v1/no-such-list/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_too_many_parameters_under_api_is_a_json_400(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"p{n}=1" for n in range(20))
    response = Client(raise_request_exception=False).get(f"/api/v1/exhibitors/?{query}")
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}
    page = Client(raise_request_exception=False).get(f"/exhibitors/?{query}")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("options", "/api/docs/", 200),
        ("get", "/api/docs/?format=bogus", 404),
        ("get", "/api/schema/?format=bogus", 404),
    ],
)
def test_docs_and_schema_answer_odd_requests_in_json(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert isinstance(response.json(), dict)
