"""/api/v1/changes/: the change log, oldest first, for a client that keeps a mirror.

A mirror is built in two steps (docs/api.md shows them): take the position now
(`?since=now`), walk every list in full, then read the changes since that position, and again
from each answer's `next`. Each entry names a record that was created, changed or deleted;
the client fetches its `url` again (or drops the record on a deletion). A link between two
records (an exhibitor's sector) is reported as a change of the record whose field it is.

The cursor is the database snapshot the last page was read at (core.changelog.log.walk), so an
entry whose transaction commits after a later one is still returned, once.
"""

from collections import defaultdict

from django.urls import NoReverseMatch, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.errors import JSONErrorsMixin
from core.api.filtering import refuse_unknown
from core.api.pagination import page_size_from
from core.api.schema import VALIDATION_ERROR, ErrorSerializer
from core.changelog import log as changelog
from core.models import Operation

PARAMETERS = {"since", "page_size", "format"}
OPERATIONS = {
    Operation.INSERT: "create",
    Operation.UPDATE: "update",
    Operation.DELETE: "delete",
}


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


class ChangeEntrySerializer(serializers.Serializer):
    """An entry of the change feed (for the schema: the view writes plain dicts)."""

    type = serializers.CharField(help_text="The record's type, as its list is named.")
    id = serializers.IntegerField()
    slug = serializers.CharField(allow_null=True)
    operation = serializers.ChoiceField(choices=sorted(OPERATIONS.values()))
    time = serializers.DateTimeField(help_text="When the write committed.")
    url = serializers.URLField(allow_null=True, help_text="The record in this API.")


class ChangesView(JSONErrorsMixin, APIView):
    """The entries of the change log that committed after `since`, oldest first."""

    # {model label: (API basename, lookup field)}, given by the API's router (config.api).
    routes: dict = {}
    name = "Changes"
    # Public, as every list is; it answers GET only.
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="changes_list",
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description=(
                    "`now`, or the `next` cursor of an earlier answer. Without it, the walk "
                    "starts at the oldest entry kept."
                ),
            ),
            OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 500."),
        ],
        responses={
            200: inline_serializer(
                "ChangePage",
                {
                    "next": serializers.URLField(
                        help_text="Where to read on from: follow it until `results` is empty, "
                        "then keep it and ask again later."
                    ),
                    "results": ChangeEntrySerializer(many=True),
                },
            ),
            400: OpenApiResponse(
                response=VALIDATION_ERROR,
                description="A parameter was not understood: the body names it, with its "
                'messages, e.g. {"since": ["Not a cursor of this API: …"]}.',
            ),
            410: OpenApiResponse(
                response=ErrorSerializer,
                description="The cursor is older than the entries kept "
                "(DIRECTORY_CHANGES_KEEP_DAYS): build the mirror afresh.",
            ),
        },
    )
    def get(self, request):
        refuse_unknown(request.query_params, PARAMETERS)
        size = page_size_from(request)
        since = request.query_params.get("since")
        if since == "now":
            return self.page(request, [], changelog.position())
        try:
            cursor = changelog.Cursor.decode(since) if since is not None else changelog.Cursor()
        except changelog.BadCursor:
            raise exceptions.ValidationError(
                {"since": ["Not a cursor of this API: use `now` or an answer's `next`."]}
            ) from None
        try:
            entries, following = changelog.walk(cursor, size)
        except changelog.CursorExpired:
            raise Gone(
                "This cursor is older than the changes kept: build the mirror afresh "
                "(take ?since=now, then walk every list)."
            ) from None
        return self.page(request, entries, following)

    def page(self, request, entries, following):
        url = request.build_absolute_uri(reverse("api:changes"))
        query = f"?since={following.encode()}"
        if "page_size" in request.query_params:
            query += f"&page_size={page_size_from(request)}"
        return Response({"next": url + query, "results": self.describe(request, entries)})

    def describe(self, request, entries):
        """Each entry as the feed shows it: a link is a change of its owner."""
        owners = defaultdict(set)
        for entry in entries:
            model = changelog.TRACKED.get(entry.model)
            owner = changelog.owner_of(model) if model is not None else None
            if owner is not None and entry.owner_id is not None:
                owners[owner].add(entry.owner_id)
        slugs = {
            (owner._meta.label_lower, pk): slug
            for owner, ids in owners.items()
            if any(f.name == "slug" for f in owner._meta.fields)
            for pk, slug in owner._default_manager.filter(pk__in=ids).values_list("pk", "slug")
        }
        described = []
        for entry in entries:
            model = changelog.TRACKED.get(entry.model)
            if model is None:
                continue
            owner = changelog.owner_of(model)
            if owner is not None:
                label = owner._meta.label_lower
                record_id, operation = entry.owner_id, "update"
                slug = slugs.get((label, record_id))
            else:
                label, record_id = entry.model, entry.record_id
                operation, slug = OPERATIONS[entry.operation], entry.slug
            basename, lookup = self.routes.get(label, (None, None))
            described.append(
                {
                    "type": basename or label,
                    "id": record_id,
                    "slug": slug,
                    "operation": operation,
                    "time": entry.at,
                    "url": self.record_url(request, basename, lookup, record_id, slug),
                }
            )
        return described

    @staticmethod
    def record_url(request, basename, lookup, record_id, slug):
        if basename is None:
            return None
        value = slug if lookup == "slug" else record_id
        if value is None:
            return None
        try:
            return request.build_absolute_uri(reverse(f"api:{basename}-detail", args=[value]))
        except NoReverseMatch:
            return None
