"""Shared by the view tests: how many SQL queries a page runs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for(client, url):
    """Queries of one request, after a first request has warmed Django's caches (content
    types, sites), and including those a streamed body runs while it is read."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:
            b"".join(response.streaming_content)
    return len(captured)
