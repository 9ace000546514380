"""Requests counted per client in the shared cache: the API's anonymous throttle and the pages'.

Both count on one atomic counter per client and window. The first request of a client opens its
window with `cache.add(key, 0, duration)`, and every request, that one included, is
`cache.incr(key)`: INCRBY in Redis (django-redis runs it in a script that refuses an expired
key) and under the cache's lock in local memory. No two concurrent requests can read the same
count, as they can with DRF's own SimpleRateThrottle, which reads a list of timestamps and
writes it back. A window starts at its client's first request, so the windows of different
clients do not all end at once; refused requests are counted but do not extend it.

In local memory (no REDIS_URL) each server process counts for itself; with Redis the workers
share one count.
"""

import logging
import math
import re
import time
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle

from core.http.clientip import client_key, trusted_proxies

logger = logging.getLogger(__name__)

RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])[a-z]*\s*$", re.IGNORECASE)
PERIODS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


@lru_cache(maxsize=32)
def parse_rate(rate, variable):
    """(requests, seconds) of a rate such as "300/min", "10/s", "1000/h" or "5/10m"; None
    for an empty rate (no limit). A clear error names the variable otherwise."""
    if rate is None or not str(rate).strip():
        return None
    match = RATE.match(str(rate))
    if not match or not int(match[1]):
        raise ImproperlyConfigured(
            f"{variable}: {rate!r} is not a rate such as 300/min (requests per s, min, h or d)."
        )
    return int(match[1]), int(match[2] or 1) * PERIODS[match[3].lower()]


def count_request(key, limit, duration):
    """Count one request of the client `key`: (whether it is within `limit` requests in
    `duration` seconds, seconds until its window ends)."""
    try:
        try:
            # Within a window, one round trip to the cache.
            count = cache.incr(key)
        except ValueError:
            # No window (or it just ended): this request opens one. Of requests opening it
            # at once, add() lets one in, and each is counted by incr().
            if cache.add(key, 0, duration):
                cache.set(f"{key}:ends", time.time() + duration, duration)
            count = cache.incr(key)
    except Exception:
        # A cache that is down must not take the site with it: the limits are a defence,
        # not a rule the answers depend on, so requests pass (and the outage is logged).
        logger.warning("Requests are not counted: the cache did not answer.", exc_info=True)
        return True, 0
    if count <= limit:
        return True, 0
    ends = cache.get(f"{key}:ends")
    return False, (max(1, math.ceil(ends - time.time())) if ends else duration)


class AnonymousRateThrottle(AnonRateThrottle):
    """DRF's anonymous throttle (scope "anon", DJANGO_API_ANON_RATE) on the atomic key,
    counting by the client address of core.http.clientip rather than a client-supplied header.
    429 with Retry-After and DRF's JSON error, as before."""

    wait_seconds = None

    def parse_rate(self, rate):
        return parse_rate(rate, "DJANGO_API_ANON_RATE") or (None, None)

    def get_ident(self, request):
        return client_key(request) or "unknown"

    def allow_request(self, request, view):
        if self.rate is None or self.get_cache_key(request, view) is None:
            return True
        return self.allow_anonymous(request)

    def allow_anonymous(self, request):
        """Count `request` as an anonymous one, whoever it claims to be (a request with a bad
        token is counted so, before DRF has a user to ask: see core.api.authentication)."""
        if self.rate is None:
            return True
        key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        allowed, self.wait_seconds = count_request(key, self.num_requests, self.duration)
        return allowed

    def wait(self):
        return self.wait_seconds


class PageThrottleMiddleware:
    """The public pages, their CSV downloads and iCalendar feeds (the URL namespaces in
    DIRECTORY_THROTTLED_NAMESPACES): DIRECTORY_PAGE_RATE requests per client, so that one
    client cannot hold every server thread. Above it a short page, 429, with Retry-After.
    Static files (answered before any view), the admin, the API (throttled by DRF) and health
    checks are in no such namespace."""

    def __init__(self, get_response):
        self.get_response = get_response
        # A mistyped rate or proxy stops the server from starting rather than failing requests.
        parse_rate(settings.DIRECTORY_PAGE_RATE, "DJANGO_PAGE_RATE")
        parse_rate(api_settings.DEFAULT_THROTTLE_RATES.get("anon"), "DJANGO_API_ANON_RATE")
        trusted_proxies()

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or not set(match.namespaces) & set(
            settings.DIRECTORY_THROTTLED_NAMESPACES
        ):
            return None
        rate = parse_rate(settings.DIRECTORY_PAGE_RATE, "DJANGO_PAGE_RATE")
        if rate is None:
            return None
        limit, duration = rate
        allowed, wait = count_request(
            f"throttle_page_{client_key(request) or 'unknown'}", limit, duration
        )
        if allowed:
            return None
        response = render(
            request,
            "429.html",
            {"title": _("Too many requests"), "retry_after": wait},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
