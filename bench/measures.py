"""The measurements B1 to B10, each returning its raw figures (the report turns them into rows).

Over HTTP against a running Server: latencies (B1, B2, B6), the cursor walk (B3), throughput
(B5, B8) and the CSV stream (B10). In their own processes: the query counts (B4) and the
import against psql's \\copy (B7, B9).
"""

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.databases import (
    database_url,
    django_environment,
    drop_database,
    manage,
    recreate_database,
    sql,
)
from bench.http import Client, compare_throughput, expect, latency, local_path
from bench.server import rss_kib
from bench.settings import (
    CURSOR_DEPTH,
    PAGE_SIZE,
    ROOT,
    SEED,
    STREAM_TIMEOUT,
    TAIL_REQUESTS,
    WALK_SECONDS,
    label,
    say,
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
