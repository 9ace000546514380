"""The import itself: read, stage, check across rows, write, in one transaction."""

from django.db import connection, transaction
from django.utils import timezone

from exhibitors.models import Exhibitor

from ..models import Participation
from .bulk import BulkLoad, tables_to_bulk_load
from .checks import ImportRejected, Problems
from .history import recorded
from .reading import dict_records, read_records
from .staging import DROP_STAGING, analyse_staging, create_staging, stage
from .writing import check_across_rows, write

# The name of the lock an import holds until it commits.
IMPORT_LOCK = "expos.importing"

# The tables an import fills in bulk, and may write without their indexes (see bulk.py).
TABLES = [
    Exhibitor._meta.db_table,
    Exhibitor.sectors.through._meta.db_table,
    Participation._meta.db_table,
]


def import_records(
    records, *, synthetic=False, progress=None, stage_done=None, bulk=None, dry_run=False
):
    """Check `records` and write them in one transaction (see import_rows)."""
    step = progress or (lambda n: None)
    done = stage_done or (lambda name: None)
    problems = Problems()
    # Dropping indexes locks tables until commit: only when the import owns its transaction.
    # A dry run drops none: that would lock the tables' readers out while it runs.
    owns_transaction = not connection.in_atomic_block and not dry_run
    with transaction.atomic(), connection.cursor() as cursor:
        # One import at a time, the next waiting for the one before to commit: two at once
        # each took locks on the tables the other was dropping indexes of (bulk.py), and one
        # died of a deadlock. Every write is INSERT … ON CONFLICT on the file's keys, so an
        # import after another updates the records that one wrote rather than repeating them.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [IMPORT_LOCK])
        # Sorting and hashing millions of staged rows wants more than the default 4 MB.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        create_staging(cursor)
        read, staged = stage(cursor, records, problems, step)
        analyse_staging(cursor)
        summary = check_across_rows(cursor, problems)
        problems.raise_if_any()
        if not read:
            raise ImportRejected([(1, "", "The file holds no rows.")])
        deduplicate = summary.several_runs or staged.repeated_expo

        loads = dict(zip(TABLES, [summary.exhibitors, staged.links, staged.with_expo], strict=True))
        bulk_tables = tables_to_bulk_load(cursor, loads, bulk=bulk) if owns_transaction else []
        bulk_load = BulkLoad(cursor)
        if bulk_tables and not bulk_load.drop(bulk_tables):
            bulk_tables = []

        participations, tables = write(
            cursor,
            summary=summary,
            deduplicate=deduplicate,
            rows_with_expo=staged.with_expo,
            parameters={"synthetic": synthetic, "now": timezone.now()},
            done=done,
        )
        if bulk_tables:
            bulk_load.restore()
            done("indexes")
        if dry_run:
            # Everything was written, so the counts are the import's own; now undone. Only
            # the ids the sequences gave are not given back, as with any rollback.
            transaction.set_rollback(True)
        else:
            cursor.execute(DROP_STAGING)
    return {
        "rows": staged.rows,
        "exhibitors": summary.exhibitors,
        "expos": summary.expos,
        "participations": participations,
        "tables": tables,
        "new_expos": summary.new_expos,
    }


def import_rows(rows, *, synthetic=False, progress=None, stage_done=None, bulk=None, dry_run=False):
    """Check `rows` ((line number, row dict) pairs) and write them in one transaction.

    Raises ImportRejected, having written nothing, if any row is bad. Returns counts of what
    the rows hold. `progress(n)` is called as rows are read; `stage_done(name)` as each table
    is written. `bulk` forces (True) or forbids (False) dropping and recreating the indexes
    of the tables written; by default the import decides by the size of the file. With
    `dry_run`, everything is checked and written as usual, then rolled back: the counts say
    what the import would do, and the data is left as it was.
    """
    return import_records(
        dict_records(rows),
        synthetic=synthetic,
        progress=progress,
        stage_done=stage_done,
        bulk=bulk,
        dry_run=dry_run,
    )


def import_directory(
    path, *, fmt=None, progress=None, stage_done=None, bulk=None, user=None, dry_run=False
):
    """Check the file, then write it in one transaction. Returns counts of what was written.

    Each call leaves one entry in the import history (expos.models.ImportRun), naming `user`
    (the staff user who ran it, if known), whether the import succeeded or failed, and why.
    A dry run (see import_rows) leaves none: it changes nothing, and the history is of what
    changed the directory.
    """

    def run():
        return import_records(
            read_records(path, fmt=fmt),
            progress=progress,
            stage_done=stage_done,
            bulk=bulk,
            dry_run=dry_run,
        )

    if dry_run:
        return run()
    with recorded(path, user=user) as result:
        result["counts"] = run()
    return result["counts"]
