"""The OpenAPI schema: every list documents its filters, formats and error responses."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, OpenApiTypes
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """Either `detail`, or one list of messages per parameter or field at fault."""

    detail = serializers.CharField(required=False)


ERRORS = {
    400: OpenApiResponse(
        response=OpenApiTypes.OBJECT,
        description=(
            "A parameter or field was not understood: the body maps each one to its messages, "
            'e.g. {"country": ["Select a valid choice. ZZ is not one of the available '
            'choices."]}.'
        ),
    ),
    401: OpenApiResponse(response=ErrorSerializer, description="Credentials were wrong."),
    403: OpenApiResponse(response=ErrorSerializer, description="No permission for this."),
    404: OpenApiResponse(
        response=ErrorSerializer, description="No such record, or a page past the last one."
    ),
    409: OpenApiResponse(
        response=ErrorSerializer, description="Other records still refer to this one."
    ),
    413: OpenApiResponse(response=ErrorSerializer, description="The request body is too large."),
    429: OpenApiResponse(
        response=ErrorSerializer,
        description="Too many requests; retry after the seconds given in Retry-After.",
    ),
}

LIST_PARAMETERS = [
    OpenApiParameter(
        "format",
        str,
        enum=["json", "csv", "ndjson"],
        description=(
            "json (the default, paginated), or every matching row streamed as csv or ndjson."
        ),
    ),
    OpenApiParameter(
        "facets",
        str,
        description=(
            "Comma-separated facet names (e.g. `country,sector`): adds `facets` to the response,"
            " with each option's count under the other filters."
        ),
    ),
]

COMMON_PARAMETERS = [
    OpenApiParameter(
        "lang",
        str,
        enum=["en", "es"],
        description="Content language; otherwise Accept-Language, then English.",
    ),
]


class DirectorySchema(AutoSchema):
    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), *COMMON_PARAMETERS]
        view = self.view
        if getattr(view, "expandable", None) and self.method == "GET":
            parameters.append(
                OpenApiParameter(
                    "expand",
                    str,
                    description=(
                        "Comma-separated related lists to include in full, fetched without "
                        f"extra queries per record: {', '.join(sorted(view.expandable))}."
                    ),
                )
            )
        if self._is_list_view() and self.method == "GET":
            parameters += LIST_PARAMETERS
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [400, 404, 429] if self.method == "GET" else [400, 401, 403, 404, 413, 429]
        if self.method == "DELETE":
            codes.append(409)
        for code in codes:
            responses.setdefault(str(code), self._get_response_for_code(ERRORS[code], str(code)))
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified since the given ETag."})
        return responses


class CompactRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A related record is sent as its slug and returned as {slug, name, url}."""

    target_class = "core.api.fields.CompactRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {"type": "string", "description": "The related record's slug."}
        return {
            "type": "object",
            "properties": {
                "slug": {"type": "string"},
                "name": {"type": "string"},
                "url": {"type": "string", "format": "uri"},
            },
            "required": ["slug", "name", "url"],
        }
