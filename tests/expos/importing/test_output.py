"""What the management commands print: counts in the singular for one and the plural
otherwise, records named as the admin names them (never a table's name), and a progress bar
only on a terminal and only once there is progress."""

import io

import pytest
from django.core.management import CommandError, call_command

from expos.models import ImportRun
from tests.expos.importing.files import GOOD, HEADER, write

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sectors")]

ROWS = GOOD.splitlines(keepends=True)[1:]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def imported(path, *options, stderr=None):
    out, err = io.StringIO(), stderr or io.StringIO()
    call_command("import_directory", path, *options, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_one_row_is_counted_in_the_singular(tmp_path):
    out, err = imported(write(tmp_path, HEADER + ROWS[0]))
    assert out.splitlines()[0] == "Imported 1 row: 1 exhibitor, 1 expo, 1 participation."
    assert "rows/s" not in err and "checked" not in err  # not a terminal: no bar


def test_two_rows_are_counted_in_the_plural(tmp_path):
    out, _err = imported(write(tmp_path, HEADER + ROWS[0] + ROWS[1]))
    assert out.splitlines()[0] == "Imported 2 rows: 1 exhibitor, 2 expos, 2 participations."


def test_a_dry_run_says_checked(tmp_path):
    out, _err = imported(write(tmp_path, HEADER + ROWS[0]), "--dry-run")
    assert out.splitlines()[0] == "Checked 1 row: 1 exhibitor, 1 expo, 1 participation."


def test_one_problem_is_counted_in_the_singular(tmp_path):
    path = write(tmp_path, HEADER + "bad slug!,Acme,ES,,,,scewc-2030,SCEWC 2030,2030,ES,\n")
    with pytest.raises(CommandError) as raised:
        imported(path)
    assert str(raised.value) == f"1 problem in {path}; nothing was imported."
    entry = ImportRun.objects.get()
    assert entry.error.startswith("1 problem, nothing imported: line 2")


def test_the_progress_bar_shows_on_a_terminal(tmp_path):
    _out, err = imported(write(tmp_path, GOOD), stderr=Terminal())
    assert "checked: 3 rows" in err


def test_no_progress_bar_for_a_file_without_rows_nor_with_no_progress(tmp_path):
    terminal = Terminal()
    with pytest.raises(CommandError, match="nothing was imported"):
        imported(write(tmp_path, HEADER), stderr=terminal)  # a file without rows is refused
    assert "checked" not in terminal.getvalue()
    _out, err = imported(write(tmp_path, GOOD), "--no-progress", stderr=Terminal())
    assert "checked" not in err


def test_the_import_history_names_records_not_tables(tmp_path, admin_client):
    imported(write(tmp_path, GOOD))
    entry = ImportRun.objects.get()
    page = admin_client.get(f"/admin/expos/importrun/{entry.pk}/change/").content.decode()
    assert "sectors of exhibitors: 2 inserted, 0 updated, 0 deleted" in page
    assert "exhibitors_exhibitor_sectors" not in page
    spanish = admin_client.get(
        f"/admin/expos/importrun/{entry.pk}/change/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "sectores de expositores:" in spanish


def test_generate_directory_counts_rows(tmp_path):
    out = io.StringIO()
    path = tmp_path / "one.csv"
    call_command(
        "generate_directory",
        "--exhibitors",
        "1",
        "--participations",
        "1",
        "--output",
        str(path),
        stdout=out,
    )
    assert out.getvalue() == f"Wrote 1 row to {path}.\n"


@pytest.mark.parametrize(("days", "said"), [("1", "1 day"), ("2", "2 days")])
def test_prune_changes_counts_in_the_singular_and_plural(days, said):
    out = io.StringIO()
    call_command("prune_changes", "--days", days, stdout=out)
    assert out.getvalue() == f"Removed 0 entries of 0 transactions older than {said}.\n"


@pytest.mark.parametrize(
    ("exhibitors", "said"),
    [
        ("1", "Generated 1 synthetic exhibitor, 1 expo and 1 participation (1 row)."),
        ("2", "Generated 2 synthetic exhibitors, 1 expo and 2 participations (2 rows)."),
    ],
)
def test_generate_directory_counts_what_it_generated(exhibitors, said):
    out = io.StringIO()
    call_command(
        "generate_directory",
        "--exhibitors",
        exhibitors,
        "--expos",
        "1",
        "--participations",
        "1",
        stdout=out,
    )
    assert out.getvalue() == said + "\n"


def test_an_import_by_a_staff_member_is_in_their_recent_actions(tmp_path, django_user_model):
    from django.contrib.admin.models import ADDITION, LogEntry

    editor = django_user_model.objects.create_user("editor", is_staff=True)
    imported(write(tmp_path, HEADER + ROWS[0]), "--user", "editor")
    imported(write(tmp_path, HEADER + ROWS[0] + ROWS[1], "two.csv"), "--user", "editor")
    runs = list(ImportRun.objects.order_by("id"))
    logged = list(LogEntry.objects.filter(user=editor).order_by("id"))
    assert [(e.action_flag, e.object_id, e.object_repr) for e in logged] == [
        (ADDITION, str(run.pk), str(run)) for run in runs
    ]
    assert [e.get_change_message() for e in logged] == [
        "Imported from the command line: 1 row.",
        "Imported from the command line: 2 rows.",
    ]
    imported(write(tmp_path, GOOD, "dry.csv"), "--user", "editor", "--dry-run")
    assert LogEntry.objects.filter(user=editor).count() == 2
