"""What the API list's records path buys (R1, R2): the p50 of a page of the exhibitor list with
its records' statement prepared ÷ not prepared, and written by PostgreSQL ÷ by DRF's
serializers, each pair measured in the same run over HTTP.

Three `make serve` of the same database run side by side, each in its own environment
(VARIANTS): "prepared" as deployed; "unprepared" with DJANGO_PREPARED_STATEMENTS=0 (the
statement bound on the client, parsed and planned by every request); "drf" with
DJANGO_API_RECORDS_SQL=0 (the serializers write every record, the path `?expand=` takes). The
API's response cache is off on all three. A server reads its environment once, as it starts:
no variant is switched inside a running server.

One client asks each server in turn, on a kept-alive connection of its own, in rounds whose
order alternates (prepared, unprepared, drf; then drf, unprepared, prepared…), so that a slow
moment of the machine lands on every variant; only one server works at a time. A variant's
figure is the median of its rounds' p50s. Each round's first request is not timed: it opens
the connection again if the server closed it while the others were measured.

Warm before the rounds, by RECORDS_WARMUP requests of each path on each server, each on a
connection of its own (so that both workers answer some): each server process has compiled the
records' statement (core.api.records.RecordQuery) and remembered which sectors a filter names
(core.changelog.dataversion.remembered), the count's estimate is in the cache (Redis, shared,
or each server's local memory), the prepared server's pooled connections have prepared the
statement, and the tables' pages are in PostgreSQL's shared buffers, shared by the three. The
three servers must answer each path with the same JSON (asked with the same Host, since the
records' URLs are absolute), or the run stops: the variants do the same work.
"""

import json
import os
import statistics
import sys
import time
from contextlib import ExitStack
from urllib.parse import urlencode

from bench.http import Client, expect, percentile
from bench.report import fig, ms, ratio_row
from bench.server import Server
from bench.settings import (
    RECORDS_PAGE_SIZE,
    RECORDS_REQUESTS,
    RECORDS_ROUNDS,
    RECORDS_WARMUP,
    ROUND_SECONDS,
    USE_REDIS,
    label,
    say,
)

VARIANTS = {
    "prepared": {},
    "unprepared": {"DJANGO_PREPARED_STATEMENTS": "0"},
    "drf": {"DJANGO_API_RECORDS_SQL": "0"},
}
# Every server is asked as one site: the records' absolute URLs are then the same text.
HEADERS = {"Host": "127.0.0.1"}


def records_paths(country, sector):
    """{"plain": the first page of the exhibitor list, "filtered": the same with the filter},
    pages of RECORDS_PAGE_SIZE records."""
    query = urlencode({"country": country, "sector": sector, "page_size": RECORDS_PAGE_SIZE})
    return {
        "plain": f"/api/v1/exhibitors/?page_size={RECORDS_PAGE_SIZE}",
        "filtered": f"/api/v1/exhibitors/?{query}",
    }


def round_order(number):
    """The variants in the order round `number` (from 0) asks them: reversed every other."""
    names = list(VARIANTS)
    return names if number % 2 == 0 else names[::-1]


def differing(bodies):
    """The variants whose body is not the same JSON as the first variant's."""
    parsed = {name: json.loads(body) for name, body in bodies.items()}
    expected = next(iter(parsed.values()))
    return [name for name, body in parsed.items() if body != expected]


def load_average():
    """The 1-minute load average: the machine may be shared, and the figures say how busy."""
    return os.getloadavg()[0]


def warm(port, path):
    """RECORDS_WARMUP requests of `path`, each on a new connection; the last answer's body."""
    for _ in range(RECORDS_WARMUP):
        client = Client(port)
        try:
            response, body, _elapsed = client.get(path, HEADERS)
            expect(response, 200, path)
        finally:
            client.close()
    return body


def timed_round(client, path):
    """One round: (the p50 in seconds, requests timed), after one request not timed."""
    expect(client.get(path, HEADERS)[0], 200, path)
    samples, deadline = [], time.monotonic() + ROUND_SECONDS
    while len(samples) < RECORDS_REQUESTS and time.monotonic() < deadline:
        response, _body, elapsed = client.get(path, HEADERS)
        expect(response, 200, path)
        samples.append(elapsed)
    return percentile(samples, 0.5), len(samples)


def measure_records(database, logs, paths):
    """R1 and R2 at one size, on three servers of `database` (their logs in `logs`):
    {"paths": {name: {"path", "bytes": its body's size, "rounds": {variant: [p50 of each
    round, seconds]}, "requests": {variant: requests timed}}} for each (name, path) of `paths`,
    "load": the 1-minute load average (before, after)}."""
    measured = {
        name: {
            "path": path,
            "rounds": {variant: [] for variant in VARIANTS},
            "requests": dict.fromkeys(VARIANTS, 0),
        }
        for name, path in paths.items()
    }
    before = load_average()
    with ExitStack() as stack:
        servers = {
            variant: stack.enter_context(
                Server(database, logs, api_cache=False, environment=environment, name=variant)
            )
            for variant, environment in VARIANTS.items()
        }
        for name, path in paths.items():
            bodies = {variant: warm(server.port, path) for variant, server in servers.items()}
            if differing(bodies):
                sys.exit(f"{path}: {', '.join(differing(bodies))} answered other JSON")
            measured[name]["bytes"] = len(bodies["prepared"])
        clients = {variant: Client(server.port) for variant, server in servers.items()}
        for client in clients.values():
            stack.callback(client.close)
        for number in range(RECORDS_ROUNDS):
            for name, path in paths.items():
                for variant in round_order(number):
                    p50, requests = timed_round(clients[variant], path)
                    measured[name]["rounds"][variant].append(p50)
                    measured[name]["requests"][variant] += requests
    return {"paths": measured, "load": (before, load_average())}


def summary(figures):
    """One line of what a size gave: each path's medians in ms, and the load average."""
    medians = "; ".join(
        f"{name} "
        + ", ".join(
            f"{variant} {ms(statistics.median(rounds))}" for variant, rounds in f["rounds"].items()
        )
        for name, f in figures["paths"].items()
    )
    before, after = figures["load"]
    return f"{medians}; load average {before:.1f} → {after:.1f}"


def measure_list_records(database, logs, country, sector):
    """measure_records on the exhibitor list's two paths, saying what it does and gave."""
    say(f"{database}: the API list's records path, three servers side by side (R1, R2)")
    figures = measure_records(database, logs, records_paths(country, sector))
    say(f"  {summary(figures)}")
    return figures


# --- Their rows in the report -------------------------------------------------------------


# R1 and R2: (key, what is compared, the variant measured, the variant it is divided by), from
# bench.records.VARIANTS.
RECORDS_RATIOS = [
    ("R1", "records' statement prepared ÷ not prepared", "prepared", "unprepared"),
    ("R2", "records written by PostgreSQL ÷ by DRF's serializers", "prepared", "drf"),
]


def records_rows(f):
    """R1 and R2 at each size of `f` ({size: bench.records.measure_records}), for the list
    and the list with the filter: the medians of the rounds' p50s, divided."""
    rows = []
    for key, what, side, against in RECORDS_RATIOS:
        for size in sorted(f):
            for name, measured in f[size]["paths"].items():
                rounds, requests = measured["rounds"], measured["requests"]
                ours, theirs = (statistics.median(rounds[v]) for v in (side, against))
                each = [a / b for a, b in zip(rounds[side], rounds[against], strict=True)]
                details = (
                    f"{ms(ours)} vs {ms(theirs)}, the median of {len(each)} rounds a variant, "
                    f"alternated ({requests[side]:,} and {requests[against]:,} requests); the "
                    f"rounds' own ratios {fig(min(each))} to {fig(max(each))}, median "
                    f"{fig(statistics.median(each))}; {measured['bytes']:,} bytes"
                )
                if against == "drf":
                    unprepared = statistics.median(rounds["unprepared"])
                    details += f"; not prepared {ms(unprepared)} = {fig(unprepared / theirs)}"
                suffix = "" if name == "plain" else f" {name}"
                shown = "the API list" + ("" if name == "plain" else " with the filter")
                rows.append(ratio_row(
                    f"{key} {label(size)}{suffix}",
                    f"p50 of {shown}, {what} ({label(size)})", ours / theirs, details,
                ))  # fmt: skip
    return rows


def records_context(f):
    """How R1 and R2 were measured, which caches were warm, and how busy the machine was."""
    paths = next(iter(f.values()))["paths"]
    cache = "in Redis, shared by the three" if USE_REDIS else "in each server's local memory"
    loads = ", ".join(
        f"{label(size)} {f[size]['load'][0]:.1f} → {f[size]['load'][1]:.1f}" for size in sorted(f)
    )
    return [
        f"- R1, R2: at {', '.join(label(size) for size in sorted(f))}, three `make serve` of "
        "the same database side by side, the API's response cache off on each: as deployed "
        "(prepared), with `DJANGO_PREPARED_STATEMENTS=0` (not prepared) and with "
        "`DJANGO_API_RECORDS_SQL=0` (DRF's serializers write the records). One client, on a "
        "kept-alive connection a server, asks "
        + " and ".join(f"`{measured['path']}`" for measured in paths.values())
        + f" of each in turn: {RECORDS_ROUNDS} rounds a variant and path of up to "
        f"{RECORDS_REQUESTS} requests or {ROUND_SECONDS} s, each after one request not timed, "
        "their order reversed every other round; a figure is the median of the rounds' p50s. "
        f"Warm caches: {RECORDS_WARMUP} requests of each path on each server before the "
        "rounds, each on a new connection, left the records' statement compiled in each "
        "server process (and prepared on the pooled connections that served it, on the "
        "prepared server), the sectors the filter names remembered by each process, the "
        f"count's estimate in the cache ({cache}), and the tables' pages in PostgreSQL's "
        "shared buffers, shared by the three. The three answered each path with the same "
        f"JSON. The load average (1 min) before and after: {loads}, on {os.cpu_count()} cores.",
    ]
