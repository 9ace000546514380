"""`?format=csv|ndjson` on a list: every matching row, streamed, never the whole list in
memory."""

from rest_framework.settings import api_settings

from core.exports import ndjson_line, started, streaming_response

from .renderers import number_fields, record_lines

STREAM_CHUNK = 2000


class StreamingMixin:
    def stream(self, queryset, fmt):
        """Every matching row, serialised a chunk at a time."""
        serializer_class = self.get_serializer_class()
        # Links in the rows point at the JSON records, not at this download's format.
        query = self.request._request.GET.copy()
        query.pop(api_settings.URL_FORMAT_OVERRIDE, None)
        self.request._request.GET = query
        context = self.get_serializer_context()

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
        # not a 200 cut short (see core.exports.started).
        records = started(rows())
        if fmt == "csv":
            serializer = serializer_class(context=context)
            body = record_lines(
                records, header=list(serializer.fields), numbers=number_fields(serializer)
            )
            content_type = "text/csv; charset=utf-8"
        else:
            body = (ndjson_line(row) for row in records)
            content_type = "application/x-ndjson; charset=utf-8"
        response = streaming_response(
            body, content_type=content_type, filename=f"{self.basename or 'records'}.{fmt}"
        )
        response["Content-Language"] = self.language
        return response
