"""Bulk import of exhibitors, expos and participations from CSV or JSON Lines.

One row is one exhibitor, and optionally its appearance at one expo:

    slug, name, country, region, city, sectors, website, description,
    expo, expo_name, expo_year, expo_country, expo_city, expo_start, expo_end, showcase

`sectors` is a list of sector slugs separated by `;` (a JSON list in JSON Lines). An exhibitor
at several expos takes several rows.

How it runs, in one transaction:
1. each row is checked as it is read and streamed with COPY into a temporary table, so memory
   stays flat however long the file is. An exhibitor's details are checked and copied once for
   each run of consecutive rows that repeat them (a "run"), and an expo's once for each set of
   details it comes with (a "variant"); the other rows of the run or variant point at it;
2. what needs the whole file (one name per slug, one set of details per expo) is checked in SQL;
3. a file with any bad row is rejected whole, listing every bad line and field, and the
   transaction is rolled back: nothing is written;
4. a good file is written with one INSERT … ON CONFLICT per table, rows joined to their
   exhibitor and expo by integer ids, not slugs. Importing the same file again updates the
   records, duplicates nothing, and leaves unchanged rows untouched (their `updated` stays, so
   API clients syncing with `updated_since` see only real changes). When every exhibitor's rows
   are together and name each expo once (as generate_directory writes them), nothing needs
   deduplicating and the writes take the rows as they come, without sorting them.

Bulk loads. Writing a row into a table costs far more than the row itself: every index of the
table is updated for it (the exhibitors' full-text and trigram GIN indexes most of all) and
every foreign key is checked for it, one row at a time, at commit. When a file is large next
to a table (at least BULK_SHARE of the rows the table already holds, as when the directory is
first loaded), the import does what PostgreSQL advises for populating a database: inside the
same transaction it drops that table's secondary indexes and its foreign keys, writes, then
creates them again from their own definitions (pg_get_indexdef, pg_get_constraintdef: the same
names, the same definitions, whatever the migrations made them) with a larger
maintenance_work_mem. Sorting the table once to build an index is much cheaper than inserting
into it row by row, and checking a foreign key with one join is much cheaper than a check for
every row. The unique and primary-key indexes stay (ON CONFLICT needs them and they keep the
data right while it is written), as does any index that could not be recreated exactly (one
with a comment, a tablespace or a statistics target). The trade-off: dropping an index locks
its table against readers until the import commits, so this is only done when the import owns
its transaction (not inside a caller's atomic block), and only if the locks are granted within
BULK_LOCK_TIMEOUT; otherwise the import writes into the indexed tables as usual
(`import_directory --keep-indexes` asks for that too). If anything fails, the rollback
restores the indexes and keys as they were.

What bounds the speed, at a million rows into an empty directory: writing the exhibitors (their
generated full-text column is computed for each), rebuilding the indexes, and the WAL that the
tables, unlike a COPY into an unlogged table, must write; reading and checking the rows in
Python is about a fifth of the time.

`generate_directory` feeds its synthetic rows through the same path.
"""

import csv
import datetime
import json
import operator
import re

from django.core.validators import URLValidator
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_countries import countries

from exhibitors import versioning
from exhibitors.models import Exhibitor, Sector

from .models import Participation

COLUMNS = [
    "slug", "name", "country", "region", "city", "sectors", "website", "description",
    "expo", "expo_name", "expo_year", "expo_country", "expo_city", "expo_start", "expo_end",
    "showcase",
]  # fmt: skip
EXPO_COLUMNS = COLUMNS[9:]
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
COUNTRY_CODES = {code for code, _name in countries}
KEPT_ERRORS = 10_000  # every bad line is counted; this many are kept to be shown
PROGRESS_EVERY = 1000
EXPO_VARIANTS_KEPT = 10_000  # expo details remembered while reading; more are checked again
http_url = URLValidator(schemes=["http", "https"])

# Bulk loads: a table's secondary indexes and foreign keys are dropped and recreated when the
# file holds at least this share of the rows the table has (see the module's docstring).
BULK_SHARE = 1.0
BULK_LOCK_TIMEOUT = "5s"
BULK_MAINTENANCE_WORK_MEM = "256MB"

# The temporary table each row is copied into: its line number, the run of rows with the same
# exhibitor details it belongs to (named by the run's first line), the variant of expo details
# it names (NULL without an expo) and its showcase. The first row of a run carries the
# exhibitor's details and the first row of a variant the expo's; the others leave them NULL.
STAGING = """
    CREATE TEMPORARY TABLE import_rows (
        line integer NOT NULL, run integer NOT NULL, variant integer, showcase text NOT NULL,
        slug text, name text, country text, region text, city text, sectors text,
        website text, description text,
        expo text, expo_name text, expo_year smallint, expo_country text, expo_city text,
        expo_start date, expo_end date
    ) ON COMMIT DROP
"""
STAGED = [
    "line", "run", "variant", "showcase",
    "slug", "name", "country", "region", "city", "sectors", "website", "description",
    "expo", "expo_name", "expo_year", "expo_country", "expo_city", "expo_start", "expo_end",
]  # fmt: skip
STAGING_TABLES = ["import_rows", "import_expos", "import_exhibitor_ids", "import_tags"]
DROP_STAGING = f"DROP TABLE IF EXISTS {', '.join(STAGING_TABLES)}"
NO_EXHIBITOR = "\t\\N" * 8  # a row that continues a run
NO_EXPO = "\t\\N" * 7  # a row without an expo, or of a variant already copied


class ImportRejected(Exception):
    """The file has bad rows; `errors` lists (line, field, message) for each, `total` counts
    them all (only the first KEPT_ERRORS are kept)."""

    def __init__(self, errors, total=None):
        self.errors = sorted(errors, key=lambda error: error[0])
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} problem(s) in the file")


class Problems:
    def __init__(self):
        self.kept, self.total = [], 0

    def add(self, line, field, message):
        self.total += 1
        if len(self.kept) < KEPT_ERRORS:
            self.kept.append((line, field, message))

    def raise_if_any(self):
        if self.total:
            raise ImportRejected(self.kept, self.total)


# --- Reading ---------------------------------------------------------------------------------
# A record is (line number, values, has_sectors): values are the COLUMNS as stripped text, and
# has_sectors says whether the row gives a `sectors` value at all. A line that cannot be read
# comes as (line number, ImportRejected, None).


def read_records(path, fmt=None):
    """The records of a CSV or JSON Lines file."""
    fmt = fmt or ("jsonl" if str(path).endswith((".jsonl", ".ndjson")) else "csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            yield from csv_records(handle)
        else:
            yield from jsonl_records(handle)


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
    missing = [c for c in ("slug", "name") if c not in header]
    if missing:
        raise ImportRejected([(1, c, "This column is required.") for c in missing])
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise ImportRejected([(1, c, "Unknown column.") for c in unknown])
    width = len(header)
    position = {column: index for index, column in enumerate(header)}  # the last one wins
    has_sectors = "sectors" in position
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
        yield number, [text(row.get(column)) for column in COLUMNS], "sectors" in row


def dict_records(rows):
    """Records from (line number, row dict) pairs, such as generate_directory's."""
    for number, row in rows:
        if isinstance(row, ImportRejected):
            yield number, row, None
        else:
            yield number, [text(row.get(column)) for column in COLUMNS], "sectors" in row


def read_rows(path, fmt=None):
    """(line number, row dict) for each data row of a CSV or JSON Lines file; a line that
    cannot be read at all comes as (line number, ImportRejected)."""
    for number, values, has_sectors in read_records(path, fmt):
        if isinstance(values, ImportRejected):
            yield number, values
            continue
        row = dict(zip(COLUMNS, values, strict=True))
        if not has_sectors:
            del row["sectors"]
        yield number, row


def text(value):
    """A cell as stripped text: JSON numbers become text, a JSON list becomes `a;b`."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(v) for v in value)
    return str(value).strip()


# --- Checking --------------------------------------------------------------------------------

# Most websites are plain http(s)://host.tld/… addresses; those pass this quick test, and only
# the others go through Django's URLValidator (which accepts a superset of them).
PLAIN_URL = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?:[/?#][^\s]*)?$"
)


def website_is_valid(website):
    if PLAIN_URL.match(website):
        return True
    try:
        http_url(website)
    except Exception:
        return False
    return True


def copy_text(value):
    """A value in COPY's text format: backslashes, tabs and line breaks escaped."""
    if "\\" in value or not value.isprintable():
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


MISSING_EXPO = [("expo", "Expo columns are filled in but the expo slug is missing.")]
NUL_ROW = [("", "NUL characters are not allowed.")]


def has_nul(values):
    return any("\x00" in value for value in values)


def check_exhibitor(values, has_sectors, known_sectors):
    """(problems, the exhibitor's columns of a staged row, how many sectors it lists) for the
    exhibitor columns of a row.

    A row with a NUL character has that one problem, reported for the whole row.
    """
    raw = "".join(values)
    if "\x00" in raw:
        return NUL_ROW, None, 0
    slug, name, country, region, city, sectors, website, description = values
    problems = []
    if not slug:
        problems.append(("slug", "Required."))
    elif len(slug) > 120 or not SLUG.match(slug):
        problems.append(("slug", "Use letters, digits, hyphens and underscores (120 at most)."))
    if not name:
        problems.append(("name", "Required."))
    elif len(name) > 255:
        problems.append(("name", "255 characters at most."))
    country = country.upper()
    if country and country not in COUNTRY_CODES:
        problems.append(("country", f"“{country}” is not an ISO 3166-1 alpha-2 country code."))
    if website and not website_is_valid(website):
        problems.append(("website", "Must be an http or https address."))
    # No `sectors` column or key: the exhibitor's sectors are left as they are.
    tags, listed = None, ()
    if has_sectors:
        listed = list(dict.fromkeys(s.strip() for s in sectors.split(";") if s.strip()))
        unknown = [s for s in listed if s not in known_sectors]
        if unknown:
            problems.append(("sectors", f"Unknown sector(s): {', '.join(unknown)}."))
        tags = ";".join(listed)
    for column, value in (("region", region), ("city", city)):
        if len(value) > 120:
            problems.append((column, "120 characters at most."))
    fields = [slug, name, country, region, city, tags, website, description]
    if "\\" in raw or not raw.isprintable():
        fields = [None if field is None else copy_text(field) for field in fields]
    if tags is None:
        fields[5] = "\\N"
    return problems, "\t" + "\t".join(fields), len(listed)


def check_expo(values):
    """(problems, the expo's columns of a staged row) for the expo columns of a row."""
    if has_nul(values):
        return NUL_ROW, None
    expo, name, year, country, city, start, end = values
    problems = []
    if len(expo) > 120 or not SLUG.match(expo):
        problems.append(("expo", "Use letters, digits, hyphens and underscores (120 at most)."))
    if len(name) > 255:
        problems.append(("expo_name", "255 characters at most."))
    if len(city) > 120:
        problems.append(("expo_city", "120 characters at most."))
    if year and (not year.isdigit() or not 1900 <= int(year) <= 2100):
        problems.append(("expo_year", f"“{year}” is not a year between 1900 and 2100."))
        year = ""
    dates = {}
    for column, raw in (("expo_start", start), ("expo_end", end)):
        if raw:
            try:
                dates[column] = datetime.date.fromisoformat(raw)
            except ValueError:
                problems.append((column, f"“{raw}” is not a date (YYYY-MM-DD)."))
    if len(dates) == 2 and dates["expo_end"] < dates["expo_start"]:
        problems.append(("expo_end", "The end date cannot be before the start date."))
    country = country.upper()
    if country and country not in COUNTRY_CODES:
        problems.append(("expo_country", f"“{country}” is not an ISO 3166-1 alpha-2 country code."))
    staged = "\t" + "\t".join(
        [
            copy_text(expo), copy_text(name), str(int(year)) if year else "\\N", country,
            copy_text(city),
            dates["expo_start"].isoformat() if "expo_start" in dates else "\\N",
            dates["expo_end"].isoformat() if "expo_end" in dates else "\\N",
        ]
    )  # fmt: skip
    return problems, staged


class Staged:
    """What staging learnt: rows copied, rows with an expo, sectors listed, and whether an
    exhibitor may name the same expo twice (then participations need deduplicating)."""

    def __init__(self, rows, with_expo, links, repeated_expo):
        self.rows, self.with_expo, self.links = rows, with_expo, links
        self.repeated_expo = repeated_expo


def stage(cursor, records, problems, progress):
    """Check every record, COPY the good ones into import_rows and report the bad ones.

    Returns (records read, Staged). This is the loop over every row, so the checks of a run's
    exhibitor and of an expo variant are made once, and rows are written as COPY text.
    """
    known_sectors = frozenset(Sector.objects.values_list("slug", flat=True))
    add = problems.add
    count = rows = with_expo = links = 0
    repeated_expo = False
    # The current run: its exhibitor values, their problems and staged text, and its first
    # line once a row of it is copied (0 before), with the expos its rows named.
    run_values, run_has_sectors, run_problems, run_text, run_links, run = None, None, [], "", 0, 0
    run_expos = set()
    variants = {}  # expo values → [problems, staged text, variant id once copied (0 before)]
    buffer = []
    write = buffer.append
    with cursor.copy(f"COPY import_rows ({', '.join(STAGED)}) FROM STDIN") as copy:
        for number, values, has_sectors in records:
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
                copy.write("".join(buffer))
                buffer.clear()
            if values.__class__ is ImportRejected:
                for error in values.errors:
                    add(*error)
                continue
            exhibitor = values[:8]
            if exhibitor != run_values or has_sectors is not run_has_sectors:
                run_problems, run_text, run_links = check_exhibitor(
                    exhibitor, has_sectors, known_sectors
                )
                run_values, run_has_sectors, run = exhibitor, has_sectors, 0
            expo = values[8]
            if expo:
                key = (*values[8:15],)
                variant = variants.get(key)
                if variant is None:
                    if len(variants) >= EXPO_VARIANTS_KEPT:
                        variants.clear()
                    variant = variants[key] = [*check_expo(key), 0]
                expo_problems = variant[0]
                nul = variant[1] is None
            else:
                variant = None
                expo_problems = MISSING_EXPO if any(values[9:]) else ()
                nul = expo_problems and has_nul(values[9:15])
            showcase = values[15]
            if run_problems or expo_problems or nul or "\x00" in showcase:
                if run_text is None or nul or "\x00" in showcase:
                    for field, message in NUL_ROW:
                        add(number, field, message)
                    continue
                for field, message in run_problems:
                    add(number, field, message)
                for field, message in expo_problems:
                    add(number, field, message)
                continue
            # A good row: copy it, with the exhibitor's details if it starts a run and the
            # expo's if it is the first of its variant.
            rows += 1
            if run:
                exhibitor_text = NO_EXHIBITOR
            else:
                run, exhibitor_text = number, run_text
                run_expos = set()
                links += run_links
            if variant is None:
                variant_id, expo_text = "\\N", NO_EXPO
            else:
                with_expo += 1
                if expo in run_expos:
                    repeated_expo = True
                else:
                    run_expos.add(expo)
                variant_id = variant[2]
                if variant_id:
                    expo_text = NO_EXPO
                else:
                    variant_id = variant[2] = number
                    expo_text = variant[1]
            if "\\" in showcase or not showcase.isprintable():
                showcase = copy_text(showcase)
            write(f"{number}\t{run}\t{variant_id}\t{showcase}{exhibitor_text}{expo_text}\n")
        copy.write("".join(buffer))
    progress(count % PROGRESS_EVERY)
    return count, Staged(rows, with_expo, links, repeated_expo)


# --- Checking across rows --------------------------------------------------------------------

# How many runs there are, and how many exhibitors they name.
RUNS = """
    SELECT COALESCE(sum(runs), 0)::bigint, count(*)
    FROM (SELECT count(*) AS runs FROM import_rows WHERE slug IS NOT NULL GROUP BY slug) s
"""

# An exhibitor's runs that give it another name than its first; then each of their rows.
NAME_CONFLICTS = """
    SELECT r.run, r.slug FROM import_rows r
    JOIN (SELECT DISTINCT ON (slug) slug, name FROM import_rows WHERE slug IS NOT NULL
          ORDER BY slug, run) first
      ON first.slug = r.slug
    WHERE r.slug IS NOT NULL AND r.name <> first.name
"""
RUN_LINES = "SELECT line, run FROM import_rows WHERE run = ANY(%s)"

# Each expo once, with the first value each of its columns was given in the file (a variant's
# line is the first line that gave its details).
EXPOS = """
    CREATE TEMPORARY TABLE import_expos ON COMMIT DROP AS
    SELECT expo AS slug, min(line) AS line,
        COALESCE((array_agg(expo_name ORDER BY line) FILTER (WHERE expo_name <> ''))[1], '')
            AS name,
        (array_agg(expo_year ORDER BY line) FILTER (WHERE expo_year IS NOT NULL))[1]
            AS edition_year,
        COALESCE((array_agg(expo_country ORDER BY line) FILTER (WHERE expo_country <> ''))[1],
            '') AS country,
        COALESCE((array_agg(expo_city ORDER BY line) FILTER (WHERE expo_city <> ''))[1], '')
            AS city,
        (array_agg(expo_start ORDER BY line) FILTER (WHERE expo_start IS NOT NULL))[1]
            AS start_date,
        (array_agg(expo_end ORDER BY line) FILTER (WHERE expo_end IS NOT NULL))[1] AS end_date
    FROM import_rows WHERE expo IS NOT NULL GROUP BY expo
"""

# The variants that give an expo other details than it was first given; then their rows.
EXPO_CONFLICTS = """
    SELECT r.variant, r.expo FROM import_rows r JOIN import_expos e ON e.slug = r.expo
    WHERE r.expo IS NOT NULL AND (
           (r.expo_name <> '' AND r.expo_name <> e.name)
        OR (r.expo_year IS NOT NULL AND r.expo_year <> e.edition_year)
        OR (r.expo_country <> '' AND r.expo_country <> e.country)
        OR (r.expo_city <> '' AND r.expo_city <> e.city)
        OR (r.expo_start IS NOT NULL AND r.expo_start <> e.start_date)
        OR (r.expo_end IS NOT NULL AND r.expo_end <> e.end_date))
"""
VARIANT_LINES = "SELECT line, variant FROM import_rows WHERE variant = ANY(%s)"

BAD_DATES = """
    SELECT e.line, e.slug FROM import_expos e LEFT JOIN expos_expo x ON x.slug = e.slug
    WHERE COALESCE(e.end_date, x.end_date) < COALESCE(e.start_date, x.start_date)
"""


def check_across_rows(cursor, problems, several_runs):
    """Report what needs the whole file: one name per exhibitor, one set of details per expo,
    and dates that agree."""

    def report(conflicts, lines_query, field, message):
        names = dict(conflicts)
        if names:
            cursor.execute(lines_query, [list(names)])
            for line, key in sorted(cursor.fetchall()):
                problems.add(line, field, message.format(names[key]))

    if several_runs:  # with one run per exhibitor, each has one name
        cursor.execute(NAME_CONFLICTS)
        report(cursor.fetchall(), RUN_LINES, "name", "“{}” appears earlier with another name.")
    cursor.execute(EXPO_CONFLICTS)
    report(cursor.fetchall(), VARIANT_LINES, "expo", "“{}” appears earlier with other details.")
    cursor.execute(BAD_DATES)
    for line, slug in cursor.fetchall():
        problems.add(line, "expo_end", f"The end date of “{slug}” is before its start date.")


# --- Writing ---------------------------------------------------------------------------------

# An expo named only by its slug keeps what the directory already knows of it.
WRITE_EXPOS = """
    INSERT INTO expos_expo (created, updated, slug, name, name_en, short_name, edition_year,
        start_date, end_date, timezone, venue, city, city_en, country, format, description,
        synthetic)
    SELECT %(now)s, %(now)s, slug, COALESCE(NULLIF(name, ''), initcap(replace(slug, '-', ' '))),
        COALESCE(NULLIF(name, ''), initcap(replace(slug, '-', ' '))), '', edition_year,
        start_date, end_date, '', '', city, city, country, '', '', %(synthetic)s
    FROM import_expos
    ON CONFLICT (slug) DO UPDATE SET
        name = COALESCE(NULLIF(EXCLUDED.name, initcap(replace(EXCLUDED.slug, '-', ' '))),
                        expos_expo.name),
        name_en = COALESCE(NULLIF(EXCLUDED.name_en, initcap(replace(EXCLUDED.slug, '-', ' '))),
                           expos_expo.name_en),
        edition_year = COALESCE(EXCLUDED.edition_year, expos_expo.edition_year),
        start_date = COALESCE(EXCLUDED.start_date, expos_expo.start_date),
        end_date = COALESCE(EXCLUDED.end_date, expos_expo.end_date),
        city = COALESCE(NULLIF(EXCLUDED.city, ''), expos_expo.city),
        city_en = COALESCE(NULLIF(EXCLUDED.city_en, ''), expos_expo.city_en),
        country = COALESCE(NULLIF(EXCLUDED.country, ''), expos_expo.country),
        updated = %(now)s
    WHERE (expos_expo.name_en, expos_expo.edition_year, expos_expo.start_date,
           expos_expo.end_date, expos_expo.city_en, expos_expo.country)
        IS DISTINCT FROM (
           COALESCE(NULLIF(EXCLUDED.name_en, initcap(replace(EXCLUDED.slug, '-', ' '))),
                    expos_expo.name_en),
           COALESCE(EXCLUDED.edition_year, expos_expo.edition_year),
           COALESCE(EXCLUDED.start_date, expos_expo.start_date),
           COALESCE(EXCLUDED.end_date, expos_expo.end_date),
           COALESCE(NULLIF(EXCLUDED.city_en, ''), expos_expo.city_en),
           COALESCE(NULLIF(EXCLUDED.country, ''), expos_expo.country))
"""

# The last run of an exhibitor gives its details. With one run per exhibitor (the usual file:
# an exhibitor's rows together) there is nothing to choose and no sort.
LAST_RUNS = """
    SELECT DISTINCT ON (slug) * FROM import_rows WHERE slug IS NOT NULL ORDER BY slug, run DESC
"""
ONLY_RUNS = "SELECT * FROM import_rows WHERE slug IS NOT NULL"
WRITE_EXHIBITORS = """
    INSERT INTO exhibitors_exhibitor (created, updated, slug, name, name_en, country, region,
        region_en, city, city_en, website, description, description_en, synthetic)
    SELECT %(now)s, %(now)s, slug, name, name, country, region, region, city,
        city, website, description, description, %(synthetic)s
    FROM ({runs}) r
    ON CONFLICT (slug) DO UPDATE SET
        name = EXCLUDED.name, name_en = EXCLUDED.name_en, country = EXCLUDED.country,
        region = EXCLUDED.region, region_en = EXCLUDED.region_en, city = EXCLUDED.city,
        city_en = EXCLUDED.city_en, website = EXCLUDED.website,
        description = EXCLUDED.description, description_en = EXCLUDED.description_en,
        updated = %(now)s
    WHERE (exhibitors_exhibitor.name_en, exhibitors_exhibitor.country,
           exhibitors_exhibitor.region_en, exhibitors_exhibitor.city_en,
           exhibitors_exhibitor.website, exhibitors_exhibitor.description_en)
        IS DISTINCT FROM (EXCLUDED.name_en, EXCLUDED.country, EXCLUDED.region_en,
           EXCLUDED.city_en, EXCLUDED.website, EXCLUDED.description_en)
"""

# Each run's exhibitor id, so that the rows are joined by integers, not slugs.
EXHIBITOR_IDS = """
    CREATE TEMPORARY TABLE import_exhibitor_ids ON COMMIT DROP AS
    SELECT r.run, e.id FROM import_rows r JOIN exhibitors_exhibitor e ON e.slug = r.slug
    WHERE r.slug IS NOT NULL
"""

# An exhibitor's sectors, as its last run with a `sectors` value states them in full.
TAGS = """
    CREATE TEMPORARY TABLE import_tags ON COMMIT DROP AS
    SELECT i.id AS exhibitor_id, s.id AS sector_id
    FROM ({runs}) r
    JOIN import_exhibitor_ids i ON i.run = r.run
    LEFT JOIN LATERAL unnest(string_to_array(r.sectors, ';')) AS tag(slug) ON true
    LEFT JOIN exhibitors_sector s ON s.slug = tag.slug
"""
LAST_TAGGED_RUNS = """
    SELECT DISTINCT ON (slug) run, sectors FROM import_rows WHERE sectors IS NOT NULL
    ORDER BY slug, run DESC
"""
ONLY_TAGGED_RUNS = "SELECT run, sectors FROM import_rows WHERE sectors IS NOT NULL"
# The links of the exhibitors whose sectors the file states that it does not list (every such
# exhibitor has a row in import_tags, with a NULL sector if it lists none).
UNTAG = """
    DELETE FROM exhibitors_exhibitor_sectors t USING (
        SELECT t.id FROM exhibitors_exhibitor_sectors t
        JOIN import_tags g ON g.exhibitor_id = t.exhibitor_id
        GROUP BY t.id HAVING bool_or(g.sector_id = t.sector_id) IS NOT TRUE) stale
    WHERE t.id = stale.id
"""
TAG = """
    INSERT INTO exhibitors_exhibitor_sectors (exhibitor_id, sector_id)
    SELECT exhibitor_id, sector_id FROM import_tags WHERE sector_id IS NOT NULL
    ON CONFLICT DO NOTHING
"""

# One participation for each exhibitor and expo; of several rows naming both, the last counts.
PARTICIPATION_ROWS = """
    SELECT i.id AS exhibitor_id, x.id AS expo_id, r.showcase, r.line
    FROM import_rows r
    JOIN import_exhibitor_ids i ON i.run = r.run
    JOIN (SELECT v.variant, x.id FROM import_rows v JOIN expos_expo x ON x.slug = v.expo
          WHERE v.expo IS NOT NULL) x ON x.variant = r.variant
"""
LAST_PARTICIPATIONS = f"""
    SELECT DISTINCT ON (exhibitor_id, expo_id) * FROM ({PARTICIPATION_ROWS}) p
    ORDER BY exhibitor_id, expo_id, line DESC
"""
COUNT_PARTICIPATIONS = f"SELECT count(*) FROM ({LAST_PARTICIPATIONS}) p"
WRITE_PARTICIPATIONS = """
    INSERT INTO expos_participation (created, updated, exhibitor_id, expo_id, showcase,
        showcase_en)
    SELECT %(now)s, %(now)s, exhibitor_id, expo_id, showcase, showcase FROM ({rows}) p
    ON CONFLICT (exhibitor_id, expo_id) DO UPDATE SET
        showcase = EXCLUDED.showcase, showcase_en = EXCLUDED.showcase_en, updated = %(now)s
    WHERE expos_participation.showcase_en IS DISTINCT FROM EXCLUDED.showcase_en
"""


# --- Bulk loads ------------------------------------------------------------------------------

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
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
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


def quote(table):
    return connection.ops.quote_name(table)


# --- The import ------------------------------------------------------------------------------

TABLES = [
    Exhibitor._meta.db_table,
    Exhibitor.sectors.through._meta.db_table,
    Participation._meta.db_table,
]


def import_records(records, *, synthetic=False, progress=None, stage_done=None, bulk=None):
    """Check `records` and write them in one transaction (see import_rows)."""
    step = progress or (lambda n: None)
    done = stage_done or (lambda name: None)
    problems = Problems()
    # Dropping indexes locks tables until commit: only when the import owns its transaction.
    owns_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        # Sorting and hashing millions of staged rows wants more than the default 4 MB.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # ON COMMIT DROP only drops at the outermost commit; inside another transaction (a
        # test, or a caller's atomic block) an earlier import's tables may still be there.
        cursor.execute(DROP_STAGING)
        cursor.execute(STAGING)
        read, staged = stage(cursor, records, problems, step)
        cursor.execute("ANALYZE import_rows")
        cursor.execute(RUNS)
        runs, exhibitors = cursor.fetchone()
        several_runs = runs > exhibitors
        cursor.execute(EXPOS)
        expos = cursor.rowcount
        check_across_rows(cursor, problems, several_runs)
        problems.raise_if_any()
        if not read:
            raise ImportRejected([(1, "", "The file holds no rows.")])
        deduplicate = several_runs or staged.repeated_expo

        loads = {
            TABLES[0]: exhibitors,
            TABLES[1]: staged.links,
            TABLES[2]: staged.with_expo,
        }
        bulk_tables = []
        if bulk is not False and owns_transaction:
            bulk_tables = [
                table
                for table, rows in loads.items()
                if bulk or BulkLoad.worth_it(cursor, table, rows)
            ]
        bulk_load = BulkLoad(cursor)
        if bulk_tables and not bulk_load.drop(bulk_tables):
            bulk_tables = []

        # One time for the whole import: what it writes changed together.
        parameters = {"synthetic": synthetic, "now": timezone.now()}
        cursor.execute(WRITE_EXPOS, parameters)
        done("expos")
        runs_query = LAST_RUNS if several_runs else ONLY_RUNS
        cursor.execute(WRITE_EXHIBITORS.format(runs=runs_query), parameters)
        cursor.execute(EXHIBITOR_IDS)
        done("exhibitors")
        tagged = LAST_TAGGED_RUNS if several_runs else ONLY_TAGGED_RUNS
        cursor.execute(TAGS.format(runs=tagged))
        cursor.execute(UNTAG)
        cursor.execute(TAG)
        done("sectors")
        rows = LAST_PARTICIPATIONS if deduplicate else PARTICIPATION_ROWS
        cursor.execute(WRITE_PARTICIPATIONS.format(rows=rows), parameters)
        done("participations")
        if deduplicate:
            cursor.execute(COUNT_PARTICIPATIONS)
            (participations,) = cursor.fetchone()
        else:
            participations = staged.with_expo
        if bulk_tables:
            bulk_load.restore()
            done("indexes")
        cursor.execute(DROP_STAGING)
        versioning.bump()
    return {
        "rows": staged.rows,
        "exhibitors": exhibitors,
        "expos": expos,
        "participations": participations,
    }


def import_rows(rows, *, synthetic=False, progress=None, stage_done=None, bulk=None):
    """Check `rows` ((line number, row dict) pairs) and write them in one transaction.

    Raises ImportRejected, having written nothing, if any row is bad. Returns counts of what
    the rows hold. `progress(n)` is called as rows are read; `stage_done(name)` as each table
    is written. `bulk` forces (True) or forbids (False) dropping and recreating the indexes
    of the tables written; by default the import decides by the size of the file.
    """
    return import_records(
        dict_records(rows),
        synthetic=synthetic,
        progress=progress,
        stage_done=stage_done,
        bulk=bulk,
    )


def import_directory(path, *, fmt=None, progress=None, stage_done=None, bulk=None):
    """Check the file, then write it in one transaction. Returns counts of what was written."""
    return import_records(
        read_records(path, fmt), progress=progress, stage_done=stage_done, bulk=bulk
    )
