"""`make bench`: how the directory holds up at a million exhibitors, measured from outside.

1. Loads two databases on a PostgreSQL server (BENCH_DATABASE_URL) with the seed and
   `generate_directory` (BENCH_SIZES exhibitors, 10,000 and 1,000,000 by default), then
   VACUUM ANALYZE.
2. Serves each with `make serve` (gunicorn, production settings) on a free loopback port, with
   DJANGO_ROOT_URLCONF=bench.urls for a baseline JSON view.
3. Measures over HTTP with keep-alive connections (latency: one client in sequence; throughput:
   a few clients at once from threads), every loop bounded in count and in time, and takes
   the median of repeated rounds. Query counts are taken in-process; the import is timed
   against psql's \\copy of the same CSV in a scratch database.
4. Prints the table and writes it, with the machine and the data, to bench/results.md.

Environment: BENCH_DATABASE_URL (a server URL; its database name is not used), BENCH_SIZES,
BENCH_SEED, BENCH_REDIS_URL (the cache, as production would have it; skipped when Redis does
not answer), BENCH_REUSE=1 (keep databases already loaded with the same size and seed, and
only migrate them).
"""

import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SIZES = sorted(int(n) for n in os.environ.get("BENCH_SIZES", "10000,1000000").split(","))
SEED = int(os.environ.get("BENCH_SEED", "1"))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")

# Rounds of each latency measurement; the figure is the median of the rounds' percentiles.
ROUNDS = 5
LATENCY_REQUESTS = 20  # a round, for a median
TAIL_REQUESTS = 40  # a round, for a 95th percentile
ROUND_SECONDS = 6  # a round stops early past this, with fewer requests
WARMUP_REQUESTS = 3
# Throughput: as many clients as the server has threads (make serve: 2 workers × 4 threads).
CLIENTS = 8
THROUGHPUT_ROUNDS = 3
THROUGHPUT_SECONDS = 5
THROUGHPUT_MAX_REQUESTS = 50_000
CURSOR_DEPTH = 250  # pages of 50 followed from the first in the cursor walk
PAGE_SIZE = 50
REQUEST_TIMEOUT = 120
STREAM_TIMEOUT = 300  # the CSV of every exhibitor; past this B10 reports the part read
WALK_SECONDS = 120

TARGETS = {
    "B1": ("≤", 1.5),
    "B2": ("≤", 1.5),
    "B3": ("≤", 1.2),
    "B4": ("=", 0),
    "B5": ("≥", 0.25),
    "B6 rare": ("≤", 3),
    "B6 common": ("≤", 3),
    "B7": ("≥", 0.5),
    "B8": ("≥", 3),
    "B9": ("≤", 512),
    "B10": ("≤", 100),
}


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def label(size):
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


# --- Databases ------------------------------------------------------------------------------


def database_url(name):
    return urlunsplit(urlsplit(SERVER_URL)._replace(path=f"/{name}"))


def sql(database, statement, parameters=()):
    """Run one statement in autocommit (VACUUM and CREATE DATABASE need it); return its rows."""
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        cursor = connection.execute(statement, parameters)
        return cursor.fetchall() if cursor.description else []


def server_database():
    return urlsplit(SERVER_URL).path.lstrip("/") or "postgres"


def recreate_database(name):
    admin = server_database()
    sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    sql(admin, f'CREATE DATABASE "{name}"')


def drop_database(name):
    sql(server_database(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def loaded_marker(size):
    return f"expo-directory bench: {size} exhibitors, seed {SEED}"


def is_loaded(name, size):
    rows = sql(
        server_database(),
        "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
        [name],
    )
    return bool(rows) and rows[0][0] == loaded_marker(size)


def redis_answers():
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


SECRET_KEY = secrets.token_urlsafe(50)
USE_REDIS = redis_answers()


def django_environment(database):
    """The environment of every command and server: production settings on `database`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_CONN_MAX_AGE") and not key.startswith("MAKE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY=SECRET_KEY,
        # testserver: the in-process client that counts queries.
        DJANGO_ALLOWED_HOSTS="127.0.0.1,testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_ROOT_URLCONF="bench.urls",
        DATABASE_URL=database_url(database),
        # The anonymous throttle would turn the throughput runs into 429s.
        DJANGO_API_ANON_RATE="1000000/s",
        PYTHONUNBUFFERED="1",
    )
    if USE_REDIS:
        environment["REDIS_URL"] = REDIS_URL
    return environment


def manage(database, *arguments, timeout=3600):
    """Run a manage.py command on `database`; return its wall-clock seconds and output."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=django_environment(database),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}")
    return time.monotonic() - started, result.stdout


def load(size):
    """Database bench_<size>: migrated, seeded, filled, analysed.

    Returns its name and the seconds generate_directory took (None when it was kept)."""
    name = f"bench_{label(size)}"
    if REUSE and is_loaded(name, size):
        # The data stays; the schema follows the code (a new index, for example).
        say(f"{name}: already loaded, kept (BENCH_REUSE); migrating")
        manage(name, "migrate", "--noinput", "--verbosity", "0")
        sql(name, "VACUUM ANALYZE")
        return name, None
    say(f"{name}: creating, migrating, loading the seed")
    recreate_database(name)
    manage(name, "migrate", "--noinput", "--verbosity", "0")
    manage(name, "loaddata", "seed", "--verbosity", "0")
    say(f"{name}: generate_directory --exhibitors {size} --seed {SEED}")
    seconds, _ = manage(
        name, "generate_directory", "--exhibitors", str(size), "--seed", str(SEED), "--no-progress"
    )
    say(f"{name}: generated in {seconds:.0f} s; VACUUM ANALYZE")
    sql(name, "VACUUM ANALYZE")
    sql(server_database(), f"COMMENT ON DATABASE \"{name}\" IS '{loaded_marker(size)}'")
    return name, seconds


def dataset_counts(database):
    (row,) = sql(
        database,
        "SELECT (SELECT count(*) FROM exhibitors_exhibitor), (SELECT count(*) FROM expos_expo),"
        " (SELECT count(*) FROM expos_participation), (SELECT count(*) FROM exhibitors_sector)",
    )
    return dict(zip(["exhibitors", "expos", "participations", "sectors"], row, strict=True))


def pick_filter(database):
    """The most common country, and the most common sector among its exhibitors."""
    ((country, _),) = sql(
        database,
        "SELECT country, count(*) FROM exhibitors_exhibitor WHERE country <> ''"
        " GROUP BY country ORDER BY count(*) DESC LIMIT 1",
    )
    ((sector, _),) = sql(
        database,
        "SELECT s.slug, count(*) FROM exhibitors_exhibitor_sectors es"
        " JOIN exhibitors_sector s ON s.id = es.sector_id"
        " JOIN exhibitors_exhibitor e ON e.id = es.exhibitor_id"
        " WHERE e.country = %s GROUP BY s.slug ORDER BY count(*) DESC LIMIT 1",
        [country],
    )
    return country, sector


def filter_matches(database, country, sector):
    ((count,),) = sql(
        database,
        "SELECT count(DISTINCT e.id) FROM exhibitors_exhibitor e"
        " JOIN exhibitors_exhibitor_sectors es ON es.exhibitor_id = e.id"
        " JOIN exhibitors_sector s ON s.id = es.sector_id WHERE e.country = %s AND s.slug = %s",
        [country, sector],
    )
    return count


def pick_search_terms(database):
    """A word in about a tenth of the exhibitors, and a word in a handful of them.

    Candidates come from the names; each is then counted the way `q` finds it, in names and
    descriptions, stemmed and not. Returns ((rare, matches), (common, matches)).
    """
    ((total,),) = sql(database, "SELECT count(*) FROM exhibitors_exhibitor")
    words = sql(
        database,
        "SELECT word, count(DISTINCT id) FROM (SELECT id, regexp_split_to_table("
        "  lower(name_en), '[^a-z]+') AS word FROM exhibitors_exhibitor) AS words"
        " WHERE length(word) >= 4 GROUP BY word",
    )

    def matches(word):
        ((count,),) = sql(
            database,
            "SELECT count(*) FROM exhibitors_exhibitor WHERE search_vector @@ ("
            " plainto_tsquery('simple', %(w)s) || plainto_tsquery('english', %(w)s)"
            " || plainto_tsquery('spanish', %(w)s))",
            {"w": word},
        )
        return count

    by_tenth = sorted(words, key=lambda w: (abs(w[1] - total / 10), w[0]))[:5]
    common = min(((w, matches(w)) for w, _n in by_tenth), key=lambda c: abs(c[1] - total / 10))
    # Synthetic names repeat a small vocabulary: rare words are the seed's. Stemming can make
    # a word rare in names common in descriptions ("technology"), so count before choosing.
    rare = None
    for word, _names in sorted(words, key=lambda w: (w[1], w[0]))[:40]:
        found = matches(word)
        if 1 <= found <= 20 and (rare is None or abs(found - 5) < abs(rare[1] - 5)):
            rare = (word, found)
    rare = rare or (min(words, key=lambda w: w[1])[0], 0)
    return rare, common


# --- HTTP -----------------------------------------------------------------------------------


class Client:
    """One keep-alive connection to the server; reconnects when the server closes it."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def get(self, path, headers=None, *, read=True):
        for attempt in range(2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT
                )
            started = time.perf_counter()
            try:
                self.connection.request("GET", path, headers=headers or {})
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
    """Requests a second that CLIENTS clients at once get answered in THROUGHPUT_SECONDS."""
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
    return done / (time.monotonic() - started)


def compare_throughput(port, cases):
    """{name: median requests/s} for (name, path, headers, status) cases, rounds interleaved
    so that a slow moment of the machine does not land on one case only."""
    for _name, path, headers, status in cases:
        client = Client(port)
        for _ in range(WARMUP_REQUESTS):
            expect(client.get(path, headers)[0], status, path)
        client.close()
    rates = {name: [] for name, *_ in cases}
    for _ in range(THROUGHPUT_ROUNDS):
        for name, path, headers, status in cases:
            rates[name].append(throughput_round(port, path, headers, status))
    return {name: statistics.median(values) for name, values in rates.items()}


# --- The server -----------------------------------------------------------------------------


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_of(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{pid}$", status, re.MULTILINE):
            found.append(int(entry.name))
    return found


def rss_kib(pid):
    """Resident memory of a process in KiB, from /proc (None once it has gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def command_line(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Server:
    """`make serve` on a free port for one database, stopped with its whole process group."""

    def __init__(self, database, logs, *, api_cache):
        self.database = database
        self.api_cache = api_cache
        self.port = free_port()
        self.log_path = Path(logs) / f"serve-{database}-cache-{int(api_cache)}.log"

    def __enter__(self):
        cache = "on" if self.api_cache else "off"
        say(f"{self.database}: make serve PORT={self.port}, API response cache {cache}")
        self.log = open(self.log_path, "w")  # closed in __exit__
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "serve", f"PORT={self.port}"],
            cwd=ROOT,
            env={
                **django_environment(self.database),
                "DJANGO_API_CACHE": "1" if self.api_cache else "0",
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 180
        client = Client(self.port)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if client.get("/bench/json/16/")[0].status == 200:
                    client.close()
                    return self
            except OSError:
                client.close()
            time.sleep(0.5)
        self.__exit__()
        sys.exit(f"The server did not start:\n{self.log_path.read_text()[-3000:]}")

    def workers(self):
        """The gunicorn worker processes (the children of the gunicorn master)."""
        pending, found = [self.process.pid], []
        for _ in range(4):  # make → (shell →) gunicorn master → workers
            pending = [child for pid in pending for child in children_of(pid)]
            found += [pid for pid in pending if "gunicorn" in command_line(pid)]
        masters = {pid for pid in found if any(c in found for c in children_of(pid))}
        return [pid for pid in found if pid not in masters]

    def __exit__(self, *exc):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


# --- The measurements -----------------------------------------------------------------------


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


def measure_cursor_walk(server):
    """B3: (first page p50, deep page p50, depth reached)."""
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
    figures = latency(client, first), latency(client, path), depth
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
    rates = compare_throughput(server.port, cases)
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
from exhibitors.views import ExhibitorListView

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
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            QUERY_COUNT_SCRIPT,
            f"/api/v1/exhibitors/?{query}",
            f"/exhibitors/?{query}",
        ],
        cwd=ROOT,
        # The queries of the work itself: an answer kept by the API's response cache from the
        # warm-up request would be one query, whatever the page size.
        env={**django_environment(database), "DJANGO_API_CACHE": "0"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        sys.exit(f"Counting queries failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_measured(command, database, logs):
    """Run a command; return (seconds, peak RSS in MiB of it and its children, stdout)."""
    out_path, err_path = Path(logs) / "measured.out", Path(logs) / "measured.err"
    started = time.monotonic()
    with open(out_path, "w") as out, open(err_path, "w") as err:
        process = subprocess.Popen(
            command, cwd=ROOT, env=django_environment(database), stdout=out, stderr=err
        )
        # wait4 gives this child's own resource use, not that of every child so far.
        _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{err_path.read_text()[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out_path.read_text()


def measure_import(rows, scratch_dir):
    """B7 and B9: import_directory of a generated CSV of about `rows` rows (an exhibitor has
    about three, one for each expo) into a freshly migrated database, against psql's \\copy
    of the same file into a staging table of text columns."""
    size = max(rows // 3, 1)
    csv_path = Path(scratch_dir) / f"directory-{label(rows)}-rows.csv"
    database = "bench_import"
    recreate_database(database)
    say(f"{database}: migrating, loading the seed and the synthetic sectors")
    manage(database, "migrate", "--noinput", "--verbosity", "0")
    manage(database, "loaddata", "seed", "--verbosity", "0")
    # The CSV names the synthetic sectors; --output writes rows only.
    manage(database, "shell", "-c", "from expos import synthetic; synthetic.create_sectors()")
    say(f"generate_directory --exhibitors {size} --output {csv_path.name}")
    manage(
        database,
        "generate_directory",
        "--exhibitors",
        str(size),
        "--seed",
        str(SEED),
        "--output",
        str(csv_path),
        "--no-progress",
    )
    with open(csv_path, encoding="utf-8-sig") as handle:
        header = handle.readline().strip().split(",")

    say(f"psql \\copy of {csv_path.name} into a staging table")
    columns = ", ".join(f'"{column}" text' for column in header)
    sql(database, f"CREATE UNLOGGED TABLE bench_staging ({columns})")
    copy_seconds, _rss, output = run_measured(
        [
            shutil.which("psql") or "psql",
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            database_url(database),
            "--command",
            f"\\copy bench_staging FROM '{csv_path}' WITH (FORMAT csv, HEADER true)",
        ],
        database,
        scratch_dir,
    )
    ((rows,),) = sql(database, "SELECT count(*) FROM bench_staging")
    sql(database, "DROP TABLE bench_staging")

    say(f"import_directory {csv_path.name} ({rows:,} rows)")
    import_seconds, peak_mib, output = run_measured(
        [sys.executable, "manage.py", "import_directory", str(csv_path), "--no-progress"],
        database,
        scratch_dir,
    )
    csv_path.unlink()
    drop_database(database)
    return {
        "rows": rows,
        "copy rows/s": rows / copy_seconds,
        "import rows/s": rows / import_seconds,
        "import seconds": import_seconds,
        "copy seconds": copy_seconds,
        "peak MiB": peak_mib,
        "output": output.strip(),
    }


# --- The report -----------------------------------------------------------------------------


def verdict(key, value):
    if value is None:
        return "n/a"
    sign, target = TARGETS[key]
    ok = {"≤": value <= target, "≥": value >= target, "=": value == target}[sign]
    return "pass" if ok else "miss"


def report(rows, context, partial=()):
    lines = [
        "# Benchmark results",
        "",
        *context,
        "",
        "| # | measured | value | target | result | details |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, what, value, shown, details in rows:
        sign, target = TARGETS[key]
        result = verdict(key, value) + (" (partial)" if key in partial else "")
        lines.append(f"| {key} | {what} | {shown} | {sign} {target} | {result} | {details} |")
    return "\n".join(lines) + "\n"


def fig(value):
    """A ratio or a rate: two decimals, or two significant digits when smaller."""
    return f"{value:.2f}" if abs(value) >= 0.1 else f"{value:.2g}"


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def main():
    started = time.monotonic()
    small, large = SIZES[0], SIZES[-1]
    say(
        f"sizes {', '.join(map(label, SIZES))}; cache: "
        + (REDIS_URL if USE_REDIS else "local memory (Redis does not answer)")
    )
    loaded = {size: load(size) for size in SIZES}
    databases = {size: name for size, (name, _seconds) in loaded.items()}
    counts = {size: dataset_counts(databases[size]) for size in SIZES}
    country, sector = pick_filter(databases[large])
    (rare, rare_count), (common, common_count) = pick_search_terms(databases[large])
    terms = {"rare": rare, "common": common}
    matches = {size: filter_matches(databases[size], country, sector) for size in SIZES}
    say(
        f"picked country={country} sector={sector} "
        f"({', '.join(f'{matches[s]:,} at {label(s)}' for s in SIZES)}); "
        f"search: rare {rare!r} ({rare_count:,} exhibitors at {label(large)}), "
        f"common {common!r} ({common_count:,})"
    )

    scratch = tempfile.mkdtemp(prefix="expo-bench-")
    try:
        latencies = {}
        for size in (small, large):
            # Timings of the work itself: with the API's response cache on, a repeated request
            # would be answered from it and time nothing of the query.
            with Server(databases[size], scratch, api_cache=False) as server:
                say(f"{databases[size]}: latencies (B1, B2, B6)")
                latencies[size] = measure_latencies(server, country, sector, terms)
                say(f"  {', '.join(f'{k} {ms(v)}' for k, v in latencies[size].items())}")
                if size != large:
                    continue
                say(f"{databases[size]}: cursor walk (B3)")
                first_page, deep_page, depth = measure_cursor_walk(server)
                say(f"  page 1 {ms(first_page)}, page {depth} {ms(deep_page)}")
                say(f"{databases[size]}: throughput, list computed in full (B8), {CLIENTS} clients")
                computed, body_size, etag = measure_throughput(server, country, sector)
                say("  " + ", ".join(f"{k} {fig(v)}/s" for k, v in computed.items()))
                say(f"{databases[size]}: streaming the exhibitor CSV (B10)")
                growth, csv_bytes, csv_lines, csv_seconds, csv_complete = measure_csv_stream(server)
                say(f"  {csv_lines:,} lines, {csv_bytes / 2**20:.0f} MiB in {csv_seconds:.0f} s")
        # As served: a list asked for again before the data changes comes from the cache.
        with Server(databases[large], scratch, api_cache=True) as server:
            say(f"{databases[large]}: throughput as served, cache on (B5), {CLIENTS} clients")
            served, _size, _etag = measure_throughput(server, country, sector)
            say("  " + ", ".join(f"{k} {fig(v)}/s" for k, v in served.items()))
        say(f"{databases[large]}: counting queries (B4)")
        queries = count_queries(databases[large], country, sector)
        say(f"  {queries}")
        imported = measure_import(large, scratch)  # a file of as many rows as exhibitors
        say(
            f"  import {imported['import rows/s']:,.0f} rows/s, \\copy "
            f"{imported['copy rows/s']:,.0f} rows/s, peak {imported['peak MiB']:.0f} MiB"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def ratio(key):
        return latencies[large][key] / latencies[small][key]

    def at_both(key):
        return ", ".join(f"{ms(latencies[size][key])} at {label(size)}" for size in (small, large))

    api_extra = queries["api 100"] - queries["api 10"]
    html_extra = queries["html 100"] - queries["html 10"]
    rows = [
        ("B1", f"p50 of the API list ({label(large)} ÷ {label(small)})", ratio("api p50"),
         fig(ratio("api p50")), at_both("api p50")),
        ("B2", f"p50 of the HTML list ({label(large)} ÷ {label(small)})", ratio("html p50"),
         fig(ratio("html p50")), at_both("html p50")),
        ("B3", f"cursor walk: page {depth} ÷ page 1 ({label(large)})",
         deep_page / first_page, fig(deep_page / first_page),
         f"{ms(first_page)} → {ms(deep_page)}"),
        ("B4", "queries at page size 100 − at 10 (API, HTML)",
         max(abs(api_extra), abs(html_extra)), f"{api_extra:+d}, {html_extra:+d}",
         f"API {queries['api 10']} → {queries['api 100']}, "
         f"HTML {queries['html 10']} → {queries['html 100']}"),
        ("B5", "requests/s: API list ÷ JsonResponse of the same size, as served",
         served["api"] / served["baseline"], fig(served["api"] / served["baseline"]),
         f"{fig(served['api'])}/s vs {fig(served['baseline'])}/s, {body_size:,} bytes, "
         f"{CLIENTS} clients; computed in full (cache off): {fig(computed['api'])}/s vs "
         f"{fig(computed['baseline'])}/s = {fig(computed['api'] / computed['baseline'])}"),
        ("B6 rare", f"p95 of ?q={rare} ({label(large)} ÷ {label(small)})",
         ratio("search rare p95"), fig(ratio("search rare p95")),
         at_both("search rare p95") + f"; {rare_count:,} matches at {label(large)}"),
        ("B6 common", f"p95 of ?q={common} ({label(large)} ÷ {label(small)})",
         ratio("search common p95"), fig(ratio("search common p95")),
         at_both("search common p95") + f"; {common_count:,} matches at {label(large)}"),
        ("B7", "rows/s: import_directory ÷ psql \\copy",
         imported["import rows/s"] / imported["copy rows/s"],
         fig(imported["import rows/s"] / imported["copy rows/s"]),
         f"{imported['import rows/s']:,.0f} vs {imported['copy rows/s']:,.0f} rows/s, "
         f"{imported['rows']:,} rows"),
        ("B8", "requests/s: 304 ÷ 200 of the API list computed in full",
         computed["304"] / computed["api"] if etag else None,
         fig(computed["304"] / computed["api"]) if etag else "no ETag",
         (f"{fig(computed['304'])}/s vs {fig(computed['api'])}/s; against the cached 200: "
          f"{fig(served['304'])}/s vs {fig(served['api'])}/s = "
          f"{fig(served['304'] / served['api'])}") if etag else ""),
        ("B9", "peak RSS of import_directory, MB", imported["peak MiB"],
         f"{imported['peak MiB']:.0f}", f"{imported['rows']:,} rows"),
        ("B10", "worker RSS growth streaming the exhibitor CSV, MB", growth, f"{growth:.1f}",
         f"{csv_lines - 1:,} rows, {csv_bytes / 2**20:.0f} MiB in {csv_seconds:.0f} s"
         + ("" if csv_complete else f" (stopped after {STREAM_TIMEOUT} s: not the whole file)")),
    ]  # fmt: skip
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    version = sql(server_database(), "SHOW server_version")[0][0]
    context = [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC in {minutes} min "
        f"{seconds} s, on {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, PostgreSQL {version}, "
        f"cache {'Redis' if USE_REDIS else 'local memory'}; `make serve` with its defaults; "
        "the API's response cache off but for B5 (see the README).",
        "",
        *(
            f"- `{databases[size]}`: {c['exhibitors']:,} exhibitors, {c['expos']:,} expos, "
            f"{c['participations']:,} participations, {c['sectors']} sectors "
            f"(`generate_directory --exhibitors {size} --seed {SEED}` on the seed"
            + (f", {loaded[size][1]:.0f} s)" if loaded[size][1] else ", loaded earlier)")
            for size, c in counts.items()
        ),
        f"- Filter: `country={country}&sector={sector}` "
        f"({', '.join(f'{matches[s]:,} exhibitors at {label(s)}' for s in SIZES)}); "
        f"search terms: rare `{rare}`, common `{common}`.",
        f"- Import: {imported['output']}",
    ]
    table = report(rows, context, partial=() if csv_complete else {"B10"})
    print("\n" + table)
    RESULTS.write_text(table)
    say(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
