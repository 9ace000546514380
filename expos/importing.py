"""Bulk import of exhibitors, expos and participations from CSV or JSON Lines.

One row is one exhibitor, and optionally its appearance at one expo:

    slug, name, country, region, city, sectors, website, description,
    expo, expo_name, expo_year, expo_country, expo_city, expo_start, expo_end, showcase

`sectors` is a list of sector slugs separated by `;` (a JSON list in JSON Lines). An exhibitor
at several expos takes several rows.

How it runs, in one transaction:
1. each row is checked as it is read and streamed with COPY into a temporary table, so memory
   stays flat however long the file is;
2. what needs the whole file (one name per slug, one set of details per expo) is checked in SQL;
3. a file with any bad row is rejected whole, listing every bad line and field, and the
   transaction is rolled back: nothing is written;
4. a good file is written with one INSERT … ON CONFLICT per table. Importing the same file
   again updates the records, duplicates nothing, and leaves unchanged rows untouched (their
   `updated` stays, so API clients syncing with `updated_since` see only real changes).

`generate_directory` feeds its synthetic rows through the same path.
"""

import csv
import datetime
import functools
import json
import re

from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django_countries import countries

from exhibitors import versioning
from exhibitors.models import Sector

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
http_url = URLValidator(schemes=["http", "https"])

# The temporary table each row is copied into: the line number, then the row's values.
STAGING = """
    CREATE TEMPORARY TABLE import_rows (
        line integer NOT NULL, slug text NOT NULL, name text NOT NULL, country text NOT NULL,
        region text NOT NULL, city text NOT NULL, sectors text[], website text NOT NULL,
        description text NOT NULL, expo text NOT NULL, expo_name text NOT NULL,
        expo_year smallint, expo_country text NOT NULL, expo_city text NOT NULL,
        expo_start date, expo_end date, showcase text NOT NULL
    ) ON COMMIT DROP
"""
STAGED = ["line", *COLUMNS]
DROP_STAGING = "DROP TABLE IF EXISTS import_rows, import_expos, import_tags"


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


def read_rows(path, fmt=None):
    """(line number, row dict) for each data row of a CSV or JSON Lines file; a line that
    cannot be read at all comes as (line number, ImportRejected)."""
    fmt = fmt or ("jsonl" if str(path).endswith((".jsonl", ".ndjson")) else "csv")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            missing = [c for c in ("slug", "name") if c not in (reader.fieldnames or [])]
            if missing:
                raise ImportRejected([(1, c, "This column is required.") for c in missing])
            unknown = [c for c in reader.fieldnames if c not in COLUMNS]
            if unknown:
                raise ImportRejected([(1, c, "Unknown column.") for c in unknown])
            for row in reader:
                if None in row:
                    yield (
                        reader.line_num,
                        ImportRejected([(reader.line_num, "", "More values than columns.")]),
                    )
                    continue
                yield reader.line_num, row
        else:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, ImportRejected([(number, "", f"Not JSON: {error.msg}.")])
                    continue
                if not isinstance(row, dict):
                    yield number, ImportRejected([(number, "", "Each line must be an object.")])
                    continue
                unknown = [c for c in row if c not in COLUMNS]
                if unknown:
                    yield number, ImportRejected([(number, c, "Unknown field.") for c in unknown])
                    continue
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


@functools.lru_cache(maxsize=1)
def check_exhibitor(values, has_sectors, known_sectors):
    """(staged exhibitor values, problems) for the exhibitor columns of a row.

    Cached for the last row: an exhibitor at several expos comes as several rows in a row.
    """
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
    tags = None
    if has_sectors:
        tags = list(dict.fromkeys(s.strip() for s in sectors.split(";") if s.strip()))
        unknown = [s for s in tags if s not in known_sectors]
        if unknown:
            problems.append(("sectors", f"Unknown sector(s): {', '.join(unknown)}."))
    for column, value in (("region", region), ("city", city)):
        if len(value) > 120:
            problems.append((column, "120 characters at most."))
    staged = (slug, name, country, region, city, tags, website, description)
    return staged, problems


@functools.lru_cache(maxsize=10_000)
def check_expo(values):
    """(staged expo values, problems) for the expo columns of a row; cached by value."""
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
    staged = (
        expo, name, int(year) if year else None, country, city,
        dates.get("expo_start"), dates.get("expo_end"),
    )  # fmt: skip
    return staged, problems


NO_EXPO = ("", "", None, "", "", None, None)


def check_row(number, row, known_sectors, bad):
    """The row as a tuple for the staging table, or None after reporting each of its problems
    through bad(field, message)."""
    values = [text(row.get(column)) for column in COLUMNS]
    if "\x00" in "".join(values):
        bad("", "NUL characters are not allowed.")
        return None
    exhibitor, problems = check_exhibitor(tuple(values[:8]), "sectors" in row, known_sectors)
    problems = list(problems)
    expo = NO_EXPO
    if values[8]:
        expo, expo_problems = check_expo(tuple(values[8:15]))
        problems += expo_problems
    elif any(values[9:]):
        problems.append(("expo", "Expo columns are filled in but the expo slug is missing."))
    for field, message in problems:
        bad(field, message)
    if problems:
        return None
    return (number, *exhibitor, *expo, values[15])


def stage(cursor, rows, problems, progress):
    """COPY every good row into import_rows; report the bad ones."""
    known_sectors = frozenset(Sector.objects.values_list("slug", flat=True))
    count = 0
    with cursor.copy(f"COPY import_rows ({', '.join(STAGED)}) FROM STDIN") as copy:
        for number, row in rows:
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
            if isinstance(row, ImportRejected):
                for error in row.errors:
                    problems.add(*error)
                continue
            staged = check_row(number, row, known_sectors, functools.partial(problems.add, number))
            if staged is not None:
                copy.write_row(staged)
    progress(count % PROGRESS_EVERY)
    return count


# What needs the whole file, checked in SQL over the staged rows.
CROSS_ROW_CHECKS = [
    (
        "name",
        "“{1}” appears earlier with another name.",
        """
        SELECT r.line, r.slug FROM import_rows r
        JOIN (SELECT DISTINCT ON (slug) slug, name FROM import_rows ORDER BY slug, line) first
          ON first.slug = r.slug
        WHERE r.name <> first.name
        """,
    ),
    (
        "expo",
        "“{1}” appears earlier with other details.",
        """
        SELECT r.line, r.expo FROM import_rows r JOIN import_expos e ON e.slug = r.expo
        WHERE (r.expo_name <> '' AND r.expo_name <> e.name)
           OR (r.expo_year IS NOT NULL AND r.expo_year <> e.edition_year)
           OR (r.expo_country <> '' AND r.expo_country <> e.country)
           OR (r.expo_city <> '' AND r.expo_city <> e.city)
           OR (r.expo_start IS NOT NULL AND r.expo_start <> e.start_date)
           OR (r.expo_end IS NOT NULL AND r.expo_end <> e.end_date)
        """,
    ),
    (
        "expo_end",
        "The end date of “{1}” is before its start date.",
        """
        SELECT e.line, e.slug FROM import_expos e LEFT JOIN expos_expo x ON x.slug = e.slug
        WHERE COALESCE(e.end_date, x.end_date) < COALESCE(e.start_date, x.start_date)
        """,
    ),
]

# Each expo once, with the first value each of its columns was given in the file.
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
    FROM import_rows WHERE expo <> '' GROUP BY expo
"""

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

# The last row of an exhibitor gives its details.
WRITE_EXHIBITORS = """
    INSERT INTO exhibitors_exhibitor (created, updated, slug, name, name_en, country, region,
        region_en, city, city_en, website, description, description_en, synthetic)
    SELECT DISTINCT ON (slug) %(now)s, %(now)s, slug, name, name, country, region, region, city,
        city, website, description, description, %(synthetic)s
    FROM import_rows ORDER BY slug, line DESC
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

# An exhibitor's sectors, as its last row with a `sectors` value states them in full.
TAGS = """
    CREATE TEMPORARY TABLE import_tags ON COMMIT DROP AS
    SELECT DISTINCT e.id AS exhibitor_id, s.id AS sector_id
    FROM (SELECT DISTINCT ON (slug) slug, sectors FROM import_rows
          WHERE sectors IS NOT NULL ORDER BY slug, line DESC) r
    JOIN exhibitors_exhibitor e ON e.slug = r.slug
    LEFT JOIN LATERAL unnest(r.sectors) AS tag(slug) ON true
    LEFT JOIN exhibitors_sector s ON s.slug = tag.slug
"""
UNTAG = """
    DELETE FROM exhibitors_exhibitor_sectors t
    USING (SELECT DISTINCT exhibitor_id FROM import_tags) i
    WHERE t.exhibitor_id = i.exhibitor_id AND NOT EXISTS (
        SELECT 1 FROM import_tags g
        WHERE g.exhibitor_id = t.exhibitor_id AND g.sector_id = t.sector_id)
"""
TAG = """
    INSERT INTO exhibitors_exhibitor_sectors (exhibitor_id, sector_id)
    SELECT exhibitor_id, sector_id FROM import_tags WHERE sector_id IS NOT NULL
    ON CONFLICT DO NOTHING
"""

WRITE_PARTICIPATIONS = """
    INSERT INTO expos_participation (created, updated, exhibitor_id, expo_id, showcase,
        showcase_en)
    SELECT DISTINCT ON (e.id, x.id) %(now)s, %(now)s, e.id, x.id, r.showcase, r.showcase
    FROM import_rows r
    JOIN exhibitors_exhibitor e ON e.slug = r.slug
    JOIN expos_expo x ON x.slug = r.expo
    WHERE r.expo <> ''
    ORDER BY e.id, x.id, r.line DESC
    ON CONFLICT (exhibitor_id, expo_id) DO UPDATE SET
        showcase = EXCLUDED.showcase, showcase_en = EXCLUDED.showcase_en, updated = %(now)s
    WHERE expos_participation.showcase_en IS DISTINCT FROM EXCLUDED.showcase_en
"""

COUNTS = """
    SELECT count(*), count(DISTINCT slug),
        (SELECT count(*) FROM import_expos),
        count(DISTINCT (slug, expo)) FILTER (WHERE expo <> '')
    FROM import_rows
"""


def import_rows(rows, *, synthetic=False, progress=None, stage_done=None):
    """Check `rows` ((line number, row dict) pairs) and write them in one transaction.

    Raises ImportRejected, having written nothing, if any row is bad. Returns counts of what
    the rows hold. `progress(n)` is called as rows are read; `stage_done(name)` as each table
    is written.
    """
    step = progress or (lambda n: None)
    done = stage_done or (lambda name: None)
    problems = Problems()
    with transaction.atomic(), connection.cursor() as cursor:
        # Sorting and hashing millions of staged rows wants more than the default 4 MB.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # ON COMMIT DROP only drops at the outermost commit; inside another transaction (a
        # test, or a caller's atomic block) an earlier import's tables may still be there.
        cursor.execute(DROP_STAGING)
        cursor.execute(STAGING)
        read = stage(cursor, rows, problems, step)
        cursor.execute("ANALYZE import_rows")
        cursor.execute(EXPOS)
        for field, message, query in CROSS_ROW_CHECKS:
            cursor.execute(query)
            for line, slug in cursor.fetchall():
                problems.add(line, field, message.format(line, slug))
        problems.raise_if_any()
        if not read:
            raise ImportRejected([(1, "", "The file holds no rows.")])
        cursor.execute(COUNTS)
        total, exhibitors, expos, participations = cursor.fetchone()
        # One time for the whole import: what it writes changed together.
        parameters = {"synthetic": synthetic, "now": timezone.now()}
        cursor.execute(WRITE_EXPOS, parameters)
        done("expos")
        cursor.execute(WRITE_EXHIBITORS, parameters)
        done("exhibitors")
        cursor.execute(TAGS)
        cursor.execute(UNTAG)
        cursor.execute(TAG)
        done("sectors")
        cursor.execute(WRITE_PARTICIPATIONS, parameters)
        done("participations")
        cursor.execute(DROP_STAGING)
        versioning.bump()
    return {
        "rows": total,
        "exhibitors": exhibitors,
        "expos": expos,
        "participations": participations,
    }


def import_directory(path, *, fmt=None, progress=None, stage_done=None):
    """Check the file, then write it in one transaction. Returns counts of what was written."""
    return import_rows(read_rows(path, fmt), progress=progress, stage_done=stage_done)
