"""bench/changelog.py: the triggers it switches off are every change-log trigger, and with them
off a write leaves no entry, on again one."""

import pytest
from django.db import connection

from bench import changelog
from core.changelog import log as core_changelog
from core.models import Change
from exhibitors.models import Exhibitor
from tests import factories as f


def run(statement, parameters=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, parameters)
        return cursor.fetchall() if cursor.description else []


@pytest.mark.django_db
def test_the_triggers_found_are_the_four_of_every_tracked_table():
    triggers = run(changelog.TRIGGERS_QUERY, [changelog.TRIGGER_PREFIX])
    found = {}
    for table, name in triggers:
        found.setdefault(table, set()).add(name.rsplit("_", 1)[0])
    kinds = {f"pgtrigger_change_log_{k}" for k in ("insert", "update", "delete", "truncate")}
    assert found == {m._meta.db_table: kinds for m in core_changelog.TRACKED.values()}


@pytest.mark.django_db
def test_a_write_with_the_triggers_disabled_leaves_no_entry_and_enabled_again_one():
    exhibitor = f.ExhibitorFactory()
    triggers = run(changelog.TRIGGERS_QUERY, [changelog.TRIGGER_PREFIX])

    def updates():
        return Change.objects.filter(
            model="exhibitors.exhibitor", record_id=exhibitor.pk, operation="U"
        ).count()

    for statement in changelog.toggle_statements(triggers, enabled=False):
        run(statement)
    Exhibitor.objects.filter(pk=exhibitor.pk).update(website="https://example.org/off")
    assert updates() == 0
    for statement in changelog.toggle_statements(triggers, enabled=True):
        run(statement)
    Exhibitor.objects.filter(pk=exhibitor.pk).update(website="https://example.org/on")
    assert updates() == 1


def test_toggle_statements_quote_each_table_and_trigger():
    triggers = [("expos_expo", "pgtrigger_change_log_insert_1a2b3"), ('od"d', "t")]
    assert changelog.toggle_statements(triggers, enabled=False) == [
        'ALTER TABLE "expos_expo" DISABLE TRIGGER "pgtrigger_change_log_insert_1a2b3"',
        'ALTER TABLE "od""d" DISABLE TRIGGER "t"',
    ]
    assert changelog.toggle_statements(triggers[:1], enabled=True) == [
        'ALTER TABLE "expos_expo" ENABLE TRIGGER "pgtrigger_change_log_insert_1a2b3"'
    ]


def test_the_rows_imported_are_read_from_the_summary():
    summary = "Imported 1002184 rows: 333333 exhibitors, 1666 expos, 1002184 participations."
    assert changelog.imported_rows(summary) == 1_002_184
    with pytest.raises(SystemExit, match="no row count"):
        changelog.imported_rows("Nothing to import.")
