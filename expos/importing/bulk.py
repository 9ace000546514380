"""Bulk loads: a table's secondary indexes and foreign keys dropped before writing, recreated
after.

Writing a row into a table costs far more than the row itself: every index of the table is
updated for it (the exhibitors' full-text and trigram GIN indexes most of all) and every
foreign key is checked for it, one row at a time, at commit. When a file is large next to a
table (at least BULK_SHARE of the rows the table already holds, as when the directory is first
loaded), the import does what PostgreSQL advises for populating a database: inside the same
transaction it drops that table's secondary indexes and its foreign keys, writes, then creates
them again from their own definitions (pg_get_indexdef, pg_get_constraintdef: the same names,
the same definitions, whatever the migrations made them) with a larger maintenance_work_mem.
Sorting the table once to build an index is much cheaper than inserting into it row by row,
and checking a foreign key with one join is much cheaper than a check for every row. The unique
and primary-key indexes stay (ON CONFLICT needs them and they keep the data right while it is
written), as does any index that could not be recreated exactly (one with a comment, a
tablespace or a statistics target).

The trade-off: dropping an index locks its table against readers until the import commits, so
this is only done when the import owns its transaction (not inside a caller's atomic block),
and only if the locks are granted within BULK_LOCK_TIMEOUT; otherwise the import writes into
the indexed tables as usual (`import_directory --keep-indexes` asks for that too). If anything
fails, the rollback restores the indexes and keys as they were.
"""

from django.db import DatabaseError, transaction

from .sql import quote

BULK_SHARE = 1.0
BULK_LOCK_TIMEOUT = "5s"
BULK_MAINTENANCE_WORK_MEM = "256MB"

# A table's secondary indexes that can be recreated exactly from pg_get_indexdef: not unique,
# not a constraint's, valid, in the default tablespace, without a comment or a statistics
# target of their own.
SECONDARY_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = %s::regclass
      AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion
      AND i.indisvalid AND i.indisready AND NOT i.indisreplident
      AND c.reltablespace = 0
      AND obj_description(i.indexrelid, 'pg_class') IS NULL
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
      AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                      WHERE a.attrelid = i.indexrelid AND a.attstattarget > 0)
    ORDER BY 1
"""
# A table's foreign keys, to be added again as they were (deferrable, and so on).
FOREIGN_KEYS = """
    SELECT quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint
    WHERE conrelid = %s::regclass AND contype = 'f' AND convalidated
      AND obj_description(oid, 'pg_constraint') IS NULL
    ORDER BY conname
"""
TABLE_ROWS = "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass"


class BulkLoad:
    """The secondary indexes and foreign keys of the tables an import fills, dropped before
    writing and recreated after (see the module's docstring)."""

    def __init__(self, cursor):
        self.cursor = cursor
        self.indexes, self.foreign_keys = [], []

    @staticmethod
    def worth_it(cursor, table, rows):
        """Whether writing `rows` rows into `table` is better done without its indexes."""
        cursor.execute(TABLE_ROWS, [table])
        (estimate,) = cursor.fetchone()
        if estimate < 0:  # never vacuumed nor analysed
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")
            (estimate,) = cursor.fetchone()
        return rows > 0 and rows >= BULK_SHARE * estimate

    def drop(self, tables):
        """Drop the tables' secondary indexes and foreign keys, or nothing at all when their
        locks are not granted in time. Returns whether it did."""
        cursor = self.cursor
        indexes, foreign_keys = [], []
        for table in tables:
            cursor.execute(SECONDARY_INDEXES, [table])
            indexes += cursor.fetchall()
            cursor.execute(FOREIGN_KEYS, [table])
            foreign_keys += [(table, name, definition) for name, definition in cursor.fetchall()]
        if not indexes and not foreign_keys:
            return False
        cursor.execute("SELECT current_setting('lock_timeout')")
        (lock_timeout,) = cursor.fetchone()
        try:
            with transaction.atomic():
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [BULK_LOCK_TIMEOUT])
                for table, name, _definition in foreign_keys:
                    cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {name}")
                if indexes:
                    cursor.execute(f"DROP INDEX {', '.join(name for name, _ in indexes)}")
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_timeout])
        except DatabaseError:  # a lock not granted in time, or rows still to be checked
            return False
        self.indexes, self.foreign_keys = indexes, foreign_keys
        return True

    def restore(self):
        """Create the indexes again and add the foreign keys back, checking every row."""
        cursor = self.cursor
        cursor.execute(
            "SELECT set_config('maintenance_work_mem', %s, true)", [BULK_MAINTENANCE_WORK_MEM]
        )
        for _name, definition in self.indexes:
            cursor.execute(definition)
        if self.foreign_keys:
            # A table with trigger events still pending cannot be altered: check the rows
            # written so far now (the import owns the transaction, so they are all its own).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {name} {definition}")


def tables_to_bulk_load(cursor, loads, *, bulk):
    """The tables of `loads` ({table: rows to write}) to write without their indexes: those
    the file is large next to, or all of them if `bulk` is True, none if it is False."""
    if bulk is False:
        return []
    return [
        table for table, rows in loads.items() if bulk or BulkLoad.worth_it(cursor, table, rows)
    ]
