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

import psycopg

from bench.databases import (
    database_url,
    django_environment,
    drop_database,
    manage,
    recreate_database,
    server_database,
    sql,
)
from bench.http import (
    Client,
    compare_throughput,
    concurrent_latency,
    expect,
    latency,
    local_path,
)
from bench.server import rss_kib
from bench.settings import (
    COLD_FACET_REQUESTS,
    CURSOR_DEPTH,
    NDJSON_TIMEOUT,
    PAGE_SIZE,
    PEER_EXHIBITORS,
    PEER_SLICE_ROWS,
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


# A freshly migrated database with the seed and the synthetic sectors: each import and each
# load of the import's limit starts from a copy of it (CREATE DATABASE … TEMPLATE).
FRESH = "bench_import_fresh"
# What import_directory writes (expos.importing.writing), in the order a load must follow.
WRITTEN_TABLES = [
    "expos_expo",
    "exhibitors_exhibitor",
    "exhibitors_exhibitor_sectors",
    "expos_participation",
]


def create_fresh():
    recreate_database(FRESH)
    say(f"{FRESH}: migrating, loading the seed and the synthetic sectors")
    manage(FRESH, "migrate", "--noinput", "--verbosity", "0")
    manage(FRESH, "loaddata", "seed", "--verbosity", "0")
    # The CSV names the synthetic sectors; --output writes rows only.
    manage(FRESH, "shell", "-c", "from expos import synthetic; synthetic.create_sectors()")


def copy_database(template, name, attempts=6):
    """`name` as a copy of `template` (files copied, no WAL of each page). The template must
    have no other session: another helper's or a server's is waited for, a little."""
    drop_database(name)
    for attempt in range(attempts):
        try:
            sql(
                server_database(),
                f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY',
            )
            return True
        except psycopg.errors.ObjectInUse:
            if attempt == attempts - 1:
                return False
            time.sleep(5)
    return False


def generate_file(path, exhibitors, seed):
    say(f"generate_directory --exhibitors {exhibitors} --seed {seed} --output {path.name}")
    manage(
        FRESH,
        "generate_directory",
        "--exhibitors",
        str(exhibitors),
        "--seed",
        str(seed),
        "--output",
        str(path),
        "--no-progress",
    )


def highest_ids(database, tables):
    return {
        table: sql(database, f"SELECT coalesce(max(id), 0) FROM {table}")[0][0] for table in tables
    }


def tables_with_ids(database):
    rows = sql(
        database,
        "SELECT table_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND column_name = 'id' AND data_type IN ('integer', 'bigint') ORDER BY table_name",
    )
    return [name for (name,) in rows]


def stored_columns(database, table):
    """The columns a COPY can write: not the generated ones, which PostgreSQL computes."""
    rows = sql(
        database,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public'"
        " AND table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
        [table],
    )
    return [f'"{name}"' for (name,) in rows]


def dump_new_rows(database, before, scratch_dir):
    """COPY TO a file, for each written table, the rows the import added (ids past `before`).

    Returns [(table, columns, file)], in WRITTEN_TABLES' order."""
    dumps = []
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        for table in WRITTEN_TABLES:
            columns = ", ".join(stored_columns(database, table))
            path = Path(scratch_dir) / f"limit-{table}.copy"
            statement = (
                f"COPY (SELECT {columns} FROM {table} WHERE id > {before[table]} ORDER BY id)"
                " TO STDOUT"
            )
            with open(path, "wb") as out, connection.cursor().copy(statement) as copy:
                for block in copy:
                    out.write(block)
            dumps.append((table, columns, path))
    return dumps


def secondary_indexes(database):
    """(name, definition) of the written tables' indexes that no constraint owns: those a
    load can drop and build again after (the others back primary keys and unique rules)."""
    return sql(
        database,
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public'"
        " AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
        "  WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))"
        "  ::regclass) ORDER BY i.indexname",
        [WRITTEN_TABLES],
    )


def psql_session(database, commands, scratch_dir):
    """Seconds of one psql session running `commands` in order (-c each), stopping on error."""
    command = [shutil.which("psql") or "psql", "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1"]
    command.append(database_url(database))
    for statement in commands:
        command += ["--command", statement]
    seconds, _rss, _output = run_measured(command, database, scratch_dir)
    return seconds


def measure_copy_limit(dumps, scratch_dir):
    """B7 limit: psql's \\copy of the import's own rows into the same tables of a fresh copy,
    with their indexes, generated columns, constraints and triggers, in one session; and the
    same with the secondary indexes dropped first and built after, the build counted.

    Returns {"with indexes": seconds, "indexes rebuilt": seconds, "indexes": how many}."""
    database = "bench_import_limit"
    loads = [f"\\copy {table} ({columns}) FROM '{path}'" for table, columns, path in dumps]
    figures = {}
    copy_database(FRESH, database)
    say(f"{database}: \\copy of the imported rows into the indexed tables")
    figures["with indexes"] = psql_session(database, loads, scratch_dir)
    copy_database(FRESH, database)
    indexes = secondary_indexes(database)
    say(f"{database}: the same, {len(indexes)} indexes dropped first and built after")
    figures["indexes rebuilt"] = psql_session(
        database,
        [
            "DROP INDEX " + ", ".join(f'"{name}"' for name, _definition in indexes),
            *loads,
            *(definition for _name, definition in indexes),
        ]
        if indexes
        else loads,
        scratch_dir,
    )
    figures["indexes"] = len(indexes)
    drop_database(database)
    return figures


def measure_import(rows, scratch_dir):
    """B7, B7 limit and B9: import_directory of a generated CSV of about `rows` rows (an
    exhibitor has about three, one for each expo) into a copy of a freshly migrated database,
    against psql's \\copy of the same file into a staging table of text columns (B7), and
    against psql's \\copy of the rows the import wrote into the same tables (B7 limit)."""
    size = max(rows // 3, 1)
    csv_path = Path(scratch_dir) / f"directory-{label(rows)}-rows.csv"
    database = "bench_import"
    create_fresh()
    generate_file(csv_path, size, SEED)
    copy_database(FRESH, database)
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

    tables = tables_with_ids(database)
    before = highest_ids(database, tables)
    say(f"import_directory {csv_path.name} ({rows:,} rows)")
    import_seconds, peak_mib, output = run_measured(
        [sys.executable, "manage.py", "import_directory", str(csv_path), "--no-progress"],
        database,
        scratch_dir,
    )
    after = highest_ids(database, tables)
    grew = [t for t in tables if after[t] > before[t] and t not in WRITTEN_TABLES]
    dumps = dump_new_rows(database, before, scratch_dir)
    written = {table: after[table] - before[table] for table in WRITTEN_TABLES}
    csv_path.unlink()
    drop_database(database)
    limit = measure_copy_limit(dumps, scratch_dir)
    for _table, _columns, path in dumps:
        path.unlink()
    limit_seconds = min(limit["with indexes"], limit["indexes rebuilt"])
    return {
        "rows": rows,
        "copy rows/s": rows / copy_seconds,
        "import rows/s": rows / import_seconds,
        "import seconds": import_seconds,
        "copy seconds": copy_seconds,
        "limit seconds": limit_seconds,
        "limit rows/s": rows / limit_seconds,
        "limit": limit,
        "written": written,
        "also grew": grew,
        "peak MiB": peak_mib,
        "output": output.strip(),
    }


def import_peer_seconds(database, path, limit, scratch_dir):
    """Seconds of bench.peers.import_file (django-import-export) on the first `limit` rows."""
    script = (
        "import json, django; django.setup(); from bench.peers import import_file; "
        f"print(json.dumps(import_file({str(path)!r}, {limit})))"
    )
    seconds, _rss, output = run_measured([sys.executable, "-c", script], database, scratch_dir)
    return seconds, json.loads(output.strip().splitlines()[-1])


def measure_import_peer(databases, scratch_dir):
    """P3 at each size: import_directory of a file of ~100,000 rows (PEER_EXHIBITORS
    exhibitors, another seed than the databases', so its rows are new to them) into a copy
    of the loaded database, against django-import-export on the first PEER_SLICE_ROWS rows
    of the same file into another copy (row by row it would take far longer than the run
    can give it). A database in use by another session cannot be copied: then a fresh one.

    Returns {size: {...}}, each with rows/s of both, the slice and what it imported into."""
    path = Path(scratch_dir) / "directory-peer.csv"
    generate_file(path, PEER_EXHIBITORS, SEED + 1)
    with open(path, encoding="utf-8-sig") as handle:
        rows = sum(1 for _line in handle) - 1
    database, figures = "bench_peer_import", {}
    for size, source in databases.items():
        into = source if copy_database(source, database) else None
        if into is None:
            copy_database(FRESH, database)
        say(f"{database} ({'a copy of ' + source if into else 'fresh'}): import_directory")
        seconds, _rss, _output = run_measured(
            [sys.executable, "manage.py", "import_directory", str(path), "--no-progress"],
            database,
            scratch_dir,
        )
        if not copy_database(into or FRESH, database):
            sys.exit(f"Could not copy {into} again for the import peer")
        say(f"{database}: django-import-export, the first {PEER_SLICE_ROWS:,} rows")
        peer_seconds, result = import_peer_seconds(database, path, PEER_SLICE_ROWS, scratch_dir)
        drop_database(database)
        figures[size] = {
            "rows": rows,
            "import rows/s": rows / seconds,
            "import seconds": seconds,
            "peer rows": result["rows"],
            "peer rows/s": result["rows"] / peer_seconds,
            "peer seconds": peer_seconds,
            "peer totals": result["totals"],
            "into": into or FRESH,
        }
    path.unlink()
    return figures


def drop_fresh():
    drop_database(FRESH)


# --- Issue 12 --------------------------------------------------------------------------------


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
    rates = compare_throughput(server.port, cases)
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


def psql_seconds(database, command, scratch_dir):
    """Wall-clock seconds of one psql command, its output thrown away."""
    seconds, _rss, _output = run_measured(
        [
            shutil.which("psql") or "psql",
            "--no-psqlrc",
            "--quiet",
            "--set=ON_ERROR_STOP=1",
            database_url(database),
            "--output=/dev/null",
            "--command",
            command,
        ],
        database,
        scratch_dir,
    )
    return seconds


EXPORT_SQL_SCRIPT = """
import json, sys
import django
django.setup()
import psycopg
from django.db import connection
from django.test import Client

# The statements the views would run: core.copy.capture_queries records each COPY instead of
# running it. Until the downloads go through COPY, an equivalent query written here stands in.
csv_path, ndjson_path = sys.argv[1], sys.argv[2]


def captured(path):
    try:
        from core.copy import Captured, capture_queries
    except ImportError:
        return None
    client = Client()
    with capture_queries() as statements:
        try:
            response = client.get(path)
            for _block in getattr(response, "streaming_content", ()):
                break
        except Captured:
            pass
    if not statements:
        return None
    statement, parameters = statements[0]
    connection.ensure_connection()
    return psycopg.ClientCursor(connection.connection).mogrify(statement, parameters)


def written_here():
    from django_countries import countries

    names = ", ".join(
        "('%s', $n$%s$n$)" % (code, name)
        for code, name in countries
    )
    csv = (
        "COPY (SELECT e.name_en, e.slug, e.country, c.name, e.region_en, e.city_en,"
        " (SELECT string_agg(s.name_en, '; ' ORDER BY s.name_en, s.id)"
        "  FROM exhibitors_exhibitor_sectors es JOIN exhibitors_sector s ON s.id = es.sector_id"
        "  WHERE es.exhibitor_id = e.id), e.website, e.description_en"
        " FROM exhibitors_exhibitor e LEFT JOIN (VALUES %s) AS c (code, name) ON c.code = e.country"
        " ORDER BY e.name_en, e.id) TO STDOUT WITH (FORMAT csv, HEADER true)" % names
    )
    url = "'http://127.0.0.1/api/v1/exhibitors/'"
    ndjson = (
        "COPY (SELECT row_to_json(r) FROM (SELECT %s || e.slug || '/' AS url, e.id, e.slug,"
        " e.name_en AS name, e.name_en, e.name_es, e.country, c.name AS country_name,"
        " e.region_en AS region, e.region_en, e.region_es, e.city_en AS city, e.city_en,"
        " e.city_es, (SELECT coalesce(json_agg(json_build_object('slug', s.slug, 'name',"
        " s.name_en, 'url', 'http://127.0.0.1/api/v1/sectors/' || s.slug || '/')"
        " ORDER BY s.name_en, s.id), '[]') FROM exhibitors_exhibitor_sectors es"
        " JOIN exhibitors_sector s ON s.id = es.sector_id WHERE es.exhibitor_id = e.id)"
        " AS sectors, e.description_en AS description, e.description_en, e.description_es,"
        " e.website, e.synthetic, e.created, e.updated"
        " FROM exhibitors_exhibitor e LEFT JOIN (VALUES %s) AS c (code, name)"
        " ON c.code = e.country ORDER BY e.name_en, e.id) r) TO STDOUT" % (url, names)
    )
    return csv, ndjson


statements, source = {}, {}
for fmt, path, mine in zip(("csv", "ndjson"), (csv_path, ndjson_path), written_here()):
    statements[fmt] = captured(path)
    source[fmt] = f"the view's own statement ({path}, as core.copy.capture_queries records it)"
    if statements[fmt] is None:
        statements[fmt] = mine
        source[fmt] = f"an equivalent query of the benchmark's own ({path} does not run COPY)"
print(json.dumps({**statements, "source": source}))
"""


def export_statements(database):
    """The COPY … TO STDOUT statements of the full CSV download and of the API's NDJSON,
    with their parameters in place, and where they came from."""
    result = subprocess.run(
        [sys.executable, "-c", EXPORT_SQL_SCRIPT, EXPORT_PATHS["csv"], EXPORT_PATHS["ndjson"]],
        cwd=ROOT,
        env={**django_environment(database), "DJANGO_API_CACHE": "0"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        sys.exit(f"Reading the export statements failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def measure_psql_exports(database, scratch_dir):
    """B10 csv and B10 ndjson's limits: seconds of psql running the export's own COPY (<its
    query>) TO STDOUT, as CSV and as JSON lines, into /dev/null, and how many rows there are."""
    statements = export_statements(database)
    ((rows,),) = sql(database, "SELECT count(*) FROM exhibitors_exhibitor")
    return {
        "rows": rows,
        "csv seconds": psql_seconds(database, statements["csv"], scratch_dir),
        "ndjson seconds": psql_seconds(database, statements["ndjson"], scratch_dir),
        "source": statements["source"],
    }


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
    result = subprocess.run(
        [sys.executable, "-c", COLD_FACETS_SCRIPT, str(COLD_FACET_REQUESTS), *paths],
        cwd=ROOT,
        env={**django_environment(database), "DJANGO_API_CACHE": "0"},
        capture_output=True,
        text=True,
        timeout=900,
    )
    if result.returncode != 0:
        sys.exit(f"Timing the cold facet counts failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])
