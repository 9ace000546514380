"""Reads that the pages and the API share."""

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db.models import Count, Prefetch
from django.http import QueryDict
from django_countries import countries

from . import versioning
from .models import Exhibitor, Sector

# Parameters that choose how results are shown, not which: never part of a facet's filter.
PRESENTATION_PARAMETERS = {"ordering", "page", "page_size", "cursor", "format", "facets", "lang"}


def exhibitor_list():
    """Exhibitors with their sectors, ready for a list page or an API list."""
    return Exhibitor.objects.prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("name", "id"))
    )


def facet_counts(filterset_class, data: QueryDict, queryset, *, facets=None):
    """For each facet of the FilterSet: its options, each with how many results it would give.

    A facet's own parameter is left out when counting it, so that the counts next to "China"
    say how many results choosing China as well (or instead) would give, while every other
    active filter still applies. Returns {parameter: [{"value", "label", "count",
    "selected"}, …]}, options sorted by count; an invalid filter gives no facets.

    Counting groups whole tables, so the answer is cached until the data changes: keyed on
    the filters alone (not on page, ordering or format) and on the records counted.
    """
    wanted = wanted_facets(filterset_class, facets)
    if not wanted:
        return {}
    return versioning.cached(
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

    def summarise():
        summary = {}
        for parameter, options in count_facets(filterset_class, data, queryset).items():
            kept = [o for i, o in enumerate(options) if i < shown or o["selected"]]
            summary[parameter] = {"options": kept, "more": len(options) - len(kept)}
        return summary

    return versioning.cached(
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
        (name, sorted(data.getlist(name)))
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
        # filter(), not exclude(): across a many-valued relation exclude() becomes a NOT
        # EXISTS over the whole link table, where filter() is one inner join.
        present = {f"{path}__gt": ""} if _is_text(queryset.model, path) else {}
        rows = (
            filterset.qs.order_by()
            .filter(**{f"{path}__isnull": False}, **present)
            .values(path)
            .annotate(count=Count("pk", distinct=True))
        )
        counts = {row[path]: row["count"] for row in rows}
        labels = facet_labels(filterset_class, parameter, list(counts))
        selected = {
            str(v).upper() if parameter == "country" else str(v) for v in data.getlist(parameter)
        }
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


def _is_text(model, path):
    field = model._meta.get_field(path.split("__")[0])
    if "__" in path:
        related = field.related_model
        for part in path.split("__")[1:]:
            field = related._meta.get_field(part)
            related = getattr(field, "related_model", None) or related
    return field.get_internal_type() in ("CharField", "SlugField", "TextField")


def facet_labels(filterset_class, parameter, values):
    """What to show for each facet value: country names, sector and expo names, years."""
    choices = filterset_class.base_filters[parameter].extra.get("choices")
    if parameter != "country" and choices and not callable(choices):
        return {value: str(label) for value, label in choices}
    if parameter == "country":
        return {code: countries.name(code) for code in values}
    if parameter == "sector":
        return {s.slug: s.name for s in Sector.objects.filter(slug__in=values)}
    if parameter == "expo":
        Expo = apps.get_model("expos", "Expo")
        return {e.slug: e.short_name or e.name for e in Expo.objects.filter(slug__in=values)}
    if parameter == "series":
        ExpoSeries = apps.get_model("expos", "ExpoSeries")
        return {s.slug: s.name for s in ExpoSeries.objects.filter(slug__in=values)}
    return {value: str(value) for value in values}
