"""The API's offline documentation: Swagger UI from drf-spectacular-sidecar's local files.

Served as two responses, the page and its start-up script (`?script`), so that the page has no
inline script and keeps to the site's Content-Security-Policy unchanged; its template also
moves drf-spectacular's inline <style> to a static file.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import renderers, routers

from core.api.errors import JSONErrorsMixin


class SchemaView(JSONErrorsMixin, SpectacularAPIView):
    """The OpenAPI schema; an unknown `?format=` is a JSON error like the rest of the API's."""


class APIDocsView(JSONErrorsMixin, SpectacularSwaggerSplitView):
    """Swagger UI for the schema at `url_name`, with no inline code."""

    template_name = "api/swagger_ui.html"


class APIRootView(routers.APIRootView):
    """The index of the API's resources, in JSON like the rest of the API: DRF's browsable
    page would bring inline styles the Content-Security-Policy refuses."""

    renderer_classes = [renderers.JSONRenderer]
