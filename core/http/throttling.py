"""Requests counted per client in the shared cache: the API's anonymous throttle and the pages'.

Both count on one atomic counter per client and window, and every answer to a counted request
carries RateLimit headers (RateLimitHeadersMiddleware). The first request of a client opens its
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
from contextvars import ContextVar
from functools import lru_cache
from typing import NamedTuple

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
    if not match or not int(match[1]) or int(match[1]) >= WINDOW_END:
        raise ImproperlyConfigured(
            f"{variable}: {rate!r} is not a rate such as 300/min (requests per s, min, h or d;"
            f" fewer than {WINDOW_END:,} a window)."
        )
    return int(match[1]), int(match[2] or 1) * PERIODS[match[3].lower()]


# A window's counter holds the second it ends too, as `ends * WINDOW_END + count`: the one
# INCR that counts a request also says when its window ends (RateLimit-Reset), with no second
# round trip to the cache. The value stays below 2**53, which django-redis's INCR script
# reads exactly (Lua's numbers are doubles); a limit stays below WINDOW_END (parse_rate).
WINDOW_END = 10**6


class Quota(NamedTuple):
    """What count_request() found: whether the request is `allowed`, the seconds to `wait`
    when it is not (Retry-After), and the RateLimit headers' values: `limit` requests in
    `duration` seconds, `remaining` of them, the window ending in `reset` seconds
    (`remaining` is None when the cache did not answer)."""

    allowed: bool
    wait: int
    limit: int
    remaining: int | None
    reset: int
    duration: int


def count_request(key, limit, duration):
    """Count one request of the client `key`, allowed `limit` requests in `duration` seconds:
    its Quota."""
    now = time.time()
    try:
        try:
            # Within a window, one round trip to the cache.
            value = cache.incr(key)
        except ValueError:
            # No window (or it just ended): this request opens one. Of requests opening it
            # at once, add() lets one in (its end is the window's), and each is counted by incr().
            cache.add(key, math.ceil(now + duration) * WINDOW_END, duration)
            value = cache.incr(key)
    except Exception:
        # A cache that is down must not take the site with it: the limits are a defence,
        # not a rule the answers depend on, so requests pass (and the outage is logged).
        logger.warning("Requests are not counted: the cache did not answer.", exc_info=True)
        return Quota(True, 0, limit, None, duration, duration)
    ends, count = divmod(value, WINDOW_END)
    # A window opened before its end was kept in its counter: the longest it can have left.
    reset = min(duration, max(0, math.ceil(ends - now))) if ends else duration
    allowed = count <= limit
    wait = 0 if allowed else max(1, reset)
    return Quota(allowed, wait, limit, max(0, limit - count), reset, duration)


# --- RateLimit headers -----------------------------------------------------------------------

# The Quota of the request being answered, for RateLimitHeadersMiddleware: a list it gives
# each request, which the throttles append to (a list, not a value set here, so that a view
# run in another context, as an asynchronous server runs a synchronous view, still fills it).
_quotas = ContextVar("rate_limit_quotas", default=None)


def record_quota(quota):
    """Give `quota` to the answer's RateLimit headers (see RateLimitHeadersMiddleware)."""
    quotas = _quotas.get()
    if quotas is not None and quota.remaining is not None:
        quotas.append(quota)


class RateLimitHeadersMiddleware:
    """Every answer to a request that a throttle counted (the API's anonymous one, the pages')
    says where its client stands, as the IETF's RateLimit header fields draft names them:
    RateLimit-Limit (requests a window), RateLimit-Remaining (left in this one, 0 once it is
    spent), RateLimit-Reset (seconds until it ends), RateLimit-Policy (`300;w=60`). JSON, CSV
    and NDJSON, errors, 304s, HEAD and 429s (which add Retry-After) alike. Requests that no
    limit applies to (a token's, the admin's, static files, health checks, any with no rate
    set) carry none; nor does an answer while the cache does not answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        quotas = []
        token = _quotas.set(quotas)
        try:
            response = self.get_response(request)
        finally:
            _quotas.reset(token)
        if quotas:
            quota = quotas[-1]
            response["RateLimit-Limit"] = str(quota.limit)
            response["RateLimit-Remaining"] = str(quota.remaining)
            response["RateLimit-Reset"] = str(quota.reset)
            response["RateLimit-Policy"] = f"{quota.limit};w={quota.duration}"
        return response


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
        quota = count_request(key, self.num_requests, self.duration)
        record_quota(quota)
        self.wait_seconds = quota.wait
        return quota.allowed

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
        quota = count_request(f"throttle_page_{client_key(request) or 'unknown'}", limit, duration)
        record_quota(quota)
        if quota.allowed:
            return None
        wait = quota.wait
        response = render(
            request,
            "429.html",
            {"title": _("Too many requests"), "retry_after": wait},
            status=429,
        )
        response["Retry-After"] = str(wait)
        return response
