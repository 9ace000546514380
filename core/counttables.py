"""Count tables: facet counts kept ready by the database, so that a cold facet costs a read of
a few hundred rows instead of a GROUP BY over a million.

A count table holds, for each value of a facet (and, in some, for each value of one filter),
how many records have it. Triggers on the tables counted keep it in step, in the same
transaction as the write: statement-level triggers with transition tables, each applying one
aggregated `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` per statement, so that an
import of a hundred thousand rows pays once per statement rather than once per row, and
concurrent writers wait on each other only for the counter rows they both change.

The apps own their tables and triggers (see exhibitors.facetcounts, expos.models.facetcounts);
this module has what they share, and FilterSets name their tables with CountTable, which
core.facets reads when the active filters allow it. Every count table can be counted again from
scratch (`manage.py recount_facets`, `recount_all`): the triggers' answers must always be those
of that full count, which the tests compare after every kind of write.
"""

from dataclasses import dataclass, field

import pgtrigger
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


class CountModel(models.Model):
    """A count table: its keys, and `n`, how many records have them.

    `recount_sql` is the SELECT of the keys and their counts from the tables counted, in the
    order of the model's key fields and then n; the migration that creates the table fills it
    with it, and recount() runs it again.
    """

    n = models.BigIntegerField(default=0)

    recount_sql = ""

    class Meta:
        abstract = True

    @classmethod
    def key_columns(cls):
        return [f.column for f in cls._meta.concrete_fields if f.column not in ("n", "id")]

    @classmethod
    def fill_sql(cls):
        """INSERT of every key's count, from scratch."""
        columns = ", ".join([*cls.key_columns(), "n"])
        return f"INSERT INTO {cls._meta.db_table} ({columns}) {cls.recount_sql}"

    @classmethod
    def recount(cls, cursor):
        cursor.execute(f"DELETE FROM {cls._meta.db_table}")
        cursor.execute(cls.fill_sql())


def count_models():
    return [m for m in apps.get_models() if issubclass(m, CountModel)]


def recount_all(using=DEFAULT_DB_ALIAS):
    """Count every count table again from the tables it counts, in one transaction. For
    operators (after writes that bypassed the triggers) and for the tests."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for model in count_models():
            model.recount(cursor)
        # A recount is a change (core.changelog): the data version moves, cached facets go.
        cursor.execute("SELECT core_note_write()")
    return count_models()


def add(table, keys, deltas):
    """SQL adding the `deltas` (a SELECT of the key columns, then `d`) to the count table: one
    INSERT … ON CONFLICT for the whole statement, the keys in order so that concurrent writers
    lock the counter rows they share in the same order (no deadlock between two of them)."""
    key_list = ", ".join(keys)
    return f"""
        INSERT INTO {table} ({key_list}, n)
        SELECT {key_list}, sum(d) FROM ({deltas}) AS deltas
        GROUP BY {key_list} HAVING sum(d) <> 0 ORDER BY {key_list}
        ON CONFLICT ({key_list}) DO UPDATE SET n = {table}.n + excluded.n;
    """


def statement_trigger(name, operation, func, *, old=None, new=None):
    """An AFTER … FOR EACH STATEMENT trigger; `old` and `new` name its transition tables (a
    TRUNCATE trigger has none). PostgreSQL takes transition tables only for one event a
    trigger, hence one trigger for each of INSERT, UPDATE and DELETE."""
    referencing = pgtrigger.Referencing(old=old, new=new) if (old or new) else None
    return pgtrigger.Trigger(
        name=name,
        level=pgtrigger.Statement,
        when=pgtrigger.After,
        operation=operation,
        referencing=referencing,
        func=f"{func}\nRETURN NULL;",
    )


def recount_trigger(name, *count_tables):
    """After a TRUNCATE (which fires no row or transition-table trigger): count again."""
    func = "".join(f"DELETE FROM {m._meta.db_table};\n{m.fill_sql()};\n" for m in count_tables)
    return statement_trigger(name, pgtrigger.Truncate, func)


@dataclass(frozen=True)
class CountTable:
    """Where a facet's counts can be read ready-made.

    `model` is the count table; `value` its field (or lookup path) holding the facet's value,
    as the facet's own path gives it. Without `by`, the table serves the facet when no other
    filter is active: its counts summed over any other key. With `by`, a filter parameter, it
    serves the facet when that filter is the only other one active: `key` is the field holding
    the filter's value, `key_values` turns the filter's cleaned values into the field's.
    `additive` says whether the counts of several chosen values add up (true of a field a
    record has one value of, such as a country; not of a many-valued one, such as sectors,
    where a record with two chosen sectors would be counted twice): otherwise the table serves
    one chosen value only.
    """

    model: type
    value: str
    by: str | None = None
    key: str | None = None
    key_values: object = field(default=None, compare=False)
    additive: bool = False

    def serves(self, active: dict) -> bool:
        """Whether this table gives the counts under `active` ({parameter: cleaned values} of
        the filters other than the facet's own)."""
        if self.by is None:
            return not active
        if set(active) != {self.by}:
            return False
        return self.additive or len(active[self.by]) == 1

    def counts(self, active: dict, path: str) -> dict:
        """{facet value: count}, as core.facets counts them with a GROUP BY."""
        rows = self.model.objects.filter(n__gt=0)
        if self.by is not None:
            values = list(active[self.by])
            if self.key_values is not None:
                values = self.key_values(values)
            rows = rows.filter(**{f"{self.key}__in": values})
        rows = (
            rows.filter(**{f"{self.value}__isnull": False})
            .values(self.value)
            .annotate(count=models.Sum("n"))
            .order_by()
        )
        return {row[self.value]: row["count"] for row in rows if row[self.value] != ""}
