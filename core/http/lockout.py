"""The admin's sign-in lockout page: django-axes' AXES_LOCKOUT_CALLABLE.

Axes locks sign-in by account and by address after AXES_FAILURE_LIMIT failures within the
cool-off (DJANGO_LOGIN_FAILURE_LIMIT, DJANGO_LOGIN_LOCKOUT_MINUTES). Its own page says neither
when to come back nor how staff can lift the lock; this one says both, with status 429 and
Retry-After. The admin's URLs carry no language prefix, so they are always in English; the
lockout page follows the browser's language instead (Accept-Language), Spanish or English.
"""

import math

from axes.helpers import get_cool_off, get_failure_limit
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def lockout_response(request, original_response=None, credentials=None):
    # The lockout is shown on a failed attempt, which starts the cool-off again.
    cool_off = get_cool_off(request)
    seconds = math.ceil(cool_off.total_seconds())
    language = translation.get_language_from_request(request)
    with translation.override(language):
        response = render(
            request,
            "axes/lockout.html",
            {
                "title": _("Sign-in locked"),
                "failure_limit": get_failure_limit(request, credentials),
                "minutes": math.ceil(seconds / 60),
                "retry_at": timezone.now() + cool_off,
            },
            status=429,
        )
    response["Retry-After"] = str(seconds)
    response["Content-Language"] = language
    return response
