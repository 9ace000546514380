"""The import's SQL after staging: what needs the whole file checked, then each table written.

The staging tables speak the file's columns; the models' tables and columns are named from
_meta, and columns.TABLE says which model field each column fills. The INSERT … ON CONFLICT
statements are built from them (see sql.Upsert), so a column added to the table, or a field
with a default or a language added to a model, needs no edit here.

Rows are joined to their exhibitor and expo by integer ids, not slugs. When every exhibitor's
rows are together and name each expo once (as generate_directory writes them), nothing needs
deduplicating and the writes take the rows as they come, without sorting them.
"""

from exhibitors.models import Exhibitor

from ..models import Expo, Participation
from .columns import EXHIBITOR, EXPO, EXPO_DATES, LISTED, PARTICIPATION
from .sql import Table, Upsert, blank

# Which model field each column of the staged rows fills (the Listed column's are links,
# written from import_tags); the participation's rows also name their exhibitor and expo.
EXHIBITOR_FIELDS = EXHIBITOR.fields
EXPO_FIELDS = EXPO.fields
PARTICIPATION_FIELDS = {"exhibitor_id": "exhibitor", "expo_id": "expo", **PARTICIPATION.fields}

SECTOR_LINKS = LISTED.field
EXHIBITORS, EXPOS, SECTORS = Table(Exhibitor), Table(Expo), Table(SECTOR_LINKS.related_model)
LINKS = Table(SECTOR_LINKS.remote_field.through)
LINK_EXHIBITOR = LINKS[SECTOR_LINKS.m2m_field_name()]
LINK_SECTOR = LINKS[SECTOR_LINKS.m2m_reverse_field_name()]


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

# The expo columns but the slug, with their fields.
EXPO_DETAILS = {column.name: column.field for column in EXPO.columns[1:]}


def stated(column, field):
    """SQL: the staged `column` gives a value (see staging.STAGING)."""
    return f"{column} IS NOT NULL" if field.null else f"{column} <> ''"


def first_stated(column, field):
    """The first value the file gives `column` of an expo, or what stands for none."""
    first = f"(array_agg({column} ORDER BY line) FILTER (WHERE {stated(column, field)}))[1]"
    empty = blank(field)
    return first if empty == "NULL" else f"COALESCE({first}, {empty})"


# Each expo once, with the first value each of its columns was given in the file (a variant's
# line is the first line that gave its details).
EXPO_ROWS = f"""
    CREATE TEMPORARY TABLE import_expos ON COMMIT DROP AS
    SELECT expo, min(line) AS line,
        {", ".join(f"{first_stated(c, f)} AS {c}" for c, f in EXPO_DETAILS.items())}
    FROM import_rows WHERE expo IS NOT NULL GROUP BY expo
"""


def differs(column, field):
    """SQL: a staged row r gives `column` another value than its expo e was first given."""
    return f"({stated(f'r.{column}', field)} AND r.{column} <> e.{column})"


# The variants that give an expo other details than it was first given; then their rows.
EXPO_CONFLICTS = f"""
    SELECT r.variant, r.expo FROM import_rows r JOIN import_expos e ON e.expo = r.expo
    WHERE r.expo IS NOT NULL AND (
        {" OR ".join(differs(c, f) for c, f in EXPO_DETAILS.items())})
"""
VARIANT_LINES = "SELECT line, variant FROM import_rows WHERE variant = ANY(%s)"

# An expo is created only from a row that names it (Expo.name is its one required field): a
# slug that matches no expo and comes without a name is a typo far more often than a new expo.
# The expos the file names that exist are locked against deletion first (FOR KEY SHARE), so
# that none of them is gone by the time it is written and then created nameless.
LOCK_KNOWN_EXPOS = f"""
    SELECT count(*) FROM (SELECT 1 FROM {EXPOS} x JOIN import_expos e ON e.expo = x.{EXPOS["slug"]}
                          FOR KEY SHARE OF x) known
"""
NEW_EXPOS = f"""
    SELECT e.expo, e.expo_name = '' FROM import_expos e
    WHERE NOT EXISTS (SELECT 1 FROM {EXPOS} x WHERE x.{EXPOS["slug"]} = e.expo)
    ORDER BY e.expo
"""
EXPO_VARIANTS = "SELECT variant, expo FROM import_rows WHERE expo = ANY(%s)"
UNKNOWN_EXPO = "No expo has the slug “{}”: give its expo_name to create it."

START, END = EXPO_DATES
BAD_DATES = f"""
    SELECT e.line, e.expo FROM import_expos e LEFT JOIN {EXPOS} x ON x.{EXPOS["slug"]} = e.expo
    WHERE COALESCE(e.{END.name}, x.{EXPOS[END.field.name]})
        < COALESCE(e.{START.name}, x.{EXPOS[START.field.name]})
"""


class Summary:
    """What the staged rows hold: whether an exhibitor has several runs (then its last one
    counts, and the writes deduplicate), how many exhibitors and expos they name, and the
    slugs of the expos they create."""

    def __init__(self, several_runs, exhibitors, expos, new_expos):
        self.several_runs, self.exhibitors, self.expos = several_runs, exhibitors, expos
        self.new_expos = new_expos


def check_across_rows(cursor, problems):
    """Report what needs the whole file: one name per exhibitor, one set of details per expo,
    a name for each expo it creates, and dates that agree. Gathers each expo into
    import_expos. Returns a Summary."""

    def report(conflicts, lines_query, field, message):
        names = dict(conflicts)
        if names:
            cursor.execute(lines_query, [list(names)])
            for line, key in sorted(cursor.fetchall()):
                problems.add(line, field, message.format(names[key]))

    cursor.execute(RUNS)
    runs, exhibitors = cursor.fetchone()
    several_runs = runs > exhibitors
    cursor.execute(EXPO_ROWS)
    expos = cursor.rowcount
    if several_runs:  # with one run per exhibitor, each has one name
        cursor.execute(NAME_CONFLICTS)
        report(cursor.fetchall(), RUN_LINES, "name", "“{}” appears earlier with another name.")
    cursor.execute(EXPO_CONFLICTS)
    report(cursor.fetchall(), VARIANT_LINES, "expo", "“{}” appears earlier with other details.")
    cursor.execute(LOCK_KNOWN_EXPOS)
    cursor.execute(NEW_EXPOS)
    new_expos, unnamed = [], []
    for slug, nameless in cursor.fetchall():
        (unnamed if nameless else new_expos).append(slug)
    if unnamed:
        cursor.execute(EXPO_VARIANTS, [unnamed])
        report(cursor.fetchall(), VARIANT_LINES, "expo", UNKNOWN_EXPO)
    cursor.execute(BAD_DATES)
    for line, slug in cursor.fetchall():
        problems.add(line, END.name, f"The end date of “{slug}” is before its start date.")
    return Summary(several_runs, exhibitors, expos, new_expos)


# --- Writing ---------------------------------------------------------------------------------

# An expo named only by its slug keeps what the directory already knows of it.
WRITE_EXPOS = Upsert(
    Expo,
    columns=EXPO_FIELDS,
    conflict=("slug",),
    given=("synthetic",),
    keep=True,
)

# The last run of an exhibitor gives its details. With one run per exhibitor (the usual file:
# an exhibitor's rows together) there is nothing to choose and no sort.
LAST_RUNS = """
    SELECT DISTINCT ON (slug) * FROM import_rows WHERE slug IS NOT NULL ORDER BY slug, run DESC
"""
ONLY_RUNS = "SELECT * FROM import_rows WHERE slug IS NOT NULL"
WRITE_EXHIBITORS = Upsert(
    Exhibitor, columns=EXHIBITOR_FIELDS, conflict=("slug",), given=("synthetic",)
)

# Each run's exhibitor id, so that the rows are joined by integers, not slugs.
EXHIBITOR_IDS = f"""
    CREATE TEMPORARY TABLE import_exhibitor_ids ON COMMIT DROP AS
    SELECT r.run, e.{EXHIBITORS.pk} AS id
    FROM import_rows r JOIN {EXHIBITORS} e ON e.{EXHIBITORS["slug"]} = r.slug
    WHERE r.slug IS NOT NULL
"""


def tags(runs):
    """An exhibitor's sectors, as its last run with a `sectors` value states them in full."""
    return f"""
        CREATE TEMPORARY TABLE import_tags ON COMMIT DROP AS
        SELECT i.id AS exhibitor_id, s.{SECTORS.pk} AS sector_id
        FROM ({runs}) r
        JOIN import_exhibitor_ids i ON i.run = r.run
        LEFT JOIN LATERAL unnest(string_to_array(r.sectors, ';')) AS tag(slug) ON true
        LEFT JOIN {SECTORS} s ON s.{SECTORS["slug"]} = tag.slug
    """


LAST_TAGGED_RUNS = """
    SELECT DISTINCT ON (slug) run, sectors FROM import_rows WHERE sectors IS NOT NULL
    ORDER BY slug, run DESC
"""
ONLY_TAGGED_RUNS = "SELECT run, sectors FROM import_rows WHERE sectors IS NOT NULL"
TAGS = {True: tags(LAST_TAGGED_RUNS), False: tags(ONLY_TAGGED_RUNS)}  # by several_runs
# The links of the exhibitors whose sectors the file states that it does not list (every such
# exhibitor has a row in import_tags, with a NULL sector if it lists none).
UNTAG = f"""
    DELETE FROM {LINKS} t USING (
        SELECT t.{LINKS.pk} AS id FROM {LINKS} t
        JOIN import_tags g ON g.exhibitor_id = t.{LINK_EXHIBITOR}
        GROUP BY t.{LINKS.pk} HAVING bool_or(g.sector_id = t.{LINK_SECTOR}) IS NOT TRUE) stale
    WHERE t.{LINKS.pk} = stale.id
"""
WRITE_TAGS = Upsert(
    LINKS.model,
    columns={
        "exhibitor_id": SECTOR_LINKS.m2m_field_name(),
        "sector_id": SECTOR_LINKS.m2m_reverse_field_name(),
    },
    conflict=(SECTOR_LINKS.m2m_field_name(), SECTOR_LINKS.m2m_reverse_field_name()),
)
TAGGED = "(SELECT exhibitor_id, sector_id FROM import_tags WHERE sector_id IS NOT NULL)"

# One participation for each exhibitor and expo; of several rows naming both, the last counts.
PARTICIPATION_ROWS = f"""
    SELECT i.id AS exhibitor_id, x.id AS expo_id, r.showcase, r.line
    FROM import_rows r
    JOIN import_exhibitor_ids i ON i.run = r.run
    JOIN (SELECT v.variant, x.{EXPOS.pk} AS id
          FROM import_rows v JOIN {EXPOS} x ON x.{EXPOS["slug"]} = v.expo
          WHERE v.expo IS NOT NULL) x ON x.variant = r.variant
"""
LAST_PARTICIPATIONS = f"""
    SELECT DISTINCT ON (exhibitor_id, expo_id) * FROM ({PARTICIPATION_ROWS}) p
    ORDER BY exhibitor_id, expo_id, line DESC
"""
COUNT_PARTICIPATIONS = f"SELECT count(*) FROM ({LAST_PARTICIPATIONS}) p"
WRITE_PARTICIPATIONS = Upsert(
    Participation, columns=PARTICIPATION_FIELDS, conflict=("exhibitor", "expo")
)


def write(cursor, *, summary, deduplicate, rows_with_expo, parameters, done):
    """Write the expos, the exhibitors, their sectors and their participations, one statement
    a table. `parameters` are `now` (one time for the whole import: what it writes changed
    together) and `synthetic`. Returns how many participations the rows hold, and for each
    table written how many rows were inserted, updated and deleted."""
    several_runs = summary.several_runs
    tables = {}

    def upsert(statement, source):
        cursor.execute(statement.counted(source), statement.parameters(**parameters))
        inserted, updated = cursor.fetchone()
        tables[statement.table.model._meta.db_table] = {
            "inserted": inserted,
            "updated": updated,
            "deleted": 0,
        }

    upsert(WRITE_EXPOS, "import_expos")
    done("expos")
    upsert(WRITE_EXHIBITORS, f"({LAST_RUNS if several_runs else ONLY_RUNS})")
    cursor.execute(EXHIBITOR_IDS)
    done("exhibitors")
    cursor.execute(TAGS[several_runs])
    cursor.execute(UNTAG)
    untagged = cursor.rowcount
    upsert(WRITE_TAGS, TAGGED)
    tables[LINKS.model._meta.db_table]["deleted"] = untagged
    done("sectors")
    upsert(WRITE_PARTICIPATIONS, f"({LAST_PARTICIPATIONS if deduplicate else PARTICIPATION_ROWS})")
    done("participations")
    if not deduplicate:
        return rows_with_expo, tables
    cursor.execute(COUNT_PARTICIPATIONS)
    (participations,) = cursor.fetchone()
    return participations, tables
