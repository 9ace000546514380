"""DirectoryViewSet: a directory resource, put together from the mixins of this package."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, parsers, permissions, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.api.conditional import ConditionalGetMixin
from core.api.errors import JSONErrorsMixin
from core.api.expansion import ExpandMixin
from core.api.fastjson import JSONRenderer
from core.api.filtering import StrictFilterBackend, requested_facets
from core.api.language import LanguageMixin
from core.api.pagination import DirectoryPagination
from core.api.parsers import JSONParser
from core.api.records import query_for
from core.api.renderers import CSVRenderer, NDJSONRenderer
from core.api.streaming import StreamingMixin
from core.api.writes import OneTransactionWritesMixin
from core.lists.facets import facet_counts


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class BodyLimitMixin:
    """A body above DATA_UPLOAD_MAX_MEMORY_SIZE is refused before it is read: 413."""

    def initial(self, request, *args, **kwargs):
        # Plain ASCII digits when present: core.http.middleware.RequestBodyFraming refused the rest.
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)


class RejectNulMixin:
    """PostgreSQL cannot hold a NUL character, so none reaches it: a parameter with one is a
    400 naming it, a path with one names no record (the router's lookup_value_regex already
    keeps NULs out of the path; this is the check for every other way in)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        with_nul = sorted(
            name
            for name, values in request.query_params.lists()
            if "\x00" in name or any("\x00" in value for value in values)
        )
        if with_nul:
            raise exceptions.ValidationError(
                {name: ["NUL characters are not allowed."] for name in with_nul}
            )
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound()


class RecordQueryMixin:
    """Reads of lists and records written by PostgreSQL as JSON (a RecordQuery,
    core/api/records.py), the serializer's fields expressed in SQL, without model instances.
    A serializer with a field SQL does not express (`?expand=` nests whole serializers), a
    permission that looks at records, and every write go through the serializer itself; so
    does every read when DIRECTORY_API_RECORDS_SQL is off."""

    def record_query(self):
        if not settings.DIRECTORY_API_RECORDS_SQL:
            return None
        if self.request.method not in SAFE_METHODS or not self.plain_object_permissions():
            return None
        context = self.get_serializer_context()
        if context.get("expand"):
            return None  # nested serializers, which SQL does not express
        serializer_class = self.get_serializer_class()
        queries = type(self).__dict__.get("_record_queries")
        if queries is None:
            queries = type(self)._record_queries = {}
        if serializer_class not in queries:
            queries[serializer_class] = query_for(serializer_class, context, self.get_queryset())
        return queries[serializer_class]

    def plain_object_permissions(self):
        """Whether no permission looks at the record itself (a row is not an instance)."""
        return all(
            type(permission).has_object_permission
            is permissions.BasePermission.has_object_permission
            for permission in self.get_permissions()
        )

    def get_row(self, query):
        """get_object(), as the record's id, with the view's queryset before its filters (what
        the record is written from): the filtered queryset, the URL's lookup, 404 when nothing
        (or an impossible value) matches."""
        base = self.get_queryset()
        queryset = self.filter_queryset(base)
        lookup = self.lookup_url_kwarg or self.lookup_field
        try:
            rows = list(query.values(queryset.filter(**{self.lookup_field: self.kwargs[lookup]})))
        except (TypeError, ValueError, DjangoValidationError):
            raise Http404 from None  # as DRF's get_object_or_404: a value no key can have
        if len(rows) != 1:
            # Django's get_object_or_404 message, which DRF's get_object gives.
            raise Http404(f"No {queryset.model._meta.object_name} matches the given query.")
        return base, rows[0]


class DirectoryViewSet(
    JSONErrorsMixin,
    LanguageMixin,
    BodyLimitMixin,
    RejectNulMixin,
    ConditionalGetMixin,
    ExpandMixin,
    RecordQueryMixin,
    StreamingMixin,
    OneTransactionWritesMixin,
    viewsets.ModelViewSet,
):
    """A directory resource: list, detail, and writes for those with the model permission.

    Lists honour the FilterSet of the matching page, `facets=`, `page_size=`, `cursor=` and
    `format=json|csv|ndjson`; lists and details answer conditional GETs; `lang=` or
    Accept-Language chooses the content language; every write is recorded in the change log
    with its editor.
    """

    filter_backends = [StrictFilterBackend]
    pagination_class = DirectoryPagination
    lookup_field = "slug"
    # A slug's characters (as Django's `slug` converter), which an id's digits are among.
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    renderer_classes = [JSONRenderer, CSVRenderer, NDJSONRenderer]
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self):
        # A write answers in JSON only. The format is negotiated in initial(), before the
        # handler runs, so `?format=csv` (400) or `Accept: text/csv` (406) on a write is
        # refused before anything changes.
        request = getattr(self, "request", None)
        if request is not None and request.method not in SAFE_METHODS:
            return [JSONRenderer()]
        return super().get_renderers()

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404; it is a bad parameter, so 400 in JSON.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            if force:
                return JSONRenderer(), JSONRenderer.media_type
            formats = ", ".join(renderer.format for renderer in self.get_renderers())
            raise exceptions.ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE: [f"Choose one of: {formats}."]}
            ) from None

    # A conditional GET is answered from the data version alone (one primary-key lookup),
    # before any query over the records; a 200 that was answered at this data version is
    # served again from the cache (see ConditionalGetMixin.answer_from_version).
    def list(self, request, *args, **kwargs):
        version = self.data_version()
        answered = self.answer_from_version(request, version)
        if answered:
            return answered
        base = self.get_queryset()
        queryset = self.filter_queryset(base)
        facets = requested_facets(request, self.filterset_class)
        streamed = request.accepted_renderer.format in ("csv", "ndjson")
        if not streamed and self.paginator is not None:
            self.paginator.get_page_size(request)  # a bad page_size is a 400, never a 304
        fresh = self.not_modified(request, version)
        if fresh:
            return fresh
        if streamed:
            return self.stream(queryset, request.accepted_renderer.format)
        query = self.record_query()
        if query is not None:
            page = self.paginate_queryset(query.values(queryset))
            data = query.write(page, base, self.get_serializer_context())
        else:
            page = self.paginate_queryset(queryset)
            data = self.get_serializer(page, many=True).data
        response = self.get_paginated_response(data)
        if facets:
            response.data["facets"] = facet_counts(
                self.filterset_class, request.query_params, base, facets=facets
            )
        return self.keep_for_version(self.with_version(response, version), version)

    def retrieve(self, request, *args, **kwargs):
        version = self.data_version()
        answered = self.answer_from_version(request, version)
        if answered:
            return answered
        # The record must exist (404 otherwise) before its copy can be current.
        query = self.record_query()
        if query is None:
            record = self.get_object()
        else:
            base, row = self.get_row(query)
        fresh = self.not_modified(request, version)
        if fresh:
            return fresh
        if query is None:
            data = self.get_serializer(record).data
        else:
            written = query.write([row], base, self.get_serializer_context())
            if not written:  # deleted since get_row() found it
                raise Http404(f"No {query.model._meta.object_name} matches the given query.")
            data = written[0]
        response = Response(data)
        return self.keep_for_version(self.with_version(response, version), version)
