"""An import never invents a record from a slug: an expo or a sector slug that matches nothing,
on a row without what creates one, refuses the whole file with its line and slug."""

import contextlib

import psycopg
import pytest
from django.core.management import CommandError
from django.db import connection

from exhibitors.models import Exhibitor
from expos import importing
from expos.importing import importer
from expos.models import Expo, ImportOutcome, ImportRun, Participation
from tests import factories
from tests.expos.importing.files import GOOD, HEADER, exit_code, run, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]

# A typo in an expo's slug (scewc-2003 for scewc-2030) on lines 3 and 5, with no expo_name.
TYPO = HEADER + (
    "acme-iot,Acme IoT,ES,Barcelona,,,scewc-2030,SCEWC 2030,2030,ES,Twin city demo\n"
    "beijing-zhicheng,北京智城科技,CN,北京,,,scewc-2003,,,,\n"  # line 3
    "lumen,Lumen,PT,,,,scewc-2030,SCEWC 2030,2030,ES,\n"
    "lumen-two,Lumen Two,PT,,,,scewc-2003,,,,\n"  # line 5: the same typo again
)
UNKNOWN_EXPO = "No expo has the slug “scewc-2003”: give its expo_name to create it."


def test_an_unknown_expo_slug_without_a_name_refuses_the_file(tmp_path, capsys):
    path = write(tmp_path, TYPO)
    assert exit_code("import_directory", path, "--no-progress") == 1
    err = capsys.readouterr().err
    assert f"{path}: line 3, expo: {UNKNOWN_EXPO}" in err
    assert f"{path}: line 5, expo: {UNKNOWN_EXPO}" in err
    assert f"2 problems in {path}; nothing was imported." in err
    assert not Expo.objects.exists()
    assert not Exhibitor.objects.exists()
    entry = ImportRun.objects.get()
    assert entry.outcome == ImportOutcome.FAILED
    assert f"line 3, expo: {UNKNOWN_EXPO}" in entry.error


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "indexed"])
def test_an_unknown_expo_is_refused_by_the_bulk_and_the_indexed_writes(tmp_path, bulk):
    factories.ExhibitorFactory(slug="existing", name="Existing")
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_directory(write(tmp_path, TYPO), bulk=bulk)
    assert rejected.value.errors == [(3, "expo", UNKNOWN_EXPO), (5, "expo", UNKNOWN_EXPO)]
    assert list(Exhibitor.objects.values_list("slug", flat=True)) == ["existing"]
    assert not Expo.objects.exists()
    assert ImportRun.objects.get().outcome == ImportOutcome.FAILED


def test_an_unknown_expo_is_refused_from_rows_as_generate_directory_gives_them():
    rows = [(2, {"slug": "a", "name": "A", "expo": "typo-expo", "expo_year": "2030"})]
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_rows(rows)
    assert rejected.value.errors == [
        (2, "expo", "No expo has the slug “typo-expo”: give its expo_name to create it.")
    ]
    assert not Exhibitor.objects.exists()


def test_an_expo_named_on_any_of_its_rows_is_created_with_that_name(tmp_path):
    text = "slug,name,expo,expo_name\na,A,new-expo,\nb,B,new-expo,New Expo\n"
    run(write(tmp_path, text))
    assert Expo.objects.get().name == "New Expo"
    assert Participation.objects.filter(expo__slug="new-expo").count() == 2


def test_a_known_expo_needs_no_name_and_keeps_its_own(tmp_path):
    factories.ExpoFactory(slug="smart-expo", name="SMART Expo, Bilbao")
    run(write(tmp_path, "slug,name,expo,expo_name\na,A,smart-expo,\n"))
    assert Expo.objects.get().name == "SMART Expo, Bilbao"
    # A name the file states is written, even one spelt like the slug.
    run(write(tmp_path, "slug,name,expo,expo_name\na,A,smart-expo,Smart Expo\n"))
    assert Expo.objects.get().name == "Smart Expo"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("bulk", [True, False], ids=["bulk", "indexed"])
def test_an_unknown_sector_slug_refuses_the_file(tmp_path, bulk):
    text = HEADER + (
        "acme-iot,Acme IoT,ES,,digital-twin,,,,,,\n"
        "lumen,Lumen,PT,,smart-lighting;smart-lightning,,,,,,\n"  # line 3: no such sector
    )
    with pytest.raises(importing.ImportRejected) as rejected:
        importing.import_directory(write(tmp_path, text), bulk=bulk)
    assert rejected.value.errors == [(3, "sectors", "Unknown sector(s): smart-lightning.")]
    assert not Exhibitor.objects.exists()
    assert ImportRun.objects.get().outcome == ImportOutcome.FAILED


def test_every_problem_of_a_file_is_listed_with_its_line_up_to_a_limit(tmp_path, capsys):
    lines = "".join(f"e{n},E{n},,,,,typo-{n:03},,,,\n" for n in range(250))  # lines 2-251
    path = write(tmp_path, HEADER + lines + "bad,Bad,XX,,teleportation,,,,,,\n")  # line 252
    with pytest.raises(CommandError, match=r"252 problems in "):
        run(path)
    err = capsys.readouterr().err.splitlines()
    listed = [line for line in err if line.startswith(f"{path}: line ")]
    assert len(listed) == 200
    assert listed[0] == (
        f"{path}: line 2, expo: No expo has the slug “typo-000”: give its expo_name to create it."
    )
    assert listed[-1].startswith(f"{path}: line 201, expo: No expo has the slug “typo-199”")
    assert "… and 52 more, not listed: only the first 200 problems are." in err
    assert not Exhibitor.objects.exists()


def test_the_good_file_is_still_imported(tmp_path):
    run(write(tmp_path, GOOD))
    assert sorted(Expo.objects.values_list("slug", "name")) == [
        ("sce-2031", "SCE 2031"),
        ("scewc-2030", "SCEWC 2030"),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_sectors_and_expos_checked_cannot_be_deleted_before_the_import_commits(
    tmp_path, monkeypatch
):
    """A sector or an expo found while checking would otherwise be gone when written: the
    rows' links to a deleted sector silently dropped, a deleted expo created again nameless."""
    factories.ExpoFactory(slug="known-expo", name="Known Expo")
    text = "slug,name,sectors,expo\na,A,smart-lighting,known-expo\n"
    refused = []
    checked = importer.check_across_rows

    def delete_between_checks_and_writes(cursor, problems):
        summary = checked(cursor, problems)
        other = psycopg.connect(**connection.get_connection_params(), autocommit=True)
        try:
            other.execute("SET lock_timeout = '100ms'")
            for statement in (
                "DELETE FROM exhibitors_sector WHERE slug = 'smart-lighting'",
                "DELETE FROM expos_expo WHERE slug = 'known-expo'",
            ):
                with contextlib.suppress(psycopg.errors.LockNotAvailable):
                    other.execute(statement)
                    continue
                refused.append(statement.split()[2])
        finally:
            other.close()
        return summary

    monkeypatch.setattr(importer, "check_across_rows", delete_between_checks_and_writes)
    importing.import_directory(write(tmp_path, text))
    assert refused == ["exhibitors_sector", "expos_expo"]
    a = Exhibitor.objects.get(slug="a")
    assert list(a.sectors.values_list("slug", flat=True)) == ["smart-lighting"]
    assert Participation.objects.get(exhibitor=a).expo.name == "Known Expo"
