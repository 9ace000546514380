"""Count tables: facet counts kept ready by the database, so that a cold facet costs a read of
a few hundred rows instead of a GROUP BY over a million.

A count table holds, for each value of a facet (and, in some, for each value of one filter),
how many records have it. Triggers on the tables counted keep it in step, in the same
transaction as the write: statement-level triggers with transition tables, each writing its
aggregated deltas once per statement, so that an import of a hundred thousand rows pays once
per statement rather than once per row.

The counter rows are shared by every writer, so they are taken as late and in as fixed an
order as can be: a trigger adds its deltas to the table's pending twin (`<table>_pending`,
no key, no lock), and at commit one deferred trigger (`counttables_flush()`) applies every
table's pending deltas, the tables in the order of their names and each table's rows in the
order of their keys, with one `INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n` each.
Taking the counter rows only there means no deadlock on them: a transaction waiting for a
counter row holds only counter rows that come before it in that one order (its other locks,
on the records it wrote, are what a counter's holder never waits for, having written all its
records already). Counting at statement time let a transaction that took a counter in one
statement and another in the next deadlock with one that took them the other way round (an
import's sector links against an editor moving an exhibitor and then giving it a sector).
Pending rows are only ever seen by their own transaction, which empties them before it
commits. Within a transaction the tables lag its own writes until it commits or reads them
(CountTable.counts and flush_pending apply them first).

The apps own their tables and triggers (see exhibitors.models.facetcounts,
expos.models.facetcounts);
this module has what they share, and FilterSets name their tables with CountTable, which
core.lists.facets reads when the active filters allow it. Every count table can be counted again
from
scratch (`manage.py recount_facets`, `recount_all`): the triggers' answers must always be those
of that full count, which the tests compare after every kind of write.
"""

from dataclasses import dataclass, field

import pgtrigger
from django.apps import apps
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction


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
    def pending_table(cls):
        return f"{cls._meta.db_table}_pending"

    @classmethod
    def pending_columns(cls):
        """The pending table's columns (its deltas in `n`), as in a CREATE TABLE."""
        columns = [f.db_parameters(connection)["type"] for f in cls.key_fields()]
        keys = [f"{c} {t} NOT NULL" for c, t in zip(cls.key_columns(), columns, strict=True)]
        return ", ".join([*keys, "n bigint NOT NULL"])

    @classmethod
    def key_fields(cls):
        return [f for f in cls._meta.concrete_fields if f.column not in ("n", "id")]

    @classmethod
    def create_pending_sql(cls):
        """The pending table: unlogged (its rows never outlive their transaction) and keyless
        (adding to it waits for nothing)."""
        return f"CREATE UNLOGGED TABLE {cls.pending_table()} ({cls.pending_columns()})"

    @classmethod
    def flush_sql(cls):
        """SQL applying the transaction's pending deltas to the table, then emptying them."""
        keys = cls.key_columns()
        return (
            apply(
                cls._meta.db_table,
                keys,
                f"SELECT {', '.join(keys)}, n AS d FROM {cls.pending_table()}",
            )
            + f"DELETE FROM {cls.pending_table()};\n"
        )

    @classmethod
    def recount(cls, cursor):
        cursor.execute(f"DELETE FROM {cls.pending_table()}")
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
        # A recount is a change (core.changelog.log): the data version moves, cached facets go.
        cursor.execute("SELECT core_note_write()")
    return count_models()


def apply(table, keys, deltas):
    """SQL adding the `deltas` (a SELECT of the key columns, then `d`) to the count table: one
    INSERT … ON CONFLICT for the whole statement, the keys in order so that concurrent writers
    lock the counter rows they share in the same order."""
    key_list = ", ".join(keys)
    return f"""
        INSERT INTO {table} ({key_list}, n)
        SELECT {key_list}, sum(d) FROM ({deltas}) AS deltas
        GROUP BY {key_list} HAVING sum(d) <> 0 ORDER BY {key_list}
        ON CONFLICT ({key_list}) DO UPDATE SET n = {table}.n + excluded.n;
    """


def add(table, keys, deltas):
    """SQL for a trigger: the `deltas` (a SELECT of `keys`, then `d`), summed by key, added to
    the pending twin of the count table `table` (or any table of deltas applied at commit),
    and the commit's flush armed."""
    key_list = ", ".join(keys)
    return f"""
        INSERT INTO {table}_pending ({key_list}, n)
        SELECT {key_list}, sum(d) FROM ({deltas}) AS deltas
        GROUP BY {key_list} HAVING sum(d) <> 0;
        PERFORM counttables_arm();
    """


# Whether this transaction has pending deltas its commit must apply: a setting local to the
# transaction (rolled back with it, or with the savepoint that set it).
ARMED = "counttables.armed"
FLUSH_MARK = "core_countflush"

# What core's migration installs: `counttables_arm()`, called by a trigger that added pending
# deltas, queues (once a transaction) a row of FLUSH_MARK, whose constraint trigger, deferred
# to the commit, runs `counttables_flush()`; the apps' migrations install that one (see
# flush_function_sql), which applies every count table's pending deltas.
FLUSH_MACHINERY = [
    f"CREATE UNLOGGED TABLE {FLUSH_MARK} (armed boolean)",
    """
    CREATE OR REPLACE FUNCTION counttables_flush() RETURNS void AS $$ BEGIN END; $$
    LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION counttables_arm() RETURNS void AS $$
    BEGIN
        IF current_setting('{ARMED}', true) IS DISTINCT FROM 'on' THEN
            PERFORM set_config('{ARMED}', 'on', true);
            INSERT INTO {FLUSH_MARK} (armed) VALUES (true);
        END IF;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION counttables_flush_now() RETURNS void AS $$
    BEGIN
        IF current_setting('{ARMED}', true) = 'on' THEN
            PERFORM set_config('{ARMED}', '', true);
            DELETE FROM {FLUSH_MARK};
            PERFORM counttables_flush();
        END IF;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE OR REPLACE FUNCTION counttables_flush_at_commit() RETURNS trigger AS $$
    BEGIN
        PERFORM counttables_flush_now();
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE CONSTRAINT TRIGGER counttables_flush_at_commit AFTER INSERT ON {FLUSH_MARK}
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION counttables_flush_at_commit()
    """,
]
UNDO_FLUSH_MACHINERY = [
    f"DROP TABLE {FLUSH_MARK}",
    "DROP FUNCTION counttables_flush_at_commit()",
    "DROP FUNCTION counttables_flush_now()",
    "DROP FUNCTION counttables_arm()",
    "DROP FUNCTION counttables_flush()",
]


def flush_function_body(models):
    """The body of `counttables_flush()` for the count tables `models`: each table's pending
    deltas applied, the tables in the order of their names."""
    ordered = sorted(models, key=lambda m: m._meta.db_table)
    return "BEGIN\n" + "".join(m.flush_sql() for m in ordered) + "END;"


def flush_function_sql(models):
    return (
        "CREATE OR REPLACE FUNCTION counttables_flush() RETURNS void AS $body$"
        f"{flush_function_body(models)}$body$ LANGUAGE plpgsql"
    )


def flush_pending(using=DEFAULT_DB_ALIAS):
    """Apply this transaction's pending deltas now, for a read of the count tables within the
    transaction that wrote them (outside one there are none)."""
    if connections[using].in_atomic_block:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT counttables_flush_now()")


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
    func = "".join(
        f"DELETE FROM {m.pending_table()};\nDELETE FROM {m._meta.db_table};\n{m.fill_sql()};\n"
        for m in count_tables
    )
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
        """{facet value: count}, as core.lists.facets counts them with a GROUP BY."""
        flush_pending(self.model.objects.db)
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
