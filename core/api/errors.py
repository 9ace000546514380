"""Every API error is a JSON object: {"detail": …} or {parameter or field: [messages]}."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.outage import is_database_unavailable, unavailable_response


def exception_handler(exc, context):
    if is_database_unavailable(exc):
        return unavailable_response(context["request"], exc)
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
