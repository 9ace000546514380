"""What the page tests share: fetching a page, a download or an admin change list, reading a
body and its CSV, the rows a download is expected to hold, and the queries a page runs."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext


def get(client, url, status=200, *, data=None, **headers):
    """GET `url` (with the query `data`), checking the status; the response."""
    response = client.get(url, data, **headers)
    assert response.status_code == status, (url, response.content[:500])
    return response


def page(client, url, status=200):
    """The HTML of `url`, checking the status."""
    return get(client, url, status).content.decode()


def body(response):
    """The bytes of a response, streamed (a download) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def streamed(response):
    """The bytes of a download, which streams."""
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_table(content, *, byte_order_mark=True):
    """The rows of the CSV file `content` (bytes). A page's download starts with a byte-order
    mark, so that spreadsheet programs read it as UTF-8; the API's CSV does not."""
    text = content.decode("utf-8")
    assert text.startswith("\ufeff") == byte_order_mark
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def csv_rows(response):
    """The rows of a page's streamed CSV download."""
    return csv_table(streamed(response))


def csv_records(client, url):
    """The rows of the CSV at `url` as dicts keyed by its header."""
    header, *rows = csv_rows(get(client, url))
    return [dict(zip(header, row, strict=True)) for row in rows]


def expected_csv(path):
    """The rows a download is expected to hold, as the file at `path` holds them."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def expected_bytes(path):
    """The bytes a page download is expected to be: a byte-order mark, then the file at
    `path` as it is (its line endings included)."""
    return "\ufeff".encode() + path.read_bytes()


def changelist(admin_client, url, params=None):
    """An admin change list, checking that it answered 200."""
    return get(admin_client, url, data=params or {})


def listed(response):
    """The records a change list shows, as str() names them."""
    return [str(row) for row in response.context["cl"].result_list]


def queries_of(client, url, params=None):
    """The SQL of one request, after a first one has warmed Django's caches (content types,
    sites), including what a streamed body runs while it is read."""
    get(client, url, data=params)
    with CaptureQueriesContext(connection) as captured:
        body(get(client, url, data=params))
    return [query["sql"] for query in captured]


# One page of each kind the public site has, in English (the Spanish ones are at /es/…): its
# lists, then one record of each kind from the seed.
LIST_PAGES = ["/exhibitors/", "/expos/", "/forums/", "/speakers/", "/deals/", "/search/?q=smart"]
RECORD_PAGES = [
    "/exhibitors/zhejiang-dahua-technology/",
    "/expos/smart-china-expo-2021/",
    "/forums/china-sco-forum-on-the-digital-economy-industry-2021/",
    "/speakers/song-hongwei/",
    "/deals/smart-china-expo-2021-major-projects/",
]
