"""manage.py generate_directory: realistic, reproducible, marked synthetic, removable."""

import csv
import re

import pytest
from django.core.management import CommandError, call_command

from core import dataversion
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


def test_synthetic_speaker_link_is_cleared_not_deleted():
    generate("--exhibitors", "20", "--seed", "4")
    speaker = factories.SpeakerFactory(exhibitor=Exhibitor.objects.filter(synthetic=True).first())
    call_command("generate_directory", "--remove")
    speaker.refresh_from_db()
    assert speaker.exhibitor is None


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
