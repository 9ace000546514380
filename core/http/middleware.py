"""Middleware every page and API answer goes through."""

import functools
import re
import time

from django.core.exceptions import BadRequest
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import reverse

from core.changelog.dataversion import request_memo
from core.http.clientip import client_ip
from core.http.outage import is_database_unavailable, unavailable_response
from core.http.requestlog import REQUEST_ID, log_request, request_id_for
from core.lists.views import is_api


class RequestLog:
    """One structured line per request, and its id in the `X-Request-ID` header.

    First in MIDDLEWARE, so that it times everything the others do. The line is written when
    the server closes the response, after the last byte of its body: a streamed download's
    duration is the whole download's, and its status the one the client got (see
    core.http.requestlog for the fields).
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
    API check their own parameters and say which one is wrong (core.lists.filtersets, core.api).
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


# A length in ASCII digits only, as RFC 9110 writes it (1*DIGIT): int() would also take "١٢",
# "+5", "1_0" or " 5", and refuse "²", which str.isdigit() accepts. Eighteen digits are an
# exabyte, beyond any body, and keep int() far from its limit on the number of digits.
CONTENT_LENGTH = re.compile(r"[0-9]{1,18}")


class RequestBodyFraming:
    """A body is read only when its length is stated, in plain digits.

    Django reads as many bytes of the body as Content-Length says, and only then: a header it
    cannot read as a number was a 500 wherever the body was read (a form, the admin, the API's
    size limit), or a different number than the one sent ("١٢" read as 12). It is a 400 naming
    the header here, before anything reads the body.

    A chunked body (Transfer-Encoding) has no Content-Length, so Django read nothing of it: a
    POST to the API came through as empty ("name cannot be blank"). It is a 411 Length
    Required, which tells the client to send the length instead; gunicorn already refuses a
    request that has both headers.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH")
        if "HTTP_TRANSFER_ENCODING" in request.META:
            return refusal(
                request,
                411,
                "Length Required: send the body with a Content-Length, not in chunks.",
            )
        if length and not CONTENT_LENGTH.fullmatch(length):
            return refusal(
                request, 400, "The Content-Length header must be a number of bytes in digits 0-9."
            )
        return self.get_response(request)


def refusal(request, status, message):
    """A refused request: the API's JSON error shape under /api/, plain text elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


# What a view may be asked for. Anything else (TRACE, CONNECT, PROPFIND, a made-up word) is
# refused before the view runs: a view written as a function answers whatever method it is
# sent unless it checks, TRACE included, and Django's CSRF check would answer a page's
# class-based view with 403 first.
VIEW_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class RefuseUnknownMethods:
    """405, with the view's own methods in Allow, for a method no view here serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method in VIEW_METHODS:
            return None
        allowed = sorted(allowed_methods(request, view_func))
        if is_api(request):
            response = JsonResponse(
                {"detail": f"Method {request.method!r} not allowed."}, status=405
            )
            response["Allow"] = ", ".join(allowed)
            return response
        return HttpResponseNotAllowed(allowed)


def allowed_methods(request, view_func):
    """The methods a resolved view serves: what its class defines (for a DRF viewset's route,
    what the route maps), else, for a view written as a function, GET and HEAD (the site's
    own: require_safe) or GET, HEAD and POST (the admin's, which take forms)."""
    view_class = getattr(view_func, "view_class", None) or getattr(view_func, "cls", None)
    if view_class is None:
        admin = "admin" in request.resolver_match.app_names
        return {"GET", "HEAD", "POST"} if admin else {"GET", "HEAD"}
    actions = getattr(view_func, "actions", None)
    if actions is None:
        served = {name for name in view_class.http_method_names if hasattr(view_class, name)}
    else:
        served = {name for name in view_class.http_method_names if name in {*actions, "options"}}
    if "get" in served and "head" in view_class.http_method_names:
        served.add("head")  # as View.setup() and DRF do
    return {name.upper() for name in served}
