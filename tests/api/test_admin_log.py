"""Every write through the API is in the admin's "Recent actions": an admin LogEntry for the
token's user, saying that it came through the API, written in the write's transaction."""

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api import router
from exhibitors.models import Exhibitor, Sector

from . import test_write
from .test_write import client_for, model_permissions

pytestmark = pytest.mark.usefixtures("seeded")


users = test_write.users  # the fixture of users with the permissions given


ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def entries(user):
    return list(LogEntry.objects.filter(user=user).order_by("id"))


def test_create_change_and_delete_are_recent_actions_of_the_tokens_user(users, admin_client):
    editor = users("editor", model_permissions(Sector))
    api = client_for(editor)
    created = api.post("/api/v1/sectors/", {"name_en": "Smart parking"}, format="json")
    assert created.status_code == 201, created.json()
    sector = Sector.objects.get(slug=created.json()["slug"])
    assert (
        api.patch(
            f"/api/v1/sectors/{sector.slug}/", {"name_es": "Aparcamiento"}, format="json"
        ).status_code
        == 200
    )
    assert api.delete(f"/api/v1/sectors/{sector.slug}/").status_code == 204

    logged = entries(editor)
    assert [(e.action_flag, e.object_id, e.object_repr) for e in logged] == [
        (ADDITION, str(sector.pk), "Smart parking"),
        (CHANGE, str(sector.pk), "Smart parking"),
        (DELETION, str(sector.pk), "Smart parking"),
    ]
    assert [e.get_change_message() for e in logged] == [
        "Added through the API.",
        "Changed through the API: name [es].",
        "Deleted through the API.",
    ]
    assert {e.content_type for e in logged} == {ContentType.objects.get_for_model(Sector)}

    # The admin's index lists them under "Recent actions" for that user.
    admin_client.force_login(editor)
    editor.is_staff = True
    editor.save()
    page = admin_client.get("/admin/").content.decode()
    assert "Smart parking" in page


def test_a_refused_write_logs_nothing(users):
    editor = users("editor", model_permissions(Exhibitor))
    api = client_for(editor)
    response = api.post("/api/v1/exhibitors/", {"website": "ftp://x"}, format="json")
    assert response.status_code == 400
    # An exhibitor with participations is not deleted: 409, and nothing logged.
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    assert api.delete(f"/api/v1/exhibitors/{dahua.slug}/").status_code == 409
    assert entries(editor) == []


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_every_endpoints_update_is_logged_with_one_more_query(prefix, users):
    model = ENDPOINTS[prefix].queryset.model
    editor = users("editor", model_permissions(model))
    api = client_for(editor)
    detail = api.get(f"/api/v1/{prefix}/").json()["results"][-1]["url"]
    api.patch(detail, {}, format="json")  # warms the caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        assert api.patch(detail, {}, format="json").status_code == 200
    inserts = [q["sql"] for q in queries if q["sql"].startswith('INSERT INTO "django_admin_log"')]
    assert len(inserts) == 1
    [*_, last] = entries(editor)
    assert last.action_flag == CHANGE
    assert last.get_change_message() == "Saved through the API, unchanged."
    assert last.content_type.model_class() is model
