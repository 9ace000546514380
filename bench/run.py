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
only migrate them), BENCH_ONLY=changelog (only L1 and L2, at the largest size; the table is
printed, and written only to BENCH_RESULTS), BENCH_ONLY=records (only R1 and R2, at every size;
the same).

The steps are in this package's modules: settings (the environment, bounds and targets),
databases (step 1, and the filter and search words), server (step 2), http, measures, loading
(the import), psql_exports, admin_pages, changelog and records (step 3), report (step 4). This
one runs them in order: `python -m bench.run`.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench import admin_pages as admin
from bench import changelog
from bench.databases import dataset_counts, filter_matches, load, pick_filter, pick_search_terms
from bench.loading import (
    create_fresh,
    drop_fresh,
    generate_file,
    measure_import,
    measure_import_peer,
)
from bench.measures import (
    SEARCH_TERMS,
    count_queries,
    measure_cold_facets,
    measure_computed,
    measure_concurrent,
    measure_csv_stream,
    measure_cursor_walk,
    measure_latencies,
    measure_ndjson_stream,
    measure_peers,
    measure_search_terms,
    measure_throughput,
)
from bench.psql_exports import measure_psql_exports
from bench.records import measure_list_records, records_context, records_rows
from bench.report import (
    baseline_text,
    context_lines,
    fig,
    issue12_context,
    issue12_rows,
    ms,
    result_rows,
    search_terms_row,
    table,
)
from bench.server import Server
from bench.settings import (
    CLIENTS,
    ONLY,
    REDIS_URL,
    RESULTS,
    SEED,
    SIZES,
    TARGETS,
    USE_REDIS,
    label,
    say,
)

# The admin's rows' keys, for the table's verdicts.
TARGETS.update(admin.ADMIN_TARGETS)


def unit(key):
    """The unit of a throughput figure: requests a second, or a CPU time a request."""
    return "" if key.endswith(" ms") else "/s"


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
    search = pick_search_terms(databases[large])
    (rare, rare_count), (common, common_count) = search
    terms = {"rare": rare, "common": common}
    matches = {size: filter_matches(databases[size], country, sector) for size in SIZES}
    say(
        f"picked country={country} sector={sector} "
        f"({', '.join(f'{matches[s]:,} at {label(s)}' for s in SIZES)}); "
        f"search: rare {rare!r} ({rare_count:,} exhibitors at {label(large)}), "
        f"common {common!r} ({common_count:,})"
    )

    scratch = tempfile.mkdtemp(prefix="expo-bench-")
    more = {"concurrent": {}, "peers": {}, "records": {}}
    credentials, admin_figures = {}, {}
    try:
        latencies = {}
        for size in (small, large):
            credentials[size] = admin.prepare_admin(databases[size])
            more["records"][size] = measure_list_records(databases[size], scratch, country, sector)
            # Timings of the work itself: with the API's response cache on, a repeated request
            # would be answered from it and time nothing of the query.
            with Server(databases[size], scratch, api_cache=False) as server:
                say(f"{databases[size]}: latencies (B1, B2, B6)")
                latencies[size] = measure_latencies(server, country, sector, terms)
                say(f"  {', '.join(f'{k} {ms(v)}' for k, v in latencies[size].items())}")
                say(f"{databases[size]}: p95 with {CLIENTS} clients at once (B12)")
                more["concurrent"][size] = measure_concurrent(server, country, sector, terms)
                say(f"  {', '.join(f'{k} {ms(v)}' for k, v in more['concurrent'][size].items())}")
                say(f"{databases[size]}: the API list and the page against their peers (P1, P2)")
                more["peers"][size] = measure_peers(server, country, sector)
                say(
                    "  "
                    + ", ".join(
                        f"{k} {fig(v['rate'])}/s p50 {ms(v['p50'])}"
                        for k, v in more["peers"][size].items()
                    )
                )
                say(f"{databases[size]}: the admin's pages, signed in as staff")
                admin_figures[size] = admin.measure_admin(server, credentials[size], country, rare)
                if size != large:
                    continue
                say(f"{databases[size]}: {len(SEARCH_TERMS)} search terms (B13)")
                more["terms"], more["refused"] = measure_search_terms(server)
                worst = max(more["terms"], key=more["terms"].get)
                say(f"  worst {worst!r} {ms(more['terms'][worst])}; refused {more['refused']}")
                say(f"{databases[size]}: cursor walk (B3)")
                first_page, deep_page, depth, deep_path = measure_cursor_walk(server)
                walk = first_page, deep_page, depth
                say(f"  page 1 {ms(first_page)}, page {depth} {ms(deep_page)}")
                say(f"{databases[size]}: throughput, list computed in full (B8), {CLIENTS} clients")
                computed = measure_throughput(server, country, sector)
                more["computed"] = computed
                say("  " + ", ".join(f"{k} {fig(v)}{unit(k)}" for k, v in computed[0].items()))
                say(f"{databases[size]}: cursor page {depth} and a detail, computed in full (B5)")
                more["more"] = measure_computed(server, deep_path)
                say("  " + ", ".join(f"{k} {fig(v)}" for k, v in more["more"].items()))
                say(f"{databases[size]}: streaming the exhibitor CSV (B10)")
                stream = measure_csv_stream(server)
                more["stream"] = stream
                _growth, csv_bytes, csv_lines, csv_seconds, csv_complete = stream
                say(f"  {csv_lines:,} lines, {csv_bytes / 2**20:.0f} MiB in {csv_seconds:.0f} s")
                say(f"{databases[size]}: streaming the API's NDJSON (B10 ndjson)")
                more["ndjson"] = measure_ndjson_stream(server)
                records, ndjson_seconds, _complete = more["ndjson"]
                say(f"  {records:,} records in {ndjson_seconds:.0f} s")
                more["change log"] = {"patch": measure_patch_cost(server, credentials[size])}
        # As served: a list asked for again before the data changes comes from the cache.
        with Server(databases[large], scratch, api_cache=True) as server:
            say(f"{databases[large]}: throughput as served, cache on (B5), {CLIENTS} clients")
            served = measure_throughput(server, country, sector)
            say("  " + ", ".join(f"{k} {fig(v)}{unit(k)}" for k, v in served[0].items()))
        say(f"{databases[large]}: counting queries (B4)")
        queries = count_queries(databases[large], country, sector)
        say(f"  {queries}")
        say(f"{databases[large]}: psql's COPY of the exports' queries (B10 csv, ndjson)")
        more["psql"] = measure_psql_exports(databases[large], scratch)
        psql = more["psql"]
        say(f"  csv {psql['csv seconds']:.1f} s, ndjson {psql['ndjson seconds']:.1f} s")
        say(f"{databases[large]}: cold facet counts (B11)")
        more["facets"] = measure_cold_facets(databases[large], country, sector)
        say("  " + ", ".join(f"{k} {v:.2f} s" for k, v in more["facets"].items()))
        # A file of as many rows as exhibitors, kept for the import without the change log.
        imported = measure_import(large, scratch, keep_file=True)
        more["imported"] = imported
        say(
            f"  import {imported['import rows/s']:,.0f} rows/s, \\copy "
            f"{imported['copy rows/s']:,.0f} rows/s, into the same tables "
            f"{imported['limit rows/s']:,.0f} rows/s, peak {imported['peak MiB']:.0f} MiB"
        )
        more["change log"]["import"] = measure_import_cost(imported.pop("file"), scratch)
        more["import peer"] = measure_import_peer(databases, scratch)
        for size, figures in more["import peer"].items():
            say(
                f"  {label(size)}: import {figures['import rows/s']:,.0f} rows/s, "
                f"django-import-export {figures['peer rows/s']:,.0f} rows/s"
            )
    finally:
        drop_fresh()
        shutil.rmtree(scratch, ignore_errors=True)

    rows = result_rows(
        small, large, search, latencies, walk, queries, (computed, served), imported, stream
    )
    rows += issue12_rows(small, large, more)
    rows.append(search_terms_row(large, more["terms"], more["refused"]))
    rows += admin.admin_rows(small, large, admin_figures)
    rows += changelog.changelog_rows(large, more["change log"])
    rows += records_rows(more["records"])
    context = context_lines(started, loaded, counts, country, sector, matches, terms, imported)
    context += issue12_context(large, more)
    context += changelog.changelog_context(large, more["change log"])
    context += records_context(more["records"])
    partial = set() if csv_complete else {"B10", "B10 csv"}
    if not more["ndjson"][2]:
        partial.add("B10 ndjson")
    text = table(rows, context, partial=partial, baseline=baseline_text())
    print("\n" + text)
    RESULTS.write_text(text)
    say(f"written to {RESULTS}")


def measure_patch_cost(server, credentials):
    say(f"{server.database}: an API PATCH, the change log on and off in turn (L1)")
    figures = changelog.measure_patch_cost(server, credentials)
    say(
        "  p50 on "
        + ", ".join(map(ms, figures["on"]))
        + "; off "
        + ", ".join(map(ms, figures["off"]))
    )
    return figures


def measure_import_cost(path, scratch):
    """L2 on the CSV at `path`, which is removed after."""
    figures = changelog.measure_import_cost(path, scratch)
    path.unlink()
    with_, without = figures["with"], figures["without"]
    say(
        f"  with the log {with_['rows/s']:,.0f} rows/s, without {without['rows/s']:,.0f} rows/s;"
        f" the log {with_['after']['entries']:,} entries, {with_['after']['bytes'] / 2**20:.0f} MB"
    )
    return figures


def main_changelog():
    """BENCH_ONLY=changelog: L1 and L2 at the largest size, nothing else."""
    started, large = time.monotonic(), SIZES[-1]
    name, _seconds = load(large)
    scratch = tempfile.mkdtemp(prefix="expo-bench-")
    try:
        credentials = admin.prepare_admin(name)
        with Server(name, scratch, api_cache=False) as server:
            figures = {"patch": measure_patch_cost(server, credentials)}
        create_fresh()
        path = Path(scratch) / f"directory-{label(large)}-rows.csv"
        generate_file(path, max(large // 3, 1), SEED)  # as measure_import's
        figures["import"] = measure_import_cost(path, scratch)
    finally:
        drop_fresh()
        shutil.rmtree(scratch, ignore_errors=True)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    context = [f"BENCH_ONLY=changelog, in {minutes} min {seconds} s.", ""]
    rows = changelog.changelog_rows(large, figures)
    text = table(rows, context + changelog.changelog_context(large, figures))
    print_trial(text)


def main_records():
    """BENCH_ONLY=records: R1 and R2 at every size, nothing else."""
    started = time.monotonic()
    databases = {size: load(size)[0] for size in SIZES}
    country, sector = pick_filter(databases[SIZES[-1]])
    say(f"picked country={country} sector={sector}")
    scratch = tempfile.mkdtemp(prefix="expo-bench-")
    try:
        figures = {
            size: measure_list_records(name, scratch, country, sector)
            for size, name in databases.items()
        }
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    context = [f"BENCH_ONLY=records, in {minutes} min {seconds} s.", ""]
    print_trial(table(records_rows(figures), context + records_context(figures)))


def print_trial(text):
    """A BENCH_ONLY run's table: printed, and written only to a BENCH_RESULTS of its own."""
    print("\n" + text)
    if os.environ.get("BENCH_RESULTS"):
        RESULTS.write_text(text)
        say(f"written to {RESULTS}")


TRIALS = {"changelog": main_changelog, "records": main_records}

if __name__ == "__main__":
    if ONLY not in ("", *TRIALS):
        sys.exit(f"BENCH_ONLY={ONLY!r}: only {' or '.join(map(repr, TRIALS))} is known")
    TRIALS.get(ONLY, main)()
