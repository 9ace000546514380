"""The API's schema and its offline documentation: Swagger UI from drf-spectacular-sidecar's
local files.

The documentation is served as two responses, the page and its start-up script (`?script`),
so that the page has no inline script and keeps to the site's Content-Security-Policy
unchanged; its template also moves drf-spectacular's inline <style> to a static file. The page
does not embed the schema: Swagger UI fetches it from SchemaView.
"""

import gzip
import hashlib
import re
import threading
from typing import NamedTuple

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import quote_etag
from drf_spectacular.renderers import (
    OpenApiJsonRenderer,
    OpenApiJsonRenderer2,
    OpenApiYamlRenderer,
    OpenApiYamlRenderer2,
)
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, renderers, routers

from core.api.errors import JSONErrorsMixin
from core.api.language import LanguageMixin

# A coding the client accepts: named, and not with q=0.
GZIP_REFUSED = re.compile(r"^\s*gzip\s*;\s*q\s*=\s*0(\.0*)?\s*$", re.I)


def accepts_gzip(request):
    codings = request.headers.get("Accept-Encoding", "").split(",")
    return any(
        c.split(";")[0].strip().lower() == "gzip" and not GZIP_REFUSED.match(c) for c in codings
    )


class CompactJsonRenderer(OpenApiJsonRenderer):
    """The schema as JSON with no indentation: less than half the bytes of drf-spectacular's
    four-space indent, and Swagger UI, which reads it as YAML, reads it in less time."""

    def get_indent(self, accepted_media_type, renderer_context):
        return None


class CompactJsonRenderer2(CompactJsonRenderer):
    media_type = OpenApiJsonRenderer2.media_type


class Variant(NamedTuple):
    """One built answer: its bytes as they are and gzipped, each with its ETag."""

    content: bytes
    gzipped: bytes
    content_type: str
    etag: str
    gzipped_etag: str


def etag_of(content):
    return quote_etag(hashlib.sha256(content).hexdigest()[:32])


class SchemaView(LanguageMixin, JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema, built once per process for each language and format.

    It changes only with the code, and building it takes most of a second of one core, during
    which the process's other threads wait for the interpreter: each answer is a copy of bytes
    built before, with an ETag that an If-None-Match answers with 304. Every variant is built
    before a gunicorn worker takes its first request (gunicorn.conf.py: by the master before it
    forks its workers, else by each worker as it starts), so that no request waits for one,
    even after a worker is replaced (max_requests). The variants are
    bounded: a language the API knows (`?lang=`, else Accept-Language, else English; see
    LanguageMixin) and one of the view's four renderers (what the client's Accept or
    `?format=` chose; parameters of its media type, such as an indent, are not honoured, so
    that they make no variant). The schema is the same for every request (it is public, and
    drf-spectacular's command line builds it with no request), so none is needed to build it.

    `?version=` is refused, with a 400 naming it, as an unknown parameter is everywhere in the
    API: drf-spectacular reads it to choose among the versions of a versioning class, which
    this API has none of (its one version is in its path, /api/v1/), and copied any text
    given into `info.version`.
    """

    renderer_classes = [
        OpenApiYamlRenderer,
        OpenApiYamlRenderer2,
        CompactJsonRenderer,
        CompactJsonRenderer2,
    ]
    documents = {}  # language -> the schema as data
    built = {}  # (language, renderer class) -> Variant
    building = threading.Lock()

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if "version" in request.query_params:
            raise exceptions.ValidationError(
                {"version": ["Unknown parameter: the API's one version is v1, in its path."]}
            )
        renderer = request.accepted_renderer
        variant = self.rendered(self.language, type(renderer))
        gzipped = accepts_gzip(request)
        etag = variant.gzipped_etag if gzipped else variant.etag
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            content = variant.gzipped if gzipped else variant.content
            response = HttpResponse(content, content_type=variant.content_type)
            if gzipped:
                response["Content-Encoding"] = "gzip"
            filename = f"{spectacular_settings.TITLE}.{renderer.format}"
            response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["ETag"] = etag
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Accept-Encoding"])
        return response

    @classmethod
    def rendered(cls, language, renderer_class):
        """The Variant of the schema in `language` by `renderer_class`."""
        key = (language, renderer_class)
        if key not in cls.built:
            with cls.building:
                if key not in cls.built:
                    cls.built[key] = cls.build(language, renderer_class)
        return cls.built[key]

    @classmethod
    def build(cls, language, renderer_class):
        if language not in cls.documents:
            generator = cls.generator_class(urlconf=cls.urlconf, patterns=cls.patterns)
            with translation.override(language):
                cls.documents[language] = generator.get_schema(
                    request=None, public=cls.serve_public
                )
        renderer = renderer_class()
        content = renderer.render(cls.documents[language], renderer.media_type, {})
        content_type = renderer.media_type
        if renderer.charset:
            content_type = f"{content_type}; charset={renderer.charset}"
        # Compressed once, here: a megabyte of schema is some 60 kB gzipped, which is most of
        # the wait on a slow connection (the site's static files are compressed by WhiteNoise).
        gzipped = gzip.compress(content, compresslevel=9, mtime=0)
        return Variant(content, gzipped, content_type, etag_of(content), etag_of(gzipped))

    @classmethod
    def build_all(cls):
        """Every variant: each language of the site, by each renderer."""
        for language, _name in settings.LANGUAGES:
            for renderer_class in cls.renderer_classes:
                cls.rendered(language, renderer_class)


class APIDocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI for the schema at `url_name`, with no inline code."""

    template_name = "api/swagger_ui.html"


class APIRootView(routers.APIRootView):
    """The index of the API's resources, in JSON like the rest of the API: DRF's browsable
    page would bring inline styles the Content-Security-Policy refuses."""

    renderer_classes = [renderers.JSONRenderer]
