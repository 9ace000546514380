"""manage.py import_directory: every row checked, all-or-nothing, idempotent."""

import json

import pytest
from django.core.management import CommandError, call_command

from exhibitors.models import Exhibitor
from expos.models import Expo, Participation
from tests import factories

pytestmark = pytest.mark.django_db

HEADER = "slug,name,country,city,sectors,website,expo,expo_name,expo_year,expo_country,showcase\n"


@pytest.fixture(autouse=True)
def sectors():
    factories.SectorFactory(slug="digital-twin", name="Digital twin")
    factories.SectorFactory(slug="smart-lighting", name="Smart lighting")


def write(tmp_path, text, name="directory.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path):
    call_command("import_directory", path, "--no-progress")


GOOD = HEADER + (
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "scewc-2030,SCEWC 2030,2030,ES,Twin city demo\n"
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "sce-2031,SCE 2031,2031,CN,Lamps\n"
    "beijing-zhicheng,北京智城科技,CN,北京,,,scewc-2030,SCEWC 2030,2030,ES,\n"
)


def test_import_writes_exhibitors_expos_participations(tmp_path):
    run(write(tmp_path, GOOD))
    acme = Exhibitor.objects.get(slug="acme-iot")
    assert (acme.name, acme.country.code, acme.city, acme.website) == (
        "Acme IoT",
        "ES",
        "Barcelona",
        "https://acme.example",
    )
    assert sorted(acme.sectors.values_list("slug", flat=True)) == ["digital-twin", "smart-lighting"]
    assert Exhibitor.objects.get(slug="beijing-zhicheng").name == "北京智城科技"
    assert Expo.objects.get(slug="scewc-2030").edition_year == 2030
    assert Participation.objects.get(exhibitor=acme, expo__slug="sce-2031").showcase == "Lamps"
    assert Participation.objects.count() == 3


def test_reimport_updates_and_never_duplicates(tmp_path):
    run(write(tmp_path, GOOD))
    run(write(tmp_path, GOOD.replace("Twin city demo", "Digital twin of Barcelona")))
    assert Exhibitor.objects.count() == 2
    assert Expo.objects.count() == 2
    assert Participation.objects.count() == 3
    assert Participation.objects.get(
        expo__slug="scewc-2030", exhibitor__slug="acme-iot"
    ).showcase == ("Digital twin of Barcelona")
    assert Exhibitor.objects.get(slug="acme-iot").sectors.count() == 2


def test_bad_file_writes_nothing_and_reports_every_bad_line(tmp_path, capsys):
    factories.ExhibitorFactory(slug="existing", name="Existing")
    bad = HEADER + (
        "good-one,Good One,ES,,,,,,,,\n"
        ",No Slug,ES,,,,,,,,\n"  # line 3
        "bad-country,Bad Country,XX,,,,,,,,\n"  # line 4
        "bad-sector,Bad Sector,ES,,teleportation,,,,,,\n"  # line 5
        "bad-site,Bad Site,ES,,,ftp://x.example,,,,,\n"  # line 6
        "bad-year,Bad Year,ES,,,,expo-x,Expo X,20x0,ES,\n"  # line 7
    )
    with pytest.raises(CommandError, match="5 problem"):
        run(write(tmp_path, bad))
    err = capsys.readouterr().err
    assert "line 3, slug: Required." in err
    assert "line 4, country: “XX” is not an ISO 3166-1 alpha-2 country code." in err
    assert "line 5, sectors: Unknown sector(s): teleportation." in err
    assert "line 6, website: Must be an http or https address." in err
    assert "line 7, expo_year: “20x0” is not a year" in err
    assert list(Exhibitor.objects.values_list("slug", flat=True)) == ["existing"]
    assert not Expo.objects.exists()


def test_jsonl_import_and_bad_json_line(tmp_path, capsys):
    rows = [
        {
            "slug": "lumen",
            "name": "Lumen",
            "country": "PT",
            "sectors": ["smart-lighting"],
            "expo": "lisbon-2029",
            "expo_name": "Lisbon 2029",
            "expo_year": 2029,
        },
        {"slug": "lumen-two", "name": "Lumen Two"},
    ]
    path = write(tmp_path, "\n".join(json.dumps(r) for r in rows) + "\n", "d.jsonl")
    run(path)
    assert Exhibitor.objects.get(slug="lumen").sectors.get().slug == "smart-lighting"
    broken = write(tmp_path, json.dumps(rows[1]) + "\n{not json\n", "broken.jsonl")
    with pytest.raises(CommandError):
        run(broken)
    assert "line 2: Not JSON" in capsys.readouterr().err


def test_unknown_column_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="1 problem"):
        run(write(tmp_path, "slug,name,colour\nx,X,red\n"))
    with pytest.raises(CommandError, match="No such file"):
        run(str(tmp_path / "missing.csv"))


def test_import_end_before_start_rejected(tmp_path, capsys):
    text = "slug,name,expo,expo_start,expo_end\nx,X,e,2030-05-02,2030-05-01\n"
    with pytest.raises(CommandError):
        run(write(tmp_path, text))
    assert (
        "line 2, expo_end: The end date cannot be before the start date." in capsys.readouterr().err
    )


def test_reimport_of_the_same_file_leaves_unchanged_records_untouched(tmp_path):
    run(write(tmp_path, GOOD))
    before = dict(Exhibitor.objects.values_list("slug", "updated"))
    participations = dict(Participation.objects.values_list("id", "updated"))
    run(write(tmp_path, GOOD.replace("北京智城科技", "北京智城科技集团")))
    after = dict(Exhibitor.objects.values_list("slug", "updated"))
    assert after["acme-iot"] == before["acme-iot"]  # same values: not rewritten
    assert after["beijing-zhicheng"] > before["beijing-zhicheng"]  # renamed: updated
    assert dict(Participation.objects.values_list("id", "updated")) == participations


def test_cross_row_conflicts_are_reported_with_their_lines(tmp_path, capsys):
    text = HEADER + (
        "a,A,ES,,,,x-2030,X 2030,2030,ES,\n"
        "a,A renamed,ES,,,,x-2030,X 2030,2031,ES,\n"  # line 3: other name, other expo year
    )
    with pytest.raises(CommandError, match="2 problem"):
        run(write(tmp_path, text))
    err = capsys.readouterr().err
    assert "line 3, name: “a” appears earlier with another name." in err
    assert "line 3, expo: “x-2030” appears earlier with other details." in err
    assert not Exhibitor.objects.exists()


def test_dates_from_different_rows_must_agree(tmp_path, capsys):
    text = "slug,name,expo,expo_start,expo_end\na,A,e,2030-05-02,\nb,B,e,,2030-05-01\n"
    with pytest.raises(CommandError):
        run(write(tmp_path, text))
    assert "line 2, expo_end: The end date of “e” is before its start date." in (
        capsys.readouterr().err
    )
    assert not Expo.objects.exists()


def test_a_known_expo_named_by_slug_alone_keeps_its_details(tmp_path):
    expo = factories.ExpoFactory(slug="known-expo", name="Known Expo", city="Bilbao")
    run(write(tmp_path, "slug,name,expo\nnewcomer,Newcomer,known-expo\n"))
    expo.refresh_from_db()
    assert (expo.name, expo.city) == ("Known Expo", "Bilbao")
    assert Participation.objects.get(expo=expo).exhibitor.slug == "newcomer"


def test_without_a_sectors_column_sectors_are_kept(tmp_path):
    run(write(tmp_path, GOOD))
    run(write(tmp_path, "slug,name,country\nacme-iot,Acme IoT,FR\n"))
    acme = Exhibitor.objects.get(slug="acme-iot")
    assert acme.country.code == "FR"
    assert sorted(acme.sectors.values_list("slug", flat=True)) == ["digital-twin", "smart-lighting"]
    run(write(tmp_path, "slug,name,sectors\nacme-iot,Acme IoT,smart-lighting\n"))
    assert list(acme.sectors.values_list("slug", flat=True)) == ["smart-lighting"]


def test_extra_values_and_every_problem_counted(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("expos.importing.KEPT_ERRORS", 3)
    lines = "".join(f"s{n},S{n},XX\n" for n in range(10))
    with pytest.raises(CommandError, match="11 problem"):
        run(write(tmp_path, "slug,name,country\n" + lines + "x,X,ES,extra\n"))
    err = capsys.readouterr().err
    assert "line 2, country" in err and "… and 8 more." in err
    assert not Exhibitor.objects.exists()


def test_an_empty_file_is_an_error(tmp_path, capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, "slug,name\n"))
    assert "line 1: The file holds no rows." in capsys.readouterr().err
