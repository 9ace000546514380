"""bench/loadtest.py: loopback only, bounded, and its counts add up."""

import pytest

from bench import loadmix, loadtest
from tests.pages import body


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:8000",
        "http://10.1.2.3:8000",
        "http://[2001:db8::1]:8000",
        "https://127.0.0.1:8000",
        "http://127.0.0.1:8000/exhibitors/",
        "ftp://127.0.0.1",
    ],
)
def test_loadtest_refuses_what_is_not_a_loopback_server(url, capsys):
    assert loadtest.main(["--url", url, "--seconds", "1"], environ={}) == 2
    err = capsys.readouterr().err
    assert err.startswith("loadtest: ")
    assert url in err or "not a loopback address" in err


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"LOADTEST_CONNECTIONS": "0"}, "LOADTEST_CONNECTIONS (--connections) must be between 1"),
        ({"LOADTEST_CONNECTIONS": "100000"}, "must be between 1 and 512, not 100000"),
        ({"LOADTEST_SECONDS": "-5"}, "LOADTEST_SECONDS (--seconds) must be between 1 and 3600"),
        ({"LOADTEST_SECONDS": "ten"}, "LOADTEST_SECONDS must be a whole number, not 'ten'"),
    ],
)
def test_loadtest_refuses_unbounded_runs(environ, message, capsys):
    assert loadtest.main([], environ=environ) == 2
    assert message in capsys.readouterr().err


def test_loadtest_takes_its_settings_from_the_environment():
    options = loadtest.arguments(
        [],
        {
            "LOADTEST_CONNECTIONS": "8",
            "LOADTEST_SECONDS": "5",
            "LOADTEST_URL": "http://localhost:9",
        },
    )
    assert (options.connections, options.seconds) == (8, 5)
    assert (options.target.host, options.target.port) == ("localhost", 9)
    defaults = loadtest.arguments([], {})
    assert (defaults.connections, defaults.seconds, defaults.url) == (
        64,
        30,
        "http://127.0.0.1:8000",
    )


def test_percentile_is_the_nearest_rank():
    values = [0.001 * n for n in range(1, 101)]
    assert loadtest.percentile(values, 0.5) == pytest.approx(0.050)
    assert loadtest.percentile(values, 0.95) == pytest.approx(0.095)
    assert loadtest.percentile([0.3], 0.95) == 0.3


@pytest.mark.slow
@pytest.mark.usefixtures("seed_committed", "transactional_db")
def test_loadtest_counts_every_answer_by_status(live_server):
    target = loadtest.loopback_target(live_server.url)
    paths = [("page", "/exhibitors/"), ("missing", "/no-such-page/")]
    details = loadtest.detail_paths(target)
    # Three exhibitors and three expos, each as a page and in the API, and each there.
    assert len(details) == 12
    assert {kind for kind, _path in details} == {"detail", "api detail"}
    connection = loadtest.Connection(target)
    assert [connection.get(path)[0] for _kind, path in details] == [200] * 12
    connection.close()
    elapsed, tally = loadtest.load(target, connections=2, seconds=1, paths=paths)
    figures = loadtest.summary(elapsed, tally)
    assert set(tally.statuses) == {200, 404}
    # Each connection takes the paths in turn: as many of one as of the other, give or take one.
    assert abs(tally.statuses[200] - tally.statuses[404]) <= 2
    assert figures["requests"] == tally.statuses[200] + tally.statuses[404] >= 4
    assert figures["non_2xx"] == {"404": tally.statuses[404]}
    assert figures["requests_per_second"] == pytest.approx(figures["requests"] / elapsed, rel=0.01)
    assert 1 <= elapsed < 1 + loadtest.REQUEST_TIMEOUT
    latency = figures["latency_ms"]
    assert latency["all"]["requests"] == figures["requests"]
    assert latency["page"]["requests"] == tally.statuses[200]
    assert 0 < latency["all"]["p50"] <= latency["all"]["p95"]
    text = loadtest.report(figures, url=live_server.url, connections=2)
    assert f"404 × {tally.statuses[404]}" in text
    assert "requests/s" in text


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("kind", "path"), loadmix.PATHS, ids=[p for _k, p in loadmix.PATHS])
def test_loadtest_mix_is_made_of_pages_that_answer(client, kind, path):
    response = client.get(path)
    assert response.status_code == 200
    assert len(body(response)) > 100 or kind == "health"


def test_loadtest_takes_its_mix_from_the_environment(capsys):
    assert loadtest.arguments([], {"LOADTEST_MIX": "costly"}).mix == "costly"
    assert loadtest.arguments(["--mix", "standard"], {"LOADTEST_MIX": "costly"}).mix == "standard"
    assert loadtest.arguments([], {}).mix == "standard"
    assert loadtest.main(["--mix", "cheap"], environ={}) == 2
    assert "LOADTEST_MIX (--mix) must be one of standard, costly, not 'cheap'" in (
        capsys.readouterr().err
    )


COSTLY = [(kind, path.replace("{size}", "473")) for kind, path in loadmix.COSTLY_PATHS]


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize(("kind", "path"), COSTLY, ids=[p for _k, p in COSTLY])
def test_loadtest_costly_mix_is_made_of_requests_that_answer(client, kind, path):
    response = client.get(path)
    assert response.status_code == 200
    assert len(body(response)) > 100


def test_loadtest_costly_mix_varies_its_page_sizes_within_the_cap():
    sizes = {loadtest.page_size(count) for count in range(200)}
    assert len(sizes) == 51 and min(sizes) == 450 and max(sizes) == 500
    kinds = {kind for kind, _path in loadmix.COSTLY_PATHS}
    assert kinds == {"facets", "expand", "search", "schema", "download", "cursor walk"}


@pytest.mark.slow
@pytest.mark.usefixtures("seed_committed", "transactional_db")
def test_loadtest_walks_cursors_and_probes_liveness_alongside(live_server):
    target = loadtest.loopback_target(live_server.url)
    paths = [("cursor walk", "/api/v1/exhibitors/?cursor=&page_size=4")]
    elapsed, tally = loadtest.load(
        target, connections=1, seconds=2, paths=paths, liveness=loadtest.LIVENESS_PATH
    )
    figures = loadtest.summary(elapsed, tally)
    assert figures["non_2xx"] == {}
    # The seed's 11 exhibitors, 4 a page: each walk is 3 pages, and the last may be cut short
    # by the deadline.
    walked = figures["latency_ms"]["cursor walk"]["requests"]
    assert walked >= 3
    probes = figures["latency_ms"]["liveness"]
    # One probe every LIVENESS_INTERVAL (0.25 s) for 2 s: about 8, never more than 9.
    assert 2 <= probes["requests"] <= 2 / loadtest.LIVENESS_INTERVAL + 1
    assert 0 < probes["p50"] <= probes["p95"] <= probes["max"]
    text = loadtest.report(figures, url=live_server.url, connections=1)
    assert "liveness" in text and "max" in text.splitlines()[2]
    assert loadtest.slow_liveness(figures) is None
    assert loadtest.slow_liveness({"latency_ms": {"liveness": {"max": 1000.0}}}) == 1000.0
