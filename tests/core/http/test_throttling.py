"""Throttling: an atomic count per client (exact under concurrency, in local memory and in
Redis), bad tokens counted as anonymous requests, and a generous limit on the public pages."""

import gc
import json
import os
import socket
import sys
import threading
import urllib.error
import urllib.request
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache, caches
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from core.http import throttling
from core.http.throttling import PageThrottleMiddleware, count_request, parse_rate
from tests.pages import page

THREADS = 16


@pytest.fixture
def anon_rate(monkeypatch):
    """Set the API's anonymous rate (DRF reads it from a class attribute)."""

    def set_rate(rate):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})

    return set_rate


def hammer(function, calls_each):
    """Call `function` from THREADS threads at once, `calls_each` times each; the results.

    Python switches threads every 5 ms unless told otherwise, longer than a read and a write of
    the cache take in local memory: switching every microsecond lets a count that is not atomic
    show it, as it does between server processes."""
    start = threading.Barrier(THREADS)

    def worker(_):
        start.wait()
        return [function() for _ in range(calls_each)]

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            return [result for results in pool.map(worker, range(THREADS)) for result in results]
    finally:
        sys.setswitchinterval(interval)


def test_parse_rate_reads_drf_spellings():
    assert parse_rate("300/min", "X") == (300, 60)
    assert parse_rate("10/s", "X") == (10, 1)
    assert parse_rate("1000/hour", "X") == (1000, 3600)
    assert parse_rate("5/10m", "X") == (5, 600)
    assert parse_rate("", "X") is None


@pytest.mark.parametrize("rate", ["600", "600/fortnight", "many/min", "0/min"])
def test_parse_rate_names_the_variable_of_a_bad_rate(rate):
    with pytest.raises(ImproperlyConfigured, match=f"DJANGO_PAGE_RATE: '{rate}' is not a rate"):
        parse_rate(rate, "DJANGO_PAGE_RATE")


def test_bad_page_rate_stops_the_server_from_starting(settings):
    settings.DIRECTORY_PAGE_RATE = "600 a minute"
    with pytest.raises(ImproperlyConfigured, match="DJANGO_PAGE_RATE"):
        PageThrottleMiddleware(lambda request: None)


def test_count_request_allows_exactly_the_limit_from_concurrent_threads():
    results = hammer(lambda: count_request("throttle_test_threads", 300, 60)[0], 50)
    assert (results.count(True), results.count(False)) == (300, 500)


def test_count_request_tells_the_seconds_left_in_the_window():
    first = count_request("throttle_test_wait", 1, 60)
    assert (first.allowed, first.wait, first.limit, first.remaining) == (True, 0, 1, 0)
    assert 59 <= first.reset <= 60
    refused = count_request("throttle_test_wait", 1, 60)
    assert (refused.allowed, refused.remaining) == (False, 0)
    assert 59 <= refused.wait <= 60 and refused.wait == refused.reset


def test_count_request_opens_a_new_window_when_the_old_one_ends_before_it_counts(monkeypatch):
    real_incr = throttling.cache.incr
    expired = []

    def incr_after_expiry(key, *args, **kwargs):
        if not expired:
            # The window's key expires between cache.add and cache.incr.
            expired.append(key)
            throttling.cache.delete(key)
        return real_incr(key, *args, **kwargs)

    monkeypatch.setattr(throttling.cache, "incr", incr_after_expiry)
    assert count_request("throttle_test_expiry", 1, 60).allowed
    assert expired == ["throttle_test_expiry"]
    assert cache.get("throttle_test_expiry") % throttling.WINDOW_END == 1


def test_count_request_within_a_window_asks_the_cache_once(monkeypatch):
    calls = []
    for name in ("add", "set", "get", "incr"):
        real = getattr(throttling.cache, name)

        def recorded(*args, _name=name, _real=real, **kwargs):
            calls.append(_name)
            return _real(*args, **kwargs)

        monkeypatch.setattr(throttling.cache, name, recorded)
    key = f"throttle_test_round_trips_{uuid.uuid4().hex}"
    assert count_request(key, 5, 60).remaining == 4
    opening = list(calls)
    calls.clear()
    # The window's end is read from the same counter: RateLimit-Reset costs no round trip.
    second = count_request(key, 5, 60)
    assert second.remaining == 3 and 59 <= second.reset <= 60
    assert opening == ["incr", "add", "incr"]
    assert calls == ["incr"]
    assert cache.get(key) % throttling.WINDOW_END == 2


def test_count_request_lets_requests_through_when_the_cache_is_down(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("cache unreachable")

    monkeypatch.setattr(throttling.cache, "add", down)
    for _ in range(2):
        quota = count_request("throttle_test_down", 1, 60)
        # Let through, and no RateLimit headers: nothing is known of the count.
        assert (quota.allowed, quota.wait, quota.remaining) == (True, 0, None)
    assert "Requests are not counted" in caplog.text


def redis_url():
    """REDIS_URL, or the Redis server CI machines run on 127.0.0.1:6379 if one answers."""
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return None
    return "redis://127.0.0.1:6379/15"


def disconnect():
    """Close the Redis connections of the threads (they share one pool): django-redis's
    close() keeps them open by design, which would leave the sockets to the garbage collector
    (a ResourceWarning)."""
    caches["default"].client.get_client().connection_pool.disconnect()
    # A connection a thread dropped from the pool mid-run (redis-py does on a read error, as
    # on a loaded CI machine) is no longer the pool's to close: collect it here, quietly,
    # rather than at the end of the run, where the warnings-as-errors setting fails the suite.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def test_count_request_on_redis_allows_exactly_the_limit():
    url = redis_url()
    if url is None:
        pytest.skip("no Redis server: REDIS_URL is not set and nothing listens on 127.0.0.1:6379")
    # A prefix of its own, so that nothing else on the server is touched.
    redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}",
    }
    with override_settings(CACHES={"default": redis_cache}):
        shared = caches["default"]
        try:
            results = hammer(lambda: count_request("throttle_test_redis", 300, 60)[0], 50)
            assert shared.ttl("throttle_test_redis") <= 60
        finally:
            shared.delete_many(["throttle_test_redis"])
            disconnect()
    assert (results.count(True), results.count(False)) == (300, 500)


def test_api_throttle_allows_exactly_the_rate_to_concurrent_clients(live_server, anon_rate):
    anon_rate("300/min")

    def get():
        try:
            with urllib.request.urlopen(f"{live_server.url}/api/v1/", timeout=30) as response:
                return response.status, None, None
        except urllib.error.HTTPError as refused:
            return refused.code, refused.headers["Retry-After"], json.loads(refused.read())

    results = hammer(get, 40)
    statuses = [status for status, _, _ in results]
    assert (statuses.count(200), statuses.count(429)) == (300, 340)
    refused = [(wait, body) for status, wait, body in results if status == 429]
    assert all(0 < int(wait) <= 60 for wait, _ in refused)
    assert all("throttled" in body["detail"] for _, body in refused)


@pytest.mark.django_db
def test_api_429_keeps_retry_after_and_the_json_error(anon_rate):
    anon_rate("2/min")
    client = APIClient()
    assert [client.get("/api/v1/sectors/").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/api/v1/sectors/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"].startswith("Request was throttled.")


@pytest.mark.django_db
def test_bad_tokens_are_throttled_after_the_anonymous_rate(anon_rate):
    anon_rate("3/min")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    responses = [client.get("/api/v1/sectors/") for _ in range(5)]
    assert [r.status_code for r in responses] == [401, 401, 401, 429, 429]
    assert responses[0].json() == {"detail": "Invalid token."}
    assert responses[3].json()["detail"].startswith("Request was throttled.")
    assert 0 < int(responses[3]["Retry-After"]) <= 60


@pytest.mark.django_db
def test_bad_tokens_are_not_throttled_when_the_anonymous_rate_is_off(anon_rate):
    anon_rate(None)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert [client.get("/api/v1/").status_code for _ in range(3)] == [401, 401, 401]


@pytest.mark.django_db
def test_bad_tokens_share_the_anonymous_count(anon_rate):
    anon_rate("3/min")
    anonymous, guessing = APIClient(), APIClient()
    guessing.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert [anonymous.get("/api/v1/").status_code for _ in range(2)] == [200, 200]
    assert guessing.get("/api/v1/").status_code == 401
    assert guessing.get("/api/v1/").status_code == 429
    assert anonymous.get("/api/v1/").status_code == 429


@pytest.mark.django_db
def test_a_good_token_is_not_throttled_when_its_address_is(anon_rate, django_user_model):
    from rest_framework.authtoken.models import Token

    anon_rate("1/min")
    anonymous, authenticated = APIClient(), APIClient()
    token = Token.objects.create(user=django_user_model.objects.create_user("robot"))
    authenticated.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert [anonymous.get("/api/v1/").status_code for _ in range(2)] == [200, 429]
    assert [authenticated.get("/api/v1/").status_code for _ in range(3)] == [200, 200, 200]


@pytest.mark.django_db
def test_pages_are_limited_per_client_with_a_styled_429(settings):
    settings.DIRECTORY_PAGE_RATE = "3/min"
    client = Client()
    assert [client.get("/exhibitors/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/exhibitors/")
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    html = refused.content.decode()
    assert "<h1>Too many requests</h1>" in html
    assert "Please wait" in html
    # Another client is counted apart.
    assert Client(REMOTE_ADDR="198.51.100.5").get("/exhibitors/").status_code == 200


@pytest.mark.django_db
def test_page_429_is_in_the_language_of_the_page(settings):
    settings.DIRECTORY_PAGE_RATE = "1/min"
    client = Client()
    client.get("/es/exhibitors/")
    html = page(client, "/es/exhibitors/", status=429)
    assert '<html lang="es">' in html
    assert "<h1>Demasiadas solicitudes</h1>" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/search/?q=dahua",
        "/expos/",
        "/exhibitors/export.csv",
        "/expos/calendar.ics",
        "/forums/calendar.ics",
        "/es/deals/",
    ],
)
def test_page_limit_covers_lists_search_downloads_and_calendars(settings, path):
    settings.DIRECTORY_PAGE_RATE = "1/min"
    client = Client()
    assert client.get("/").status_code == 200
    refused = client.get(path)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


@pytest.mark.django_db
def test_page_limit_leaves_out_admin_api_and_static_files(settings):
    settings.DIRECTORY_PAGE_RATE = "1/min"
    client = Client()
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 429
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/api/v1/").status_code == 200
    static = client.get("/static/css/site.css")
    static.close()
    assert static.status_code == 200
    # A URL that is no page is a 404, not counted.
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.django_db
def test_page_limit_counts_by_client_address_not_forwarded_for(settings):
    settings.DIRECTORY_PAGE_RATE = "2/min"
    client = Client()
    statuses = [
        client.get("/", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(3)
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.django_db
def test_empty_page_rate_turns_the_page_limit_off(settings):
    settings.DIRECTORY_PAGE_RATE = ""
    client = Client()
    assert cache.get("throttle_page_127.0.0.1") is None
    assert [client.get("/").status_code for _ in range(3)] == [200, 200, 200]
    assert cache.get("throttle_page_127.0.0.1") is None
