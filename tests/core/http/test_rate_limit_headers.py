"""RateLimit headers: every answer to a counted request says the limit, what is left of it and
when the window ends, in every format, on errors, 304s, HEAD and 429s; none where no limit
applies."""

import pytest
from django.test import Client
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]


@pytest.fixture
def anon_rate(monkeypatch):
    def set_rate(rate):
        monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": rate})

    return set_rate


def quota(response):
    return (
        int(response["RateLimit-Limit"]),
        int(response["RateLimit-Remaining"]),
        int(response["RateLimit-Reset"]),
        response["RateLimit-Policy"],
    )


def test_every_api_answer_counts_down_to_a_429_with_retry_after(anon_rate):
    anon_rate("12/min")
    client = APIClient()
    etag = client.get("/api/v1/sectors/")["ETag"]
    answers = {
        "csv": client.get("/api/v1/sectors/?format=csv"),
        "ndjson": client.get("/api/v1/sectors/?format=ndjson"),
        "record csv": client.get("/api/v1/sectors/video-iot/?format=csv"),
        "record": client.get("/api/v1/sectors/video-iot/"),
        "head": client.head("/api/v1/exhibitors/"),
        "304": client.get("/api/v1/sectors/", HTTP_IF_NONE_MATCH=etag),
        "404": client.get("/api/v1/sectors/no-such-sector/"),
        "400": client.get("/api/v1/sectors/?no_such_filter=1"),
        "401": client.get("/api/v1/sectors/", HTTP_AUTHORIZATION="Token not-a-real-token"),
        "root": client.get("/api/v1/"),
        "changes": client.get("/api/v1/changes/"),
    }
    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {
        **dict.fromkeys(["csv", "ndjson", "record csv", "record", "head", "root", "changes"], 200),
        "304": 304,
        "404": 404,
        "400": 400,
        "401": 401,
    }
    quotas = [quota(answer) for answer in answers.values()]
    # The first request (the ETag's) took one: 10 left after the next, then one fewer each.
    assert [remaining for _limit, remaining, _reset, _policy in quotas] == list(range(10, -1, -1))
    assert {(limit, policy) for limit, _remaining, _reset, policy in quotas} == {(12, "12;w=60")}
    assert all(0 < reset <= 60 for _limit, _remaining, reset, _policy in quotas)

    refused = client.get("/api/v1/sectors/?format=ndjson")
    assert refused.status_code == 429
    limit, remaining, reset, _policy = quota(refused)
    assert (limit, remaining) == (12, 0)
    assert int(refused["Retry-After"]) == reset and 0 < reset <= 60
    assert refused.json()["detail"].startswith("Request was throttled.")


def test_no_rate_limit_headers_where_no_limit_applies(anon_rate, django_user_model):
    from rest_framework.authtoken.models import Token

    anon_rate("5/min")
    robot = APIClient()
    token = Token.objects.create(user=django_user_model.objects.create_user("robot"))
    robot.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    answer = robot.get("/api/v1/sectors/")
    assert answer.status_code == 200 and not answer.has_header("RateLimit-Limit")
    assert not Client().get("/health/live/").has_header("RateLimit-Limit")
    anon_rate(None)
    assert not APIClient().get("/api/v1/sectors/").has_header("RateLimit-Remaining")


def test_pages_and_their_downloads_carry_the_page_limit(settings):
    settings.DIRECTORY_PAGE_RATE = "3/min"
    client = Client()
    answers = [client.get(path) for path in ("/exhibitors/", "/es/exhibitors/export.csv")]
    answers.append(client.get("/expos/calendar.ics"))
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [quota(a)[:2] for a in answers] == [(3, 2), (3, 1), (3, 0)]
    refused = client.get("/deals/")
    assert refused.status_code == 429
    assert quota(refused)[:2] == (3, 0)
    assert int(refused["Retry-After"]) == quota(refused)[2]
