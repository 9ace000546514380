"""Middleware every page and API answer goes through."""

import functools
import time

from django.core.exceptions import BadRequest
from django.http import Http404
from django.urls import reverse

from .clientip import client_ip
from .dataversion import request_memo
from .outage import is_database_unavailable, unavailable_response
from .requestlog import REQUEST_ID, log_request, request_id_for


class RequestLog:
    """One structured line per request, and its id in the `X-Request-ID` header.

    First in MIDDLEWARE, so that it times everything the others do. The line is written when
    the server closes the response, after the last byte of its body: a streamed download's
    duration is the whole download's, and its status the one the client got (see
    core.requestlog for the fields).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request_id = request_id_for(request)
        request.request_id = request_id
        REQUEST_ID.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        line = functools.partial(
            log_request,
            request_id=request_id,
            method=request.method,
            path=request.path,
            query_string=request.META.get("QUERY_STRING", ""),
            status=response.status_code,
            client=client_ip(request),
        )

        def finished():
            line(duration=time.perf_counter() - started)
            REQUEST_ID.set(None)

        # Run when the server closes the response, once its body is sent: Django's own list
        # of such callbacks, which its handler adds request.close to. A closure over the
        # response itself (wrapping response.close) would make a reference cycle, keeping an
        # unread stream, and its open database cursor, alive until the garbage collector runs.
        response._resource_closers.append(finished)
        return response


class DatabaseOutage:
    """A view or template that finds the database unreachable answers 503 with Retry-After
    (core/outage.py), rather than a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if is_database_unavailable(exception):
            return unavailable_response(request, exception)
        return None


class RequestDataVersion:
    """The data version is read at most once a request (and again after a write the request
    makes), however many cached answers and estimates the request looks up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            request_memo.reset(token)


class RejectNulCharacters:
    """A NUL byte can reach no query: PostgreSQL refuses it in any text ("cannot contain NUL"),
    a 500 from wherever it is compared.

    In the path it names nothing, so 404. In the query string of the admin, whose change lists,
    filters, history and autocomplete pass values straight to lookups, 400; the pages and the
    API check their own parameters and say which one is wrong (core.filtersets, core.api).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path_info:
            raise Http404("No page has a NUL character in its address.")
        # The query is scanned first: most requests have none, and reverse() costs more.
        if any(
            "\x00" in text for key, values in request.GET.lists() for text in (key, *values)
        ) and request.path_info.startswith(reverse("admin:index")):
            raise BadRequest("A query parameter holds a NUL character.")
        return self.get_response(request)
