"""What the page tests share: fetching a page or a download, reading a body and its CSV, and the
rows a download is expected to hold."""

import csv
import io


def get(client, url, status=200, **headers):
    """GET `url`, checking the status; the response."""
    response = client.get(url, **headers)
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
