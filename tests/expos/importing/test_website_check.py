"""The importer checks websites with the model field's own rule (core.fields.HttpURLValidator)."""

import pytest

from expos.importing.checks import Invalid
from expos.importing.columns import EXHIBITOR


def website_is_valid(website):
    """Whether the website column takes `website`."""
    try:
        EXHIBITOR["website"].kind.stage(website)
    except Invalid:
        return False
    return True


@pytest.mark.parametrize(
    ("website", "valid"),
    [
        ("https://example.org/a?b=c", True),
        ("https://bücher.example/", True),
        ("http://x.example/a%20b#c", True),
        ('http://x.example/"><img/src=x/onerror=alert(1)>', False),
        ("http://x.example/<b>", False),
        ("http://x.example/%zz", False),
        ("ftp://x.example/", False),
    ],
)
def test_website_check_matches_the_model_field(website, valid):
    assert website_is_valid(website) is valid
