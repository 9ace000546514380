"""Filtering: the pages' FilterSets, strict about parameters they do not know."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions

from core.facets import PRESENTATION_PARAMETERS

# What the API reads besides a list's filters.
API_PARAMETERS = PRESENTATION_PARAMETERS | {"expand"}


class StrictFilterBackend(DjangoFilterBackend):
    """The pages' FilterSets, with one more rule for machines: an unknown parameter is an error.

    A typo such as `?contry=CN` would otherwise return every record, which a script cannot
    tell from a real answer.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        unknown = sorted(set(request.query_params) - known - API_PARAMETERS)
        if unknown:
            raise exceptions.ValidationError({name: ["Unknown parameter."] for name in unknown})
        return super().filter_queryset(request, queryset, view)


def requested_facets(request, filterset_class):
    """The facet names of `?facets=a,b` (none without it); an unknown one is an error."""
    raw = request.query_params.get("facets")
    if raw is None:
        return []
    names = [name for name in raw.split(",") if name]
    available = set(filterset_class.facets)
    unknown = sorted(set(names) - available)
    if unknown or not names:
        raise exceptions.ValidationError(
            {"facets": [f"Choose from: {', '.join(sorted(available)) or 'none'}."]}
        )
    return names
