"""`?format=csv|ndjson` on a list: every matching row, streamed, never the whole list in
memory."""

from django.http import StreamingHttpResponse
from rest_framework.settings import api_settings

from core.exports import ndjson_line

from .renderers import record_lines

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

        if fmt == "csv":
            body = record_lines(rows(), header=list(serializer_class(context=context).fields))
            content_type = "text/csv; charset=utf-8"
        else:
            body = (ndjson_line(row) for row in rows())
            content_type = "application/x-ndjson; charset=utf-8"
        response = StreamingHttpResponse(body, content_type=content_type)
        name = self.basename or "records"
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        response["Content-Language"] = self.language
        return response
