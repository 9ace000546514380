"""Every file import leaves one entry in the import history, shown read-only in the admin."""

import getpass

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from django.urls import reverse

from exhibitors.models import Exhibitor
from expos import importing
from expos.models import Expo, ImportOutcome, ImportRun, Participation
from tests import factories
from tests.expos.importing.files import GOOD, HEADER, run, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]

BAD = HEADER + (
    "good-one,Good One,ES,,,,expo-x,Expo X,2030,ES,\nbad-country,Bad Country,XX,,,,,,,,\n"  # line 3
)


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)


def test_import_records_one_entry_with_rows_per_table(tmp_path, staff):
    path = write(tmp_path, GOOD)
    call_command("import_directory", path, "--no-progress", "--user", "editor")
    entry = ImportRun.objects.get()
    assert (entry.file_name, entry.outcome, entry.user, entry.rows) == (
        path,
        ImportOutcome.SUCCEEDED,
        staff,
        3,
    )
    assert entry.error == ""
    assert entry.started <= entry.finished
    assert entry.tables == {
        "expos_expo": {"inserted": 2, "updated": 0, "deleted": 0},
        "exhibitors_exhibitor": {"inserted": 2, "updated": 0, "deleted": 0},
        "exhibitors_exhibitor_sectors": {"inserted": 2, "updated": 0, "deleted": 0},
        "expos_participation": {"inserted": 3, "updated": 0, "deleted": 0},
    }


def test_reimport_records_what_it_updated_and_left_alone(tmp_path):
    run(write(tmp_path, GOOD))
    # A new showcase, and one sector fewer for acme-iot.
    changed = GOOD.replace("Twin city demo", "Digital twin")
    changed = changed.replace("digital-twin;smart-lighting", "digital-twin")
    run(write(tmp_path, changed, "again.csv"))
    latest = ImportRun.objects.first()  # newest first
    assert latest.file_name.endswith("again.csv")
    assert latest.user is None
    assert latest.tables == {
        "expos_expo": {"inserted": 0, "updated": 0, "deleted": 0},
        "exhibitors_exhibitor": {"inserted": 0, "updated": 0, "deleted": 0},
        "exhibitors_exhibitor_sectors": {"inserted": 0, "updated": 0, "deleted": 1},
        "expos_participation": {"inserted": 0, "updated": 1, "deleted": 0},
    }
    assert ImportRun.objects.count() == 2


def test_failed_import_records_its_error_and_leaves_no_data(tmp_path, staff):
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_directory", write(tmp_path, BAD), "--no-progress", "--user", "editor")
    assert not Exhibitor.objects.filter(slug__in=["good-one", "bad-country"]).exists()
    assert not Expo.objects.filter(slug="expo-x").exists()
    assert Participation.objects.count() == 0
    entry = ImportRun.objects.get()
    assert (entry.outcome, entry.user, entry.rows, entry.tables) == (
        ImportOutcome.FAILED,
        staff,
        None,
        {},
    )
    assert entry.error == (
        "1 problem, nothing imported: line 3, country: “XX” is not an ISO 3166-1 alpha-2 "
        "country code."
    )
    assert entry.finished >= entry.started


def test_missing_file_is_recorded_as_failed(tmp_path):
    missing = str(tmp_path / "nowhere.csv")
    with pytest.raises(CommandError, match="No such file"):
        run(missing)
    entry = ImportRun.objects.get()
    assert (entry.outcome, entry.error) == (ImportOutcome.FAILED, f"No such file: {missing}")


def test_import_by_someone_not_staff_is_refused_before_reading(tmp_path, django_user_model):
    django_user_model.objects.create_user("visitor", password="pw-visitor-1")
    for username in ("visitor", "nobody"):
        with pytest.raises(CommandError, match=f"--user {username}: no active staff user"):
            call_command(
                "import_directory", write(tmp_path, GOOD), "--no-progress", "--user", username
            )
    assert not ImportRun.objects.exists()
    assert not Exhibitor.objects.exists()


def test_recording_an_import_leaves_the_data_version_alone(tmp_path):
    from core.changelog import dataversion

    before = dataversion.current()
    with pytest.raises(CommandError):
        run(write(tmp_path, BAD))
    assert dataversion.current() == before


def test_admin_lists_imports_read_only_with_filters(admin_client, client, tmp_path, staff):
    run(write(tmp_path, GOOD))
    with pytest.raises(CommandError):
        run(write(tmp_path, BAD, "bad.csv"))
    changelist = reverse("admin:expos_importrun_changelist")
    failed = admin_client.get(changelist, {"outcome__exact": "failed"})
    assert [entry.file_name for entry in failed.context["cl"].result_list] == [
        str(tmp_path / "bad.csv")
    ]
    assert admin_client.get(changelist).context["cl"].result_count == 2
    entry = ImportRun.objects.get(outcome=ImportOutcome.SUCCEEDED)
    page = admin_client.get(reverse("admin:expos_importrun_change", args=[entry.pk]))
    html = page.content.decode()
    assert "participations: 3 inserted, 0 updated, 0 deleted" in html
    assert 'name="file_name"' not in html  # shown, not editable
    assert admin_client.get(reverse("admin:expos_importrun_add")).status_code == 403
    # A staff member may look (given the permission), never delete.
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(Permission.objects.get(codename="view_importrun"))
    client.force_login(staff)
    assert client.get(changelist).context["cl"].result_count == 2
    delete = reverse("admin:expos_importrun_delete", args=[entry.pk])
    assert client.get(delete).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not ImportRun.objects.filter(pk=entry.pk).exists()


def test_import_of_existing_records_counts_updates(tmp_path):
    factories.ExhibitorFactory(slug="acme-iot", name="Acme old name")
    run(write(tmp_path, GOOD))
    assert ImportRun.objects.get().tables["exhibitors_exhibitor"] == {
        "inserted": 1,
        "updated": 1,
        "deleted": 0,
    }


def test_file_that_is_not_utf8_is_recorded_as_failed(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(HEADER.encode() + "caf\xe9,Café,ES,,,,,,,,\n".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8 text"):
        run(str(path))
    entry = ImportRun.objects.get()
    assert entry.outcome == ImportOutcome.FAILED
    assert entry.error == "Not UTF-8 text (invalid continuation byte)."


@pytest.mark.parametrize(
    ("error", "recorded"),
    [(RuntimeError("disk full"), "RuntimeError: disk full"), (KeyboardInterrupt(), "Interrupted.")],
)
def test_unexpected_error_is_recorded_with_its_kind(tmp_path, monkeypatch, error, recorded):
    def break_down(*args, **kwargs):
        raise error

    monkeypatch.setattr("expos.importing.importer.import_records", break_down)
    with pytest.raises(type(error)):
        importing.import_directory(write(tmp_path, GOOD))
    assert ImportRun.objects.get().error == recorded


def test_import_error_wins_over_a_failure_to_record_it(tmp_path, monkeypatch, caplog):
    def break_down(*args, **kwargs):
        raise RuntimeError("disk full")

    def unreachable(**kwargs):
        raise DatabaseError("the server went away")

    monkeypatch.setattr("expos.importing.importer.import_records", break_down)
    monkeypatch.setattr(ImportRun.objects, "filter", unreachable)
    with pytest.raises(RuntimeError, match="disk full"):
        importing.import_directory(write(tmp_path, GOOD))
    assert "Could not record the failed import of" in caplog.text


def test_many_problems_are_summarised_in_the_entry(tmp_path):
    bad = HEADER + "".join(f"bad-{n},Bad {n},XX,,,,,,,,\n" for n in range(25))
    with pytest.raises(CommandError, match="25 problem"):
        run(write(tmp_path, bad))
    error = ImportRun.objects.get().error
    assert error.startswith("25 problems, nothing imported: line 2, country: “XX”")
    assert error.count("is not an ISO 3166-1 alpha-2 country code") == 20
    assert error.endswith("; … and 5 more.")


def test_entry_names_the_system_account_when_it_has_one(tmp_path, monkeypatch):
    run(write(tmp_path, GOOD))
    assert ImportRun.objects.get().system_user == getpass.getuser()

    def nameless():
        raise OSError("no login name")

    monkeypatch.setattr(getpass, "getuser", nameless)
    run(write(tmp_path, GOOD))
    assert ImportRun.objects.first().system_user == ""


def test_a_file_name_with_a_line_break_is_recorded_escaped(tmp_path):
    path = write(tmp_path, GOOD, name="two\nlines\x1b.csv")
    importing.import_directory(path)
    entry = ImportRun.objects.get()
    assert entry.file_name.endswith("two\\nlines\\x1b.csv")
    assert entry.outcome == ImportOutcome.SUCCEEDED
