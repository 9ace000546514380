"""What every API v1 endpoint shares: strict filtering, pagination, formats, conditional GET,
language, change history and the write rules. The viewsets themselves stay three lines long.
"""

import csv
import hashlib
import json
import re
from urllib.parse import quote

import reversion
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import InvalidPage
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils import translation
from django.utils.http import http_date, parse_http_date_safe, quote_etag
from django.utils.text import slugify
from django_countries.serializers import CountryFieldMixin
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions, pagination, renderers, serializers, status, viewsets
from rest_framework.response import Response
from rest_framework.settings import api_settings

from exhibitors import versioning
from exhibitors.pagination import CappedPaginator, count_cap, exact_count_limit
from exhibitors.selectors import PRESENTATION_PARAMETERS, facet_counts

MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 50
STREAM_CHUNK = 2000
API_PARAMETERS = PRESENTATION_PARAMETERS | {"expand"}
# A cached answer is keyed on the data version, so this only bounds how long an unused one
# stays in the cache.
CACHE_SECONDS = 60 * 60


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


# --- Filtering ------------------------------------------------------------------------------


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


# --- Pagination -----------------------------------------------------------------------------


def page_size_from(request):
    raw = request.query_params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise exceptions.ValidationError({"page_size": ["A whole number is required."]}) from None
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
        if not raw.isdigit() or int(raw) < 1:
            raise exceptions.ValidationError({"page": ["A page number from 1 is required."]})
        self.request = request
        paginator = CappedPaginator(queryset, self.get_page_size(request))
        number = int(raw)
        if paginator.capped and number > paginator.num_pages:
            raise exceptions.ValidationError(
                {
                    "page": [
                        f"Page numbers stop at {paginator.num_pages}, after the first "
                        f"{paginator.count} results; use `cursor` to walk further."
                    ]
                }
            )
        try:
            self.page = paginator.page(number)
        except InvalidPage:
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
                "results, and a cursor walk (`cursor=`) reaches the rest."
            ),
        }
        return paginated


class CursorPagination(pagination.CursorPagination):
    """For walks over large lists: no count, no OFFSET, ordered by id."""

    ordering = ("id",)
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(request)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from None


class DirectoryPagination(pagination.BasePagination):
    """Page numbers by default; `?cursor=` (empty to start) switches to a cursor walk."""

    def __init__(self):
        self.delegate = None

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


# --- Formats --------------------------------------------------------------------------------


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Lists are streamed by the viewset; this renders single records and errors.
        rows = data if isinstance(data, list) else [data]
        lines = csv_lines(rows)
        return "".join(lines).encode("utf-8")


class NDJSONRenderer(renderers.BaseRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        return "".join(ndjson_line(row) for row in rows).encode("utf-8")


class Echo:
    def write(self, value):
        return value


def flat(value):
    """A CSV cell: nested records become their slugs (or names), lists are joined by '; '."""
    if isinstance(value, dict):
        return value.get("slug") or value.get("code") or value.get("name") or json.dumps(value)
    if isinstance(value, list):
        return "; ".join(str(flat(v)) for v in value)
    if value is None:
        return ""
    return value


def csv_lines(rows, header=None):
    writer = csv.writer(Echo())
    for index, row in enumerate(rows):
        if index == 0:
            header = header or list(row)
            yield writer.writerow(header)
        yield writer.writerow([flat(row.get(name)) for name in header])


def ndjson_line(row):
    return json.dumps(row, ensure_ascii=False, default=str) + "\n"


# --- The viewset ----------------------------------------------------------------------------


class DirectoryViewSet(viewsets.ModelViewSet):
    """A directory resource: list, detail, and writes for those with the model permission.

    Lists honour the FilterSet of the matching page, `facets=`, `page_size=`, `cursor=` and
    `format=json|csv|ndjson`; lists and details answer conditional GETs; `lang=` or
    Accept-Language chooses the content language; every write is kept in the change history.
    """

    filter_backends = [StrictFilterBackend]
    pagination_class = DirectoryPagination
    lookup_field = "slug"
    renderer_classes = [renderers.JSONRenderer, CSVRenderer, NDJSONRenderer]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]
    expandable: dict = {}  # ?expand=name: prefetches needed for it

    def perform_content_negotiation(self, request, force=False):
        # DRF answers an unknown ?format= with 404; it is a bad parameter, so 400 in JSON.
        try:
            return super().perform_content_negotiation(request, force)
        except Http404:
            if force:
                return renderers.JSONRenderer(), renderers.JSONRenderer.media_type
            raise exceptions.ValidationError(
                {api_settings.URL_FORMAT_OVERRIDE: ["Choose one of: json, csv, ndjson."]}
            ) from None

    # -- language
    def initial(self, request, *args, **kwargs):
        self.language = self.choose_language(request)
        translation.activate(self.language)
        length = request.META.get("CONTENT_LENGTH") or 0
        if str(length).isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise PayloadTooLarge()
        super().initial(request, *args, **kwargs)

    def choose_language(self, request):
        available = {code for code, _ in settings.LANGUAGES}
        requested = request.query_params.get("lang") if hasattr(request, "query_params") else None
        if requested is not None:
            if requested not in available:
                raise exceptions.ValidationError(
                    {"lang": [f"Choose one of: {', '.join(sorted(available))}."]}
                )
            return requested
        accepted = translation.get_language_from_request(request, check_path=False)
        return accepted if accepted in available else settings.LANGUAGE_CODE

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Language"] = getattr(self, "language", settings.LANGUAGE_CODE)
        response.setdefault("Vary", "Accept, Accept-Language")
        return response

    # -- expansion
    def expansions(self):
        raw = self.request.query_params.get("expand", "")
        names = [name for name in raw.split(",") if name]
        unknown = sorted(set(names) - set(self.expandable))
        if unknown:
            raise exceptions.ValidationError(
                {
                    "expand": [
                        f"Cannot expand {', '.join(unknown)}; choose from: "
                        f"{', '.join(sorted(self.expandable)) or 'nothing'}."
                    ]
                }
            )
        return names

    def get_queryset(self):
        queryset = super().get_queryset()
        for name in self.expansions():
            queryset = queryset.prefetch_related(*self.expandable[name])
        return queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["expand"] = self.expansions() if hasattr(self, "request") else []
        return context

    # -- reading
    # A conditional GET is answered from the data version alone (one primary-key lookup),
    # before any query over the records; a 200 that was answered at this data version is
    # served again from the cache (see answer_from_version).
    def list(self, request, *args, **kwargs):
        version = self.data_version()
        answered = self.answer_from_version(request, *version)
        if answered:
            return answered
        queryset = self.filter_queryset(self.get_queryset())
        facets = self.requested_facets()
        fresh = self.not_modified(request, *version)
        if fresh:
            return fresh
        if request.accepted_renderer.format in ("csv", "ndjson"):
            return self.stream(queryset, request.accepted_renderer.format)
        page = self.paginate_queryset(queryset)
        data = self.get_serializer(page, many=True).data
        response = self.get_paginated_response(data)
        if facets:
            response.data["facets"] = facet_counts(
                self.filterset_class, request.query_params, self.get_queryset(), facets=facets
            )
        return self.keep_for_version(self.with_version(response, *version), version[0])

    def retrieve(self, request, *args, **kwargs):
        version = self.data_version()
        answered = self.answer_from_version(request, *version)
        if answered:
            return answered
        fresh = self.not_modified(request, *version)
        if fresh:
            return fresh
        response = Response(self.get_serializer(self.get_object()).data)
        return self.keep_for_version(self.with_version(response, *version), version[0])

    def answer_from_version(self, request, version, last_modified):
        """A 304 or a cached 200 for a request answered before at this data version.

        Both come before the parameters are checked, and may: this URL's ETag, and its
        cached body, exist only if it was answered with a 200 at this version, so its
        parameters were valid, and still are while the data stays the same.
        """
        if self.names_etag(request.headers.get("If-None-Match"), version):
            return self.with_version(HttpResponseNotModified(), version, last_modified)
        key = self.response_cache_key(version)
        if key is None or request.headers.get("If-Modified-Since"):
            return None
        cached = cache.get(key)
        if cached is None:
            return None
        content, content_type = cached
        return self.with_version(
            HttpResponse(content, content_type=content_type), version, last_modified
        )

    def response_cache_key(self, version):
        """Where a JSON answer to this request is kept, or None where none is kept.

        Everything the body depends on is in the key: the data version, the absolute URL
        (its links name the host), the language and the format. No answer depends on who
        asks, so signed-in users and anonymous ones share them.
        """
        if not settings.DIRECTORY_API_CACHE or self.request.method != "GET":
            return None
        if self.request.accepted_renderer.format != "json":
            return None
        key = "|".join([version, self.request.build_absolute_uri(), self.language, "json"])
        return f"directory:api:{hashlib.sha256(key.encode()).hexdigest()}"

    def keep_for_version(self, response, version):
        """Cache the rendered body of a JSON 200 until the data changes (see
        answer_from_version)."""
        key = self.response_cache_key(version)
        if key and response.status_code == status.HTTP_200_OK:

            def keep(rendered):
                cache.set(key, (rendered.content, rendered["Content-Type"]), CACHE_SECONDS)

            response.add_post_render_callback(keep)
        return response

    def requested_facets(self):
        raw = self.request.query_params.get("facets")
        if raw is None:
            return []
        names = [name for name in raw.split(",") if name]
        available = set(self.filterset_class.facets)
        unknown = sorted(set(names) - available)
        if unknown or not names:
            raise exceptions.ValidationError(
                {"facets": [f"Choose from: {', '.join(sorted(available)) or 'none'}."]}
            )
        return names

    def data_version(self):
        """(version, last modified): any write to the directory changes both."""
        number, changed = versioning.current()
        return f"{number}:{changed.isoformat() if changed else '-'}", changed

    def etag(self, version):
        key = "|".join(
            [
                version,
                self.request.get_full_path(),
                self.language,
                self.request.accepted_renderer.format,
            ]
        )
        return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])

    def names_etag(self, if_none_match, version):
        """Whether an If-None-Match header lists this request's ETag at `version`."""
        tags = [tag.strip() for tag in (if_none_match or "").split(",")]
        return self.etag(version) in tags

    def not_modified(self, request, version, last_modified):
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            matches = self.names_etag(if_none_match, version) or if_none_match.strip() == "*"
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
            matches = bool(since and last_modified and int(last_modified.timestamp()) <= since)
        if not matches:
            return None
        # A plain response: nothing to render or negotiate for an empty body.
        response = HttpResponseNotModified()
        return self.with_version(response, version, last_modified)

    def with_version(self, response, version, last_modified):
        response["ETag"] = self.etag(version)
        if last_modified:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        return response

    def stream(self, queryset, fmt):
        """Every matching row, serialised a chunk at a time, never the whole list in memory."""
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
            body = csv_lines(rows(), header=list(serializer_class(context=context).fields))
            content_type = "text/csv; charset=utf-8"
        else:
            body = (ndjson_line(row) for row in rows())
            content_type = "application/x-ndjson; charset=utf-8"
        response = StreamingHttpResponse(body, content_type=content_type)
        name = self.basename or "records"
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        response["Content-Language"] = self.language
        return response

    # -- writing: one transaction and one revision per write, with its user
    def perform_create(self, serializer):
        with transaction.atomic(), reversion.create_revision():
            serializer.save()
            self.sign_revision("Created through the API.")

    def perform_update(self, serializer):
        with transaction.atomic(), reversion.create_revision():
            serializer.save()
            self.sign_revision("Changed through the API.")

    def perform_destroy(self, instance):
        # A record others PROTECT raises ProtectedError: config.api.errors answers 409.
        with transaction.atomic(), reversion.create_revision():
            instance.delete()
            self.sign_revision("Deleted through the API.")

    def sign_revision(self, comment):
        reversion.set_user(self.request.user)
        reversion.set_comment(comment)


# --- Serializers ----------------------------------------------------------------------------


class CompactRelatedField(serializers.SlugRelatedField):
    """A related record: written as its slug, read as {slug, name, url}."""

    def __init__(self, view_name, name_field="name", **kwargs):
        self.view_name = view_name
        self.name_field = name_field
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj):
        request = self.context.get("request")
        url = self.reverse_url(obj, request)
        return {"slug": obj.slug, "name": str(getattr(obj, self.name_field)), "url": url}

    def reverse_url(self, obj, request):
        return detail_url(self.view_name, "slug", obj.slug, request)


URL_PLACEHOLDER = "987654321987654321"  # matches both the slug and the int path converters


def detail_url(view_name, kwarg, value, request, format=None):
    """The URL of one record: like DRF's reverse(), but the URL pattern is resolved once per
    request and view name, not once per record (a page of 200 records links ~1,000 of them)."""
    from rest_framework.reverse import reverse

    if request is None:
        return reverse(view_name, kwargs={kwarg: value}, format=format)
    templates = request.__dict__.setdefault("_detail_url_templates", {})
    key = (view_name, kwarg, format)
    if key not in templates:
        templates[key] = reverse(
            view_name, kwargs={kwarg: URL_PLACEHOLDER}, request=request, format=format
        )
    return templates[key].replace(URL_PLACEHOLDER, quote(str(value), safe=""))


class DetailURLField(serializers.HyperlinkedIdentityField):
    """The record's own URL, through detail_url()."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        if value in (None, ""):
            return None
        return detail_url(view_name, self.lookup_url_kwarg, value, request, format)


class ValidatedModelSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Checks a write with the model's own rules (full_clean), as the admin does, so a bad
    write gets a 400 naming the field instead of a database error."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None and "slug" in {f.name for f in model._meta.fields}:
            attrs["slug"] = unique_slug(model, attrs)
        many = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in many}
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk)
            for name, value in plain.items():
                setattr(candidate, name, value)
        else:
            candidate = model(**plain)
        try:
            candidate.full_clean(exclude=list(many))
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {
                    (api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key): messages
                    for key, messages in error.message_dict.items()
                }
            ) from None
        return attrs


def unique_slug(model, attrs):
    """A new record's slug, from its English name or title; `-2`, `-3`… when taken.

    Slugs are read-only in the API: they are the records' public addresses.
    """
    words = next((attrs[f] for f in ("name_en", "title_en", "name", "title") if attrs.get(f)), "")
    base = slugify(str(words))[:100].strip("-") or model._meta.model_name
    # One query for every taken `base` and `base-N`, not one query per number tried.
    taken = set(
        model.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list(
            "slug", flat=True
        )
    )
    if base not in taken:
        return base
    suffixes = [int(slug.rsplit("-", 1)[1]) for slug in taken if slug != base]
    return f"{base}-{max(suffixes, default=1) + 1}"


def translated(*names):
    """Field names for translated text: `name` (the active language, read-only) and one
    writable field per language (`name_en`, `name_es`)."""
    codes = [code for code, _ in settings.LANGUAGES]
    return [field for name in names for field in (name, *[f"{name}_{c}" for c in codes])]


class ExpandableSerializerMixin:
    """Adds the fields named in `?expand=` (see DirectoryViewSet.expandable), built by the
    functions in `expandable_fields`, so a client asks for nested records in one request."""

    expandable_fields: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        for name in self.context.get("expand", []):
            if name in self.expandable_fields:
                fields[name] = self.expandable_fields[name]()
        return fields
