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

The steps are in this package's modules: settings (the environment, bounds and targets),
databases (step 1, and the filter and search words), server (step 2), http and measures
(step 3), report (step 4). This one runs them in order: `python -m bench.run`.
"""

import shutil
import tempfile
import time

from bench.databases import dataset_counts, filter_matches, load, pick_filter, pick_search_terms
from bench.measures import (
    count_queries,
    measure_csv_stream,
    measure_cursor_walk,
    measure_import,
    measure_latencies,
    measure_throughput,
)
from bench.report import context_lines, fig, ms, result_rows, table
from bench.server import Server
from bench.settings import CLIENTS, REDIS_URL, RESULTS, ROOT, SIZES, USE_REDIS, label, say


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
                walk = measure_cursor_walk(server)
                first_page, deep_page, depth = walk
                say(f"  page 1 {ms(first_page)}, page {depth} {ms(deep_page)}")
                say(f"{databases[size]}: throughput, list computed in full (B8), {CLIENTS} clients")
                computed = measure_throughput(server, country, sector)
                say("  " + ", ".join(f"{k} {fig(v)}/s" for k, v in computed[0].items()))
                say(f"{databases[size]}: streaming the exhibitor CSV (B10)")
                stream = measure_csv_stream(server)
                _growth, csv_bytes, csv_lines, csv_seconds, csv_complete = stream
                say(f"  {csv_lines:,} lines, {csv_bytes / 2**20:.0f} MiB in {csv_seconds:.0f} s")
        # As served: a list asked for again before the data changes comes from the cache.
        with Server(databases[large], scratch, api_cache=True) as server:
            say(f"{databases[large]}: throughput as served, cache on (B5), {CLIENTS} clients")
            served = measure_throughput(server, country, sector)
            say("  " + ", ".join(f"{k} {fig(v)}/s" for k, v in served[0].items()))
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

    rows = result_rows(
        small, large, search, latencies, walk, queries, (computed, served), imported, stream
    )
    context = context_lines(started, loaded, counts, country, sector, matches, terms, imported)
    text = table(rows, context, partial=() if csv_complete else {"B10"})
    print("\n" + text)
    RESULTS.write_text(text)
    say(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
