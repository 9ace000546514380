"""`?format=csv|ndjson` on a list: every matching row, streamed, never the whole list in
memory.

PostgreSQL writes the rows (COPY, see core.exports.copy) from the serializer's fields expressed in
SQL (core.api.cells); a list whose serializer has a field SQL does not express (`?expand=`
nests whole serializers) is serialised by DRF a chunk at a time instead, with the same output.
"""

from itertools import chain

from django.urls import NoReverseMatch, reverse
from rest_framework.settings import api_settings

from core.api import cells
from core.api.renderers import number_fields, record_lines
from core.exports import copy
from core.exports.writers import csv_lines, ndjson_line, started, streaming_response

STREAM_CHUNK = 2000
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson; charset=utf-8",
}


class LinkingRequest:
    """The request as the rows' links see it: its parameters without `format`, which DRF's
    reverse() carries into every URL it builds. The links point at the JSON records, not at
    this download's format."""

    def __init__(self, request):
        self.request = request
        self.GET = self.query_params = request.query_params.copy()
        self.GET.pop(api_settings.URL_FORMAT_OVERRIDE, None)

    def __getattr__(self, name):
        return getattr(self.request, name)


class StreamingMixin:
    def stream(self, queryset, fmt):
        """Every matching row in `fmt`, from COPY where the fields allow it."""
        serializer_class = self.get_serializer_class()
        context = {**self.get_serializer_context(), "request": LinkingRequest(self.request)}
        serializer = serializer_class(context=context)
        try:
            sql, params = cells.api_query(serializer, queryset, fmt)
        except cells.Unsupported as error:
            if not context.get("expand"):
                cells.fell_back(serializer_class, error)
            body = self.serialised(queryset, fmt, serializer_class, context)
        else:
            body = self.copied(sql, params, fmt, serializer)
        response = streaming_response(
            body, content_type=CONTENT_TYPES[fmt], filename=self.download_name(fmt)
        )
        response["Content-Language"] = self.language
        return response

    def get_serializer_context(self):
        """A record in CSV or NDJSON links to the JSON records, as a list's rows do."""
        context = super().get_serializer_context()
        renderer = getattr(self.request, "accepted_renderer", None)
        if getattr(renderer, "format", None) in CONTENT_TYPES:
            context["request"] = LinkingRequest(self.request)
        return context

    def download_name(self, fmt):
        """The file name of this resource's downloads: its plural name, as in its URL
        (`exhibitors.csv`), as the pages name theirs; the same for a list and a record."""
        try:
            path = reverse(f"{self.request.resolver_match.namespace}:{self.basename}-list")
        except (AttributeError, NoReverseMatch):
            return f"records.{fmt}"
        return f"{path.rstrip('/').rsplit('/', 1)[-1]}.{fmt}"

    def finalize_response(self, request, response, *args, **kwargs):
        """A record in CSV or NDJSON is a download too, named as the list's."""
        response = super().finalize_response(request, response, *args, **kwargs)
        fmt = getattr(getattr(request, "accepted_renderer", None), "format", None)
        if (
            fmt in CONTENT_TYPES
            and response.status_code == 200
            and not response.has_header("Content-Disposition")
        ):
            response["Content-Disposition"] = f'attachment; filename="{self.download_name(fmt)}"'
        return response

    def copied(self, sql, params, fmt, serializer):
        """The rows from COPY; the first block is read here, so a query the database refuses
        is an error response (see core.exports.writers.started). A CSV starts with the header line,
        rows or none, as the Python path's and the pages' downloads do: a file of no rows
        still says what its columns are. An NDJSON file of no records is empty, as it has no
        header to write."""
        blocks = started(copy.copy_blocks(sql, params, fmt))
        if fmt != "csv":
            return blocks
        header = "".join(csv_lines(list(serializer.fields), [])).encode()
        return chain([header], blocks)

    def serialised(self, queryset, fmt, serializer_class, context):
        """The rows serialised by DRF, a chunk at a time."""

        def rows():
            # One pass over a server-side cursor, with the prefetches done a chunk at a time:
            # no OFFSET, however deep into the list.
            chunk = []
            for record in queryset.iterator(chunk_size=STREAM_CHUNK):
                chunk.append(record)
                if len(chunk) == STREAM_CHUNK:
                    yield from serializer_class(chunk, many=True, context=context).data
                    chunk = []
            yield from serializer_class(chunk, many=True, context=context).data

        # The first chunk is read here: a query the database refuses is an error response,
        # not a 200 cut short (see core.exports.writers.started).
        records = started(rows())
        if fmt == "csv":
            serializer = serializer_class(context=context)
            return record_lines(
                records, header=list(serializer.fields), numbers=number_fields(serializer)
            )
        return (ndjson_line(row) for row in records)
