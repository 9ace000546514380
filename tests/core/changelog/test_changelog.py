"""The change log: written by the database for every writer, read in commit order whatever
order ids were given in, and the data version that comes from it."""

import base64
import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from core.changelog import dataversion
from core.changelog import log as changelog
from core.models import Change, ChangeSet, Operation, Pruning
from exhibitors.models import Exhibitor, Sector
from expos.models import Deal, Expo
from tests import factories as f

pytestmark = pytest.mark.django_db


def entries(model, pk):
    label = model._meta.label_lower
    return list(Change.objects.filter(model=label, record_id=pk).order_by("id"))


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_directory_table_is_tracked_and_its_triggers_installed():
    from django.apps import apps

    from core.lists.counttables import CountModel
    from core.models import Pruning
    from expos.models import ImportRun

    # Every table but the count tables, the import history and the change log's own.
    expected = {
        model._meta.label_lower
        for label in ("core", "exhibitors", "expos")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if not issubclass(model, CountModel)
        and model not in (ImportRun, Change, ChangeSet, Pruning)
    }
    assert set(changelog.TRACKED) == expected
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE t.tgname LIKE 'pgtrigger_change_log_%%' AND t.tgenabled = 'O'"
        )
        installed = {}
        for table, name in cursor.fetchall():
            installed.setdefault(table, []).append(name.rsplit("_", 1)[0])
    kinds = sorted(f"pgtrigger_change_log_{k}" for k in ("insert", "update", "delete", "truncate"))
    # Each table once, with one trigger of each kind: none missing, none left twice.
    assert {m._meta.db_table: kinds for m in changelog.TRACKED.values()} == {
        table: sorted(names) for table, names in installed.items()
    }


def test_insert_update_and_delete_are_entries_with_the_values_before():
    sector = Sector.objects.create(slug="grid", name="Grid")
    Sector.objects.filter(pk=sector.pk).update(name="Smart grid")
    Sector.objects.filter(pk=sector.pk).delete()
    insert, update, delete = entries(Sector, sector.pk)
    assert [e.operation for e in (insert, update, delete)] == ["I", "U", "D"]
    assert {e.slug for e in (insert, update, delete)} == {"grid"}
    assert insert.before is None
    assert update.before["name_en"] == "Grid"
    assert delete.before["name_en"] == "Smart grid" and delete.before["id"] == sector.pk
    assert len({insert.xid, update.xid, delete.xid}) == 1  # one transaction: the test's
    assert ChangeSet.objects.filter(xid=insert.xid).exists()


def test_generated_columns_are_left_out_of_the_values_before():
    exhibitor = f.ExhibitorFactory(name="Dahua")
    Exhibitor.objects.filter(pk=exhibitor.pk).update(name="Dahua Technology")
    (update,) = [e for e in entries(Exhibitor, exhibitor.pk) if e.operation == "U"]
    assert "search_vector" not in update.before and update.before["name_en"] == "Dahua"


def test_writes_outside_the_orm_are_entries_too():
    exhibitor = f.ExhibitorFactory()
    table = Exhibitor._meta.db_table
    raw(f"UPDATE {table} SET city = 'Ningbo' WHERE id = %s", [exhibitor.pk])
    Exhibitor.objects.bulk_create([Exhibitor(slug="bulk-a", name="A"), Exhibitor(slug="bulk-b")])
    raw(f"DELETE FROM {table} WHERE slug = 'bulk-a'")
    assert [e.operation for e in entries(Exhibitor, exhibitor.pk)] == ["I", "U"]
    assert Change.objects.filter(model="exhibitors.exhibitor", slug="bulk-a").count() == 2
    assert Change.objects.filter(model="exhibitors.exhibitor", slug="bulk-b").count() == 1


def test_a_link_is_an_entry_naming_its_owner():
    exhibitor, sector, deal = f.ExhibitorFactory(), f.SectorFactory(), f.DealFactory()
    exhibitor.sectors.add(sector)
    deal.parties.add(exhibitor)
    exhibitor.sectors.clear()
    links = Change.objects.filter(model="exhibitors.exhibitorsector").order_by("id")
    assert [(e.operation, e.owner_id) for e in links] == [("I", exhibitor.pk), ("D", exhibitor.pk)]
    assert links.last().before["sector_id"] == sector.pk
    (party,) = Change.objects.filter(model="expos.dealparty")
    assert party.owner_id == deal.pk


def test_an_update_that_changes_nothing_is_not_logged():
    exhibitor = f.ExhibitorFactory(city="Hangzhou")
    raw(f"UPDATE {Exhibitor._meta.db_table} SET city = city")
    assert [e.operation for e in entries(Exhibitor, exhibitor.pk)] == ["I"]


def test_truncate_is_logged_as_deleting_every_row():
    deal = f.DealFactory()
    exhibitor = f.ExhibitorFactory()
    deal.parties.add(exhibitor)
    raw("SET CONSTRAINTS ALL IMMEDIATE")  # no TRUNCATE while foreign-key checks are pending
    raw(f"TRUNCATE {Deal.parties.through._meta.db_table}")
    (gone,) = Change.objects.filter(model="expos.dealparty", operation="D")
    assert gone.before["exhibitor_id"] == exhibitor.pk


def test_one_statement_of_many_rows_is_one_statement_of_entries(django_assert_num_queries):
    """A bulk write pays once per statement: the triggers are statement-level."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'pgtrigger_change_log_%%'"
            " AND (tgtype & 1) = 1"  # TRIGGER_TYPE_ROW
        )
        assert cursor.fetchone()[0] == 0
    rows = [Sector(slug=f"s{n}", name=f"S{n}") for n in range(300)]
    with django_assert_num_queries(1):
        Sector.objects.bulk_create(rows)
    assert Change.objects.filter(model="exhibitors.sector", operation="I").count() >= 300


def test_the_editor_is_recorded_where_the_writer_names_one(django_user_model):
    editor = django_user_model.objects.create(username="editor")
    changelog.act_as(editor)
    sector = f.SectorFactory()
    (entry,) = entries(Sector, sector.pk)
    assert ChangeSet.objects.get(xid=entry.xid).actor == editor.pk


def test_an_anonymous_writer_is_recorded_as_no_one():
    from django.contrib.auth.models import AnonymousUser

    changelog.act_as(AnonymousUser())
    changelog.act_as(None)
    sector = f.SectorFactory()
    (entry,) = entries(Sector, sector.pk)
    assert ChangeSet.objects.get(xid=entry.xid).actor is None


# --- Two transactions at once -----------------------------------------------------------


class Held:
    """A transaction on a connection of its own, in a thread, held open until released."""

    def __init__(self, write):
        self.write = write
        self.ready, self.release = threading.Event(), threading.Event()
        self.error = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        assert self.ready.wait(30), "the held transaction never wrote"

    def run(self):
        try:
            with transaction.atomic():
                self.write()
                self.ready.set()
                assert self.release.wait(30)
        except Exception as error:  # reported by commit()
            self.error = error
            self.ready.set()
        finally:
            connections.close_all()

    def commit(self):
        self.release.set()
        self.thread.join(30)
        if self.error:
            raise self.error


def in_other_connection(work):
    """work(), committed on a connection of its own; its answer."""
    answer = {}

    def run():
        try:
            with transaction.atomic():
                answer["value"] = work()
        except Exception as error:
            answer["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(60)
    if "error" in answer:
        raise answer["error"]
    return answer["value"]


@pytest.mark.django_db(transaction=True)
def test_an_open_write_holds_up_no_write_to_another_record():
    first, second = f.ExhibitorFactory(), f.ExhibitorFactory()
    held = Held(lambda: Exhibitor.objects.filter(pk=first.pk).update(name="Held"))
    try:

        def write_other():
            # Waiting for any lock the first holds fails at once rather than hanging.
            raw("SET LOCAL lock_timeout = '2s'")
            return Exhibitor.objects.filter(pk=second.pk).update(name="Not held up")

        assert in_other_connection(write_other) == 1
    finally:
        held.commit()
    names = dict(Exhibitor.objects.filter(pk__in=[first.pk, second.pk]).values_list("pk", "name"))
    assert names == {first.pk: "Held", second.pk: "Not held up"}


@pytest.mark.django_db(transaction=True)
def test_transactions_that_commit_out_of_order_move_the_version_and_are_walked_once():
    """A takes its ids first, B later; B commits, then A. Each commit moves the version, and
    a walk between the two commits finds B's entries, the next one A's."""
    a_record, b_record = f.SectorFactory(slug="a-sector"), f.SectorFactory(slug="b-sector")
    start = changelog.position()
    start_version = dataversion.current()
    held = Held(lambda: Sector.objects.filter(pk=a_record.pk).update(name="A wrote"))
    try:
        in_other_connection(lambda: Sector.objects.filter(pk=b_record.pk).update(name="B wrote"))
        after_b = dataversion.current()
        assert after_b != start_version
        found, cursor = changelog.walk(start, 100)
        assert [(e.slug, e.operation) for e in found] == [("b-sector", "U")]
    finally:
        held.commit()
    after_a = dataversion.current()
    assert after_a != after_b
    late, cursor = changelog.walk(cursor, 100)
    assert [(e.slug, e.operation) for e in late] == [("a-sector", "U")]
    assert late[0].id < found[0].id  # A's entry has the earlier id, and was not skipped
    assert changelog.walk(cursor, 100)[0] == []


@pytest.mark.django_db(transaction=True)
def test_a_long_transaction_does_not_hold_back_the_version_for_other_writes():
    other = f.SectorFactory(slug="other")

    def large_import():
        Exhibitor.objects.bulk_create(
            [Exhibitor(slug=f"imported-{n}", name=f"Imported {n}") for n in range(2000)]
        )

    held = Held(large_import)
    try:
        before = dataversion.current()
        in_other_connection(lambda: Sector.objects.filter(pk=other.pk).update(name="Moved"))
        assert dataversion.current() != before
        # The import's rows are not visible yet, nor counted.
        assert not Exhibitor.objects.filter(slug__startswith="imported-").exists()
    finally:
        held.commit()
    assert Exhibitor.objects.filter(slug__startswith="imported-").count() == 2000


@pytest.mark.django_db(transaction=True)
def test_a_walk_in_pages_returns_every_entry_once():
    start = changelog.position()
    Sector.objects.bulk_create([Sector(slug=f"page-{n}", name=f"P{n}") for n in range(25)])
    seen, cursor = [], start
    for _ in range(10):
        page, cursor = changelog.walk(cursor, 7)
        if not page:
            break
        seen += [e.slug for e in page]
    assert seen == [f"page-{n}" for n in range(25)]


def test_cursors_round_trip_and_refuse_what_no_answer_gave():
    cursor = changelog.Cursor(seen="100:105:101,103", upto="100:110:", after=12)
    assert changelog.Cursor.decode(cursor.encode()) == cursor
    bad = ["", "x", "MTsxOjE6OzA", "１", "a" * 5000]
    bad += [
        changelog.Cursor(seen=seen).encode()
        for seen in ("5:4:", "1:5:7", "1:9:5,3", "0:1:", "1:٢:", "1:2:1,1", "1:2:x")
    ]
    # Whole cursors of the right form around a part that is not.
    for text in ("1;abc;;0", "1;1:2:;;x", "1;1:2:;1:2:;" + "9" * 20, "2;1:2:;;0", "1;1:2:;0"):
        bad.append(base64.urlsafe_b64encode(text.encode()).decode().rstrip("="))
    for token in bad:
        with pytest.raises(changelog.BadCursor):
            changelog.Cursor.decode(token)


@pytest.mark.alone
@pytest.mark.django_db(transaction=True)
def test_a_cursor_older_than_a_pruning_has_expired():
    f.SectorFactory()
    old = changelog.Cursor()
    ChangeSet.objects.update(at=timezone.now() - timedelta(days=120))
    call_command("prune_changes", verbosity=0)
    assert not ChangeSet.objects.exists() and not Change.objects.exists()
    assert Pruning.objects.get().removed > 0
    with pytest.raises(changelog.CursorExpired):
        changelog.walk(old, 10)
    changelog.walk(changelog.position(), 10)  # a cursor from now is fine


def test_pruning_keeps_what_is_recent(settings):
    settings.DIRECTORY_CHANGES_KEEP_DAYS = 30
    sector = f.SectorFactory()
    call_command("prune_changes", verbosity=0)
    assert [e.operation for e in entries(Sector, sector.pk)] == [Operation.INSERT]
    assert not Pruning.objects.exists()


def test_a_recount_of_the_facets_moves_the_version():
    from core.lists.counttables import recount_all

    f.ExhibitorFactory()
    before = dataversion.current()
    recount_all()
    assert dataversion.current() != before


def test_an_expo_deleted_by_sql_is_logged_with_everything_that_went_with_it():
    expo = f.ExpoFactory()
    raw(f"DELETE FROM {Expo._meta.db_table} WHERE id = %s", [expo.pk])
    (gone,) = [e for e in entries(Expo, expo.pk) if e.operation == "D"]
    assert gone.before["slug"] == expo.slug
