"""What PostgreSQL does itself, and the import against it, each in processes of its own: the
import against psql's \\copy (B7, B7 limit, B9) and against django-import-export (P3), and psql's
COPY of the exports' statements (B10 csv, B10 ndjson).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench.databases import (
    database_url,
    django_environment,
    drop_database,
    manage,
    psql_command,
    recreate_database,
    server_database,
    sql,
)
from bench.settings import (
    DATABASE_PREFIX,
    PEER_EXHIBITORS,
    PEER_SLICE_ROWS,
    ROOT,
    SEED,
    label,
    say,
)


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
# load of the import's limit starts from a copy of it (CREATE DATABASE … TEMPLATE). Like the
# loaded databases, the scratch ones are named with BENCH_DATABASE_PREFIX (bench_ by default).
FRESH = f"{DATABASE_PREFIX}import_fresh"
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
    command = psql_command(database)
    for statement in commands:
        command += ["--command", statement]
    seconds, _rss, _output = run_measured(command, database, scratch_dir)
    return seconds


def measure_copy_limit(dumps, scratch_dir):
    """B7 limit: psql's \\copy of the import's own rows into the same tables of a fresh copy,
    with their indexes, generated columns, constraints and triggers, in one session; and the
    same with the secondary indexes dropped first and built after, the build counted.

    Returns {"with indexes": seconds, "indexes rebuilt": seconds, "indexes": how many}."""
    database = f"{DATABASE_PREFIX}import_limit"
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


def measure_import(rows, scratch_dir, *, keep_file=False):
    """B7, B7 limit and B9: import_directory of a generated CSV of about `rows` rows (an
    exhibitor has about three, one for each expo) into a copy of a freshly migrated database,
    against psql's \\copy of the same file into a staging table of text columns (B7), and
    against psql's \\copy of the rows the import wrote into the same tables (B7 limit).

    With `keep_file`, the CSV is kept for another measure, its path in "file"."""
    size = max(rows // 3, 1)
    csv_path = Path(scratch_dir) / f"directory-{label(rows)}-rows.csv"
    database = f"{DATABASE_PREFIX}import"
    create_fresh()
    generate_file(csv_path, size, SEED)
    copy_database(FRESH, database)
    with open(csv_path, encoding="utf-8-sig") as handle:
        header = handle.readline().strip().split(",")

    say(f"psql \\copy of {csv_path.name} into a staging table")
    columns = ", ".join(f'"{column}" text' for column in header)
    sql(database, f"CREATE UNLOGGED TABLE bench_staging ({columns})")
    copy_seconds, _rss, output = run_measured(
        psql_command(
            database,
            "--command",
            f"\\copy bench_staging FROM '{csv_path}' WITH (FORMAT csv, HEADER true)",
        ),
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
    if not keep_file:
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
        **({"file": csv_path} if keep_file else {}),
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
    database, figures = f"{DATABASE_PREFIX}peer_import", {}
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
