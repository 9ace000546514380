"""Filtering: the pages' FilterSets, strict about parameters they do not know."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings

from core.lists.facets import PRESENTATION_PARAMETERS

# What the API reads besides a list's filters.
API_PARAMETERS = PRESENTATION_PARAMETERS | {"expand"}


def refuse_unknown(query_params, known):
    """A 400 naming each parameter of the request that is not in `known`."""
    unknown = sorted(set(query_params) - set(known))
    if unknown:
        raise exceptions.ValidationError({name: ["Unknown parameter."] for name in unknown})


class StrictFilterBackend(DjangoFilterBackend):
    """The pages' FilterSets, with one more rule for machines: an unknown parameter is an error.

    A typo such as `?contry=CN` would otherwise return every record, which a script cannot
    tell from a real answer.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        known = set(filterset_class.base_filters) if filterset_class else set()
        refuse_unknown(request.query_params, known | API_PARAMETERS)
        return super().filter_queryset(request, queryset, view)


class AliasAwareNegotiation(DefaultContentNegotiation):
    """`?format=` chooses the output, except for the values the list's FilterSet reads as a
    filter under a former name (`format=online` on the expo list: DirectoryFilterSet.
    parameter_aliases). Those are left to the filter; the other values choose the output."""

    def __init__(self, filterset_class=None):
        self.aliased = set()
        if filterset_class is not None and hasattr(filterset_class, "aliased_values"):
            self.aliased = filterset_class.aliased_values(api_settings.URL_FORMAT_OVERRIDE)

    def select_renderer(self, request, renderers, format_suffix=None):
        if format_suffix is None and self.aliased:
            values = request.query_params.getlist(api_settings.URL_FORMAT_OVERRIDE)
            chosen = [value for value in values if value not in self.aliased]
            format_suffix = chosen[-1] if chosen else None
        return super().select_renderer(request, renderers, format_suffix)

    def filter_renderers(self, renderers, format):
        if format in self.aliased:  # only aliased values were given: negotiate by Accept
            return renderers
        return super().filter_renderers(renderers, format)


class FilterAliasMixin:
    """A viewset whose FilterSet keeps a former parameter name that `?format=` shares."""

    def get_content_negotiator(self):
        if not getattr(self, "_negotiator", None):
            self._negotiator = AliasAwareNegotiation(getattr(self, "filterset_class", None))
        return self._negotiator


def requested_facets(request, filterset_class):
    """The facet names of `?facets=a,b` (none without it, or with it empty); an unknown one
    is an error."""
    raw = request.query_params.get("facets")
    if raw is None:
        return []
    names = [name for name in raw.split(",") if name]
    available = set(filterset_class.facets)
    unknown = sorted(set(names) - available)
    if not raw:
        return []
    if unknown or not names:
        raise exceptions.ValidationError(
            {"facets": [f"Choose from: {', '.join(sorted(available)) or 'none'}."]}
        )
    return names
