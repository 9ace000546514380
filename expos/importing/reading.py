"""Reading a directory file: CSV or JSON Lines into records, every value as stripped text.

A record is (line number, values, has_sectors): values are the COLUMNS as stripped text, and
has_sectors says whether the row gives a `sectors` value (columns.LISTED) at all: without one,
the exhibitor's sectors are left as they are. A line that cannot be read comes as
(line number, ImportRejected, None), so that it is reported with the others and reading goes on.
"""

import csv
import json
import operator

from .checks import ImportRejected
from .columns import COLUMNS, LISTED, REQUIRED_COLUMNS

__all__ = ["COLUMNS", "read_records", "read_rows"]
SECTORS_COLUMN = LISTED.name


def read_records(path, *, fmt=None):
    """The records of a CSV or JSON Lines file (by its extension unless `fmt` says)."""
    fmt = fmt or ("jsonl" if str(path).endswith((".jsonl", ".ndjson")) else "csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            yield from csv_records(handle)
        else:
            yield from jsonl_records(handle)


def read_rows(path, *, fmt=None):
    """(line number, row dict) for each data row of a CSV or JSON Lines file; a line that
    cannot be read at all comes as (line number, ImportRejected)."""
    for number, values, has_sectors in read_records(path, fmt=fmt):
        if isinstance(values, ImportRejected):
            yield number, values
            continue
        row = dict(zip(COLUMNS, values, strict=True))
        if not has_sectors:
            del row[SECTORS_COLUMN]
        yield number, row


class Lines:
    """The lines of a file, one of them put back to be read again, counted as csv.reader
    takes them."""

    def __init__(self, handle):
        self.handle, self.back, self.taken = handle, None, 0

    def __iter__(self):
        return self

    def __next__(self):
        self.taken += 1
        if self.back is not None:
            line, self.back = self.back, None
            return line
        return next(self.handle)


def csv_records(handle):
    """Read like csv.DictReader (blank lines skipped, missing values empty, line numbers
    counted the same way), without building a dict for every row.

    A line without a double quote holds one whole row, its values split by commas, which is
    how the csv module would read it too; only lines with quotes (a value with a comma, a
    quote or a line break in it) go through the csv module.
    """
    lines = Lines(handle)
    reader = csv.reader(lines)
    header = next(reader, None) or []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRejected([(1, c, "This column is required.") for c in missing])
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportRejected([(1, c, "Unknown column.") for c in unknown])
    width = len(header)
    position = {column: index for index, column in enumerate(header)}  # the last one wins
    has_sectors = SECTORS_COLUMN in position
    # A row padded to width + 1: the extra empty value stands for every absent column.
    pick = operator.itemgetter(*[position.get(column, width) for column in COLUMNS])
    padding = [""] * (width + 1)
    in_order = header == COLUMNS
    strip = str.strip
    number = lines.taken
    for line in handle:
        if '"' in line:
            lines.back, lines.taken = line, 0
            row = next(reader)
            number += lines.taken
        else:
            number += 1
            line = line.rstrip("\r\n")
            if not line:
                continue
            row = line.split(",")
        count = len(row)
        if count == width and in_order:
            yield number, [*map(strip, row)], has_sectors
        elif count > width:
            yield number, ImportRejected([(number, "", "More values than columns.")]), None
        elif count:
            row += padding[count:]
            yield number, [*map(strip, pick(row))], has_sectors


def jsonl_records(handle):
    """The records of a JSON Lines file: one object a line, blank lines skipped."""
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, ImportRejected([(number, "", f"Not JSON: {error.msg}.")]), None
            continue
        if not isinstance(row, dict):
            yield number, ImportRejected([(number, "", "Each line must be an object.")]), None
            continue
        unknown = [c for c in row if c not in COLUMNS]
        if unknown:
            yield number, ImportRejected([(number, c, "Unknown field.") for c in unknown]), None
            continue
        yield number, [text(row.get(column)) for column in COLUMNS], SECTORS_COLUMN in row


def dict_records(rows):
    """Records from (line number, row dict) pairs, such as generate_directory's."""
    for number, row in rows:
        if isinstance(row, ImportRejected):
            yield number, row, None
        else:
            yield number, [text(row.get(column)) for column in COLUMNS], SECTORS_COLUMN in row


def text(value):
    """A cell as stripped text: JSON numbers become text, a JSON list becomes `a;b`."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()
