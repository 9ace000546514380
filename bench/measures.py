"""The measurements over HTTP and in-process, each returning its raw figures (the report turns
them into rows).

Over HTTP against a running Server: latencies (B1, B2, B6), the cursor walk (B3), throughput
(B5, B8), the CSV and NDJSON streams (B10), the peers (P1, P2) and latency under load (B12). In
their own processes: the query counts (B4) and cold facet counts (B11). The import and psql's
own speed are in bench.loading.
"""

import json
import threading
import time
from urllib.parse import urlencode

from bench.databases import (
    django_script,
)
from bench.http import (
    Client,
    compare_throughput,
    concurrent_latency,
    expect,
    latency,
    local_path,
    percentile,
)
from bench.server import rss_kib
from bench.settings import (
    COLD_FACET_REQUESTS,
    CURSOR_DEPTH,
    NDJSON_TIMEOUT,
    PAGE_SIZE,
    STREAM_TIMEOUT,
    TAIL_REQUESTS,
    WALK_SECONDS,
)


def list_paths(country, sector):
    query = urlencode({"country": country, "sector": sector})
    return f"/api/v1/exhibitors/?{query}&page_size={PAGE_SIZE}", f"/exhibitors/?{query}"


def search_path(term):
    return "/api/v1/exhibitors/?" + urlencode({"q": term})


def measure_latencies(server, country, sector, terms):
    """B1, B2 and B6 at one size: {name: seconds}."""
    api, html = list_paths(country, sector)
    client = Client(server.port)
    figures = {"api p50": latency(client, api), "html p50": latency(client, html)}
    for kind, term in terms.items():
        figures[f"search {kind} p95"] = latency(
            client, search_path(term), fraction=0.95, requests=TAIL_REQUESTS
        )
    client.close()
    return figures


# What people type into `q` (B13): company names and words of names, cities, typos, Spanish
# words, several words and phrases, common and rare; from expos/synthetic.py's vocabulary
# and the seed.
SEARCH_TERMS = [
    "minsk", "dahua", "chongqing", "smart city", "smart", "urban", "data", "cloud", "energy",
    "mobility", "traffic", "sensor", "vision", "transit", "parking", "systems", "solutions",
    "technologies", "group", "analytics", "networks", "labs", "berlin", "tokyo", "london",
    "paris", "madrid", "barcelona", "hangzhou", "zhejiang", "moscow", "dubai", "são paulo",
    "sao paulo", "bogota", "istanbul", "kraków", "dahau", "chongquing", "hangzhuo",
    "mobilty", "tecnologias", "soluciones", "energía", "movilidad", "iluminación",
    "gestión", "ciudad inteligente", "señalización", "ingenieria", "smart parking",
    "urban mobility", "data analytics", "traffic light sensors", "zhejiang dahua technology",
    "hikvision", "huawei", "mastercard", "cloudwalk", "graffiti intelligence", "kalo",
    "zentor", "quamar", "kator", "lixvel", "智慧", "杭州", "スマート", "스마트", "умный",
    "مدينة", "έξυπνη", "stadtwerk", "énergie", "città", "smart -city", "energy or water",
]  # fmt: skip
TERM_REQUESTS = 10  # each term's p50, after one warm-up request


def search_answered(response, body, path):
    """Whether a search answered (200), or was refused as too broad (a 400 naming `q`, see
    core.lists.searchwindow.SearchTooBroad); anything else stops the run."""
    if response.status == 400 and "q" in json.loads(body):
        return False
    expect(response, 200, path)
    return True


def measure_search_terms(server):
    """B13: ({term: p50 seconds}, [the terms refused as too broad]) of the API list's search
    for each of SEARCH_TERMS: a refusal is timed as an answer."""
    client = Client(server.port)
    figures, refused = {}, []
    for term in SEARCH_TERMS:
        path = search_path(term)
        response, body, _elapsed = client.get(path)
        if not search_answered(response, body, path):
            refused.append(term)
        samples = []
        for _ in range(TERM_REQUESTS):
            response, body, elapsed = client.get(path)
            search_answered(response, body, path)
            samples.append(elapsed)
        figures[term] = percentile(samples, 0.5)
    client.close()
    return figures, refused


def measure_cursor_walk(server):
    """B3: (first page p50, deep page p50, depth reached, the deep page's path)."""
    client = Client(server.port)
    first = f"/api/v1/exhibitors/?cursor=&page_size={PAGE_SIZE}"
    path, depth, deadline = first, 1, time.monotonic() + WALK_SECONDS
    while depth < CURSOR_DEPTH and time.monotonic() < deadline:
        response, body, _elapsed = client.get(path)
        expect(response, 200, path)
        following = json.loads(body).get("next")
        if not following:
            break
        path, depth = local_path(following), depth + 1
    figures = latency(client, first), latency(client, path), depth, path
    client.close()
    return figures


def measure_throughput(server, country, sector):
    """B5 and B8: requests/s of the API list, of a JSON body as big, and of its 304."""
    api, _html = list_paths(country, sector)
    client = Client(server.port)
    response, body, _elapsed = client.get(api)
    expect(response, 200, api)
    etag = response.getheader("ETag")
    client.close()
    cases = [
        ("api", api, {}, 200),
        ("baseline", f"/bench/json/{len(body)}/", {}, 200),
    ]
    if etag:
        cases.append(("304", api, {"If-None-Match": etag}, 304))
    rates = compare_throughput(server.port, cases, cpu=server.cpu)
    return rates, len(body), etag


def measure_csv_stream(server):
    """B10: the largest growth of a worker's RSS while the full exhibitor CSV streams.

    Returns (growth in MiB, bytes, lines, seconds, whether the whole body was read in time).
    """
    workers = server.workers()
    baseline = {pid: rss_kib(pid) for pid in workers}
    peak = dict(baseline)
    done = threading.Event()

    def poll():
        while not done.wait(0.05):
            for pid in workers:
                value = rss_kib(pid)
                if value is not None:
                    peak[pid] = max(peak[pid], value)

    watcher = threading.Thread(target=poll, daemon=True)
    watcher.start()
    client, size, lines, complete = Client(server.port), 0, 0, False
    path = "/exhibitors/export.csv"
    started = time.monotonic()
    try:
        response, _started = client.get(path, read=False)
        expect(response, 200, path)
        while time.monotonic() - started < STREAM_TIMEOUT:
            chunk = response.read(1 << 16)
            if not chunk:
                complete = True
                break
            size += len(chunk)
            lines += chunk.count(b"\n")
    finally:
        seconds = time.monotonic() - started
        done.set()
        watcher.join()
        client.close()
    growth = max(peak[pid] - baseline[pid] for pid in workers) / 1024
    return growth, size, lines, seconds, complete


QUERY_COUNT_SCRIPT = """
import json, sys
import django
django.setup()
from unittest import mock
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from expos.views.exhibitors import ExhibitorListView

api, html = sys.argv[1], sys.argv[2]
client = Client()

def count(path):
    client.get(path)  # warm: the first request of a process loads more than the rest
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)

counts = {}
for size in (10, 100):
    counts[f"api {size}"] = count(f"{api}&page_size={size}")
    # The page has no page_size parameter: set its page length the way a subclass would.
    with mock.patch.object(ExhibitorListView, "paginate_by", size):
        counts[f"html {size}"] = count(html)
print(json.dumps(counts))
"""


def count_queries(database, country, sector):
    """B4: SQL queries of one list request at 10 and at 100 rows, API and HTML, in-process."""
    query = urlencode({"country": country, "sector": sector})
    return django_script(
        database,
        QUERY_COUNT_SCRIPT,
        f"/api/v1/exhibitors/?{query}",
        f"/exhibitors/?{query}",
        what="Counting queries",
    )


def peer_paths(country, sector):
    """The peers' API list and page (bench.peers), with the same filter as list_paths."""
    query = urlencode({"country": country, "sector": sector})
    return (
        f"/bench/peer/api/exhibitors/?{query}&page_size={PAGE_SIZE}",
        f"/bench/peer/exhibitors/?{query}",
    )


def measure_peers(server, country, sector):
    """P1 and P2 at one size: {name: {"rate": requests/s of CLIENTS clients, "p50": seconds}}
    for the API list, the page and their peers, rounds interleaved."""
    api, html = list_paths(country, sector)
    peer_api, peer_html = peer_paths(country, sector)
    paths = {"api": api, "peer api": peer_api, "html": html, "peer html": peer_html}
    client = Client(server.port)
    p50 = {name: latency(client, path) for name, path in paths.items()}
    client.close()
    rates = compare_throughput(server.port, [(n, p, {}, 200) for n, p in paths.items()])
    return {name: {"rate": rates[name], "p50": p50[name]} for name in paths}


def measure_concurrent(server, country, sector, terms):
    """B12 at one size: p95 in seconds with CLIENTS clients at once, of the API list, the
    page and the search of each term, each request on a connection of its own; and the same
    on kept-alive connections ("<name> kept alive"), shown beside it."""
    api, html = list_paths(country, sector)
    paths = {"api": api, "html": html}
    paths.update({f"search {kind}": search_path(term) for kind, term in terms.items()})
    figures = {}
    for name, path in paths.items():
        figures[name] = concurrent_latency(server.port, path)
        figures[f"{name} kept alive"] = concurrent_latency(server.port, path, keep_alive=True)
    return figures


def measure_computed(server, cursor_path):
    """B5 cursor and B5 detail: requests/s of a cursor page deep in the walk and of an
    exhibitor's detail, each against a JsonResponse of its size (cache off)."""
    client = Client(server.port)
    response, body, _elapsed = client.get(cursor_path)
    expect(response, 200, cursor_path)
    slug = json.loads(body)["results"][0]["slug"]
    detail_path = f"/api/v1/exhibitors/{slug}/"
    response, detail_body, _elapsed = client.get(detail_path)
    expect(response, 200, detail_path)
    client.close()
    cases = [
        ("cursor", cursor_path, {}, 200),
        ("cursor baseline", f"/bench/json/{len(body)}/", {}, 200),
        ("detail", detail_path, {}, 200),
        ("detail baseline", f"/bench/json/{len(detail_body)}/", {}, 200),
    ]
    rates = compare_throughput(server.port, cases, cpu=server.cpu)
    return {**rates, "cursor bytes": len(body), "detail bytes": len(detail_body)}


EXPORT_PATHS = {
    "csv": "/exhibitors/export.csv",
    "ndjson": "/api/v1/exhibitors/?format=ndjson",
}


def measure_ndjson_stream(server):
    """B10 ndjson: (records, seconds, complete) of the API's NDJSON of every exhibitor, read
    for at most NDJSON_TIMEOUT seconds."""
    client, records, complete = Client(server.port), 0, False
    path = EXPORT_PATHS["ndjson"]
    started = time.monotonic()
    try:
        response, _started = client.get(path, read=False)
        expect(response, 200, path)
        while time.monotonic() - started < NDJSON_TIMEOUT:
            chunk = response.read(1 << 16)
            if not chunk:
                complete = True
                break
            records += chunk.count(b"\n")
    finally:
        seconds = time.monotonic() - started
        client.close()
    return records, seconds, complete


COLD_FACETS_SCRIPT = """
import json, statistics, sys, time
import django
django.setup()
from django.test import Client, override_settings

# A cache that keeps nothing: every request counts its facets from the tables (cold), and
# the API's response cache is off (DJANGO_API_CACHE=0).
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
requests = int(sys.argv[1])
figures = {}
with override_settings(CACHES=DUMMY):
    client = Client()
    for name, path in zip(("unfiltered", "filtered"), sys.argv[2:]):
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, (path, response.status_code)
            assert set(response.json()["facets"]) == {"country", "sector", "expo", "year"}
        figures[name] = statistics.median(times)
print(json.dumps(figures))
"""


def measure_cold_facets(database, country, sector):
    """B11: the median seconds of an API list request with facets=country,sector,expo,year
    and an empty cache, unfiltered and with the filter, in-process (Django's test client)."""
    facets = "facets=country,sector,expo,year"
    query = urlencode({"country": country, "sector": sector})
    paths = [f"/api/v1/exhibitors/?{facets}", f"/api/v1/exhibitors/?{facets}&{query}"]
    return django_script(
        database,
        COLD_FACETS_SCRIPT,
        str(COLD_FACET_REQUESTS),
        *paths,
        what="Timing the cold facet counts",
        timeout=900,
    )
