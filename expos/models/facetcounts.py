"""The exhibitor list's expo and year facets, counted ahead by triggers (see
core.lists.counttables).

Exhibitors by expo are participations by expo (an exhibitor takes part in an expo once).
Exhibitors by year are not participations by year: an exhibitor at two expos of one year
counts once there. The year triggers therefore work out, for each (exhibitor, year) a
statement touches, how many of the exhibitor's participations fall in that year after the
statement (m) and how many the statement added or took away (d): the exhibitor enters the
year's count when m - d was 0 and m is not, and leaves it when m falls to 0. The triggers
write the (exhibitor, year, d) to the pending table, and the commit counts them (see
core.lists.counttables): it locks the rows of the years they touch first, so that two transactions
adding the same exhibitor to the same year one after the other cannot both see it absent
(under READ COMMITTED, the second counts again once the first has committed; under REPEATABLE
READ it fails with a serialisation error instead of counting wrong).

An expo whose year changes moves its exhibitors from one year to the other; a deleted expo
takes its participations' years with it.

A participation is counted at the year its expo has when the participation's trigger reads
it; an expo changing year moves the participations its trigger sees. Two transactions at once,
one changing an expo's year and the other adding or removing one of its participations, would
each miss the other's write. The participations' triggers therefore first lock their expos
FOR SHARE (lock_expos), which conflicts with an UPDATE or DELETE of the expo and not with
another participation's writer, so whichever comes second waits for the first to commit, and
then (READ COMMITTED: each statement of a trigger function takes a new snapshot) reads what
the first committed: the participation's writer the new year, or the expo's writer the new
participation, counted at the old year, which it moves.
"""

import pgtrigger
from django.db import models

from core.lists.counttables import CountModel, add, apply, recount_trigger, statement_trigger

from .expos import Expo
from .holdings import Participation

EXPOS = Expo._meta.db_table
PARTICIPATIONS = Participation._meta.db_table


class ExpoExhibitorCount(CountModel):
    """How many exhibitors each expo has: its participations."""

    # No foreign key: a count must not hold up an expo's deletion (its row is left at 0).
    expo = models.OneToOneField(
        Expo,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    recount_sql = f"SELECT expo_id, count(*) FROM {PARTICIPATIONS} GROUP BY expo_id"

    class Meta:
        verbose_name = "exhibitor count by expo"


class YearExhibitorCount(CountModel):
    """How many exhibitors took part in an expo of each edition year."""

    year = models.PositiveSmallIntegerField(primary_key=True)

    recount_sql = (
        f"SELECT x.edition_year, count(DISTINCT p.exhibitor_id) FROM {PARTICIPATIONS} p"
        f" JOIN {EXPOS} x ON x.id = p.expo_id WHERE x.edition_year IS NOT NULL"
        " GROUP BY x.edition_year"
    )

    class Meta:
        verbose_name = "exhibitor count by year"

    @classmethod
    def pending_columns(cls):
        """Not a year's delta but each exhibitor's (d), counted into the year at commit."""
        return "exhibitor_id bigint NOT NULL, year smallint NOT NULL, n bigint NOT NULL"

    @classmethod
    def flush_sql(cls):
        pending = cls.pending_table()
        changes = f"SELECT exhibitor_id, year, n AS d FROM {pending}"
        return count_years(changes) + f"DELETE FROM {pending};\n"


BY_EXPO = ExpoExhibitorCount._meta.db_table
BY_YEAR = YearExhibitorCount._meta.db_table


def lock_expos(*participations):
    """Lock FOR SHARE the expos of `participations` (relations with expo_id), in the order of
    their ids, before the trigger reads their years."""
    # Each relation aliased: PostgreSQL before 16 wants a name for a subquery in FROM.
    ids = " UNION ".join(f"SELECT expo_id FROM {relation} AS locked" for relation in participations)
    return f"PERFORM 1 FROM {EXPOS} WHERE id IN ({ids}) ORDER BY id FOR SHARE;\n"


def years_of(participations, d, year="x.edition_year"):
    """(exhibitor_id, year, d) of `participations` (a relation with exhibitor_id and
    expo_id), at the year of their expo."""
    return (
        f"SELECT p.exhibitor_id, {year} AS year, {d} AS d FROM {participations} p"
        f" JOIN {EXPOS} x ON x.id = p.expo_id WHERE {year} IS NOT NULL"
    )


def pend_years(changes):
    """SQL for a trigger: `changes` (a SELECT of exhibitor_id, year, d) left for the commit
    to count."""
    return add(BY_YEAR, ["exhibitor_id", "year"], changes)


def count_years(changes):
    """SQL applying `changes` (a SELECT of exhibitor_id, year, d) to the year counts: lock
    the years' rows first, then, in a statement of its own (which sees what the transactions
    that held them committed), count each exhibitor in or out of each year."""
    return f"""
        INSERT INTO {BY_YEAR} (year, n)
        SELECT DISTINCT year, 0 FROM ({changes}) AS changes ORDER BY year
        ON CONFLICT (year) DO UPDATE SET n = {BY_YEAR}.n;
    """ + apply(
        BY_YEAR,
        ["year"],
        f"""
        SELECT year, CASE WHEN m > 0 AND m - d <= 0 THEN 1
                          WHEN m <= 0 AND m - d > 0 THEN -1 ELSE 0 END AS d
        FROM (
            SELECT c.exhibitor_id, c.year, c.d, count(q.id) AS m
            FROM (SELECT exhibitor_id, year, sum(d) AS d FROM ({changes}) AS changes
                  GROUP BY exhibitor_id, year) c
            LEFT JOIN ({PARTICIPATIONS} q JOIN {EXPOS} qx ON qx.id = q.expo_id)
              ON q.exhibitor_id = c.exhibitor_id AND qx.edition_year = c.year
            GROUP BY c.exhibitor_id, c.year, c.d
        ) AS after
        """,
    )


# Participations whose exhibitor or expo an UPDATE changed (a new showcase changes no count).
MOVED = (
    "SELECT o.exhibitor_id AS old_exhibitor, o.expo_id AS old_expo,"
    " n.exhibitor_id, n.expo_id FROM old_rows o JOIN new_rows n ON n.id = o.id"
    " WHERE (o.exhibitor_id, o.expo_id) IS DISTINCT FROM (n.exhibitor_id, n.expo_id)"
)
OLD_OF_MOVED = f"(SELECT old_exhibitor AS exhibitor_id, old_expo AS expo_id FROM ({MOVED}) m)"
NEW_OF_MOVED = f"(SELECT exhibitor_id, expo_id FROM ({MOVED}) m)"

PARTICIPATION_TRIGGERS = [
    statement_trigger(
        "facet_counts_insert",
        pgtrigger.Insert,
        lock_expos("new_rows")
        + add(BY_EXPO, ["expo_id"], "SELECT expo_id, 1 AS d FROM new_rows")
        + pend_years(years_of("new_rows", 1)),
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_update",
        pgtrigger.Update,
        lock_expos(OLD_OF_MOVED, NEW_OF_MOVED)
        + add(
            BY_EXPO,
            ["expo_id"],
            f"SELECT expo_id, -1 AS d FROM {OLD_OF_MOVED} o"
            f" UNION ALL SELECT expo_id, 1 FROM {NEW_OF_MOVED} n",
        )
        + pend_years(f"{years_of(OLD_OF_MOVED, -1)} UNION ALL {years_of(NEW_OF_MOVED, 1)}"),
        old="old_rows",
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_delete",
        pgtrigger.Delete,
        lock_expos("old_rows")
        + add(BY_EXPO, ["expo_id"], "SELECT expo_id, -1 AS d FROM old_rows")
        + pend_years(years_of("old_rows", -1)),
        old="old_rows",
    ),
    recount_trigger("facet_counts_truncate", ExpoExhibitorCount, YearExhibitorCount),
]


def expo_years(expos, year, d):
    """(exhibitor_id, year, d) of the participations in `expos` (a relation with id and the
    column `year`)."""
    return (
        f"SELECT p.exhibitor_id, x.{year} AS year, {d} AS d FROM {expos} x"
        f" JOIN {PARTICIPATIONS} p ON p.expo_id = x.id WHERE x.{year} IS NOT NULL"
    )


RENAMED_YEARS = (
    "SELECT o.id, o.edition_year AS was, n.edition_year AS now FROM old_rows o"
    " JOIN new_rows n ON n.id = o.id WHERE o.edition_year IS DISTINCT FROM n.edition_year"
)

EXPO_TRIGGERS = [
    # Participations are written after their expo, but a foreign key checked at commit lets
    # them come first: the expo's own triggers count whatever already points at it.
    statement_trigger(
        "facet_counts_insert",
        pgtrigger.Insert,
        pend_years(expo_years("new_rows", "edition_year", 1)),
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_update",
        pgtrigger.Update,
        pend_years(
            f"{expo_years(f'({RENAMED_YEARS})', 'was', -1)}"
            f" UNION ALL {expo_years(f'({RENAMED_YEARS})', 'now', 1)}"
        ),
        old="old_rows",
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_delete",
        pgtrigger.Delete,
        pend_years(expo_years("old_rows", "edition_year", -1)),
        old="old_rows",
    ),
    recount_trigger("facet_counts_truncate", YearExhibitorCount),
]

pgtrigger.register(*PARTICIPATION_TRIGGERS)(Participation)
pgtrigger.register(*EXPO_TRIGGERS)(Expo)
