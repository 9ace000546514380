"""The import's summary says what it creates and changes; --dry-run says it and writes nothing."""

import pytest
from django.core.management import CommandError
from django.db import connection

from core.changelog import dataversion
from exhibitors.models import Exhibitor
from expos import importing
from expos.models import Expo, ImportRun, Participation
from tests.expos.importing.files import GOOD, exit_code, run, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]

CREATED = "2 expos (sce-2031, scewc-2030), 2 exhibitors, 2 sectors of exhibitors, 3 participations"


def contents():
    """Every row of the tables an import writes, and of the import history."""
    links = Exhibitor.sectors.through
    return {
        model._meta.db_table: list(model.objects.order_by("pk").values())
        for model in (Expo, Exhibitor, links, Participation, ImportRun)
    } | {"version": dataversion.current()}


def test_the_summary_says_what_the_import_created_and_changed(tmp_path, capsys):
    run(write(tmp_path, GOOD))
    out = capsys.readouterr().out
    assert "Imported 3 rows: 2 exhibitors, 2 expos, 3 participations." in out
    assert f"Created {CREATED}." in out
    # One sector fewer for acme-iot, and another showcase.
    changed = GOOD.replace("digital-twin;smart-lighting", "digital-twin").replace("Lamps", "LED")
    run(write(tmp_path, changed))
    assert "Updated 1 participation; removed 1 sector of an exhibitor." in capsys.readouterr().out
    run(write(tmp_path, changed))
    assert "Nothing changed." in capsys.readouterr().out


def test_a_dry_run_says_what_it_would_do_and_leaves_the_database_as_it_was(tmp_path, capsys):
    path = write(tmp_path, GOOD)
    before = contents()
    assert exit_code("import_directory", path, "--no-progress", "--dry-run") == 0
    out = capsys.readouterr().out
    assert f"Would create {CREATED}." in out
    assert "Dry run: nothing was written." in out
    assert contents() == before
    assert not ImportRun.objects.exists()
    # The same file imported for real does what the dry run said.
    run(path)
    assert f"Created {CREATED}." in capsys.readouterr().out
    before = contents()
    run(write(tmp_path, GOOD.replace("Lamps", "LED")), "--dry-run")
    assert "Would update 1 participation." in capsys.readouterr().out
    assert contents() == before


def test_a_dry_run_of_a_bad_file_reports_every_problem_and_records_nothing(tmp_path, capsys):
    path = write(tmp_path, GOOD.replace("sce-2031,SCE 2031,2031,CN", "sce-2013,,,"))
    assert exit_code("import_directory", path, "--no-progress", "--dry-run") == 1
    err = capsys.readouterr().err
    assert f"{path}: line 3, expo: No expo has the slug “sce-2013”" in err
    assert not Expo.objects.exists()
    assert not ImportRun.objects.exists()


def test_a_dry_run_inside_a_transaction_leaves_it_usable(tmp_path):
    counts = importing.import_directory(write(tmp_path, GOOD), dry_run=True)
    assert counts["new_expos"] == ["sce-2031", "scewc-2030"]
    assert counts["tables"]["exhibitors_exhibitor"]["inserted"] == 2
    assert not Exhibitor.objects.exists()
    with connection.cursor() as cursor:  # the staging tables went with the rollback
        cursor.execute("SELECT to_regclass('import_rows')")
        assert cursor.fetchone() == (None,)
    importing.import_directory(write(tmp_path, GOOD))
    assert Exhibitor.objects.count() == 2


def test_a_dry_run_with_an_unknown_staff_user_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--user nobody"):
        run(write(tmp_path, GOOD), "--dry-run", "--user", "nobody")


def test_the_summary_names_ten_new_expos_and_counts_the_others():
    written = {"inserted": 12, "updated": 0, "deleted": 0}
    counts = {
        "tables": {"expos_expo": written, "expos_participation": {**written, "inserted": 1}},
        "new_expos": [f"expo-{n:02}" for n in range(12)],
    }
    named = ", ".join(f"expo-{n:02}" for n in range(10))
    assert importing.describe_changes(counts, dry_run=True) == (
        f"Would create 12 expos ({named} and 2 more), 1 participation."
    )
    nothing = {"tables": {"expos_expo": {**written, "inserted": 0}}, "new_expos": []}
    assert importing.describe_changes(nothing, dry_run=True) == "Nothing would change."
