"""The report: each measure's figures against its target, as the table printed at the end of a
run and written, with the machine and the data it ran on, to bench/results.md.
"""

import datetime
import os
import platform
import time

from bench.databases import server_database, sql
from bench.settings import (
    BASELINE,
    CLIENTS,
    NDJSON_TIMEOUT,
    PEER_SLICE_ROWS,
    SEED,
    SIZES,
    STREAM_TIMEOUT,
    USE_REDIS,
    label,
    target_of,
)


def verdict(value, sign, target):
    if value is None:
        return "n/a"
    if target is None:
        return "for comparison"
    ok = {"≤": value <= target, "≥": value >= target, "=": value == target}[sign]
    return "pass" if ok else "miss"


def table(rows, context, partial=(), baseline=None):
    """The results as Markdown. A row is (key, what, value, shown, details), with a sixth
    item (sign, target) when its key is not one of settings.TARGETS (another module's rows).
    `baseline`, when given, is the text of an earlier table, added under its own heading."""
    lines = [
        "# Benchmark results",
        "",
        *context,
        "",
        "| # | measured | value | target | result | details |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, what, value, shown, details, *own in rows:
        sign, target = own[0] if own else target_of(key)
        result = verdict(value, sign, target) + (" (partial)" if key in partial else "")
        aim = sign if target is None else f"{sign} {target}"
        lines.append(f"| {key} | {what} | {shown} | {aim} | {result} | {details} |")
    if baseline:
        lines += ["", baseline.strip()]
    return "\n".join(lines) + "\n"


def baseline_text():
    """bench/baseline.md: the table as it was before issue 12, for comparison."""
    return BASELINE.read_text() if BASELINE.exists() else None


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
        "the API's response cache off but for B5 (see docs/benchmark.md).",
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
        # The command's summary, on one line: a line break would end the list item.
        "- Import: " + " ".join(imported["output"].split()),
    ]


def ratio_row(key, what, value, details):
    return (key, what, value, "n/a" if value is None else fig(value), details)


# The throughput cases whose CPU time a request each B5 row shows: (the case, its baseline).
CPU_CASES = {
    "B5 list": ("api", "baseline"),
    "B5 cursor": ("cursor", "cursor baseline"),
    "B5 detail": ("detail", "detail baseline"),
}
CPU_PARTS = [("app", "app"), ("postgres", "PostgreSQL"), ("clients", "clients")]


def cpu_detail(figures, case, baseline):
    """ "; CPU a request: app 9.1 ms, PostgreSQL 4.2 ms, clients 1.0 ms (JsonResponse: …)",
    where compare_throughput measured it: where the request's time goes, on 2 cores."""
    if f"{case} app ms" not in figures:
        return ""

    def parts(name):
        return ", ".join(
            f"{label_} {figures[f'{name} {part} ms']:.1f} ms" for part, label_ in CPU_PARTS
        )

    return f"; CPU a request: {parts(case)} (the JsonResponse: {parts(baseline)})"


def issue12_rows(small, large, f):
    """The rows issue 12 adds, from the figures the run gathered in `f`:

    "computed" (measure_throughput, cache off, at `large`), "more" (measure_computed),
    "stream" (measure_csv_stream), "ndjson" (measure_ndjson_stream), "psql" (measure_psql_
    exports), "facets" (measure_cold_facets), "imported" (measure_import), "peers" and
    "concurrent" ({size: measure_peers / measure_concurrent}) and "import peer"
    (measure_import_peer).
    """
    rows = []
    rates, body_size, _etag = f["computed"]
    more = f["more"]
    for key, what, rate, base, size in [
        ("B5 list", "the API list", rates["api"], rates["baseline"], body_size),
        ("B5 cursor", "a cursor page deep in the walk", more["cursor"],
         more["cursor baseline"], more["cursor bytes"]),
        ("B5 detail", "an exhibitor's detail", more["detail"], more["detail baseline"],
         more["detail bytes"]),
    ]:  # fmt: skip
        rows.append(ratio_row(
            key, f"requests/s: {what} computed in full ÷ JsonResponse of its size",
            rate / base, f"{fig(rate)}/s vs {fig(base)}/s, {size:,} bytes, {CLIENTS} clients"
            + cpu_detail(rates if key == "B5 list" else more, *CPU_CASES[key]),
        ))  # fmt: skip

    imported = f["imported"]
    limit = imported["limit"]
    rows.append(ratio_row(
        "B7 limit", "rows/s: import_directory ÷ psql \\copy into the same tables",
        imported["import rows/s"] / imported["limit rows/s"],
        f"{imported['import seconds']:.1f} s vs {imported['limit seconds']:.1f} s for "
        f"{imported['rows']:,} rows; \\copy into the indexed tables {limit['with indexes']:.1f}"
        f" s, with {limit['indexes']} indexes dropped and built after "
        f"{limit['indexes rebuilt']:.1f} s",
    ))  # fmt: skip

    psql = f["psql"]
    _growth, _bytes, csv_lines, csv_seconds, csv_complete = f["stream"]
    csv_rate = (csv_lines - 1) / csv_seconds
    psql_csv = psql["rows"] / psql["csv seconds"]
    records, ndjson_seconds, ndjson_complete = f["ndjson"]
    ndjson_rate = records / ndjson_seconds
    psql_ndjson = psql["rows"] / psql["ndjson seconds"]
    rows.append(ratio_row(
        "B10 csv", f"rows/s: the exhibitor CSV ÷ psql COPY of its query ({label(large)})",
        csv_rate / psql_csv,
        f"{csv_rate:,.0f} vs {psql_csv:,.0f} rows/s ({psql['csv seconds']:.1f} s)"
        + ("" if csv_complete else f"; the download cut after {STREAM_TIMEOUT} s"),
    ))  # fmt: skip
    rows.append(ratio_row(
        "B10 ndjson", f"rows/s: the API's NDJSON ÷ psql COPY of row_to_json ({label(large)})",
        ndjson_rate / psql_ndjson,
        f"{ndjson_rate:,.0f} vs {psql_ndjson:,.0f} rows/s ({psql['ndjson seconds']:.1f} s)"
        + (f"; {records:,} records" if ndjson_complete
           else f"; the first {records:,} records, cut after {NDJSON_TIMEOUT} s"),
    ))  # fmt: skip

    facets = f["facets"]
    for key, name, what in [
        ("B11 facets", "unfiltered", "the API list"),
        ("B11 facets filtered", "filtered", "the API list with the filter"),
    ]:
        rows.append((
            key, f"seconds: {what}, facets=country,sector,expo,year, cache empty "
            f"({label(large)})", facets[name], f"{facets[name]:.2f}",
            "the whole request, in-process, response cache off, a cache that keeps nothing",
        ))  # fmt: skip

    concurrent = f["concurrent"]
    for name, what in [
        ("api", "the API list"), ("html", "the HTML list"),
        ("search rare", "?q= the rare word"), ("search common", "?q= the common word"),
    ]:  # fmt: skip
        value = concurrent[large][name] / concurrent[small][name]
        kept = f"{name} kept alive"
        rows.append(ratio_row(
            f"B12 {name}", f"p95 of {what}, {CLIENTS} clients at once, a connection a "
            f"request ({label(large)} ÷ {label(small)})", value,
            ", ".join(f"{ms(concurrent[s][name])} at {label(s)}" for s in (small, large))
            + "; on kept-alive connections "
            + ", ".join(f"{ms(concurrent[s][kept])} at {label(s)}" for s in (small, large))
            + f" = {concurrent[large][kept] / concurrent[small][kept]:.2f}",
        ))  # fmt: skip

    peers = f["peers"]
    for number, name, what in [(1, "api", "the API list"), (2, "html", "the exhibitor page")]:
        for size in (small, large):
            ours, peer = peers[size][name], peers[size][f"peer {name}"]
            rows.append(ratio_row(
                f"P{number} {label(size)}",
                f"requests/s: {what} ÷ its peer ({label(size)})", ours["rate"] / peer["rate"],
                f"{fig(ours['rate'])}/s vs {fig(peer['rate'])}/s, {CLIENTS} clients; p50 "
                f"{ms(ours['p50'])} vs {ms(peer['p50'])} = {fig(ours['p50'] / peer['p50'])}",
            ))  # fmt: skip
    for size, figures in f["import peer"].items():
        rows.append(ratio_row(
            f"P3 {label(size)}",
            f"rows/s: import_directory ÷ django-import-export ({label(size)})",
            figures["import rows/s"] / figures["peer rows/s"],
            f"{figures['import rows/s']:,.0f} rows/s ({figures['rows']:,} rows in "
            f"{figures['import seconds']:.1f} s) vs {figures['peer rows/s']:,.0f} rows/s "
            f"(the first {figures['peer rows']:,} rows in {figures['peer seconds']:.1f} s; "
            f"the whole file at that rate: "
            f"{figures['rows'] / figures['peer rows/s'] / 60:.0f} min)",
        ))  # fmt: skip
    return rows


def issue12_context(large, f):
    """Context lines for the rows issue 12 adds: how the peers and limits were set up."""
    imported, peer = f["imported"], f["import peer"]
    grew = ", ".join(imported["also grew"]) or "none"
    into = "; ".join(f"{label(size)}: into {p['into']}" for size, p in peer.items())
    return [
        "- B7 limit: the rows import_directory wrote ("
        + ", ".join(f"{n:,} in {t}" for t, n in imported["written"].items())
        + f"), COPY'd out, then loaded with psql's \\copy in one session, in that order, into "
        "a copy of the same freshly migrated database (seed and synthetic sectors), whose "
        "generated columns, constraints and triggers run as they would for the import; the "
        f"faster of loading into the indexed tables and of dropping the secondary indexes "
        f"and building them after, the build counted. Other tables the import grew: {grew}.",
        "- B10 csv and ndjson: psql runs, its output thrown away, for the CSV "
        f"{f['psql']['source']['csv']}; for the NDJSON {f['psql']['source']['ndjson']}.",
        "- P1: a plain DRF ModelViewSet (bench.peers): ModelSerializer with the API's fields, "
        "the record's URL a HyperlinkedIdentityField, the sectors a nested ModelSerializer "
        "(slug, name, URL, as the API shows them), PageNumberPagination (an exact count) and "
        "DjangoFilterBackend with the same FilterSet and queryset. P2: a plain ListView with "
        "Paginator (an exact count) over the same FilterSet, rendering the project's base page "
        "and exhibitor table with plain page links (bench/templates; no facets, no filter "
        "form: the peer does less than the page). Both served by the same server.",
        f"- P3: a file of {next(iter(peer.values()))['rows']:,} rows (generate_directory "
        f"--exhibitors 33334 --seed {SEED + 1}: new rows for both databases), imported into a "
        f"copy of each loaded database ({into}); django-import-export 4.4.3 with a "
        "ModelResource for expos, exhibitors (sectors through ManyToManyWidget) and "
        "participations (ForeignKeyWidget by slug), run in turn over the first "
        f"{PEER_SLICE_ROWS:,} rows: row by row, the whole file would take far past the "
        "run's time (its estimate is in the row).",
    ]


def search_terms_row(large, terms, refused=()):
    """B13: the worst p50, in ms, of the API list's search over the terms people type; a
    search refused as too broad counts with the time its refusal took."""
    ranked = sorted(terms.items(), key=lambda item: item[1], reverse=True)
    _worst, seconds = ranked[0]
    details = "slowest: " + ", ".join(f"{term!r} {ms(value)}" for term, value in ranked[:5])
    if refused:
        details += "; refused as too broad (400): " + ", ".join(map(repr, refused))
    return (
        "B13", f"ms: p50 of `/api/v1/exhibitors/?q=…` for the worst of {len(terms)} terms "
        f"({label(large)})", seconds * 1000, ms(seconds), details,
    )  # fmt: skip
