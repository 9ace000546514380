"""Health endpoints for a load balancer: liveness touches nothing, readiness checks the
database and the cache; JSON, never cached, never throttled, translated or signed in."""

import socket

import pytest
from django.core.cache import caches

from tests.config.test_settings import PRODUCTION, run_manage
from tests.core.http.test_outage import database_refused  # noqa: F401 (a fixture)


def test_health_live_answers_without_touching_the_database(client):
    # No `db` fixture: any query here would fail the request.
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.usefixtures("database_refused")
def test_health_live_answers_while_the_database_refuses(client):
    assert client.get("/health/live/").json() == {"status": "ok"}


def test_health_ready_answers_ok_when_database_and_cache_answer(db, client):
    response = client.get("/health/ready/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "checks": {"database": "OK", "cache": "OK"}}
    assert "no-cache" in response["Cache-Control"]
    assert "Retry-After" not in response


@pytest.mark.usefixtures("database_refused")
def test_health_ready_answers_503_when_the_database_refuses(client):
    response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    answer = response.json()
    assert answer["status"] == "unavailable"
    assert answer["checks"]["cache"] == "OK"
    assert answer["checks"]["database"].startswith("Unavailable")
    # What failed, not where: no host or port of the database server.
    assert "127.0.0.1" not in answer["checks"]["database"]


def test_health_ready_answers_503_when_the_cache_is_unreachable(db, client, settings):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        settings.CACHES = {
            "default": {
                "BACKEND": "django_redis.cache.RedisCache",
                "LOCATION": f"redis://127.0.0.1:{closed.getsockname()[1]}/0",
            }
        }
        response = client.get("/health/ready/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    answer = response.json()
    assert answer["status"] == "unavailable"
    assert answer["checks"]["database"] == "OK"
    assert answer["checks"]["cache"] != "OK"
    assert caches["default"].__class__.__name__ == "RedisCache"


@pytest.mark.parametrize("url", ["/es/health/live/", "/es/health/ready/"])
def test_health_endpoints_have_no_language_prefix(client, url):
    assert client.get(url).status_code == 404


def test_health_endpoints_are_not_throttled(db, client, settings):
    settings.DIRECTORY_PAGE_RATE = "2/min"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/min"},
    }
    for _ in range(4):
        assert client.get("/health/live/").status_code == 200
        assert client.get("/health/ready/").status_code == 200
    # The limits are in force: a page is refused by now.
    statuses = [client.get("/exhibitors/").status_code for _ in range(4)]
    assert 429 in statuses


def test_health_check_command_runs_the_readiness_checks():
    result = run_manage(
        "health_check", "health-ready", "--no-http", DJANGO_SETTINGS_MODULE="config.settings.test"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Database(alias='default'): OK" in result.stdout
    assert "Cache(alias='default'): OK" in result.stdout


def test_production_settings_fail_fast_and_let_probes_use_plain_http():
    result = run_manage("diffsettings", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    written = result.stdout
    assert "SECURE_REDIRECT_EXEMPT = ['^health/']" in written
    assert "'timeout': 2.0" in written
    assert "'reconnect_timeout': 2.0" in written
    assert "'CONN_HEALTH_CHECKS': True" in written
    assert "'connect_timeout': 2" in written
