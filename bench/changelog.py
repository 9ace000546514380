"""What the change log costs (issue 19): a write through the API and an import, each with the
log's triggers on ÷ off, measured in the same run.

The log is written by core.changelog.log's triggers, named `pgtrigger_change_log_…` in pg_trigger
(insert, update, delete and truncate, on every directory table). `change_log_off` disables all
of them for the time of a block (ALTER TABLE … DISABLE TRIGGER, in one transaction) and enables
them again after; the count tables' triggers and the constraints stay on.

- L1 `measure_patch_cost`: the p50 of an API PATCH of an exhibitor with a staff token, over
  HTTP on a running Server, in rounds alternating log on, log off, on, off…, so that a slow
  moment of the machine lands on both. Each PATCH gives the next of PATCH_EXHIBITORS
  exhibitors a website it did not have, so each one writes; their websites are put back after.
- L2 `measure_import_cost`: import_directory of one file into two copies of the same freshly
  migrated database (bench.loading's), the log's triggers disabled in the second; and how much
  the log grew in the first.
"""

import itertools
import json
import re
import statistics
import sys
import time
from contextlib import contextmanager, suppress

import psycopg

from bench.databases import database_url, drop_database, manage, sql
from bench.http import Client, percentile
from bench.loading import FRESH, copy_database, run_measured
from bench.report import ms, ratio_row
from bench.settings import DATABASE_PREFIX, ROUND_SECONDS, WARMUP_REQUESTS, label, say

TRIGGER_PREFIX = "pgtrigger_change_log_"
LOG_TABLES = ["core_change", "core_changeset"]
PATCH_ROUNDS = 10  # a side: 20 rounds in all, alternated
PATCH_REQUESTS = 25  # a round, for a median
PATCH_EXHIBITORS = 50


def quoted(name):
    return '"' + name.replace('"', '""') + '"'


# (table, trigger) of every change-log trigger, with TRIGGER_PREFIX for its parameter.
TRIGGERS_QUERY = (
    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
    " WHERE NOT t.tgisinternal AND starts_with(t.tgname, %s) ORDER BY c.relname, t.tgname"
)


def change_log_triggers(database):
    """(table, trigger) of every change-log trigger on `database`'s tables."""
    return sql(database, TRIGGERS_QUERY, [TRIGGER_PREFIX])


def toggle_statements(triggers, enabled):
    verb = "ENABLE" if enabled else "DISABLE"
    return [f"ALTER TABLE {quoted(t)} {verb} TRIGGER {quoted(name)}" for t, name in triggers]


def set_change_log(database, triggers, *, enabled):
    """Enable or disable `triggers` in one transaction: every table's at once, or none."""
    with psycopg.connect(database_url(database)) as connection:
        # ALTER TABLE waits for a transaction using the table; a stuck one stops the run.
        connection.execute("SET LOCAL lock_timeout = '30s'")
        for statement in toggle_statements(triggers, enabled):
            connection.execute(statement)


@contextmanager
def change_log_off(database, triggers):
    set_change_log(database, triggers, enabled=False)
    try:
        yield
    finally:
        set_change_log(database, triggers, enabled=True)


def found_triggers(database):
    triggers = change_log_triggers(database)
    if not triggers:
        sys.exit(f"{database} has no {TRIGGER_PREFIX}… triggers: nothing to compare")
    return triggers


def api_token(database, username):
    """A new API token of `username` (api_token --rotate prints it)."""
    _seconds, output = manage(database, "api_token", username, "--rotate")
    return output.strip().splitlines()[-1]


def pick_exhibitors(database, count):
    """(slug, website) of `count` exhibitors from the middle of the table, by id."""
    return sql(
        database,
        "SELECT slug, website FROM exhibitors_exhibitor WHERE id >= (SELECT (min(id) + max(id))"
        " / 2 FROM exhibitors_exhibitor) ORDER BY id LIMIT %s",
        [count],
    )


def last_entry(database):
    """The log's highest id: nothing else writes while L1 runs, so the entries a round wrote
    are those past it (counted by the primary key, not over millions of entries)."""
    ((last,),) = sql(database, "SELECT coalesce(max(id), 0) FROM core_change")
    return last


def entries_since(database, last):
    ((entries,),) = sql(database, "SELECT count(*) FROM core_change WHERE id > %s", [last])
    return entries


def measure_patch_cost(server, credentials):
    """L1 on a running Server: {"on": [p50 of each round], "off": […], "on requests": n,
    "off requests": n, "on entries": change entries the log gained in the "on" rounds, "off
    entries": the same in the "off" rounds, "triggers": how many were switched, "tables": on
    how many tables, "exhibitors": how many were PATCHed in turn}. `credentials` are a staff
    user's (bench.admin_pages.prepare_admin)."""
    database = server.database
    triggers = found_triggers(database)
    headers = {
        "Authorization": f"Token {api_token(database, credentials[0])}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    exhibitors = pick_exhibitors(database, PATCH_EXHIBITORS)
    client, sent = Client(server.port), itertools.count()

    def patch():
        n = next(sent)
        slug, _website = exhibitors[n % len(exhibitors)]
        path = f"/api/v1/exhibitors/{slug}/"
        body = json.dumps({"website": f"https://example.org/bench/{n}"}).encode()
        response, answer, elapsed = client.request("PATCH", path, headers, body)
        if response.status != 200:
            raise RuntimeError(f"PATCH {path} answered {response.status}: {answer[:300]!r}")
        return elapsed

    def one_round():
        samples, deadline = [], time.monotonic() + ROUND_SECONDS
        while len(samples) < PATCH_REQUESTS and time.monotonic() < deadline:
            samples.append(patch())
        return samples

    figures = {side: [] for side in ("on", "off")}
    counts = dict.fromkeys(["on requests", "off requests", "on entries", "off entries"], 0)
    try:
        for _ in range(WARMUP_REQUESTS):
            patch()
        with change_log_off(database, triggers):
            for _ in range(WARMUP_REQUESTS):
                patch()
        for _ in range(PATCH_ROUNDS):
            for side in ("on", "off"):
                last = last_entry(database)
                if side == "on":
                    samples = one_round()
                else:
                    with change_log_off(database, triggers):
                        samples = one_round()
                figures[side].append(percentile(samples, 0.5))
                counts[f"{side} requests"] += len(samples)
                counts[f"{side} entries"] += entries_since(database, last)
    finally:
        client.close()
        # As they were: a database kept for the next run (BENCH_REUSE) keeps its data.
        sql(
            database,
            "UPDATE exhibitors_exhibitor e SET website = w.website"
            " FROM unnest(%s::text[], %s::text[]) AS w(slug, website) WHERE e.slug = w.slug",
            [[slug for slug, _ in exhibitors], [website for _, website in exhibitors]],
        )
    return {
        **figures,
        **counts,
        "triggers": len(triggers),
        "tables": len({table for table, _name in triggers}),
        "exhibitors": len(exhibitors),
    }


def log_size(database):
    """{"entries": rows of core_change, "changesets": rows of core_changeset, "bytes": both
    tables' pg_total_relation_size (their indexes and TOAST included)}."""
    ((entries, changesets, size),) = sql(
        database,
        "SELECT (SELECT count(*) FROM core_change), (SELECT count(*) FROM core_changeset), "
        + " + ".join(f"pg_total_relation_size('{table}')" for table in LOG_TABLES),
    )
    return {"entries": entries, "changesets": changesets, "bytes": size}


def checkpoint(database):
    """Writes out what earlier steps left dirty, so that neither import pays for it; skipped
    for a user who may not (CHECKPOINT needs a superuser or pg_checkpoint)."""
    with suppress(psycopg.errors.InsufficientPrivilege):
        sql(database, "CHECKPOINT")


def imported_rows(output):
    """The rows import_directory's summary says it imported ("Imported 1002184 rows: …")."""
    match = re.search(r"Imported (\d+) rows?", output)
    if not match:
        sys.exit(f"import_directory said no row count:\n{output[-2000:]}")
    return int(match.group(1))


def measure_import_cost(path, scratch_dir):
    """L2: import_directory of the CSV at `path` into a copy of bench.loading's fresh database
    with the change log ("with"), then into another copy with its triggers disabled
    ("without"). Returns {"rows": n, "with": {...}, "without": {...}}, each side with its
    "seconds", "rows/s", and the log's size "before" and "after" (log_size)."""
    figures = {}
    for side in ("with", "without"):
        database = f"{DATABASE_PREFIX}import_{side}_log"
        if not copy_database(FRESH, database):
            sys.exit(f"Could not copy {FRESH} for the import {side} the change log")
        if side == "without":
            set_change_log(database, found_triggers(database), enabled=False)
        before = log_size(database)
        checkpoint(database)
        say(f"{database}: import_directory {path.name}, {side} the change log")
        seconds, _rss, output = run_measured(
            [sys.executable, "manage.py", "import_directory", str(path), "--no-progress"],
            database,
            scratch_dir,
        )
        rows = imported_rows(output)
        figures["rows"] = rows
        figures[side] = {
            "seconds": seconds,
            "rows/s": rows / seconds,
            "before": before,
            "after": log_size(database),
        }
        drop_database(database)
    return figures


# --- Its rows in the report ---------------------------------------------------------------


def changelog_rows(large, f):
    """L1 and L2, what the change log costs (issue 19), from `f`: {"patch": bench.changelog.
    measure_patch_cost, "import": measure_import_cost}."""
    patch, imports = f["patch"], f["import"]
    on, off = statistics.median(patch["on"]), statistics.median(patch["off"])
    rounds = len(patch["on"])
    with_, without = imports["with"], imports["without"]
    grew = log_growth(with_)
    return [
        ratio_row(
            "L1", f"p50 of an API PATCH of an exhibitor, change log on ÷ off ({label(large)})",
            on / off,
            f"{ms(on)} vs {ms(off)}, the median of {rounds} rounds a side, alternated "
            f"({patch['on requests']:,} and {patch['off requests']:,} PATCHes); the log took "
            f"{patch['on entries']:,} entries on, {patch['off entries']:,} off",
        ),
        ratio_row(
            "L2", f"rows/s: import_directory with the change log ÷ without ({label(large)})",
            with_["rows/s"] / without["rows/s"],
            f"{with_['rows/s']:,.0f} vs {without['rows/s']:,.0f} rows/s ({with_['seconds']:.1f}"
            f" s vs {without['seconds']:.1f} s for {imports['rows']:,} rows); the log grew by "
            f"{grew['entries']:,} entries, {grew['bytes'] / 2**20:,.0f} MB, "
            f"{grew['bytes'] / imports['rows']:,.0f} bytes an imported row",
        ),
    ]  # fmt: skip


def log_growth(side):
    """What an import added to the log: {"entries", "changesets", "bytes"}, after − before."""
    return {key: side["after"][key] - side["before"][key] for key in side["after"]}


def changelog_context(large, f):
    """How L1 and L2 were measured, and the log's size after the import."""
    patch, imports = f["patch"], f["import"]
    after, grew = imports["with"]["after"], log_growth(imports["with"])
    return [
        f"- L1, L2: the change log's {patch['triggers']} triggers (`pgtrigger_change_log_…` "
        f"in pg_trigger, on {patch['tables']} tables) disabled with `ALTER TABLE … DISABLE "
        "TRIGGER` for the side without it, enabled again after; the count tables' triggers "
        f"stay on. L1 at {label(large)}, over HTTP with a staff token, the API's response "
        f"cache off: each PATCH gives the next of {patch['exhibitors']} exhibitors a new "
        "website. L2: a file generated as B7's, imported into two copies of the same fresh "
        "database (seed and synthetic sectors), the first with the log. After the import of "
        f"{imports['rows']:,} rows, core_change held {after['entries']:,} entries "
        f"({grew['entries']:,} from the import) and core_changeset {after['changesets']:,} "
        f"rows ({grew['changesets']:,}); with their indexes they took "
        f"{after['bytes'] / 2**20:,.0f} MB ({grew['bytes'] / 2**20:,.0f} MB from the import: "
        f"{grew['bytes'] / imports['rows']:,.0f} bytes an imported row). The copy without the "
        f"log gained {log_growth(imports['without'])['entries']:,} entries.",
    ]
