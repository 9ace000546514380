import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from exhibitors.models import Exhibitor
from tests.factories import ExhibitorFactory, SectorFactory

pytestmark = pytest.mark.django_db


def assert_rejected(constraint: str, do):
    """The database refuses the write, naming the constraint."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        do()


def test_sector_slug_duplicate_rejected():
    SectorFactory(slug="video-iot")
    assert_rejected("exhibitors_sector_unique_slug", lambda: SectorFactory(slug="video-iot"))


def test_exhibitor_slug_duplicate_rejected():
    ExhibitorFactory(slug="dahua")
    assert_rejected("exhibitors_exhibitor_unique_slug", lambda: ExhibitorFactory(slug="dahua"))


@pytest.mark.parametrize("bad", ["cn", "C1", "1A"])
def test_exhibitor_country_malformed_rejected(bad):
    exhibitor = ExhibitorFactory()
    assert_rejected(
        "exhibitors_exhibitor_country_iso_3166",
        lambda: Exhibitor.objects.filter(pk=exhibitor.pk).update(country=bad),
    )


def test_exhibitor_country_empty_or_code_accepted():
    assert ExhibitorFactory(country="").country == ""
    assert ExhibitorFactory(country="BY").country.name == "Belarus"


def test_exhibitor_website_other_scheme_rejected_by_database():
    exhibitor = ExhibitorFactory()
    assert_rejected(
        "exhibitors_exhibitor_website_http",
        lambda: Exhibitor.objects.filter(pk=exhibitor.pk).update(website="ftp://example.org"),
    )


def test_exhibitor_website_other_scheme_rejected_by_validation():
    exhibitor = ExhibitorFactory.build(website="ftp://example.org/files")
    with pytest.raises(ValidationError) as error:
        exhibitor.full_clean()
    assert "website" in error.value.message_dict


def test_exhibitor_https_website_accepted():
    exhibitor = ExhibitorFactory.build(website="https://example.org/")
    exhibitor.full_clean()


def test_exhibitor_unknown_country_rejected_by_validation():
    exhibitor = ExhibitorFactory.build(country="XX")
    with pytest.raises(ValidationError) as error:
        exhibitor.full_clean()
    assert "country" in error.value.message_dict


def test_exhibitor_str_is_name():
    assert str(ExhibitorFactory(name="Graffiti Intelligence")) == "Graffiti Intelligence"
