"""Every API error is a JSON object: {"detail": …} or {parameter or field: [messages]}."""

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.utils.translation import gettext
from psycopg import errors as database_errors
from rest_framework import exceptions, renderers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

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


def refused_field(error: IntegrityError) -> dict | None:
    """{field: [message]} for a rule a trigger holds for any writer and reports as a
    check_violation naming its table and column (RAISE … USING COLUMN): a write that passed
    the model's own check, which a concurrent transaction then made wrong, is the 400 it
    would have been a moment later. Anything else stays what it was."""
    cause = error.__cause__
    if not isinstance(cause, database_errors.CheckViolation) or not cause.diag.column_name:
        return None
    table, column = cause.diag.table_name, cause.diag.column_name
    for model in apps.get_models():
        if model._meta.db_table == table:
            for field in model._meta.concrete_fields:
                if field.column == column:
                    return {field.name: [gettext(cause.diag.message_primary)]}
    return None


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
