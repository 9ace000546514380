"""Bulk import of exhibitors, expos and participations from CSV or JSON Lines.

One row is one exhibitor, and optionally its appearance at one expo: the columns of
columns.TABLE, where each is declared once (its name, the model field it fills, how it is
checked), from `slug, name, …` to `showcase`. `sectors` is a list of sector slugs separated by
`;` (a JSON list in JSON Lines). An exhibitor at several expos takes several rows.

How it runs, in one transaction, one module a stage:
1. reading: the file's rows as records of stripped text;
2. checks and staging: each row is checked as it is read (against the limits the models set)
   and streamed with COPY into a temporary table, so memory stays flat however long the file
   is;
3. writing: what needs the whole file (one name per slug, one set of details per expo, a
   name for each expo it creates: a slug that matches no expo, given without a name, is
   refused rather than made into one) is checked in SQL; a file with any bad row is
   rejected whole, listing every bad line and field, and the transaction is rolled back:
   nothing is written;
4. writing, sql: a good file is written with one INSERT … ON CONFLICT per table, built from
   the models' _meta. Importing the same file again updates the records, duplicates nothing,
   and leaves unchanged rows untouched (their `updated` stays, so API clients syncing with
   `updated_since` see only real changes);
5. bulk: a file large next to a table it fills is written without that table's secondary
   indexes and foreign keys, which are then created again.

What bounds the speed, at a million rows into an empty directory: writing the exhibitors (their
generated full-text column is computed for each), rebuilding the indexes, and the WAL that the
tables, unlike a COPY into an unlogged table, must write; reading and checking the rows in
Python is about a fifth of the time.

`generate_directory` feeds its synthetic rows through the same path.
"""

# The tunables (KEPT_ERRORS, BULK_LOCK_TIMEOUT, …) are read from their own modules: patch them
# there, not here.
from .checks import ImportRejected
from .importer import TABLES, import_directory, import_records, import_rows
from .reading import COLUMNS, dict_records, read_records, read_rows, text
from .summary import describe_changes, plural_of_table

__all__ = [
    "COLUMNS",
    "TABLES",
    "ImportRejected",
    "describe_changes",
    "dict_records",
    "import_directory",
    "import_records",
    "import_rows",
    "plural_of_table",
    "read_records",
    "read_rows",
    "text",
]
