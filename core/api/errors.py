"""Every API error is a JSON object: {"detail": …} or {parameter or field: [messages]}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.integrity import refused_field
from core.outage import is_database_unavailable, unavailable_response


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
        blocking = sorted({str(obj._meta.verbose_name_plural) for obj in exc.protected_objects})
        return Response(
            {"detail": f"Other records still refer to this one: {', '.join(blocking)}."},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


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
