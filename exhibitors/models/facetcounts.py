"""The exhibitor list's country and sector facets, counted ahead by triggers (see
core.lists.counttables).

Two tables: exhibitors by country, and exhibitors by country and sector together. The second
gives the sector facet (summed over countries: an exhibitor has one country, blank included),
the sector facet under a country filter (summed over the chosen countries) and the country
facet under a filter on one sector.

A sector link is counted under the country of its exhibitor: the link's triggers look the
exhibitor up, and the exhibitor's own triggers look its links up, so the pair counts follow
whichever of the two is written first (and an exhibitor moving country moves its links).

Two transactions at once, one changing an exhibitor's country and the other its links, would
each read the other's table as it was before the other began, and the link would be counted
under the old country. The link's triggers therefore first lock the exhibitors they read FOR
SHARE (see lock_exhibitors), which conflicts with the lock an UPDATE or DELETE of the
exhibitor takes, and not with another link writer's: whichever of the two comes second waits
for the first to commit. Then, under READ COMMITTED (each statement of a trigger function takes
a new snapshot):
- the link writer second: its lock waits for the exhibitor's writer, and its next statement
  reads the country that one committed (whose own triggers moved only the links they saw);
- the exhibitor writer second: its UPDATE waits for the link writer, and its trigger reads the
  links that one committed, counted under the old country, and moves them.
This needs READ COMMITTED, the isolation the project runs with (Django's default).
"""

import pgtrigger
from django.db import models

from core.fields import SingleLineField
from core.lists.counttables import CountModel, add, recount_trigger, statement_trigger

from .register import Exhibitor, Sector

EXHIBITORS = Exhibitor._meta.db_table
LINKS = Exhibitor.sectors.through._meta.db_table


class CountryCount(CountModel):
    """How many exhibitors each country has (blank: those without one)."""

    country = SingleLineField(max_length=2, primary_key=True)

    recount_sql = f"SELECT country, count(*) FROM {EXHIBITORS} GROUP BY country"

    class Meta:
        verbose_name = "exhibitor count by country"


class CountrySectorCount(CountModel):
    """How many exhibitors of each country work in each sector."""

    pk = models.CompositePrimaryKey("country", "sector")
    country = SingleLineField(max_length=2)
    # No foreign key: a count outlives nothing it counts, and must not hold up a sector's
    # deletion; a deleted sector's row is left at 0 and never read.
    sector = models.ForeignKey(
        Sector, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )

    recount_sql = (
        f"SELECT e.country, l.sector_id, count(*) FROM {LINKS} l"
        f" JOIN {EXHIBITORS} e ON e.id = l.exhibitor_id GROUP BY e.country, l.sector_id"
    )

    class Meta:
        verbose_name = "exhibitor count by country and sector"


COUNTRIES = CountryCount._meta.db_table
PAIRS = CountrySectorCount._meta.db_table


def links_of(exhibitors, country, d):
    """The sector links of `exhibitors` (a relation with id and `country`), each counting `d`."""
    return (
        f"SELECT e.{country} AS country, l.sector_id, {d} AS d"
        f" FROM {exhibitors} e JOIN {LINKS} l ON l.exhibitor_id = e.id"
    )


def lock_exhibitors(*links):
    """Lock FOR SHARE the exhibitors of the sector links in `links` (relations with
    exhibitor_id), in the order of their ids, before the trigger reads their countries."""
    # Each relation aliased: PostgreSQL before 16 wants a name for a subquery in FROM.
    ids = " UNION ".join(f"SELECT exhibitor_id FROM {relation} AS locked" for relation in links)
    return f"PERFORM 1 FROM {EXHIBITORS} WHERE id IN ({ids}) ORDER BY id FOR SHARE;\n"


def exhibitors_of(links, d):
    """The exhibitors' countries of `links` (a relation of sector links), each counting `d`."""
    return (
        f"SELECT e.country, l.sector_id, {d} AS d"
        f" FROM {links} l JOIN {EXHIBITORS} e ON e.id = l.exhibitor_id"
    )


MOVED = (
    "SELECT o.id, o.country AS was, n.country AS now"
    " FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE o.country <> n.country"
)

EXHIBITOR_TRIGGERS = [
    statement_trigger(
        "facet_counts_insert",
        pgtrigger.Insert,
        add(COUNTRIES, ["country"], "SELECT country, 1 AS d FROM new_rows")
        + add(PAIRS, ["country", "sector_id"], links_of("new_rows", "country", 1)),
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_update",
        pgtrigger.Update,
        add(
            COUNTRIES,
            ["country"],
            f"WITH moved AS ({MOVED}) SELECT was AS country, -1 AS d FROM moved"
            " UNION ALL SELECT now, 1 FROM moved",
        )
        + add(
            PAIRS,
            ["country", "sector_id"],
            f"WITH moved AS ({MOVED}) {links_of('moved', 'was', -1)}"
            f" UNION ALL {links_of('moved', 'now', 1)}",
        ),
        old="old_rows",
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_delete",
        pgtrigger.Delete,
        add(COUNTRIES, ["country"], "SELECT country, -1 AS d FROM old_rows")
        + add(PAIRS, ["country", "sector_id"], links_of("old_rows", "country", -1)),
        old="old_rows",
    ),
    recount_trigger("facet_counts_truncate", CountryCount, CountrySectorCount),
]

LINK_TRIGGERS = [
    statement_trigger(
        "facet_counts_insert",
        pgtrigger.Insert,
        lock_exhibitors("new_rows")
        + add(PAIRS, ["country", "sector_id"], exhibitors_of("new_rows", 1)),
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_update",
        pgtrigger.Update,
        lock_exhibitors("old_rows", "new_rows")
        + add(
            PAIRS,
            ["country", "sector_id"],
            f"{exhibitors_of('old_rows', -1)} UNION ALL {exhibitors_of('new_rows', 1)}",
        ),
        old="old_rows",
        new="new_rows",
    ),
    statement_trigger(
        "facet_counts_delete",
        pgtrigger.Delete,
        lock_exhibitors("old_rows")
        + add(PAIRS, ["country", "sector_id"], exhibitors_of("old_rows", -1)),
        old="old_rows",
    ),
    recount_trigger("facet_counts_truncate", CountrySectorCount),
]

pgtrigger.register(*EXHIBITOR_TRIGGERS)(Exhibitor)
# The links' model (ExhibitorSector, the table Django made for Exhibitor.sectors): its
# migrations hold these triggers, as the exhibitor's hold its own.
pgtrigger.register(*LINK_TRIGGERS)(Exhibitor.sectors.through)
