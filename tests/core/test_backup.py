"""manage.py backup and restore: every record comes back, and a bad file changes nothing."""

import io
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import backups
from tests.scratch_databases import conninfo, fresh_database, manage, table_digests

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.slow]


@pytest.fixture
def backup(tmp_path):
    """A backup of the seeded test database."""
    path = tmp_path / "seed.dump"
    said = io.StringIO()
    call_command("backup", "--output", str(path), stdout=said)
    assert said.getvalue().strip() == f"Backed up to {path}."
    return path


def restore_into(name, path):
    """backups.restore in this process, as the command runs it, into database `name`."""
    backups.restore(
        path,
        settings_dict={**connection.settings_dict, "NAME": name},
        server=backups.server_major(connection),
    )


def test_backup_restores_every_record_into_a_fresh_database(backup):
    original = table_digests(connection.settings_dict["NAME"])
    assert original["exhibitors_exhibitor"][0] >= 11  # the seed is in the backup
    assert original["django_migrations"][0] > 0
    with fresh_database("restore") as fresh:
        result = manage(fresh, "restore", str(backup), "--no-input")
        assert result.returncode == 0, result.stderr
        assert "Restored" in result.stdout
        assert table_digests(fresh) == original


def test_restore_replaces_changed_records(backup):
    with fresh_database("replace") as fresh:
        assert manage(fresh, "restore", str(backup), "--no-input").returncode == 0
        restored = table_digests(fresh)
        with psycopg.connect(**conninfo(fresh)) as database:
            database.execute("UPDATE exhibitors_exhibitor SET name = 'changed', name_en = 'x'")
            database.execute("DELETE FROM core_citation")
        assert table_digests(fresh) != restored
        restore_into(fresh, backup)
        assert table_digests(fresh) == restored


def test_truncated_backup_is_refused_and_changes_nothing(backup, tmp_path):
    truncated = tmp_path / "truncated.dump"
    data = backup.read_bytes()
    truncated.write_bytes(data[: len(data) * 2 // 3])
    with fresh_database("truncated") as fresh:
        assert manage(fresh, "restore", str(backup), "--no-input").returncode == 0
        with psycopg.connect(**conninfo(fresh)) as database:
            database.execute("UPDATE exhibitors_exhibitor SET name = 'after the backup'")
        before = table_digests(fresh)
        result = manage(fresh, "restore", str(truncated), "--no-input")
        assert result.returncode == 1
        assert "truncated.dump is not a readable backup" in result.stderr
        assert "end of file" in result.stderr
        assert table_digests(fresh) == before


def test_restore_that_fails_midway_is_rolled_back(backup):
    with fresh_database("rollback") as fresh:
        assert manage(fresh, "restore", str(backup), "--no-input").returncode == 0
        with psycopg.connect(**conninfo(fresh)) as database:
            database.execute("UPDATE exhibitors_exhibitor SET name = 'after the backup'")
            # Something the backup does not know depends on a table it replaces: dropping that
            # table fails, after the tables dropped before it.
            database.execute("CREATE VIEW kept AS SELECT id FROM exhibitors_sector")
        before = table_digests(fresh)
        with pytest.raises(backups.BackupError) as failed:
            restore_into(fresh, backup)
        assert str(failed.value).startswith(
            "The restore failed and was rolled back; the database is as it was: pg_restore: "
        )
        assert "depend" in str(failed.value)
        assert table_digests(fresh) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "No such backup file"), (b"not a backup\n", "is not a readable backup")],
)
def test_restore_of_a_missing_or_corrupt_file_is_refused(tmp_path, content, message):
    path = tmp_path / "backup.dump"
    if content is not None:
        path.write_bytes(content)
    before = table_digests(connection.settings_dict["NAME"])
    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), "--no-input")
    assert table_digests(connection.settings_dict["NAME"]) == before


def test_restore_without_a_file_names_what_is_missing():
    with pytest.raises(CommandError, match="Name the backup to restore"):
        call_command("restore", "--no-input")


def refuse(prompt):
    raise EOFError


@pytest.mark.parametrize("answer", [lambda prompt: "no", refuse], ids=["no", "no terminal"])
def test_restore_asks_before_replacing_and_stops_unless_told_yes(backup, monkeypatch, answer):
    before = table_digests(connection.settings_dict["NAME"])
    monkeypatch.setattr("builtins.input", answer)
    with pytest.raises(CommandError, match="Restore cancelled; nothing was changed"):
        call_command("restore", str(backup))
    assert table_digests(connection.settings_dict["NAME"]) == before


def test_backup_refuses_to_overwrite_a_file(backup):
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", "--output", str(backup))


def test_backup_default_path_is_under_backups_with_the_utc_time():
    from datetime import UTC, datetime

    path = backups.default_path("expo_directory", datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC))
    assert path.parts[-2:] == ("backups", "expo_directory-20310506T070809Z.dump")


def test_client_is_of_the_servers_major_version():
    server = backups.server_major(connection)
    for program in ("pg_dump", "pg_restore"):
        chosen = backups.find_client(program, server)
        assert (chosen.path.name, chosen.major) == (program, server)
    # A newer client's backup would not restore into an older server: none is used.
    with pytest.raises(backups.BackupError, match="No pg_restore for PostgreSQL 12 "):
        backups.find_client("pg_restore", 12)


def test_client_version_of_what_is_not_a_postgresql_program_is_none(tmp_path):
    assert backups.client_version(tmp_path / "missing") is None
    assert backups.client_version(Path(sys.executable)) is None  # answers, but not PostgreSQL


def test_without_the_embedded_wheel_only_path_is_searched(monkeypatch):
    monkeypatch.setattr(backups.importlib.util, "find_spec", lambda name: None)
    assert backups.embedded_bin() is None
    with pytest.raises(backups.BackupError, match="No pg_dump for PostgreSQL 99"):
        backups.find_client("pg_dump", 99)


def test_restore_of_a_missing_file_is_refused_before_any_client_runs(tmp_path):
    with pytest.raises(backups.BackupError, match="No such backup file"):
        restore_into("unused", tmp_path / "missing.dump")


def test_backup_that_cannot_be_taken_says_why_and_leaves_no_file(tmp_path, monkeypatch):
    # A server that is not there: a socket folder with no socket in it.
    nowhere = {"PGHOST": str(tmp_path), "PGPORT": "1", "PGDATABASE": "x"}
    monkeypatch.setattr(backups, "client_environment", lambda settings_dict: nowhere)
    path = tmp_path / "never.dump"
    with pytest.raises(CommandError, match=r"pg_dump failed: .*connection to server"):
        call_command("backup", "--output", str(path))
    assert list(tmp_path.iterdir()) == []
