"""`make loadtest`: a mixed read load on a server running on this machine, and what it answered.

    python -m bench.loadtest [--url http://127.0.0.1:8000] [--connections 64] [--seconds 30]
                             [--mix standard|costly]

Each connection is a thread with one keep-alive HTTP connection that requests, in turn, the
requests of the mix. The standard mix is the pages in both languages, a search, API lists with
filters, detail pages and API details (of records the API lists when the run starts), a CSV
download and the liveness check. The costly mix is the most expensive requests a client can
make without signing in: every facet of every list that has facets, `expand=` of every
expandable list, many-word and broad searches, the schema, the CSV, NDJSON and iCalendar
downloads, and cursor walks to the end of a list; page sizes vary from request to request, so
that the API's response cache cannot answer them.

Beside the load, one more connection asks for the liveness check (/health/live/) every
LIVENESS_INTERVAL seconds: how long a load balancer would wait to hear that the server is
alive. It prints requests per second, how many answers were not 2xx (by status; 429s are the
throttle doing its job), and the latency percentiles and maximum of each kind. It exits 1 if
any answer was neither 2xx nor 429, or if a liveness check took LIVENESS_LIMIT seconds or more.

Only a loopback address is ever loaded: this is a tool to measure one's own server, and
every loop is bounded in time and in count. The server is not started here: run `make serve`
first (see docs/benchmark.md, "Load test"). Standard library only.
"""

import argparse
import http.client
import ipaddress
import json
import math
import os
import socket
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.loadmix import DETAILS, MIXES

DEFAULT_URL = "http://127.0.0.1:8000"
MAX_CONNECTIONS = 512
MAX_SECONDS = 3600
REQUEST_TIMEOUT = 30
# A connection never makes more requests than this per second of the run, whatever happens.
MAX_REQUESTS_PER_SECOND = 5000

MAX_WALK_PAGES = 100
LIVENESS_PATH = "/health/live/"
LIVENESS_INTERVAL = 0.25
LIVENESS_LIMIT = 1.0


class Refused(ValueError):
    """Arguments the load test will not run with."""


@dataclass
class Target:
    host: str
    port: int


@dataclass
class Tally:
    """What one connection saw: statuses (or error names) and latencies by kind."""

    statuses: Counter = field(default_factory=Counter)
    latencies: dict = field(default_factory=dict)

    def add(self, kind, status, seconds):
        self.statuses[status] += 1
        self.latencies.setdefault(kind, []).append(seconds)


def loopback_target(url: str) -> Target:
    """The host and port of `url`, refused unless every address the host names is loopback."""
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise Refused(f"{url!r}: give an http:// URL of this machine, e.g. {DEFAULT_URL}.")
    if parts.path not in ("", "/") or parts.query:
        raise Refused(f"{url!r}: give the server's root, without a path.")
    try:
        port = parts.port or 80
        found = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (ValueError, OSError) as error:
        raise Refused(f"{url!r}: {error}.") from None
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in found}
    if not all(address.is_loopback for address in addresses):
        raise Refused(
            f"{parts.hostname} is not a loopback address ({', '.join(map(str, addresses))}): "
            "the load test only loads a server on this machine."
        )
    return Target(parts.hostname, port)


def bounded(name, value, low, high):
    if not low <= value <= high:
        raise Refused(f"{name} must be between {low} and {high}, not {value}.")
    return value


def arguments(argv=None, environ=os.environ):
    """The run's settings: command line first, then LOADTEST_* variables, then defaults."""

    def number(variable, default):
        try:
            return int(environ.get(variable) or default)
        except ValueError:
            given = environ[variable]
            raise Refused(f"{variable} must be a whole number, not {given!r}.") from None

    parser = argparse.ArgumentParser(prog="python -m bench.loadtest", description=__doc__)
    parser.add_argument("--url", default=environ.get("LOADTEST_URL") or DEFAULT_URL)
    parser.add_argument("--connections", type=int, default=number("LOADTEST_CONNECTIONS", 64))
    parser.add_argument("--seconds", type=int, default=number("LOADTEST_SECONDS", 30))
    parser.add_argument("--mix", default=environ.get("LOADTEST_MIX") or "standard")
    options = parser.parse_args(argv)
    if options.mix not in MIXES:
        raise Refused(
            f"LOADTEST_MIX (--mix) must be one of {', '.join(MIXES)}, not {options.mix!r}."
        )
    bounded("LOADTEST_CONNECTIONS (--connections)", options.connections, 1, MAX_CONNECTIONS)
    bounded("LOADTEST_SECONDS (--seconds)", options.seconds, 1, MAX_SECONDS)
    options.target = loopback_target(options.url)
    return options


class Connection:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, target):
        self.target = target
        self.http = None

    def get(self, path):
        """(status, body) of GET `path`; the body is read whole, a CSV included."""
        for attempt in range(2):
            if self.http is None:
                self.http = http.client.HTTPConnection(
                    self.target.host, self.target.port, timeout=REQUEST_TIMEOUT
                )
            try:
                self.http.request("GET", path, headers={"Accept-Language": "en"})
                response = self.http.getresponse()
                body = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()  # the server closed a kept-alive connection: once more, anew
                if attempt:
                    raise
                continue
            if response.will_close:
                self.close()
            return response.status, body
        raise AssertionError("unreachable")

    def close(self):
        if self.http is not None:
            self.http.close()
            self.http = None


def detail_paths(target) -> list:
    """(kind, path) of the detail pages and API details of the first records the API lists."""
    found = []
    connection = Connection(target)
    try:
        for listing, page, api in DETAILS:
            status, body = connection.get(listing)
            if status != 200:
                continue
            records = json.loads(body).get("results", [])
            for slug in [r["slug"] for r in records if isinstance(r, dict) and "slug" in r][:3]:
                found += [("detail", page.format(slug)), ("api detail", api.format(slug))]
    except (OSError, http.client.HTTPException, ValueError):
        pass  # no details then; the run itself reports the server's errors
    finally:
        connection.close()
    return found


def page_size(count):
    """A page size near the largest (500), different for each of 51 requests in a row."""
    return 450 + count % 51


def request(connection, tally, kind, path):
    """GET `path` and count it under `kind`; its (status, body)."""
    started = time.perf_counter()
    try:
        status, body = connection.get(path)
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        status, body = type(error).__name__, b""
    tally.add(kind, status, time.perf_counter() - started)
    return status, body


def walk(connection, tally, kind, path, deadline):
    """Follow a list's `next` links from `path`, each page counted, to the end of the list,
    MAX_WALK_PAGES pages or the deadline, whichever comes first."""
    for _page in range(MAX_WALK_PAGES):
        status, body = request(connection, tally, kind, path)
        if status != 200 or time.monotonic() >= deadline:
            return
        try:
            following = json.loads(body).get("next")
        except (ValueError, AttributeError):
            return
        if not following:
            return
        parts = urlsplit(following)  # the same server: only the path and query are followed
        path = f"{parts.path}?{parts.query}"


def probe_liveness(target, tally, deadline, path=LIVENESS_PATH):
    """Ask for `path` every LIVENESS_INTERVAL seconds until the deadline, on a connection of
    its own, each answer counted as "liveness"."""
    connection = Connection(target)
    try:
        for _count in range(int(MAX_SECONDS / LIVENESS_INTERVAL) + 1):
            started = time.monotonic()
            if started >= deadline:
                break
            request(connection, tally, "liveness", path)
            time.sleep(max(0.0, LIVENESS_INTERVAL - (time.monotonic() - started)))
    finally:
        connection.close()


def load(target, *, connections, seconds, paths, liveness=None):
    """Run the load: `connections` threads for `seconds`, and with `liveness` (a path) one more
    that probes it (see probe_liveness). Returns (elapsed, Tally)."""
    deadline = time.monotonic() + seconds
    limit = seconds * MAX_REQUESTS_PER_SECOND
    tallies = [Tally() for _ in range(connections + 1)]

    def work(index):
        tally, connection = tallies[index], Connection(target)
        try:
            for count in range(limit):
                if time.monotonic() >= deadline:
                    break
                kind, path = paths[(index + count) % len(paths)]
                path = path.replace("{size}", str(page_size(count)))
                if kind == "cursor walk":
                    walk(connection, tally, kind, path, deadline)
                else:
                    request(connection, tally, kind, path)
        finally:
            connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(connections)]
    if liveness is not None:
        threads.append(
            threading.Thread(
                target=probe_liveness, args=(target, tallies[-1], deadline, liveness), daemon=True
            )
        )
    for thread in threads:
        thread.start()
    for thread in threads:
        # A request in flight at the deadline has REQUEST_TIMEOUT to finish, no more.
        thread.join(timeout=max(0, deadline - time.monotonic()) + REQUEST_TIMEOUT + 5)
    elapsed = time.monotonic() - started
    total = Tally()
    for tally in tallies:
        total.statuses.update(tally.statuses)
        for kind, values in tally.latencies.items():
            total.latencies.setdefault(kind, []).extend(values)
    return elapsed, total


def percentile(values, fraction):
    """The nearest-rank percentile of `values` (a fraction in 0–1)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summary(elapsed, tally) -> dict:
    """The figures of a run: requests, requests/s, non-2xx by status, latency percentiles."""
    every = [s for values in tally.latencies.values() for s in values]
    requests = sum(tally.statuses.values())
    return {
        "seconds": round(elapsed, 2),
        "requests": requests,
        "requests_per_second": round(requests / elapsed, 1) if elapsed else 0.0,
        "non_2xx": {
            str(status): count
            for status, count in sorted(tally.statuses.items(), key=lambda item: str(item[0]))
            if not (isinstance(status, int) and 200 <= status < 300)
        },
        "latency_ms": {
            kind: {
                "requests": len(values),
                "p50": round(percentile(values, 0.5) * 1000, 1),
                "p95": round(percentile(values, 0.95) * 1000, 1),
                "max": round(max(values) * 1000, 1),
            }
            for kind, values in [*sorted(tally.latencies.items()), ("all", every)]
            if values
        },
    }


def report(figures, *, url, connections) -> str:
    lines = [
        f"{figures['requests']} requests in {figures['seconds']} s from {connections} "
        f"connections to {url}: {figures['requests_per_second']} requests/s",
        "non-2xx: " + (", ".join(f"{s} × {n}" for s, n in figures["non_2xx"].items()) or "none"),
        f"{'latency (ms)':<14}{'requests':>10}{'p50':>10}{'p95':>10}{'max':>10}",
    ]
    for kind, row in figures["latency_ms"].items():
        lines.append(
            f"{kind:<14}{row['requests']:>10}{row['p50']:>10}{row['p95']:>10}{row['max']:>10}"
        )
    return "\n".join(lines)


def slow_liveness(figures):
    """The slowest liveness check in ms if it took LIVENESS_LIMIT or more, else None."""
    slowest = figures["latency_ms"].get("liveness", {}).get("max", 0)
    return slowest if slowest >= LIVENESS_LIMIT * 1000 else None


def main(argv=None, environ=os.environ):
    try:
        options = arguments(argv, environ)
    except Refused as refused:
        print(f"loadtest: {refused}", file=sys.stderr)
        return 2
    paths = MIXES[options.mix]
    if options.mix == "standard":
        paths = paths + detail_paths(options.target)
    elapsed, tally = load(
        options.target,
        connections=options.connections,
        seconds=options.seconds,
        paths=paths,
        liveness=LIVENESS_PATH,
    )
    figures = summary(elapsed, tally)
    print(report(figures, url=options.url, connections=options.connections))
    unexpected = {s: n for s, n in figures["non_2xx"].items() if s != "429"}
    slowest = slow_liveness(figures)
    if slowest is not None:
        print(f"liveness took {slowest} ms, over the {LIVENESS_LIMIT:g} s limit", file=sys.stderr)
    return 1 if unexpected or slowest is not None else 0


if __name__ == "__main__":
    sys.exit(main())
