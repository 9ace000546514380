"""Staging: every record checked and the good ones streamed with COPY into a temporary table.

This is the one loop over every row, so it does as little as it can for each: an exhibitor's
details are checked and copied once for each run of consecutive rows that repeat them (a
"run"), and an expo's once for each set of details it comes with (a "variant"); the other rows
of the run or variant point at it. Memory stays flat however long the file is.
"""

from .checks import NUL_ROW, ImportRejected, PartCheck, copy_text, has_nul
from .columns import EXHIBITOR, EXPO, EXPO_DATES, PARTICIPATION
from .writing import SECTORS

# The sectors rows may name. They are locked against deletion (and a change of slug) until the
# import commits, so that a sector checked here is still there when the rows are linked to it.
KNOWN_SECTORS = f"SELECT {SECTORS['slug']} FROM {SECTORS} FOR KEY SHARE"
PROGRESS_EVERY = 1000
EXPO_VARIANTS_KEPT = 10_000  # expo details remembered while reading; more are checked again

# The temporary table each row is copied into: its line number, the run of rows with the same
# exhibitor details it belongs to (named by the run's first line), the variant of expo details
# it names (NULL without an expo) and its participation's value (the showcase). The first row
# of a run carries the exhibitor's details and the first row of a variant the expo's; the
# others leave them NULL. Its columns are the file's (columns.TABLE, with the type each kind
# stages); writing.py maps them to the models'. A value the file leaves out is staged as the
# model stores "nothing": '' for a text field, NULL for a nullable one (the expo's year and
# dates).
STAGED_COLUMNS = [*PARTICIPATION.columns, *EXHIBITOR.columns, *EXPO.columns]


def declared(column):
    """The staging table's column of an import column: every row gives its participation's."""
    null = " NOT NULL" if column in PARTICIPATION.columns else ""
    return f"{column.name} {column.kind.staging_type}{null}"


STAGING = f"""
    CREATE TEMPORARY TABLE import_rows (
        line integer NOT NULL, run integer NOT NULL, variant integer,
        {", ".join(declared(column) for column in STAGED_COLUMNS)}
    ) ON COMMIT DROP
"""
STAGED = ["line", "run", "variant", *(column.name for column in STAGED_COLUMNS)]
STAGING_TABLES = ["import_rows", "import_expos", "import_exhibitor_ids", "import_tags"]
DROP_STAGING = f"DROP TABLE IF EXISTS {', '.join(STAGING_TABLES)}"
NO_EXHIBITOR = "\t\\N" * len(EXHIBITOR.columns)  # continues a run
NO_EXPO = "\t\\N" * len(EXPO.columns)  # no expo, or a variant copied
MISSING_EXPO = [(EXPO.columns[0].name, "Expo columns are filled in but the expo slug is missing.")]


def create_staging(cursor):
    """An empty import_rows table.

    ON COMMIT DROP only drops at the outermost commit; inside another transaction (a test, or a
    caller's atomic block) an earlier import's tables may still be there.
    """
    cursor.execute(DROP_STAGING)
    cursor.execute(STAGING)


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
    cursor.execute(KNOWN_SECTORS)
    known_sectors = frozenset(slug for (slug,) in cursor.fetchall())
    check_exhibitor = PartCheck(EXHIBITOR, known=known_sectors).check
    check_expo = PartCheck(EXPO, dates=EXPO_DATES).check
    check_shown = PartCheck(PARTICIPATION).check
    add = problems.add
    count = rows = with_expo = links = 0
    repeated_expo = False
    exhibitor_part, expo_part, expo_at = EXHIBITOR.values, EXPO.values, EXPO.values.start
    details_part = slice(expo_at + 1, None)  # the expo's columns but its slug, and the showcase
    showcase_at = PARTICIPATION.values.start
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
            exhibitor = values[exhibitor_part]
            if exhibitor != run_values or has_sectors is not run_has_sectors:
                run_problems, run_text, run_links = check_exhibitor(exhibitor, has_sectors)
                run_values, run_has_sectors, run = exhibitor, has_sectors, 0
            expo = values[expo_at]
            if expo:
                key = (*values[expo_part],)
                variant = variants.get(key)
                if variant is None:
                    if len(variants) >= EXPO_VARIANTS_KEPT:
                        variants.clear()
                    found, staged_text, _links = check_expo(key)
                    variant = variants[key] = [found, staged_text, 0]
                expo_problems = variant[0]
                nul = variant[1] is None
            else:
                variant = None
                expo_problems = MISSING_EXPO if any(values[details_part]) else ()
                nul = expo_problems and has_nul(values[expo_part])
            showcase = values[showcase_at]
            plain_showcase = showcase.isprintable()
            showcase_problems = () if plain_showcase else check_shown((showcase,))[0]
            if run_problems or expo_problems or nul or showcase_problems:
                if run_text is None or nul or "\x00" in showcase:
                    for field, message in NUL_ROW:
                        add(number, field, message)
                    continue
                for field, message in (*run_problems, *expo_problems, *showcase_problems):
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
            if "\\" in showcase or not plain_showcase:
                showcase = copy_text(showcase)
            write(f"{number}\t{run}\t{variant_id}\t{showcase}{exhibitor_text}{expo_text}\n")
        copy.write("".join(buffer))
    progress(count % PROGRESS_EVERY)
    return count, Staged(rows, with_expo, links, repeated_expo)


def analyse_staging(cursor):
    """Give the planner the staged table's statistics (temporary tables get none by
    themselves), so that the checks and writes that follow are planned for its size."""
    cursor.execute("ANALYZE import_rows")
