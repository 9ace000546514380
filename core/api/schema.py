"""The OpenAPI schema: every list documents its filters, formats and error responses."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS


class ErrorSerializer(serializers.Serializer):
    """Either `detail`, or one list of messages per parameter or field at fault."""

    detail = serializers.CharField(required=False)


class DependentsSerializer(serializers.Serializer):
    """The records of one type that keep a record from being deleted."""

    type = serializers.CharField(help_text="The kind of record, e.g. `deal` or `exhibitor`.")
    count = serializers.IntegerField(help_text="How many there are.")
    examples = serializers.ListField(
        child=serializers.CharField(), help_text="The first few, by slug or else by name."
    )


class DependentsErrorSerializer(serializers.Serializer):
    """A DELETE refused: what depends on the record."""

    detail = serializers.CharField()
    dependents = DependentsSerializer(many=True)


DELETE_CONFLICT = OpenApiResponse(
    response=DependentsErrorSerializer,
    description=(
        "Other records depend on this one: `dependents` names each type, how many, and the "
        "first few. Delete them, or point them elsewhere, first (an expo with everything it "
        "holds is removed by staff in the admin)."
    ),
)


# What a 400 holds: {"detail": message} for a body that could not be read, otherwise one
# entry a parameter or field at fault, with its messages (an object for the items of a list).
VALIDATION_ERROR = {
    "type": "object",
    "minProperties": 1,
    "additionalProperties": {
        "oneOf": [
            {"type": "string"},
            {"type": "array", "items": {"type": "string"}},
            {"type": "object"},
        ]
    },
    "example": {"country": ["Select a valid choice. ZZ is not one of the available choices."]},
}

ERRORS = {
    400: OpenApiResponse(
        response=VALIDATION_ERROR,
        description=(
            "A parameter or field was not understood: the body maps each one to its messages, "
            'e.g. {"country": ["Select a valid choice. ZZ is not one of the available '
            'choices."]}. An unknown parameter is one too. An empty value (`?country=`) is '
            "no filter, not an error."
        ),
    ),
    401: OpenApiResponse(
        response=ErrorSerializer,
        description="Credentials were wrong (reading needs none; a wrong token is refused).",
    ),
    403: OpenApiResponse(response=ErrorSerializer, description="No permission for this."),
    404: OpenApiResponse(
        response=ErrorSerializer, description="No such record, or a page past the last one."
    ),
    409: OpenApiResponse(
        response=ErrorSerializer,
        description=(
            "Records of the same name, created at the same moment, took every slug tried (the "
            "body names `slug`); send it again."
        ),
    ),
    406: OpenApiResponse(
        response=ErrorSerializer, description="None of the formats in Accept can be given."
    ),
    413: OpenApiResponse(response=ErrorSerializer, description="The request body is too large."),
    415: OpenApiResponse(
        response=ErrorSerializer,
        description="The body is not JSON, a form or multipart form data that can be read.",
    ),
    429: OpenApiResponse(
        response=ErrorSerializer,
        description="Too many requests; retry after the seconds given in Retry-After.",
    ),
    503: OpenApiResponse(
        response=ErrorSerializer,
        description="The database cannot be reached; retry after the seconds in Retry-After.",
    ),
}

LIST_PARAMETERS = [
    OpenApiParameter(
        "facets",
        str,
        description=(
            "Comma-separated facet names (e.g. `country,sector`): adds `facets` to the response,"
            " with each option's count under the other filters."
        ),
    ),
]

RECORD_FORMAT = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "ndjson"],
    description="json (the default), or the record as one row of csv or ndjson.",
)

COMMON_PARAMETERS = [
    OpenApiParameter(
        "lang",
        str,
        enum=["en", "es"],
        description="Content language; otherwise Accept-Language, then English.",
    ),
]


def output_format_parameter(filterset_class):
    """`format`: the output format, and on a list whose FilterSet once had a `format` filter,
    that filter's values too (a deprecated alias, see DirectoryFilterSet.parameter_aliases)."""
    formats = ["json", "csv", "ndjson"]
    description = "json (the default, paginated), or every matching row streamed as csv or ndjson."
    aliases = getattr(filterset_class, "parameter_aliases", {})
    if "format" not in aliases:
        return OpenApiParameter("format", str, enum=formats, description=description)
    values = sorted(filterset_class.aliased_values("format"))
    return OpenApiParameter(
        "format",
        str,
        enum=[*formats, *values],
        description=(
            f"{description} Deprecated: {', '.join(values)} are still read as "
            f"`{aliases['format']}=`, this filter's former name; use `{aliases['format']}`."
        ),
    )


def filter_description(filter_, described):
    """A filter's description: its help_text, with the list of its choices that
    drf-spectacular wrote (`described`) kept; else what was described, else its label.

    drf-spectacular reads a filter's help_text, except for a filter whose type is given by
    extend_schema_field (country, slugs, years), which would otherwise have none."""
    help_text = filter_.extra.get("help_text")
    if not help_text:
        return described or str(filter_.label or "")
    _text, bullet, choices = described.partition("* `")
    return f"{help_text}\n\n{bullet}{choices}" if bullet else str(help_text)


class DirectorySchema(AutoSchema):
    def get_auth(self):
        """Reading is open: a read's one security requirement is the empty one, which Swagger UI
        shows as no padlock (it shows one for any other list, even one holding the empty
        requirement); a token is still accepted there, and a wrong one is still a 401. Writes
        need the token or the session."""
        auths = super().get_auth()  # also registers the schemes, which the writes refer to
        if self.method in SAFE_METHODS:
            return [{}]
        return auths

    def _get_parameters(self):
        parameters = super()._get_parameters()
        filterset_class = getattr(self.view, "filterset_class", None)
        if self._is_list_view() and self.method == "GET" and filterset_class is not None:
            # An empty value is no filter (see DirectoryFilterSet), not an error.
            for parameter in parameters:
                if parameter["in"] == "query" and parameter["name"] in filterset_class.base_filters:
                    parameter["allowEmptyValue"] = True
                    filter_ = filterset_class.base_filters[parameter["name"]]
                    parameter["description"] = filter_description(
                        filter_, parameter.get("description", "")
                    )
        return parameters

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
            filterset_class = getattr(view, "filterset_class", None)
            parameters += [output_format_parameter(filterset_class), *LIST_PARAMETERS]
        elif self.method == "GET":
            parameters.append(RECORD_FORMAT)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        codes = [400, 401, 404, 406, 429, 503]
        if self.method != "GET":
            codes += [403, 413]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append(415)
        if self.method in ("POST", "DELETE"):
            codes.append(409)
        for code in codes:
            if str(code) not in responses:
                error = DELETE_CONFLICT if (code, self.method) == (409, "DELETE") else ERRORS[code]
                response = self._get_response_for_code(error, str(code))
                # An error is JSON whatever format was asked for.
                response["content"] = {"application/json": response["content"]["application/json"]}
                responses[str(code)] = response
        if self.method == "GET":
            responses.setdefault("304", {"description": "Not modified since the given ETag."})
        return responses


LINK = {
    "type": "object",
    "description": (
        "A related record's link, the one shape of every reference between records: its id, "
        "its slug (null for a record addressed by id, such as an exhibition area), its name in "
        "the answer's language, and the URL of its record in this API."
    ),
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string", "nullable": True},
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
    },
    "required": ["id", "slug", "name", "url"],
}


class CompactRelatedFieldExtension(OpenApiSerializerFieldExtension):
    """A related record is returned as its link {id, slug, name, url}, and sent as its slug
    (its id, for a record addressed by id) or as the link a read gave."""

    target_class = "core.api.fields.CompactRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "response":
            return dict(LINK)
        by_id = self.target.slug_field == "pk"
        key = (
            {"type": "integer", "description": "The related record's id."}
            if by_id
            else {"type": "string", "description": "The related record's slug."}
        )
        link = {
            "type": "object",
            "description": "The link a read gave; only its `{}` is read.".format(
                "id" if by_id else "slug"
            ),
            "properties": {"id" if by_id else "slug": key},
            "required": ["id" if by_id else "slug"],
        }
        return {"oneOf": [key, link]}


class HttpURLFieldExtension(OpenApiSerializerFieldExtension):
    """A website: an IRI, since its domain name may be internationalised (`bücher.example`);
    nothing that is not allowed in a URI otherwise (see core.fields.HttpURLValidator)."""

    target_class = "core.api.fields.HttpURLSerializerField"

    def map_serializer_field(self, auto_schema, direction):
        iri = {"type": "string", "format": "iri"}
        if self.target.max_length is not None:
            iri["maxLength"] = self.target.max_length
        if not self.target.allow_blank:
            return iri
        # anyOf, not the oneOf drf-spectacular writes for a blank value: validators that do
        # not know the `iri` format take "" as matching both.
        return {"anyOf": [iri, {"type": "string", "maxLength": 0}]}
