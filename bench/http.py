"""The client side of the HTTP measurements: a keep-alive client, and latency (percentiles of
rounds, in sequence, or of clients at once), and throughput (requests/s of clients at once, in
threads).

Safe under this name: `python -m bench.run` puts the project, not bench/, on sys.path, so the
`import http.client` below is the standard library's.
"""

import http.client
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from bench.settings import (
    CLIENTS,
    CONCURRENT_REQUESTS,
    CONCURRENT_ROUNDS,
    CONCURRENT_SECONDS,
    LATENCY_REQUESTS,
    REQUEST_TIMEOUT,
    ROUND_SECONDS,
    ROUNDS,
    THROUGHPUT_MAX_REQUESTS,
    THROUGHPUT_ROUNDS,
    THROUGHPUT_SECONDS,
    WARMUP_REQUESTS,
)


class Client:
    """One keep-alive connection to the server; reconnects when the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def get(self, path, headers=None, *, read=True):
        return self.request("GET", path, headers, read=read)

    def request(self, method, path, headers=None, body=None, *, read=True):
        """(response, body, seconds), or (response, started) unread. A request the server
        closed the connection under is sent once more, on a new connection."""
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
                )
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=body, headers=headers or {})
                response = self.connection.getresponse()
                if not read:
                    return response, started
                body = response.read()
            except (http.client.HTTPException, ConnectionError):
                self.close()
                if attempt:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response, body, elapsed
        raise AssertionError("unreachable")

    def close(self):
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def local_path(url):
    """The path and query of an absolute `next` link, to request on our own connection."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def expect(response, status, path):
    if response.status != status:
        raise RuntimeError(f"GET {path} answered {response.status}, expected {status}")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency(client, path, *, fraction=0.5, requests=LATENCY_REQUESTS, status=200):
    """The median over ROUNDS rounds of a percentile of the request time, in seconds."""
    for _ in range(WARMUP_REQUESTS):
        expect(client.get(path)[0], status, path)
    figures = []
    for _ in range(ROUNDS):
        samples, deadline = [], time.monotonic() + ROUND_SECONDS
        while len(samples) < requests and time.monotonic() < deadline:
            response, _body, elapsed = client.get(path)
            expect(response, status, path)
            samples.append(elapsed)
        figures.append(percentile(samples, fraction))
    return statistics.median(figures)


def throughput_round(port, path, headers, status):
    """(requests answered, seconds) of CLIENTS clients at once for THROUGHPUT_SECONDS."""
    stop_at = time.monotonic() + THROUGHPUT_SECONDS
    budget = THROUGHPUT_MAX_REQUESTS // CLIENTS

    def one_client(_):
        client, done = Client(port), 0
        try:
            while done < budget and time.monotonic() < stop_at:
                response, _body, _elapsed = client.get(path, headers)
                expect(response, status, path)
                done += 1
        finally:
            client.close()
        return done

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        done = sum(pool.map(one_client, range(CLIENTS)))
    return done, time.monotonic() - started


def compare_throughput(port, cases, cpu=None):
    """{name: median requests/s} for (name, path, headers, status) cases, rounds interleaved
    so that a slow moment of the machine does not land on one case only. With `cpu` (a
    function giving {part: CPU seconds used so far}, Server.cpu), also "<name> <part> ms":
    the CPU milliseconds each part spent on a request of the case, over all its rounds."""
    for _name, path, headers, status in cases:
        client = Client(port)
        for _ in range(WARMUP_REQUESTS):
            expect(client.get(path, headers)[0], status, path)
        client.close()
    rates = {name: [] for name, *_ in cases}
    spent = {name: {} for name, *_ in cases}
    answered = dict.fromkeys(rates, 0)
    for _ in range(THROUGHPUT_ROUNDS):
        for name, path, headers, status in cases:
            before = cpu() if cpu else {}
            done, seconds = throughput_round(port, path, headers, status)
            rates[name].append(done / seconds)
            answered[name] += done
            for part, used in (cpu() if cpu else {}).items():
                spent[name][part] = spent[name].get(part, 0.0) + used - before[part]
    result = {name: statistics.median(values) for name, values in rates.items()}
    for name, parts in spent.items():
        for part, seconds in parts.items():
            result[f"{name} {part} ms"] = 1000 * seconds / max(answered[name], 1)
    return result


def concurrent_latency(port, path, *, fraction=0.95, status=200, keep_alive=False):
    """The median over CONCURRENT_ROUNDS rounds of a percentile of the request time, with
    CLIENTS clients asking at once (one per server thread), in seconds.

    Each request comes on a connection of its own, unless `keep_alive`: a gunicorn worker
    serves every request of a connection it accepted, and which of the two workers accepts
    each of the 8 connections is chance (from 4 and 4 to 7 and 1), so with kept-alive
    connections the split decided the p95 of a round more than the request did (per-client
    medians of 57 ms and 400 ms in one round, on one database). A new connection is taken by
    whichever worker is free to accept it, as a load balancer in front would spread them.
    """
    client = Client(port)
    for _ in range(WARMUP_REQUESTS):
        expect(client.get(path)[0], status, path)
    client.close()

    def one_client(stop_at):
        client, samples = Client(port), []
        try:
            while len(samples) < CONCURRENT_REQUESTS and time.monotonic() < stop_at:
                response, _body, elapsed = client.get(path)
                expect(response, status, path)
                samples.append(elapsed)
                if not keep_alive:
                    client.close()
        finally:
            client.close()
        return samples

    figures = []
    for _ in range(CONCURRENT_ROUNDS):
        stop_at = time.monotonic() + CONCURRENT_SECONDS
        with ThreadPoolExecutor(CLIENTS) as pool:
            samples = [s for one in pool.map(one_client, [stop_at] * CLIENTS) for s in one]
        figures.append(percentile(samples, fraction))
    return statistics.median(figures)
