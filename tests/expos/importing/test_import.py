"""manage.py import_directory: every row checked, all-or-nothing, idempotent."""

import csv
import json

import pytest
from django.core.management import CommandError

from exhibitors.models import Exhibitor
from expos import importing
from expos.models import Expo, Participation
from tests import factories
from tests.expos.importing.files import GOOD, HEADER, run, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]


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
    text = "slug,name,expo,expo_name,expo_start,expo_end\nx,X,e,E,2030-05-02,2030-05-01\n"
    with pytest.raises(CommandError, match="1 problem"):
        run(write(tmp_path, text))
    assert (
        "line 2, expo_end: The end date cannot be before the start date." in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("expo_start", "0001-01-01"),
        ("expo_start", "1899-12-31"),
        ("expo_end", "2101-01-01"),
        ("expo_end", "9999-12-31"),
    ],
)
def test_import_date_outside_the_models_range_rejected_with_its_line(
    tmp_path, capsys, column, value
):
    dates = {"expo_start": "2030-05-01", "expo_end": "2030-05-02"} | {column: value}
    text = (
        "slug,name,expo,expo_name,expo_start,expo_end\n"
        "ok,OK,e,E,2030-05-01,2030-05-02\n"
        f"x,X,e,E,{dates['expo_start']},{dates['expo_end']}\n"
    )
    with pytest.raises(CommandError, match="1 problem"):
        run(write(tmp_path, text))
    assert (
        f"line 3, {column}: “{value}” is not a date between 1900-01-01 and 2100-12-31."
        in capsys.readouterr().err
    )
    assert not Expo.objects.exists()
    assert not Exhibitor.objects.exists()
    # The ends of the range themselves are taken.
    text = "slug,name,expo,expo_name,expo_start,expo_end\nx,X,e,E,1900-01-01,2100-12-31\n"
    run(write(tmp_path, text))
    expo = Expo.objects.get(slug="e")
    assert (str(expo.start_date), str(expo.end_date)) == ("1900-01-01", "2100-12-31")


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
    text = "slug,name,expo,expo_name,expo_start,expo_end\na,A,e,E,2030-05-02,\nb,B,e,,,2030-05-01\n"
    with pytest.raises(CommandError, match="1 problem"):
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
    monkeypatch.setattr("expos.importing.checks.KEPT_ERRORS", 3)
    lines = "".join(f"s{n},S{n},XX\n" for n in range(10))
    with pytest.raises(CommandError, match="11 problem"):
        run(write(tmp_path, "slug,name,country\n" + lines + "x,X,ES,extra\n"))
    err = capsys.readouterr().err
    assert "line 2, country" in err
    assert "… and 8 more, not listed: only the first 3 problems are." in err
    assert not Exhibitor.objects.exists()


def test_the_problems_of_a_line_come_in_the_order_of_the_columns(tmp_path):
    header = (
        "expo_end,expo_start,expo_city,expo_country,expo_year,expo,website,sectors,region,"
        "country,name,slug\n"
    )
    row = f"2030-02-30,May,{'x' * 121},ZZ,20x0,bad expo,ftp://x,nope,{'x' * 121},XX,A,bad slug\n"
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_directory(write(tmp_path, header + row))
    assert [field for _line, field, _message in rejected.value.errors] == [
        "slug",
        "country",
        "region",
        "sectors",
        "website",
        "expo",
        "expo_year",
        "expo_country",
        "expo_city",
        "expo_start",
        "expo_end",
    ]


def test_an_empty_file_is_an_error(tmp_path, capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        run(write(tmp_path, "slug,name\n"))
    assert "line 1: The file holds no rows." in capsys.readouterr().err


# --- Reading ----------------------------------------------------------------------------------


def dict_reader_rows(path):
    """What csv.DictReader makes of a file, as read_rows gives it."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for row in reader:
            if None in row:
                yield reader.line_num, "more values than columns"
            else:
                yield reader.line_num, {c: importing.text(v) for c, v in row.items()}


def test_csv_is_read_as_csv_dictreader_reads_it(tmp_path):
    text = (
        "\ufeffname,slug,description,sectors,expo,showcase\r\n"
        "Plain,plain,Nothing special,digital-twin,,\r\n"
        '"Comma, Inc.",comma," ""Quoted"" words ",digital-twin;smart-lighting,x,"a\nb"\n'
        "\n"  # blank: skipped, but counted
        "   \n"  # one blank value: a row
        'multi,multi,"first line\r\nsecond line\n\nthird",,,\r'
        "short,short\n"
        "long,long,a,b,c,d,e\n"
        " spaced , spaced-slug ,\ttabbed\t,,,\n"
        "last,last,no line break at the end,,,"
    )
    path = write(tmp_path, text)
    ours = []
    for line, row in importing.read_rows(path):
        if isinstance(row, importing.ImportRejected):
            assert row.errors == [(line, "", "More values than columns.")]
            ours.append((line, "more values than columns"))
        else:
            ours.append((line, row))
    expected = [
        (line, row if isinstance(row, str) else {**dict.fromkeys(importing.COLUMNS, ""), **row})
        for line, row in dict_reader_rows(path)
    ]
    assert ours == expected
    assert [line for line, _row in ours] == [2, 4, 6, 10, 11, 12, 13, 14]


# --- Files that repeat themselves ---------------------------------------------------------------


def test_an_exhibitors_rows_apart_take_the_last_details_and_showcase(tmp_path):
    text = (
        "slug,name,city,sectors,expo,expo_name,showcase\n"
        "a,A,Bilbao,digital-twin,x,X,first\n"
        "b,B,,,x,,\n"
        "a,A,Madrid,smart-lighting,x,,second\n"  # the same exhibitor and expo again
        "a,A,Madrid,smart-lighting,y,Y,\n"
    )
    counts = importing.import_directory(write(tmp_path, text))
    written = counts.pop("tables")
    assert counts == {
        "rows": 4,
        "exhibitors": 2,
        "expos": 2,
        "participations": 3,
        "new_expos": ["x", "y"],
    }
    assert written["expos_participation"] == {"inserted": 3, "updated": 0, "deleted": 0}
    a = Exhibitor.objects.get(slug="a")
    assert a.city == "Madrid"
    assert list(a.sectors.values_list("slug", flat=True)) == ["smart-lighting"]
    assert Participation.objects.get(exhibitor=a, expo__slug="x").showcase == "second"
    assert Participation.objects.count() == 3


def test_an_exhibitor_named_twice_at_one_expo_in_a_run_is_counted_once(tmp_path):
    text = "slug,name,expo,expo_name,showcase\na,A,x,X,first\na,A,x,,second\na,A,y,Y,\n"
    counts = importing.import_directory(write(tmp_path, text))
    assert counts["participations"] == 2
    assert Participation.objects.get(expo__slug="x").showcase == "second"


def test_rows_without_sectors_do_not_restate_them(tmp_path):
    rows = [
        {"slug": "a", "name": "A", "sectors": ["digital-twin"]},
        {"slug": "a", "name": "A", "city": "Vigo"},  # no sectors key: leaves them be
    ]
    path = write(tmp_path, "\n".join(json.dumps(r) for r in rows) + "\n", "d.jsonl")
    importing.import_directory(path)
    a = Exhibitor.objects.get(slug="a")
    assert (a.city, list(a.sectors.values_list("slug", flat=True))) == ("Vigo", ["digital-twin"])


def test_every_row_of_a_conflicting_name_or_expo_is_reported(tmp_path, capsys):
    text = HEADER + (
        "a,A,ES,,,,x,X,2030,ES,\n"
        "b,B,ES,,,,x,X,2031,ES,\n"  # line 3: another year for x
        "a,A2,ES,,,,y,Y,,,\n"  # line 4: another name for a
        "a,A2,ES,,,,z,Z,,,\n"  # line 5: the same
        "c,C,ES,,,,x,X,2031,ES,\n"  # line 6: x's other year again
    )
    with pytest.raises(CommandError, match="4 problem"):
        run(write(tmp_path, text))
    err = capsys.readouterr().err
    for line in (4, 5):
        assert f"line {line}, name: “a” appears earlier with another name." in err
    for line in (3, 6):
        assert f"line {line}, expo: “x” appears earlier with other details." in err
    assert not Exhibitor.objects.exists()


def test_text_is_stored_exactly_whatever_it_holds(tmp_path):
    description = 'Back\\slash, \\N, a\ttab, "quotes" and\r\nlines\nof text'
    with open(tmp_path / "d.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["slug", "name", "description", "expo", "expo_name", "showcase"])
        writer.writerow(["odd", "Ödd, Inc. \\o/", description, "x", "X", "\\N"])
        writer.writerow(["plain", "Plain", "", "", "", ""])
    importing.import_directory(str(tmp_path / "d.csv"))
    odd = Exhibitor.objects.get(slug="odd")
    assert (odd.name, odd.description) == ("Ödd, Inc. \\o/", description.strip())
    assert Participation.objects.get(exhibitor=odd).showcase == "\\N"
    assert Exhibitor.objects.get(slug="plain").description == ""


@pytest.mark.parametrize(
    "row",
    [
        "a,A\x00,,,",  # in the exhibitor's columns
        "a,A,x,,shown\x00",  # in the showcase
        "a,A,,X\x00,",  # in an expo column, without an expo
        "a,A,x,X\x00,",  # in an expo column
    ],
)
def test_a_nul_character_is_one_problem_of_its_row(tmp_path, capsys, row):
    with pytest.raises(CommandError, match="1 problem"):
        run(write(tmp_path, f"slug,name,expo,expo_name,showcase\n{row}\n"))
    assert "line 2: NUL characters are not allowed." in capsys.readouterr().err


def test_a_nul_character_hides_no_problem_of_the_next_rows(tmp_path, capsys):
    text = "slug,name,country,expo,expo_name\na,A,XX,x,X\x00\na,A,XX,x,X\na,A,XX,,\n"
    with pytest.raises(CommandError, match="3 problem"):
        run(write(tmp_path, text))
    err = capsys.readouterr().err
    assert "line 2: NUL characters are not allowed." in err
    assert "line 3, country: “XX” is not an ISO 3166-1 alpha-2 country code." in err
    assert "line 4, country: “XX” is not an ISO 3166-1 alpha-2 country code." in err


@pytest.mark.parametrize("year", ["٢٠٣٠", "２０３０", "2_030", "2030.0", "²⁰³⁰"])
def test_an_expo_year_in_other_digits_is_a_problem_of_its_line(tmp_path, capsys, year):
    bad = HEADER + f"acme-iot,Acme IoT,ES,,,,scewc-2030,SCEWC 2030,{year},ES,\n"
    with pytest.raises(CommandError, match="1 problem"):
        run(write(tmp_path, bad))
    assert f"line 2, expo_year: “{year}” is not a year" in capsys.readouterr().err
    assert not Exhibitor.objects.exists()


def test_a_control_character_is_a_problem_of_its_line_and_column(tmp_path, capsys):
    """What the models' fields refuse: anything but one line in a name, a city, a slug…; an
    escape or a bell anywhere, line breaks in a description or showcase included. A record
    over several lines is numbered by its last, as csv.DictReader counts."""
    header = ["slug", "name", "region", "city", "description", "expo", "expo_name", "expo_city"]
    rows = [
        [*header, "showcase"],
        ["a", "Atk\rBEGIN:VEVENT", "", "", "", "", "", "", ""],  # lines 2-3
        ["b", "B", "Two\nlines", "", "", "", "", "", ""],  # lines 4-5
        ["c", "C", "", "Tab\there", "", "", "", "", ""],  # line 6
        ["d", "D", "", "", "Bell\x07", "", "", "", ""],  # line 7
        ["e", "E", "", "", "", "x", "Expo\x1b[31m", "", ""],  # line 8
        ["f", "F", "", "", "", "y", "Y", "Line\u2028separator", ""],  # line 9
        ["g", "G", "", "", "", "z", "Z", "", "Shown\x1b"],  # line 10
        ["h", "H", "", "", "Para one.\r\n\tPara two.", "w", "W", "", "Lines\nare fine"],
    ]  # fmt: skip
    with open(tmp_path / "c.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(CommandError, match="7 problem"):
        run(str(tmp_path / "c.csv"))
    err = capsys.readouterr().err
    one_line = "Enter one line of text: line breaks, tabs and other control characters"
    for line, column in [
        (3, "name"),
        (5, "region"),
        (6, "city"),
        (8, "expo_name"),
        (9, "expo_city"),
    ]:
        assert f"line {line}, {column}: {one_line}" in err
    lines = "Control characters are not allowed (line breaks and tabs are)."
    for line, column in [(7, "description"), (10, "showcase")]:
        assert f"line {line}, {column}: {lines}" in err
    assert not Exhibitor.objects.exists()


def test_a_json_lines_file_is_held_to_the_same_characters(tmp_path, capsys):
    rows = [{"slug": "a", "name": "Atk\u2029x", "expo": "x", "expo_name": "X\nY"}]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with pytest.raises(CommandError, match="2 problem"):
        run(str(path))
    err = capsys.readouterr().err
    assert "line 1, name: Enter one line of text" in err
    assert "line 1, expo_name: Enter one line of text" in err
