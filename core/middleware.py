"""Middleware every page and API answer goes through."""

from .dataversion import request_memo


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
