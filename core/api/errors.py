"""Every API error is a JSON object: {"detail": …} or {parameter or field: [messages]}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.history.deletion import dependents_among, refusal
from core.http.outage import is_database_unavailable, unavailable_response
from core.integrity import refused_field


def exception_handler(exc, context):
    if is_database_unavailable(exc):
        return unavailable_response(context["request"], exc)
    if isinstance(exc, IntegrityError) and (refused := refused_field(exc)):
        exc = exceptions.ValidationError(refused)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        )
    if isinstance(exc, ProtectedError | RestrictedError):
        # Kept since the view counted its dependents (DependentsExist): one written meanwhile.
        kept = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        exc = DependentsExist(noun_of(context), dependents_among(kept))
    return drf_exception_handler(exc, context)


class DependentsExist(exceptions.APIException):
    """A DELETE of a record others depend on: 409, naming them by type, with how many and the
    first few (core.history.deletion)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "dependents_exist"

    def __init__(self, noun, found):
        super().__init__()
        self.detail = refusal(noun, found)


def noun_of(context):
    view = context.get("view")
    queryset = getattr(view, "queryset", None)
    return str(queryset.model._meta.verbose_name) if queryset is not None else "record"


class JSONErrorsMixin:
    """An error is JSON in the API's error shape, whatever format the request asked for: the
    schema documents errors as JSON, and a CSV of messages reads as data. So is any answer to
    a method other than GET or HEAD (OPTIONS on the docs page, whose renderer is a template)."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and (
            response.exception or request.method not in ("GET", "HEAD")
        ):
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = renderers.JSONRenderer.media_type
        return response
