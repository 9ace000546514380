"""DirectoryViewSet: a directory resource, put together from the mixins of this package."""

from django.conf import settings
from django.http import Http404
from rest_framework import exceptions, parsers, renderers, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.facets import facet_counts

from .conditional import ConditionalGetMixin
from .errors import JSONErrorsMixin
from .expansion import ExpandMixin
from .filtering import StrictFilterBackend, requested_facets
from .language import LanguageMixin
from .pagination import DirectoryPagination
from .parsers import JSONParser
from .renderers import CSVRenderer, NDJSONRenderer
from .revisions import RevisionMixin
from .streaming import StreamingMixin


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class BodyLimitMixin:
    """A body above DATA_UPLOAD_MAX_MEMORY_SIZE is refused before it is read: 413."""

    def initial(self, request, *args, **kwargs):
        length = request.META.get("CONTENT_LENGTH") or 0
        if str(length).isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
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


class DirectoryViewSet(
    JSONErrorsMixin,
    LanguageMixin,
    BodyLimitMixin,
    RejectNulMixin,
    ConditionalGetMixin,
    ExpandMixin,
    StreamingMixin,
    RevisionMixin,
    viewsets.ModelViewSet,
):
    """A directory resource: list, detail, and writes for those with the model permission.

    Lists honour the FilterSet of the matching page, `facets=`, `page_size=`, `cursor=` and
    `format=json|csv|ndjson`; lists and details answer conditional GETs; `lang=` or
    Accept-Language chooses the content language; every write is kept in the change history.
    """

    filter_backends = [StrictFilterBackend]
    pagination_class = DirectoryPagination
    lookup_field = "slug"
    # A slug's characters (as Django's `slug` converter), which an id's digits are among.
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, NDJSONRenderer]
    parser_classes = [JSONParser, parsers.FormParser, parsers.MultiPartParser]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_renderers(self):
        # A write answers in JSON only. The format is negotiated in initial(), before the
        # handler runs, so `?format=csv` (400) or `Accept: text/csv` (406) on a write is
        # refused before anything changes.
        request = getattr(self, "request", None)
        if request is not None and request.method not in SAFE_METHODS:
            return [renderers.JSONRenderer()]
        return super().get_renderers()

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404; it is a bad parameter, so 400 in JSON.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            if force:
                return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
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
        queryset = self.filter_queryset(self.get_queryset())
        facets = requested_facets(request, self.filterset_class)
        streamed = request.accepted_renderer.format in ("csv", "ndjson")
        if not streamed and self.paginator is not None:
            self.paginator.get_page_size(request)  # a bad page_size is a 400, never a 304
        fresh = self.not_modified(request, version)
        if fresh:
            return fresh
        if streamed:
            return self.stream(queryset, request.accepted_renderer.format)
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        response = self.get_paginated_response(data)
        if facets:
            response.data["facets"] = facet_counts(
                self.filterset_class, request.query_params, self.get_queryset(), facets=facets
            )
        return self.keep_for_version(self.with_version(response, version), version)

    def retrieve(self, request, *args, **kwargs):
        version = self.data_version()
        answered = self.answer_from_version(request, version)
        if answered:
            return answered
        # The record must exist (404 otherwise) before its copy can be current.
        record = self.get_object()
        fresh = self.not_modified(request, version)
        if fresh:
            return fresh
        response = Response(self.get_serializer(record).data)
        return self.keep_for_version(self.with_version(response, version), version)
