"""The history and "Recover deleted" pages' refusals and edges: ids that name nothing,
permissions lacking, a record restored already, pages of deletes, entries the log kept from
before a model was renamed or removed; and the recover_deleted command's errors."""

import types

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import DatabaseError

from core.history import recovery
from core.history.deleted import PAGE
from core.history.recovery import ordered
from core.history.versions import (
    NotRestored,
    current_values,
    database_reason,
    restore_version,
)
from core.models import Change, ChangeSet
from core.provenance import Citation
from exhibitors.models import Exhibitor, ExhibitorSector, Sector
from expos.models import Expo, Forum, Organisation, Participation
from tests import factories

from .history_helpers import admin_url, database_rows, staff
from .test_history import delete_with_its_participations, messages_of

pytestmark = pytest.mark.usefixtures("seeded")


def delete_dahua():
    """Delete the seed's Dahua with its participations; (its name, its id)."""
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    name, pk = str(dahua), dahua.pk
    delete_with_its_participations(dahua)
    return name, pk


def last_delete(model, record_id):
    return Change.objects.filter(
        model=model._meta.label_lower, record_id=record_id, operation="D"
    ).last()


# --- History -------------------------------------------------------------------------------


@pytest.mark.parametrize("object_id", ["abc", "12x", "-"])
def test_history_of_an_id_that_is_no_number_is_a_404(admin_client, object_id):
    assert admin_client.get(admin_url(Exhibitor, "history", object_id)).status_code == 404


def test_history_of_a_record_the_log_never_saw_is_a_404(admin_client):
    assert not Exhibitor.objects.filter(pk=987654321).exists()
    assert admin_client.get(admin_url(Exhibitor, "history", 987654321)).status_code == 404
    url = admin_url(Exhibitor, "historycompare", 987654321) + "?a=1&b=2"
    assert admin_client.get(url).status_code == 404


def test_history_needs_the_view_permission_of_the_record_type(client, django_user_model):
    client.force_login(staff(django_user_model, "sector-viewer", "exhibitors.view_sector"))
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    assert client.get(admin_url(Exhibitor, "history", dahua.pk)).status_code == 403
    _name, dahua_id = delete_dahua()
    # Deleted, its history is still the exhibitors' to see: refused all the same.
    assert client.get(admin_url(Exhibitor, "history", dahua_id)).status_code == 403
    assert client.get(admin_url(Exhibitor, "recoverlist")).status_code == 403
    entry = last_delete(Exhibitor, dahua_id)
    assert client.get(admin_url(Exhibitor, "recover", entry.pk)).status_code == 403
    assert client.post(admin_url(Exhibitor, "recover", entry.pk)).status_code == 403
    assert not Exhibitor.objects.filter(pk=dahua_id).exists()


def test_a_deleted_records_history_ends_with_its_delete_and_links_to_recover(admin_client):
    name, dahua_id = delete_dahua()
    response = admin_client.get(admin_url(Exhibitor, "history", dahua_id))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["version"].operation for row in rows] == ["D", "I"]
    assert rows[0]["version"].values is None and rows[0]["version"].changed == []
    assert rows[1]["version"].values["slug"] == "zhejiang-dahua-technology"
    assert all(row["restore_url"] is None for row in rows)  # nothing to write a version to
    assert response.context["recover_url"] == admin_url(Exhibitor, "recoverlist")
    assert response.context["name"] == f"#{dahua_id}"
    assert name not in response.context["title"]


def test_restoring_a_version_of_a_deleted_record_says_to_recover_it_first(admin_client):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    seed_version = admin_client.get(admin_url(Exhibitor, "history", dahua.pk)).context["rows"][-1][
        "version"
    ]
    _name, dahua_id = delete_dahua()
    url = admin_url(Exhibitor, "historyrestore", dahua_id, seed_version.id)
    response = admin_client.post(url)
    assert response.status_code == 302
    assert response["Location"] == admin_url(Exhibitor, "recoverlist")
    assert messages_of(response) == ["This record is deleted: recover it first."]
    assert not Exhibitor.objects.filter(pk=dahua_id).exists()


def test_restoring_a_delete_or_a_version_of_another_record_is_a_404(admin_client):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    other = Exhibitor.objects.exclude(pk=dahua.pk).first()
    others_version = Change.objects.filter(model="exhibitors.exhibitor", record_id=other.pk).last()
    url = admin_url(Exhibitor, "historyrestore", dahua.pk, others_version.pk)
    assert admin_client.post(url).status_code == 404

    _name, dahua_id = delete_dahua()
    delete = last_delete(Exhibitor, dahua_id)
    url = admin_url(Exhibitor, "historyrestore", dahua_id, delete.pk)
    assert admin_client.get(url).status_code == 404


def test_a_version_without_a_column_added_since_leaves_that_column_as_it_is(admin_client):
    """An entry written before a column existed holds no value for it: restoring that
    version writes the columns it holds and leaves the new one alone."""
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    Expo.objects.filter(pk=expo.pk).update(name_en="Renamed", venue_en="Elsewhere")
    update = Change.objects.filter(model="expos.expo", record_id=expo.pk, operation="U").last()
    update.before = {k: v for k, v in update.before.items() if k != "venue_en"}
    update.save(update_fields=["before"])

    seed_row = admin_client.get(admin_url(Expo, "history", expo.pk)).context["rows"][-1]
    assert "venue_en" not in seed_row["version"].values
    response = admin_client.post(seed_row["restore_url"])
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Smart China Expo 2021 now has the values of")
    expo.refresh_from_db()
    assert (expo.name_en, expo.venue_en) == ("Smart China Expo 2021", "Elsewhere")


def test_restoring_a_version_of_a_record_gone_meanwhile_is_refused():
    """The page found the record; a delete that committed before the POST's UPDATE leaves
    it nothing to write to."""
    values = current_values(Sector, Sector.objects.get(slug="smart-lighting").pk)
    with pytest.raises(NotRestored, match=r"^The record no longer exists\.$"):
        restore_version(Sector, 987654321, values)


def test_a_refusal_without_the_databases_words_is_told_in_the_errors_own():
    assert database_reason(DatabaseError("  connection lost \n")) == "connection lost"


# --- Recover deleted -----------------------------------------------------------------------


def test_delete_action_of_the_change_list_names_its_editor(admin_client, admin_user):
    citations = list(Citation.objects.order_by("pk")[:2])
    response = admin_client.post(
        admin_url(Citation, "changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [c.pk for c in citations],
        },
    )
    assert response.status_code == 302
    assert not Citation.objects.filter(pk__in=[c.pk for c in citations]).exists()
    entry = last_delete(Citation, citations[0].pk)
    assert ChangeSet.objects.get(xid=entry.xid).actor == admin_user.pk
    listed = admin_client.get(admin_url(Citation, "recoverlist")).context["records"]
    assert {row["record"].record_id for row in listed} == {c.pk for c in citations}
    assert {row["record"].editor for row in listed} == {admin_user.username}
    assert {row["record"].together for row in listed} == {1}


def test_a_citation_deleted_alone_is_recovered_and_then_is_no_longer_deleted(admin_client):
    before = database_rows()
    citation = Citation.objects.order_by("pk").first()
    cited = citation.record
    response = admin_client.post(admin_url(Citation, "delete", citation.pk), {"post": "yes"})
    assert response.status_code == 302
    url = admin_url(Citation, "recover", last_delete(Citation, citation.pk).pk)
    page = admin_client.get(url)
    assert page.context["problems"] == []  # the record it cites is still there
    assert admin_client.post(url).status_code == 302
    assert database_rows() == before
    assert Citation.objects.get(pk=citation.pk).record == cited

    again = admin_client.get(url)
    assert again.status_code == 302
    assert again["Location"] == admin_url(Citation, "recoverlist")
    assert messages_of(again)[-1] == "This record is no longer deleted."


def test_a_citation_of_a_record_type_gone_from_the_code_is_recovered(admin_client):
    """A record type whose model is gone (its content type not yet removed) cannot be looked
    up; a citation of it is written back as it was."""
    retired = ContentType.objects.create(app_label="expos", model="retiredthing")
    pk = factories.CitationFactory().pk
    Citation.objects.filter(pk=pk).update(content_type=retired, object_id=5)
    values = current_values(Citation, pk)
    assert values["content_type_id"] == retired.pk
    Citation.objects.filter(pk=pk).delete()
    url = admin_url(Citation, "recover", last_delete(Citation, pk).pk)
    assert admin_client.get(url).context["problems"] == []
    assert admin_client.post(url).status_code == 302
    assert current_values(Citation, pk) == values


def test_of_records_deleted_together_the_one_refused_is_named(admin_client):
    """Several records of a type are written back in one statement; when the database
    refuses it, the record it refuses is found and named, and nothing is written."""
    sectors = factories.SectorFactory.create_batch(3)
    ids = [sector.pk for sector in sectors]
    Sector.objects.filter(pk__in=ids).delete()
    factories.SectorFactory(slug=sectors[1].slug, name_en="Taken since")
    url = admin_url(Sector, "recover", last_delete(Sector, ids[0]).pk)
    before, writes = database_rows(), Change.objects.count()
    response = admin_client.post(url)
    assert response.status_code == 200
    error = response.context["error"]
    assert error.startswith(f"Sector “{sectors[1]}” cannot be restored:")
    assert f"(slug)=({sectors[1].slug}) already exists" in error
    assert database_rows() == before and Change.objects.count() == writes
    assert not Sector.objects.filter(pk__in=ids).exists()


def test_recover_list_pages_through_the_deletes_newest_first(admin_client):
    sectors = factories.SectorFactory.create_batch(PAGE + 1)
    ids = [sector.pk for sector in sectors]
    Sector.objects.filter(pk__in=ids).delete()
    first = admin_client.get(admin_url(Sector, "recoverlist"))
    listed = [row["record"].record_id for row in first.context["records"]]
    assert listed == sorted(ids, reverse=True)[:PAGE]
    assert first.context["next_url"] is not None
    second = admin_client.get(first.context["next_url"])
    assert [row["record"].record_id for row in second.context["records"]] == [min(ids)]
    assert second.context["next_url"] is None


def test_recovery_of_an_expo_with_organisers_needs_changing_expos_not_the_link(
    client, django_user_model
):
    """The organisers' link table has no permissions of its own: writing its rows back is
    changing the expo."""
    expo = factories.ExpoFactory(slug="organised")
    expo.organisers.add(factories.OrganisationFactory(slug="the-organiser"))
    pk = expo.pk
    expo.delete()
    url = admin_url(Expo, "recover", last_delete(Expo, pk).pk)
    adder = staff(django_user_model, "expo-adder", "expos.view_expo", "expos.add_expo")
    client.force_login(adder)
    assert client.get(url).context["lacking"] == ["expos.change_expo"]
    assert client.post(url).status_code == 403

    client.force_login(
        staff(
            django_user_model,
            "expo-editor",
            "expos.view_expo",
            "expos.add_expo",
            "expos.change_expo",
        )
    )
    assert client.get(url).context["lacking"] == []
    assert client.post(url).status_code == 302
    assert list(Expo.objects.get(pk=pk).organisers.values_list("slug", flat=True)) == [
        "the-organiser"
    ]
    assert Organisation.objects.filter(slug="the-organiser").count() == 1


def relabel(entries, label):
    """What the log holds of a model renamed or removed since: its entries under a label no
    model answers to now."""
    Change.objects.filter(pk__in=[entry.pk for entry in entries]).update(model=label)


def test_links_logged_under_their_old_name_are_recovered_by_their_table(admin_client):
    """The sector links were Django's own link table (exhibitors.exhibitor_sectors) before
    ExhibitorSector took it over: their entries are still found and written back."""
    before = database_rows()
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    links = set(ExhibitorSector.objects.filter(exhibitor=dahua).values_list("pk", flat=True))
    assert links
    _name, dahua_id = delete_dahua()
    relabel(
        Change.objects.filter(model="exhibitors.exhibitorsector", operation="D"),
        "exhibitors.exhibitor_sectors",
    )
    url = admin_url(Exhibitor, "recover", last_delete(Exhibitor, dahua_id).pk)
    groups = admin_client.get(url).context["groups"]
    [link_group] = [g for g in groups if g["model"] is ExhibitorSector]
    assert link_group["count"] == len(links)
    assert admin_client.post(url).status_code == 302
    assert database_rows() == before


def test_records_of_a_type_removed_from_the_code_stop_the_recovery(admin_client, capsys):
    Sector.objects.filter(slug="smart-lighting").update(name_en="Lights")
    _name, dahua_id = delete_dahua()
    participation_deletes = Change.objects.filter(model="expos.participation", operation="D")
    relabel(participation_deletes, "expos.retiredparticipation")
    relabel(Change.objects.filter(model="exhibitors.sector", operation="U"), "expos.retiredsector")
    entry = last_delete(Exhibitor, dahua_id)
    refusal = "Records of type expos.retiredparticipation can no longer be restored."

    page = admin_client.get(admin_url(Exhibitor, "recover", entry.pk))
    # First, then what refers to the records that cannot come back (their citations).
    assert page.context["problems"][0] == refusal
    assert Participation not in [group["model"] for group in page.context["groups"]]
    response = admin_client.post(admin_url(Exhibitor, "recover", entry.pk))
    assert response.status_code == 200 and response.context["error"].startswith(refusal)

    with pytest.raises(CommandError) as refused:
        call_command("recover_deleted", "--entry", str(entry.pk))
    assert str(refused.value).startswith(refusal)
    assert "exhibitors.exhibitor" in capsys.readouterr().out  # what it would have written
    assert not Exhibitor.objects.filter(pk=dahua_id).exists()


def test_a_loop_of_references_is_written_in_the_order_of_the_names(monkeypatch):
    """Two record types referring to each other (none do today): neither comes first by its
    references, so they go in the order of their labels and the database checks the keys at
    commit, rather than the planning waiting forever."""
    loop = {
        Expo: [types.SimpleNamespace(related_model=Forum, column="forum_id")],
        Forum: [types.SimpleNamespace(related_model=Expo, column="expo_id")],
    }
    monkeypatch.setattr(recovery, "foreign_keys", lambda model: loop[model])
    rows = {
        Forum: {2: recovery.Row(Forum, 2, {"id": 2}), 1: recovery.Row(Forum, 1, {"id": 1})},
        Expo: {7: recovery.Row(Expo, 7, {"id": 7})},
    }
    assert [(row.model, row.pk) for row in ordered(rows)] == [(Expo, 7), (Forum, 1), (Forum, 2)]


# --- The recover_deleted command -----------------------------------------------------------


def test_recover_deleted_refuses_an_entry_that_is_no_delete():
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    insert = Change.objects.filter(model="exhibitors.exhibitor", record_id=dahua.pk).first()
    assert insert.operation == "I"
    with pytest.raises(CommandError, match=rf"^Entry {insert.pk} is not a delete"):
        call_command("recover_deleted", "--entry", str(insert.pk))
    with pytest.raises(CommandError, match=r"^Entry 987654321 is not a delete"):
        call_command("recover_deleted", "--entry", "987654321")


def test_recover_deleted_names_the_record_the_database_refuses():
    name, dahua_id = delete_dahua()
    Exhibitor.objects.create(slug="zhejiang-dahua-technology", name_en="Another Dahua")
    entry = last_delete(Exhibitor, dahua_id)
    before = database_rows()
    with pytest.raises(CommandError) as refused:
        call_command("recover_deleted", "--entry", str(entry.pk))
    assert str(refused.value).startswith(f"Exhibitor “{name}” cannot be restored:")
    assert "(slug)=(zhejiang-dahua-technology) already exists" in str(refused.value)
    assert database_rows() == before


def test_recover_deleted_says_when_there_are_older_deletes(capsys):
    sectors = factories.SectorFactory.create_batch(PAGE + 1)
    Sector.objects.filter(pk__in=[sector.pk for sector in sectors]).delete()
    call_command("recover_deleted", "exhibitors.sector")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == PAGE + 1
    assert lines[0].split("\t")[2] == str(sectors[-1])
    assert lines[-1] == "… and older deletes (use the admin's Recover deleted to page)."
