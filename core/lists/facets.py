"""Facets: for each facet of a FilterSet, its options, each with how many results it gives.

A facet's own parameter is left out when counting it, so that the counts next to "China" say
how many results choosing China as well (or instead) would give, while every other active
filter still applies. Counting groups whole tables, so answers are cached until the data
changes: keyed on the filters alone (not on page, ordering or format) and on the records
counted.

Counting cold is a GROUP BY over the whole directory, seconds at a million exhibitors, unless
the FilterSet names a count table for the facet (`facet_tables`, {parameter: [CountTable, …]},
see core.lists.counttables) that serves the filters active: then it is a read of a few hundred rows,
the same numbers.

Where no table serves, a facet whose path starts with a one-to-many or many-to-many relation
(an exhibitor's participations) is counted over that relation's rows whose record is among
those filtered (`record_id IN (…)`), not over the records joined to them: no DISTINCT over the
join where the facet says a record reaches each value once (`Facet(…, unique=True)`), and
the facets that share their filters and that relation (the expo and year facets, when neither
is chosen) share one reading of those rows, which is most of the cost. (The years are not
summed from the expos' counts: an exhibitor at two expos of one year would count twice.)
"""

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, F
from django.http import QueryDict

from core.changelog import dataversion
from core.lists.filters import resolve_field

# Parameters that choose how results are shown, not which: never part of a facet's filter.
PRESENTATION_PARAMETERS = {"ordering", "page", "page_size", "cursor", "format", "facets", "lang"}
TEXT_FIELDS = ("CharField", "SlugField", "TextField")


@dataclass(frozen=True)
class Facet:
    """A facet's lookup path (a FilterSet's `facets` may also give the path alone), and what
    counting it may rely on.

    `unique`: a record reaches each value of the path through one row at most of the path's
    first relation, so those rows are counted with COUNT(*) rather than COUNT(DISTINCT
    record). True of an exhibitor's participations and an expo's slug (one participation per
    exhibitor and expo); not of their years (an exhibitor can exhibit at two expos in a year).
    """

    path: str
    unique: bool = False


def facet_of(definition) -> Facet:
    return definition if isinstance(definition, Facet) else Facet(definition)


def facet_counts(filterset_class, data: QueryDict, queryset, *, facets=None):
    """{parameter: [{"value", "label", "count", "selected"}, …]} for the facets asked for
    (all by default), options sorted by count; an invalid filter gives no facets."""
    wanted = wanted_facets(filterset_class, facets)
    if not wanted:
        return {}
    data = filterset_class.canonical_data(data)
    return dataversion.cached(
        lambda: count_facets(filterset_class, data, queryset, facets=facets),
        "facets",
        *facet_key(filterset_class, data, queryset, wanted),
    )


def facet_summary(filterset_class, data: QueryDict, queryset, *, shown):
    """The facets of a page: each one's `shown` largest options and every selected one, with
    how many more there are. Returns {parameter: {"options": […], "more": n}}.

    A directory of thousands of expos would otherwise list every one of them beside every
    list, and the page would grow with the table; the rest are a search or a filter away.
    After a write, the counts of the data before it are shown while new ones are counted.
    """
    wanted = wanted_facets(filterset_class, None)
    if not wanted:
        return {}
    data = filterset_class.canonical_data(data)

    def summarise():
        summary = {}
        for parameter, options in count_facets(filterset_class, data, queryset).items():
            kept = [o for i, o in enumerate(options) if i < shown or o["selected"]]
            summary[parameter] = {"options": kept, "more": len(options) - len(kept)}
        return summary

    return dataversion.cached(
        summarise,
        "facet-summary",
        shown,
        *facet_key(filterset_class, data, queryset, wanted),
        stale_while_refreshing=True,
    )


def wanted_facets(filterset_class, facets):
    return [name for name in filterset_class.facets if facets is None or name in facets]


def facet_key(filterset_class, data, queryset, wanted):
    """What facet counts depend on: the FilterSet, its filters, the facets asked for, and the
    records counted."""
    filters = sorted(
        (name, data.getlist(name))
        for name in data
        if name in filterset_class.base_filters and name not in PRESENTATION_PARAMETERS
    )
    return (
        f"{filterset_class.__module__}.{filterset_class.__qualname__}",
        filters,
        wanted,
        records_counted(queryset),
    )


def records_counted(queryset):
    """The SQL of the records a facet counts: an expo's page counts only its exhibitors."""
    try:
        return str(queryset.order_by().query)
    except EmptyResultSet:
        return None


def count_facets(filterset_class, data: QueryDict, queryset, *, facets=None):
    """facet_counts without the cache: a read of a count table or a GROUP BY a facet (or one
    query for the facets that share their rows, see count_pending)."""
    data = filterset_class.canonical_data(data)
    # Count tables count the whole table: an expo's page counts only its own exhibitors.
    whole_table = records_counted(queryset) == records_counted(queryset.model._default_manager)
    counts, pending = {}, []
    for parameter, definition in filterset_class.facets.items():
        if facets is not None and parameter not in facets:
            continue
        others = data.copy()
        for name in (parameter, *PRESENTATION_PARAMETERS):
            others.pop(name, None)
        filterset = filterset_class(others, queryset=queryset)
        if not filterset.is_valid():
            return {}
        facet = facet_of(definition)
        table = whole_table and count_table(filterset_class, parameter, filterset)
        if table:
            counts[parameter] = table.counts(active_filters(filterset), facet.path)
        else:
            pending.append((parameter, facet, filterset.qs))
    counts.update(count_pending(pending))
    result = {}
    for parameter in filterset_class.facets:
        if parameter in counts:
            result[parameter] = options_of(
                filterset_class.base_filters[parameter], counts[parameter], data.getlist(parameter)
            )
    return result


def options_of(facet_filter, counts, chosen):
    """A facet's options, labelled, the chosen ones first and then by count. A filter whose
    values each find several of the values counted gives each its count (`facet_counts`)."""
    if hasattr(facet_filter, "facet_counts"):
        counts = facet_filter.facet_counts(counts)
    labels = facet_labels(facet_filter, list(counts))
    if hasattr(facet_filter, "facet_selected"):
        selected = facet_filter.facet_selected(chosen)
    else:
        selected = {str(value) for value in chosen}
    options = [
        {
            "value": str(value),
            "label": labels.get(value, str(value)),
            "count": count,
            "selected": str(value) in selected,
        }
        for value, count in counts.items()
    ]
    # Then by value: two expos can share a name, and the order must not be the database's.
    options.sort(key=lambda o: (not o["selected"], -o["count"], o["label"], o["value"]))
    return options


def count_pending(pending):
    """{parameter: counts} of the facets no count table serves: those counted over the same
    relation's rows under the same filters in one query, any other on its own: over the
    relation's rows where the facet is unique, else (the rows' semi-join would still need its
    DISTINCT, and PostgreSQL plans the join as well) by a GROUP BY over the records."""
    groups = {}
    for parameter, facet, queryset in pending:
        link = link_of(queryset, facet.path)
        shared = link and link.flat and records_counted(queryset)
        key = (link.model, link.record, shared) if shared else parameter
        groups.setdefault(key, []).append((parameter, facet, queryset, link))
    counts = {}
    for group in groups.values():
        if len(group) > 1:
            counts.update(shared_counts(group))
            continue
        parameter, facet, queryset, link = group[0]
        if link and facet.unique:
            counts[parameter] = link_counts(link, queryset)
        elif single_valued(queryset, facet.path):
            counts[parameter] = group_by(queryset, facet.path, count=Count("*"))
        else:
            counts[parameter] = group_by(queryset, facet.path)
    return counts


def single_valued(queryset, path):
    """Whether each record of `queryset` is one row of a GROUP BY of `path` (a column, or one
    through foreign keys, of records not joined to anything else): no DISTINCT to count."""
    model, fields = queryset.model, []
    for part in path.split("__"):
        field = model._meta.get_field(part)
        fields.append(field)
        model = field.related_model
    return len(queryset.query.alias_map) <= 1 and all(
        not field.is_relation or field.many_to_one or (field.one_to_one and field.concrete)
        for field in fields
    )


def group_by(queryset, path, count=None):
    """{value: how many records of `queryset` have it}, blank and NULL values left out.
    `count` counts the rows of each value (by default, the distinct records)."""
    # filter(), not exclude(): across a many-valued relation exclude() becomes a NOT EXISTS
    # over the whole link table, where filter() is one inner join.
    present = {f"{path}__gt": ""} if is_text(resolve_field(queryset.model, path)) else {}
    rows = (
        queryset.order_by()
        .filter(**{f"{path}__isnull": False}, **present)
        .values(path)
        .annotate(count=count or Count("pk", distinct=True))
    )
    return {row[path]: row["count"] for row in rows}


def is_text(field):
    return field.get_internal_type() in TEXT_FIELDS


@dataclass(frozen=True)
class Link:
    """The rows a facet's path starts with: `model`'s, pointing at the record by `record`;
    `rest` is the path from them. `flat`: `rest` follows no relation that can repeat a row and
    ends at a value the database gives as it is (no from_db_value), so several facets can be
    read from the same rows in one raw query."""

    model: type
    record: str
    rest: str
    flat: bool


def link_of(queryset, path):
    """The Link of `path` if it starts with a one-to-many or many-to-many relation of the
    records, else None (a column, or a foreign key, which a plain GROUP BY counts well).

    Also None where the records counted are themselves joined to other rows (an expo's page
    filters its exhibitors through their participations): a GROUP BY reuses that join, and
    counting the relation's rows would not give its numbers."""
    first, _sep, rest = path.partition("__")
    if not rest or len(queryset.query.alias_map) > 1:
        return None
    field = queryset.model._meta.get_field(first)
    if field.one_to_many:
        model, record = field.related_model, field.field.name
    elif field.many_to_many and field.concrete:
        model, record = field.remote_field.through, field.m2m_field_name()
        rest = f"{field.m2m_reverse_field_name()}__{rest}"
    else:
        return None
    hops = rest.split("__")
    fields = [resolve_field(model, "__".join(hops[: i + 1])) for i in range(len(hops))]
    flat = all(f.many_to_one or not f.is_relation for f in fields) and not hasattr(
        fields[-1], "from_db_value"
    )
    return Link(model, record, rest, flat)


def link_rows(link, queryset):
    """The link's rows whose record is among `queryset`'s: a semi-join, so a record repeated
    by the records' own query is still one record."""
    records = queryset.order_by().values("pk")
    return link.model._base_manager.filter(**{f"{link.record}__in": records}).order_by()


def link_counts(link, queryset):
    """group_by(queryset, path) of a unique facet, counted over the link's rows: each is one
    record's."""
    return group_by(link_rows(link, queryset), link.rest, count=Count("*"))


def shared_counts(group):
    """{parameter: counts} of facets counted over the same link rows under the same filters
    (group: [(parameter, facet, queryset, link)]): the rows read once, in a materialised WITH,
    then a GROUP BY of each facet's value over them."""
    _parameter, _facet, queryset, first = group[0]
    values = {f"facet_{i}": F(link.rest) for i, (*_rest, link) in enumerate(group)}
    rows = link_rows(first, queryset).annotate(facet_record=F(first.record), **values)
    sql, params = rows.values("facet_record", *values).query.sql_with_params()
    branches = []
    for i, (_parameter, facet, _queryset, link) in enumerate(group):
        value = f"facet_{i}"
        present = f"{value} IS NOT NULL"
        if is_text(resolve_field(link.model, link.rest)):
            present += f" AND {value} > ''"
        count = "count(*)" if facet.unique else "count(DISTINCT facet_record)"
        # Each facet's values in a column of their own: the facets' types differ.
        columns = ", ".join(value if j == i else "NULL" for j in range(len(group)))
        branches.append(
            f"SELECT {i}, {count}, {columns} FROM facet_rows WHERE {present} GROUP BY {value}"
        )
    union = "\nUNION ALL\n".join(branches)
    counts = {parameter: {} for parameter, *_rest in group}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"WITH facet_rows AS MATERIALIZED ({sql})\n{union}", params)
        for i, count, *values in cursor.fetchall():
            counts[group[i][0]][values[i]] = count
    return counts


def active_filters(filterset):
    """{parameter: cleaned value} of the filters a (valid) FilterSet applies."""
    return {
        name: filterset.form.cleaned_data[name]
        for name in filterset.data
        if name in filterset.filters and name not in PRESENTATION_PARAMETERS
    }


def count_table(filterset_class, parameter, filterset):
    """The first count table of the facet that serves the filters active, if any."""
    active = active_filters(filterset)
    for table in getattr(filterset_class, "facet_tables", {}).get(parameter, []):
        if table.serves(active):
            return table
    return None


def facet_labels(facet_filter, values):
    """What to show for each facet value: the filter's own labels (country names, records'
    names), its choices' labels, or the value itself (years)."""
    if hasattr(facet_filter, "facet_labels"):
        return facet_filter.facet_labels(values)
    choices = facet_filter.extra.get("choices")
    if choices and not callable(choices):
        return {value: str(label) for value, label in choices}
    return {value: str(value) for value in values}
