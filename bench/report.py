"""The report: each measure's figures against its target, as the table printed at the end of a
run and written, with the machine and the data it ran on, to bench/results.md.
"""

import datetime
import os
import platform
import time

from bench.databases import server_database, sql
from bench.settings import CLIENTS, SEED, SIZES, STREAM_TIMEOUT, TARGETS, USE_REDIS, label


def verdict(key, value):
    if value is None:
        return "n/a"
    sign, target = TARGETS[key]
    ok = {"≤": value <= target, "≥": value >= target, "=": value == target}[sign]
    return "pass" if ok else "miss"


def table(rows, context, partial=()):
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


def result_rows(small, large, search, latencies, walk, queries, throughput, imported, stream):
    """The rows of the table, (key, what, value, shown, details), from what the measures gave.

    `search` is what pick_search_terms gave, `latencies` {size: measure_latencies}, `walk`
    measure_cursor_walk, `queries` count_queries, `throughput` the (cache off, cache on) pair
    of measure_throughput, `imported` measure_import and `stream` measure_csv_stream.
    """
    (rare, rare_count), (common, common_count) = search
    first_page, deep_page, depth = walk
    (computed, body_size, etag), (served, _size, _etag) = throughput
    growth, csv_bytes, csv_lines, csv_seconds, csv_complete = stream

    def ratio(key):
        return latencies[large][key] / latencies[small][key]

    def at_both(key):
        return ", ".join(f"{ms(latencies[size][key])} at {label(size)}" for size in (small, large))

    api_extra = queries["api 100"] - queries["api 10"]
    html_extra = queries["html 100"] - queries["html 10"]
    return [
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


def context_lines(started, loaded, counts, country, sector, matches, terms, imported):
    """What the table was measured on: the run, the machine, the databases and the picks.

    `started` is the run's time.monotonic() at its start, `loaded` {size: load(size)}, `counts`
    {size: dataset_counts}, `matches` {size: filter_matches}, `terms` {"rare": word, "common":
    word} and `imported` what measure_import gave.
    """
    minutes, seconds = divmod(round(time.monotonic() - started), 60)
    version = sql(server_database(), "SHOW server_version")[0][0]
    return [
        f"Run on {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC in {minutes} min "
        f"{seconds} s, on {os.cpu_count()} cores ({platform.machine()}), Python "
        f"{platform.python_version()}, PostgreSQL {version}, "
        f"cache {'Redis' if USE_REDIS else 'local memory'}; `make serve` with its defaults; "
        "the API's response cache off but for B5 (see the README).",
        "",
        *(
            f"- `{loaded[size][0]}`: {c['exhibitors']:,} exhibitors, {c['expos']:,} expos, "
            f"{c['participations']:,} participations, {c['sectors']} sectors "
            f"(`generate_directory --exhibitors {size} --seed {SEED}` on the seed"
            + (f", {loaded[size][1]:.0f} s)" if loaded[size][1] else ", loaded earlier)")
            for size, c in counts.items()
        ),
        f"- Filter: `country={country}&sector={sector}` "
        f"({', '.join(f'{matches[s]:,} exhibitors at {label(s)}' for s in SIZES)}); "
        f"search terms: rare `{terms['rare']}`, common `{terms['common']}`.",
        f"- Import: {imported['output']}",
    ]
