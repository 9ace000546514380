"""Facets: for each facet of a FilterSet, its options, each with how many results it gives.

A facet's own parameter is left out when counting it, so that the counts next to "China" say
how many results choosing China as well (or instead) would give, while every other active
filter still applies. Counting groups whole tables, so answers are cached until the data
changes: keyed on the filters alone (not on page, ordering or format) and on the records
counted.

Counting cold is a GROUP BY over the whole directory, seconds at a million exhibitors, unless
the FilterSet names a count table for the facet (`facet_tables`, {parameter: [CountTable, …]},
see core.counttables) that serves the filters active: then it is a read of a few hundred rows,
the same numbers.
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import Count
from django.http import QueryDict

from . import dataversion
from .filters import resolve_field

# Parameters that choose how results are shown, not which: never part of a facet's filter.
PRESENTATION_PARAMETERS = {"ordering", "page", "page_size", "cursor", "format", "facets", "lang"}
TEXT_FIELDS = ("CharField", "SlugField", "TextField")


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
    """facet_counts without the cache: one GROUP BY a facet."""
    data = filterset_class.canonical_data(data)
    # Count tables count the whole table: an expo's page counts only its own exhibitors.
    whole_table = records_counted(queryset) == records_counted(queryset.model._default_manager)
    result = {}
    for parameter, path in filterset_class.facets.items():
        if facets is not None and parameter not in facets:
            continue
        others = data.copy()
        for name in (parameter, *PRESENTATION_PARAMETERS):
            others.pop(name, None)
        filterset = filterset_class(others, queryset=queryset)
        if not filterset.is_valid():
            return {}
        table = whole_table and count_table(filterset_class, parameter, filterset)
        if table:
            counts = table.counts(active_filters(filterset), path)
        else:
            counts = group_by(filterset.qs, path)
        facet_filter = filterset_class.base_filters[parameter]
        labels = facet_labels(facet_filter, list(counts))
        chosen = data.getlist(parameter)
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
        options.sort(key=lambda o: (not o["selected"], -o["count"], o["label"]))
        result[parameter] = options
    return result


def group_by(queryset, path):
    """{value: how many records of `queryset` have it}, blank and NULL values left out."""
    # filter(), not exclude(): across a many-valued relation exclude() becomes a NOT EXISTS
    # over the whole link table, where filter() is one inner join.
    is_text = resolve_field(queryset.model, path).get_internal_type() in TEXT_FIELDS
    present = {f"{path}__gt": ""} if is_text else {}
    rows = (
        queryset.order_by()
        .filter(**{f"{path}__isnull": False}, **present)
        .values(path)
        .annotate(count=Count("pk", distinct=True))
    )
    return {row[path]: row["count"] for row in rows}


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
