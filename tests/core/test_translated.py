"""core.translated: translated text read in the active language, then English, the same in
Python, in SQL and in the order of a list."""

import pytest
from django.utils import translation

from core.translated import sort_key, translated
from exhibitors.models import Exhibitor, ExhibitorSector, Sector
from tests.factories import ExhibitorFactory, SectorFactory

pytestmark = pytest.mark.django_db

CASES = [
    # (language, name_es, shown)
    ("en", "Cámaras", "Cameras"),
    ("es", "Cámaras", "Cámaras"),
    ("es", "", "Cameras"),
    ("es", None, "Cameras"),
]


@pytest.mark.parametrize(("language", "spanish", "shown"), CASES)
def test_translated_text_is_the_language_then_english(language, spanish, shown):
    sector = SectorFactory(name_en="Cameras", name_es=spanish)
    records = Sector.objects.filter(pk=sector.pk)
    with translation.override(language):
        rule = translated(Sector, "name")
        row = records.values(*rule.columns).get()
        assert rule.read(row) == shown
        assert records.annotate(shown=rule.expression()).values_list("shown", flat=True).get() == (
            shown
        )
        assert Sector.objects.get(pk=sector.pk).name == shown  # as modeltranslation reads it


@pytest.mark.parametrize(("language", "spanish", "shown"), CASES)
def test_translated_text_of_a_related_record(language, spanish, shown):
    link = ExhibitorSector.objects.create(
        exhibitor=ExhibitorFactory(), sector=SectorFactory(name_en="Cameras", name_es=spanish)
    )
    with translation.override(language):
        expression = translated(Sector, "name").expression(prefix="sector__")
        links = ExhibitorSector.objects.filter(pk=link.pk).annotate(shown=expression)
        assert links.values_list("shown", flat=True).get() == shown


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("empty", ["", None])
def test_text_empty_in_every_language_is_the_field_default(language, empty):
    exhibitor = ExhibitorFactory(description_en=empty, description_es=empty)
    records = Exhibitor.objects.filter(pk=exhibitor.pk)
    with translation.override(language):
        rule = translated(Exhibitor, "description")
        assert rule.read(records.values(*rule.columns).get()) == ""
        assert records.annotate(shown=rule.expression()).values_list("shown", flat=True).get() == ""


def test_a_field_not_translated_has_no_rule():
    assert translated(Exhibitor, "country") is None
    assert translated(Exhibitor, "slug") is None


def test_lists_sort_by_the_language_then_english():
    SectorFactory(slug="apples", name_en="Apples", name_es="Zanahorias")
    SectorFactory(slug="bananas", name_en="Bananas", name_es=None)
    SectorFactory(slug="cherries", name_en="Cherries", name_es="Cerezas")

    def order(key):
        return list(Sector.objects.order_by(key.asc()).values_list("slug", flat=True))

    for language, expected in [
        ("en", ["apples", "bananas", "cherries"]),
        ("es", ["bananas", "cherries", "apples"]),
    ]:
        # The key of a list's ordering, and the one its indexes are built on.
        assert order(sort_key("name", language)) == expected
        with translation.override(language):
            assert order(translated(Sector, "name").sort_key()) == expected
