"""API v1 conditional GET and the response cache, both keyed on the data version."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from core.changelog import dataversion
from exhibitors.models import Exhibitor
from tests.api.helpers import get

pytestmark = pytest.mark.usefixtures("seeded")


def test_conditional_get_on_list_and_detail(client):
    for url in ("/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/"):
        first = get(client, url)
        assert first["ETag"] and first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304


def test_conditional_get_sees_a_change_saved_in_the_orm(client):
    # A record's ETag follows the whole directory's data version, not only the record.
    urls = ("/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/")
    etags = {url: get(client, url)["ETag"] for url in urls}
    exhibitor = Exhibitor.objects.get(slug="graffiti-intelligence")
    exhibitor.description_en = "Changed."
    exhibitor.save()
    for url, etag in etags.items():
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag


def test_conditional_get_is_answered_from_the_data_version(client, django_assert_num_queries):
    for url in ("/api/v1/exhibitors/?country=CN&facets=country", "/api/v1/sectors/video-iot/"):
        etag = get(client, url)["ETag"]
        with django_assert_num_queries(1):  # the data version: nothing over the records
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Parameters are still checked first.
    url = "/api/v1/exhibitors/?country=CN&facets=colour"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 400


def test_etag_and_last_modified_follow_the_data_version(client):
    list_url, detail_url = "/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/"
    first = {url: get(client, url) for url in (list_url, detail_url)}
    # A write outside the ORM, to a record neither answer shows, moves them both.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_source SET publisher = 'Other'"
            " WHERE id = (SELECT min(id) FROM core_source)"
        )
    _, changed = dataversion.current()
    for url, response in first.items():
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 200
        assert again["ETag"] != response["ETag"]
        assert again["Last-Modified"] == http_date(changed.timestamp())


def test_a_repeated_request_is_answered_from_the_cache(client, django_assert_num_queries):
    url = "/api/v1/exhibitors/?country=CN&sector=video-iot&facets=country"
    first = get(client, url)
    with django_assert_num_queries(1):  # the data version
        again = get(client, url)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again["Content-Language"] == "en"
    # Another language, host or format is another answer.
    spanish = get(client, url + "&lang=es").json()
    assert spanish["results"][0]["name"] == spanish["results"][0]["name_es"] or spanish["results"][
        0
    ]["name_es"] in (None, "")
    other_host = get(client, url, HTTP_HOST="localhost").json()
    assert other_host["results"][0]["url"].startswith("http://localhost/")
    # A write moves the data version: the next answer is computed afresh.
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    dahua.name_en = "Dahua Technology"
    dahua.save()
    changed = get(client, url).json()
    assert changed["results"][0]["name"] == "Dahua Technology"


def test_the_response_cache_can_be_turned_off(client, settings, django_assert_num_queries):
    settings.DIRECTORY_API_CACHE = False
    url = "/api/v1/exhibitors/?country=CN&sector=video-iot"
    first = get(client, url)
    with CaptureQueriesContext(connection) as again:
        assert get(client, url).content == first.content
    assert len(again.captured_queries) > 1


def test_a_bad_request_is_never_cached(client):
    url = "/api/v1/exhibitors/?country=ZZ"
    for _ in range(2):
        body = get(client, url, status=400).json()
        assert "country" in body


@pytest.mark.parametrize(
    ("url", "headers", "status"),
    [
        ("/api/v1/exhibitors/no-such-exhibitor/", {"If-None-Match": "*"}, 404),
        (
            "/api/v1/exhibitors/no-such-exhibitor/",
            {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
            404,
        ),
        ("/api/v1/exhibitors/?page=99", {"If-None-Match": "*"}, 404),
        ("/api/v1/exhibitors/?page_size=0", {"If-None-Match": "*"}, 400),
        ("/api/v1/exhibitors/?page_size=0", {"If-Modified-Since": http_date()}, 400),
        ("/api/v1/exhibitors/", {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 200),
    ],
)
def test_conditional_get_is_never_a_304_for_what_does_not_exist(client, url, headers, status):
    response = client.get(url, headers=headers)
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    if status == 200:
        assert response.json()["count"] == Exhibitor.objects.count()
