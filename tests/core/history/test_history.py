"""The admin's history of a record, read from the change log: versions from the seed on,
compare, restore; and "Recover deleted", which brings back a deleted record with everything
deleted with it, all or nothing."""

import pytest
from django.contrib.messages import get_messages
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.history.versions import current_values
from core.models import Change
from exhibitors.models import Exhibitor, Sector
from expos.models import Expo, Participation

from .history_helpers import (
    admin_url,
    database_rows,
    delete_by_sql,
    everything_referring_to,
    staff,
)

pytestmark = pytest.mark.usefixtures("seeded")


def history_of(client, record):
    response = client.get(admin_url(type(record), "history", record.pk))
    assert response.status_code == 200
    return response


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- History -------------------------------------------------------------------------------


def test_seeded_record_history_starts_with_the_seed_load(admin_client):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    response = history_of(admin_client, dahua)
    [row] = response.context["rows"]
    assert row["version"].operation == "I"
    assert row["version"].values == current_values(Exhibitor, dahua.pk)
    assert (
        row["version"].values["name_en"] == dahua.name_en == "Zhejiang Dahua Technology Co., Ltd."
    )
    page = response.content.decode()
    assert "Created" in page
    assert "change history" not in page.lower().replace("change history:", "")


def test_a_write_by_any_path_is_a_version_and_compare_shows_old_and_new(admin_client):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    Exhibitor.objects.filter(pk=dahua.pk).update(name_en="Dahua")  # no signal, no form
    rows = history_of(admin_client, dahua).context["rows"]
    assert [row["version"].operation for row in rows] == ["U", "I"]
    assert [f.name for f in rows[0]["version"].changed] == ["name_en"]

    response = admin_client.get(rows[0]["compare_url"])
    assert response.status_code == 200
    changed = [row for row in response.context["differences"] if row.changed]
    assert [(row.field.name, row.old, row.new) for row in changed] == [
        ("name_en", "Zhejiang Dahua Technology Co., Ltd.", "Dahua")
    ]
    assert "Zhejiang Dahua Technology Co., Ltd." in response.content.decode()


@pytest.mark.parametrize("query", ["", "?a=1&b=x", "?a=١&b=2", "?a=99999999&b=1"])
def test_compare_of_versions_not_of_this_record_says_so(admin_client, query):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    response = admin_client.get(admin_url(Exhibitor, "historycompare", dahua.pk) + query)
    assert response.status_code == 302
    assert response["Location"] == admin_url(Exhibitor, "history", dahua.pk)
    assert messages_of(response) == ["Choose two versions of this record to compare."]


def test_restoring_a_version_writes_its_values_back_as_a_new_version(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    seeded_values = current_values(Expo, expo.pk)
    Expo.objects.filter(pk=expo.pk).update(name_en="Renamed", venue_en="Elsewhere")
    rows = history_of(admin_client, expo).context["rows"]
    seed_row = rows[-1]
    assert seed_row["version"].operation == "I" and rows[0]["restore_url"] is None

    page = admin_client.get(seed_row["restore_url"])
    shown = {(row.field.name, row.old, row.new) for row in page.context["differences"]}
    assert ("name_en", "Renamed", "Smart China Expo 2021") in shown
    assert Expo.objects.get(pk=expo.pk).name_en == "Renamed"  # a GET writes nothing

    response = admin_client.post(seed_row["restore_url"])
    assert response.status_code == 302
    restored = current_values(Expo, expo.pk)
    assert restored["updated"] > seeded_values["updated"]
    assert {**restored, "updated": None} == {**seeded_values, "updated": None}
    newest = history_of(admin_client, expo).context["rows"][0]["version"]
    assert newest.operation == "U" and newest.values == restored


def test_restoring_a_version_whose_slug_is_taken_is_refused_and_writes_nothing(admin_client):
    lighting = Sector.objects.get(slug="smart-lighting")
    Sector.objects.filter(pk=lighting.pk).update(slug="street-lighting")
    Sector.objects.filter(slug="robotics").update(slug="smart-lighting")
    seed_row = history_of(admin_client, lighting).context["rows"][-1]
    writes = Change.objects.count()
    response = admin_client.post(seed_row["restore_url"])
    assert response.status_code == 200
    assert "already exists" in response.context["error"]
    assert "(slug)=(smart-lighting)" in response.context["error"]
    assert Sector.objects.get(pk=lighting.pk).slug == "street-lighting"
    assert Change.objects.count() == writes


def test_restoring_a_version_needs_the_change_permission(client, django_user_model):
    client.force_login(staff(django_user_model, "viewer", "exhibitors.view_sector"))
    lighting = Sector.objects.get(slug="smart-lighting")
    Sector.objects.filter(pk=lighting.pk).update(name_en="Lights")
    rows = history_of(client, lighting).context["rows"]
    assert all(row["restore_url"] is None for row in rows)
    url = admin_url(Sector, "historyrestore", lighting.pk, rows[-1]["version"].id)
    assert client.post(url).status_code == 403
    assert Sector.objects.get(pk=lighting.pk).name_en == "Lights"


# --- Recover deleted -----------------------------------------------------------------------


def recover_row(client, model, name):
    response = client.get(admin_url(model, "recoverlist"))
    assert response.status_code == 200
    [row] = [row for row in response.context["records"] if row["record"].name == name]
    return row


def test_change_list_links_to_recover_deleted(admin_client):
    page = admin_client.get(admin_url(Exhibitor, "changelist")).content.decode()
    assert f'href="{admin_url(Exhibitor, "recoverlist")}"' in page


def test_exhibitor_deleted_in_the_admin_is_recovered_with_what_went_with_it(
    admin_client, admin_user
):
    before = database_rows()
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    # Its participations protect it: an editor deletes them first (in this test, within the
    # same transaction, so they are part of the group recovered).
    assert (
        admin_client.post(admin_url(Exhibitor, "delete", dahua.pk), {"post": "yes"}).status_code
        == 200
    )
    for participation in Participation.objects.filter(exhibitor=dahua):
        url = admin_url(Participation, "delete", participation.pk)
        assert admin_client.post(url, {"post": "yes"}).status_code == 302
    response = admin_client.post(admin_url(Exhibitor, "delete", dahua.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Exhibitor.objects.filter(pk=dahua.pk).exists()
    assert not Participation.objects.filter(exhibitor=dahua.pk).exists()

    row = recover_row(admin_client, Exhibitor, str(dahua))
    assert row["record"].editor == admin_user.username
    assert row["record"].together > 0  # its participation, sector link and citations
    page = admin_client.get(row["url"])
    written = [group["model"] for group in page.context["groups"]]
    assert written[0] is Exhibitor and Participation in written
    assert page.context["problems"] == [] and page.context["lacking"] == []

    response = admin_client.post(row["url"])
    assert response.status_code == 302
    assert response["Location"] == admin_url(Exhibitor, "change", dahua.pk)
    assert database_rows() == before
    assert admin_client.get(admin_url(Exhibitor, "recoverlist")).context["records"] == []


def test_expo_deleted_through_the_api_is_recovered(admin_client, django_user_model):
    editor = staff(django_user_model, "editor", "expos.delete_expo")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    before = database_rows()
    expo = Expo.objects.get(slug="global-digital-trade-expo-2")
    assert api.delete(f"/api/v1/expos/{expo.slug}/").status_code == 204
    assert not Expo.objects.filter(pk=expo.pk).exists()

    row = recover_row(admin_client, Expo, str(expo))
    assert row["record"].editor == "editor"
    assert admin_client.post(row["url"]).status_code == 302
    assert database_rows() == before


def test_group_deleted_by_sql_is_restored_together_and_the_database_is_as_it_was(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    group = everything_referring_to(Expo, {expo.pk})
    assert {model._meta.model_name for model in group} >= {
        "forum",
        "figure",
        "participation",
        "citation",
        "exposector",
    }
    before = database_rows()
    delete_by_sql(group)
    assert not Expo.objects.filter(pk=expo.pk).exists()

    row = recover_row(admin_client, Expo, str(expo))
    assert row["record"].editor == ""  # SQL names no editor
    assert row["record"].together == sum(len(ids) for ids in group.values()) - 1
    page = admin_client.get(row["url"])
    written = [group["model"] for group in page.context["groups"]]
    # Parents before children: the expo before its forum, the forum before its appearances.
    from core.provenance import Citation
    from expos.models import Appearance, Forum

    assert written.index(Expo) < written.index(Forum) < written.index(Appearance)
    assert written[-1] is Citation
    assert admin_client.post(row["url"]).status_code == 302
    assert database_rows() == before


def delete_with_its_participations(exhibitor):
    """The participations protect an exhibitor: deleted first, in the same transaction."""
    Participation.objects.filter(exhibitor=exhibitor).delete()
    exhibitor.delete()


def test_recovery_refused_for_a_taken_slug_names_the_record_and_writes_nothing(admin_client):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    delete_with_its_participations(dahua)
    Exhibitor.objects.create(slug="zhejiang-dahua-technology", name_en="Another Dahua")
    row = recover_row(admin_client, Exhibitor, str(dahua))
    before, writes = database_rows(), Change.objects.count()
    response = admin_client.post(row["url"])
    assert response.status_code == 200
    error = response.context["error"]
    assert error.startswith(f"Exhibitor “{dahua}” cannot be restored:")
    assert "(slug)=(zhejiang-dahua-technology) already exists" in error
    assert database_rows() == before
    assert Change.objects.count() == writes


def test_recovery_needs_the_add_permission_of_every_record_type(client, django_user_model):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    delete_with_its_participations(dahua)
    # May add exhibitors, but not the participations and citations deleted with it.
    user = staff(
        django_user_model,
        "exhibitor-editor",
        "exhibitors.view_exhibitor",
        "exhibitors.add_exhibitor",
        "exhibitors.change_exhibitor",
    )
    client.force_login(user)
    row = recover_row(client, Exhibitor, str(dahua))
    page = client.get(row["url"])
    assert "expos.add_participation" in page.context["lacking"]
    assert "exhibitors.add_exhibitor" not in page.context["lacking"]
    assert client.post(row["url"]).status_code == 403
    assert not Exhibitor.objects.filter(pk=dahua.pk).exists()


def test_recover_list_with_a_bad_position_says_so(admin_client):
    response = admin_client.get(admin_url(Exhibitor, "recoverlist") + "?before=x")
    assert response.status_code == 302
    assert messages_of(response) == ["“before” must be an entry number."]


def test_recover_page_of_an_entry_of_another_model_is_a_404(admin_client):
    Sector.objects.create(slug="unused", name_en="Unused").delete()
    entry = Change.objects.filter(model="exhibitors.sector", operation="D").last()
    assert admin_client.get(admin_url(Exhibitor, "recover", entry.pk)).status_code == 404
    assert admin_client.get(admin_url(Sector, "recover", entry.pk)).status_code == 200


def test_recover_deleted_command_lists_and_restores(capsys):
    from django.core.management import CommandError, call_command

    before = database_rows()
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    name = str(dahua)
    delete_with_its_participations(dahua)
    call_command("recover_deleted", "exhibitors.exhibitor")
    listed = capsys.readouterr().out
    entry = int(listed.split("\t")[0])
    assert name in listed
    call_command("recover_deleted", "--entry", str(entry), "--dry-run")
    assert "Would restore" in capsys.readouterr().out
    assert not Exhibitor.objects.filter(slug=dahua.slug).exists()
    call_command("recover_deleted", "--entry", str(entry))
    assert database_rows() == before
    with pytest.raises(CommandError, match="no longer deleted"):
        call_command("recover_deleted", "--entry", str(entry))
    with pytest.raises(CommandError, match="Name a record type"):
        call_command("recover_deleted", "nonsense")


def test_recovery_sets_again_the_references_its_delete_cleared(admin_client):
    """A writer that clears the references to a record and deletes it in one transaction (as
    psql would, since the references RESTRICT the delete): recovering the record sets them
    again."""
    from django.db import connection

    from expos.models import Area, Highlight

    referring = Highlight.objects.exclude(area=None).first()
    target = Area.objects.get(pk=referring.area_id)
    before = database_rows()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE expos_highlight SET area_id = NULL WHERE area_id = %s", [target.pk])
        cursor.execute("DELETE FROM expos_area WHERE id = %s", [target.pk])
    referring.refresh_from_db()
    assert referring.area_id is None

    entry = Change.objects.filter(model=target._meta.label_lower, operation="D").last()
    page = admin_client.get(admin_url(Area, "recover", entry.pk))
    assert page.context["relinks"] >= 1
    assert admin_client.post(admin_url(Area, "recover", entry.pk)).status_code == 302
    assert database_rows() == before
