"""What the page tests share: a page's HTML, a download's CSV."""

import csv
import io


def page(client, url, status=200):
    """The HTML of `url`, checking the status."""
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def csv_rows(response):
    """The rows of a streamed CSV download, which starts with a byte-order mark."""
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))


def csv_records(client, url):
    """The rows of the CSV at `url` as dicts keyed by its header."""
    response = client.get(url)
    assert response.status_code == 200, url
    header, *rows = csv_rows(response)
    return [dict(zip(header, row, strict=True)) for row in rows]
