"""Token authentication whose failures count against the anonymous rate.

DRF authenticates before it throttles, so a wrong token used to be answered 401 at once,
however many a client tried. Here a failed token is counted as one anonymous request of its
client (the same counter as AnonymousRateThrottle's), and once that rate is spent the answer is
429 with Retry-After, like any other anonymous request over it. A good token is not counted:
authenticated clients are not throttled.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from core.http.throttling import AnonymousRateThrottle


class ThrottledTokenAuthentication(TokenAuthentication):
    """TokenAuthentication (`Authorization: Token …`), with its failures throttled."""

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle = AnonymousRateThrottle()
            if not throttle.allow_anonymous(request):
                raise exceptions.Throttled(throttle.wait()) from None
            raise
