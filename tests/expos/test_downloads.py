"""The five page downloads of the seed, cell for cell, in English and Spanish: each is the file
in expected/<language>/ (awkward text: tests/core/exports/test_copy_exports.py)."""

from pathlib import Path

import pytest

from tests.pages import csv_table, expected_bytes, expected_csv, get, streamed

pytestmark = pytest.mark.usefixtures("seeded")

EXPECTED = Path(__file__).parent / "expected"
DOWNLOADS = ["exhibitors", "expos", "forums", "speakers", "deals"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", DOWNLOADS)
def test_page_download_is_its_expected_file(client, name, language):
    prefix = "" if language == "en" else f"/{language}"
    expected = expected_csv(EXPECTED / language / f"{name}.csv")
    assert len(expected) > 1, name
    body = streamed(get(client, f"{prefix}/{name}/export.csv"))
    assert csv_table(body) == expected
    # Byte for byte: the byte-order mark, then every line ending in LF as COPY writes it.
    assert body == expected_bytes(EXPECTED / language / f"{name}.csv")
