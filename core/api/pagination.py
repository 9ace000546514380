"""Pagination: numbered pages with counts that do not grow with the table, and cursor walks.

The OpenAPI text of each lives beside it, so the schema says what the code does.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db import connection, models
from rest_framework import exceptions, pagination
from rest_framework.response import Response

from core.lists.counting import CappedPaginator, count_cap, exact_count_limit
from core.lists.searchwindow import ranked_search_limit
from core.numbers import is_integer_text, parse_integer, parse_positive_integer

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50


def page_size_from(request):
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = parse_integer(raw)
    except ValueError:
        raise exceptions.ValidationError(
            {"page_size": ["A whole number in ASCII digits is required."]}
        ) from None
    if size < 1:
        raise exceptions.ValidationError({"page_size": ["Must be at least 1."]})
    return min(size, MAX_PAGE_SIZE)


class PageNumberPagination(pagination.PageNumberPagination):
    """Numbered pages over the first DIRECTORY_COUNT_CAP results, with a count that is exact
    up to DIRECTORY_EXACT_COUNT and estimated beyond (see CappedPaginator); a cursor walk
    goes past the cap."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            number = parse_positive_integer(raw)
        except ValueError:
            raise exceptions.ValidationError(
                {"page": ["A page number from 1, in ASCII digits, is required."]}
            ) from None
        self.request = request
        paginator = CappedPaginator(queryset, self.get_page_size(request))
        # The page first: one that comes back short needs no count (see CappedPaginator).
        try:
            self.page = paginator.page(number)
        except InvalidPage:
            if paginator.capped and number > paginator.num_pages:
                raise exceptions.ValidationError(
                    {
                        "page": [
                            f"Page numbers stop at {paginator.num_pages}, after the first "
                            f"{paginator.count} results; use `cursor` to walk further."
                        ]
                    }
                ) from None
            raise exceptions.NotFound(self.invalid_page_message) from None
        return list(self.page)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        return Response(
            {
                "count": paginator.total,
                "count_exact": paginator.exact,
                "count_capped": paginator.capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["required"] += ["count_exact", "count_capped"]
        paginated["properties"]["count"]["description"] = (
            f"How many results match: exact up to {exact_count_limit()} (see `count_exact`); "
            "beyond that, PostgreSQL's estimate, rounded to two significant digits."
        )
        paginated["properties"]["count_exact"] = {
            "type": "boolean",
            "description": "Whether `count` is exact rather than an estimate.",
        }
        paginated["properties"]["count_capped"] = {
            "type": "boolean",
            "description": (
                f"Whether page numbers stop before the end: they reach the first {count_cap()} "
                "results, and a cursor walk (`cursor=`) reaches the rest; those of a search "
                f"(`q`), ranked or ordered, reach a window of {ranked_search_limit()} of its "
                "matches."
            ),
        }
        return paginated


class CursorPagination(pagination.CursorPagination):
    """For walks over large lists: no count, no OFFSET, ordered by id."""

    ordering = ("id",)
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        self.model = queryset.model
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request):
        """DRF's reading of the cursor, and then of its position: a forged one (`p=abc`, a
        number past the column's range) is a bad parameter, not a query that fails."""
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise invalid_cursor() from None
        if cursor is None or cursor.position is None:
            return cursor
        field = self.model._meta.get_field(self.ordering[0].lstrip("-"))
        if isinstance(field, models.IntegerField) and not is_integer_text(cursor.position):
            raise invalid_cursor()  # int() would read `١٢` as 12
        try:
            position = field.to_python(cursor.position)
        except DjangoValidationError:
            raise invalid_cursor() from None
        if isinstance(field, models.IntegerField):
            low, high = connection.ops.integer_field_range(field.get_internal_type())
            if not low <= position <= high:
                raise invalid_cursor()
        return cursor._replace(position=position)


def invalid_cursor():
    return exceptions.ValidationError({"cursor": ["Invalid cursor: start with an empty one."]})


class DirectoryPagination(pagination.BasePagination):
    """Page numbers by default; `?cursor=` (empty to start) switches to a cursor walk."""

    def __init__(self):
        self.delegate = None

    def get_page_size(self, request):
        return page_size_from(request)

    def paginate_queryset(self, queryset, request, view=None):
        if "cursor" in request.query_params:
            if request.query_params.get("ordering"):
                raise exceptions.ValidationError(
                    {"ordering": ["A cursor walk is always ordered by id."]}
                )
            self.delegate = CursorPagination()
        else:
            self.delegate = PageNumberPagination()
        return self.delegate.paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        return self.delegate.get_paginated_response(data)

    def get_paginated_response_schema(self, schema):
        paginated = PageNumberPagination().get_paginated_response_schema(schema)
        # A cursor walk has no count (counting is what it avoids); facets come on request.
        paginated["required"] = ["results"]
        for name in ("count", "count_exact", "count_capped"):
            paginated["properties"][name]["description"] += " Absent in a cursor walk."
        paginated["properties"]["facets"] = {
            "type": "object",
            "description": "With ?facets=: per facet, its options with their counts.",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "value": {"type": "string"},
                        "label": {"type": "string"},
                        "count": {"type": "integer"},
                        "selected": {"type": "boolean"},
                    },
                },
            },
        }
        return paginated

    def get_schema_operation_parameters(self, view):
        parameters = PageNumberPagination().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == "page_size":
                parameter["description"] = (
                    f"Results per page, {DEFAULT_PAGE_SIZE} by default, at most {MAX_PAGE_SIZE} "
                    "(larger values are capped)."
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
            if parameter["name"] == "page":
                parameter["description"] = (
                    f"A page number, from 1. Pages stop after the first {count_cap()} results "
                    "(see `count_capped`); a cursor walk goes further."
                )
                parameter["schema"] = {"type": "integer", "minimum": 1}
        parameters.append(
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": (
                    "Walk the list with a cursor instead of page numbers: pass an empty value to "
                    "start, then follow `next`. Ordered by id; use with `updated_since` to sync."
                ),
                "schema": {"type": "string"},
            }
        )
        return parameters
