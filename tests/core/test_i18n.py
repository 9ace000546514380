"""The interface is in English and Spanish, through gettext."""

import re

import pytest

from tests.pages import page
from tests.paths import ROOT

CATALOGUE = ROOT / "locale/es/LC_MESSAGES/django.po"


def entries():
    text = CATALOGUE.read_text(encoding="utf-8")
    return [block for block in text.split("\n\n") if "msgid" in block][1:]  # skip the header


def test_spanish_catalogue_is_complete_and_compiled():
    blocks = entries()
    assert len(blocks) > 200
    untranslated = [b for b in blocks if re.search(r'^msgstr(\[\d\])? ""(\n(?!")|\Z)', b, re.M)]
    fuzzy = [b for b in blocks if "#, fuzzy" in b]
    assert untranslated == []
    assert fuzzy == []
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime - 1


@pytest.mark.usefixtures("seeded")
def test_spanish_interface_on_list_page(client):
    html = client.get("/es/exhibitors/?ordering=-name").content.decode()
    for words in ("Expositores", "Aplicar filtros", "Saltar al contenido", "11 resultados"):
        assert words in html
    assert "Nombre, de la Z a la A" in html
    for english in ("Apply filters", "Skip to content", "Download these rows"):
        assert english not in html


@pytest.mark.usefixtures("seeded")
def test_spanish_error_message_for_bad_year(client):
    assert "“abc” no es un año." in page(client, "/es/exhibitors/?year=abc", status=400)


def test_year_range_message_is_translated_with_the_model_bounds():
    from django.utils import translation

    from expos.models import Expo

    constraint = next(
        c for c in Expo._meta.constraints if c.name == "expos_expo_edition_year_range"
    )
    with translation.override("es"):
        assert str(constraint.violation_error_message) == "El año debe estar entre 1900 y 2100."
    assert str(constraint.violation_error_message) == "A year must be between 1900 and 2100."
