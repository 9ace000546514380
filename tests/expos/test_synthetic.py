"""manage.py generate_directory: realistic, reproducible, marked synthetic, removable."""

import csv
import re

import pytest
from django.core.management import CommandError, call_command

from core.changelog import dataversion
from exhibitors.models import Exhibitor, Sector
from expos.importing import COLUMNS
from expos.models import Expo, Participation, Speaker
from tests import factories

pytestmark = pytest.mark.usefixtures("seeded")

SCRIPTS = {
    "Han": r"[\u4e00-\u9fff]",
    "Latin": r"[A-Za-z]",
    "Cyrillic": r"[\u0400-\u04ff]",
    "Arabic": r"[\u0600-\u06ff]",
    "Hangul": r"[\uac00-\ud7af]",
    "Kana": r"[\u30a0-\u30ff]",
    "Greek": r"[\u0370-\u03ff]",
}


def generate(*arguments):
    call_command("generate_directory", *arguments, "--no-progress")


def seed_snapshot():
    return {
        "exhibitors": sorted(
            Exhibitor.objects.filter(synthetic=False).values_list("slug", "updated", "name")
        ),
        "sectors": sorted(Sector.objects.filter(synthetic=False).values_list("slug", "updated")),
        "expos": sorted(Expo.objects.filter(synthetic=False).values_list("slug", "updated")),
        "participations": sorted(
            Participation.objects.filter(exhibitor__synthetic=False).values_list("id", "updated")
        ),
        "tags": sorted(
            Exhibitor.sectors.through.objects.filter(exhibitor__synthetic=False).values_list(
                "exhibitor_id", "sector_id"
            )
        ),
    }


def test_generates_a_realistic_spread_marked_synthetic():
    before = seed_snapshot()
    generate("--exhibitors", "400", "--seed", "7")

    made = Exhibitor.objects.filter(synthetic=True)
    assert made.count() == 400
    assert Expo.objects.filter(synthetic=True).count() == 10  # at least 10 expos
    assert Sector.objects.filter(synthetic=True).count() == 30
    participations = Participation.objects.filter(exhibitor__synthetic=True)
    assert 2.5 <= participations.count() / 400 <= 3.5
    assert not participations.filter(expo__synthetic=False).exists()  # apart from the seed
    assert not made.filter(sectors__synthetic=False).exists()

    names = list(made.values_list("name", flat=True))
    scripts = {
        script for script, pattern in SCRIPTS.items() if any(re.search(pattern, n) for n in names)
    }
    assert {"Han", "Latin", "Cyrillic", "Arabic", "Hangul"} <= scripts
    assert any(re.search("[áéíóúñüßçã]", n) for n in names)  # accented Latin names too
    assert len(set(made.values_list("country", flat=True))) >= 15
    years = set(Expo.objects.filter(synthetic=True).values_list("edition_year", flat=True))
    assert len(years) >= 5 and min(years) >= 2000
    assert all(e.description and e.website.endswith(".example") for e in made[:20])
    # Searchable like any other record.
    assert made.filter(search_vector__isnull=False).count() == 400

    assert seed_snapshot() == before


def test_same_seed_same_data_and_rerun_duplicates_nothing():
    generate("--exhibitors", "150", "--seed", "3")
    first = sorted(Exhibitor.objects.filter(synthetic=True).values_list("slug", "name", "updated"))
    counts = (Participation.objects.count(), Expo.objects.count())
    generate("--exhibitors", "150", "--seed", "3")
    assert (
        sorted(Exhibitor.objects.filter(synthetic=True).values_list("slug", "name", "updated"))
        == first
    )
    assert (Participation.objects.count(), Expo.objects.count()) == counts


def test_remove_deletes_exactly_the_synthetic_records(capsys):
    before = seed_snapshot()
    version = dataversion.current()[0]
    generate("--exhibitors", "120", "--seed", "5")
    speaker = Speaker.objects.filter(exhibitor__isnull=False).first()
    call_command("generate_directory", "--remove")

    assert "Removed synthetic data" in capsys.readouterr().out
    assert not Exhibitor.objects.filter(synthetic=True).exists()
    assert not Expo.objects.filter(synthetic=True).exists()
    assert not Sector.objects.filter(synthetic=True).exists()
    assert seed_snapshot() == before
    if speaker:
        speaker.refresh_from_db()
        assert speaker.exhibitor is not None
    assert dataversion.current()[0] > version


def test_remove_refuses_while_a_real_record_depends_on_synthetic_data():
    generate("--exhibitors", "30", "--seed", "2")
    expo = Expo.objects.filter(synthetic=True).first()
    forum = factories.ForumFactory(expo=expo)
    with pytest.raises(CommandError, match="forums point at synthetic expos"):
        call_command("generate_directory", "--remove")
    assert Exhibitor.objects.filter(synthetic=True).count() == 30  # nothing deleted
    forum.delete()
    call_command("generate_directory", "--remove")
    assert not Expo.objects.filter(synthetic=True).exists()


def test_remove_refuses_while_a_real_speaker_belongs_to_a_synthetic_exhibitor():
    """A speaker's exhibitor is PROTECTed: the speaker is not silently left without it."""
    generate("--exhibitors", "20", "--seed", "4")
    exhibitor = Exhibitor.objects.filter(synthetic=True).first()
    speaker = factories.SpeakerFactory(exhibitor=exhibitor)
    with pytest.raises(CommandError, match="1 speakers point at synthetic exhibitors"):
        call_command("generate_directory", "--remove")
    speaker.refresh_from_db()
    assert speaker.exhibitor == exhibitor
    assert Exhibitor.objects.filter(synthetic=True).count() == 20  # nothing deleted


def test_output_writes_an_importable_csv(tmp_path):
    path = tmp_path / "synthetic.csv"
    generate("--exhibitors", "50", "--seed", "9", "--output", str(path))
    assert not Exhibitor.objects.filter(synthetic=True).exists()  # nothing imported
    with open(path, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == COLUMNS
    assert len({row["slug"] for row in rows}) == 50
    assert Sector.objects.filter(synthetic=True).count() == 30  # so that the file imports
    call_command("import_directory", str(path), "--no-progress")
    assert Exhibitor.objects.filter(slug__in=[row["slug"] for row in rows]).count() == 50


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--exhibitors", "0"], "--exhibitors must be at least 1"),
        (["--exhibitors", "5", "--expos", "0"], "--expos must be at least 1"),
    ],
)
def test_bad_arguments_are_errors(arguments, message):
    with pytest.raises(CommandError, match=message):
        generate(*arguments)


# --- Pages mark synthetic records ------------------------------------------------------------
BADGE = re.compile(r'<span class="badge-synthetic" title="([^"]+)">([^<]+)</span>')


def badges(html):
    return [(text, title) for title, text in BADGE.findall(html)]


def synthetic_records():
    """A synthetic sector, exhibitor and expo, linked as generate_directory links them."""
    sector = factories.SectorFactory(synthetic=True, name="Generated sector")
    exhibitor = factories.ExhibitorFactory(synthetic=True, name="Generated Exhibitor Co.")
    exhibitor.sectors.add(sector)
    expo = factories.ExpoFactory(synthetic=True, name="Generated Expo 2031", edition_year=2031)
    factories.ParticipationFactory(exhibitor=exhibitor, expo=expo)
    return exhibitor, expo


def row_of(html, name):
    """The table row or card that names `name`."""
    (row,) = [part for part in re.split(r"<tr>|<li class=\"card\">", html) if f">{name}<" in part]
    return row


def test_lists_mark_synthetic_records_and_not_seeded_ones(client):
    exhibitor, expo = synthetic_records()
    exhibitors = client.get("/exhibitors/?ordering=name&page_size=100").content.decode()
    generated = row_of(exhibitors, exhibitor.name)
    synthetic = (
        "Synthetic",
        "Generated test data for load testing, not taken from a source document.",
    )
    assert badges(generated) == [synthetic, synthetic]  # the exhibitor and its sector
    assert badges(row_of(exhibitors, "Zhejiang Dahua Technology Co., Ltd.")) == []
    assert len(badges(exhibitors)) == 2

    expos = client.get("/expos/?ordering=name").content.decode()
    assert badges(row_of(expos, expo.name)) == [synthetic]
    assert len(badges(expos)) == 1

    found = client.get("/search/?q=Generated").content.decode()
    assert badges(found) == [synthetic, synthetic]  # the exhibitor and the expo


def test_detail_pages_mark_synthetic_records_in_both_languages(client):
    exhibitor, expo = synthetic_records()
    page = client.get(exhibitor.get_absolute_url()).content.decode()
    assert re.search(r"<h1>Generated Exhibitor Co\. <span class=\"badge-synthetic\"", page)
    assert [text for text, _ in badges(page)] == ["Synthetic"] * 3  # name, sector, expo

    page = client.get("/es" + expo.get_absolute_url()).content.decode()
    assert re.search(r"<h1>Generated Expo 2031 <span class=\"badge-synthetic\"", page)
    assert badges(page)[0] == (
        "Sintético",
        "Datos de prueba generados para pruebas de carga, no tomados de un documento fuente.",
    )

    seeded = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    assert badges(client.get(seeded.get_absolute_url()).content.decode()) == []
    assert badges(client.get("/expos/smart-china-expo-2021/").content.decode()) == []
