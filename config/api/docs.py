"""The API's schema and its offline documentation: Swagger UI from drf-spectacular-sidecar's
local files.

The documentation is served as two responses, the page and its start-up script (`?script`),
so that the page has no inline script and keeps to the site's Content-Security-Policy
unchanged; its template also moves drf-spectacular's inline <style> to a static file. The page
does not embed the schema: Swagger UI fetches it from SchemaView.
"""

import hashlib
import threading

from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import quote_etag
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions, renderers, routers

from core.api.errors import JSONErrorsMixin
from core.api.language import LanguageMixin


class SchemaView(LanguageMixin, JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema, built once per process for each language and format.

    It changes only with the code, and building it takes most of a second of one core: each
    answer after the first is a copy of the first one's bytes, with an ETag that an
    If-None-Match answers with 304. The variants are bounded: a language the API knows
    (`?lang=`, else Accept-Language, else English; see LanguageMixin) and one of the view's
    four renderers (what the client's Accept or `?format=` chose; parameters of its media
    type, such as an indent, are not honoured, so that they make no variant). An unknown
    format is a JSON error like the rest of the API's.

    `?version=` is refused, with a 400 naming it, as an unknown parameter is everywhere in the
    API: drf-spectacular reads it to choose among the versions of a versioning class, which
    this API has none of (its one version is in its path, /api/v1/), and copied any text
    given into `info.version`.
    """

    built = {}  # (language, renderer class) -> (content, content type, ETag, file name)
    building = threading.Lock()

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if "version" in request.query_params:
            raise exceptions.ValidationError(
                {"version": ["Unknown parameter: the API's one version is v1, in its path."]}
            )
        renderer = request.accepted_renderer
        key = (self.language, type(renderer))
        if key not in self.built:
            with self.building:
                if key not in self.built:
                    self.built[key] = self.build(request, *args, **kwargs)
        content, content_type, etag, disposition = self.built[key]
        if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(content, content_type=content_type)
            response["Content-Disposition"] = disposition
        response["ETag"] = etag
        return response

    def build(self, request, *args, **kwargs):
        """The schema in the request's language, rendered by its renderer with that
        renderer's own media type."""
        renderer = request.accepted_renderer
        response = super().get(request, *args, **kwargs)
        content = renderer.render(response.data, renderer.media_type, self.get_renderer_context())
        content_type = renderer.media_type
        if renderer.charset:
            content_type = f"{content_type}; charset={renderer.charset}"
        etag = quote_etag(hashlib.sha256(content).hexdigest()[:32])
        return content, content_type, etag, response["Content-Disposition"]


class APIDocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI for the schema at `url_name`, with no inline code."""

    template_name = "api/swagger_ui.html"


class APIRootView(routers.APIRootView):
    """The index of the API's resources, in JSON like the rest of the API: DRF's browsable
    page would bring inline styles the Content-Security-Policy refuses."""

    renderer_classes = [renderers.JSONRenderer]
