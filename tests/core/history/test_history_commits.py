"""Recovering records deleted in separate transactions that committed: in its own module,
since the writes must commit (`transactional_db`, which flushes the database afterwards), and
each test loads the seed itself."""

import pytest
from django.core.management import call_command

from core.models import Change
from exhibitors.models import Exhibitor
from expos.models import Participation

from .history_helpers import admin_url, database_rows


@pytest.fixture
def committed_seed(transactional_db):
    call_command("loaddata", "seed", verbosity=0)


def recover_url(model, record_id):
    entry = Change.objects.filter(
        model=model._meta.label_lower, record_id=record_id, operation="D"
    ).last()
    return admin_url(model, "recover", entry.pk)


def test_recovery_waits_for_a_parent_deleted_separately(committed_seed, admin_client):
    before = database_rows()
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    participation = Participation.objects.get(exhibitor=dahua)
    dahua_id, participation_id = dahua.pk, participation.pk
    participation.delete()  # one transaction
    dahua.delete()  # another

    page = admin_client.get(recover_url(Participation, participation_id))
    [problem] = page.context["problems"]
    assert problem == (
        # Its name is made of its exhibitor's, which is gone: its id names it.
        f"Participation “participation #{participation_id}” cannot be restored: the exhibitor"
        f" #{dahua_id} it refers to (exhibitor) no longer exists. It was deleted separately:"
        " recover it first."
    )
    writes = Change.objects.count()
    response = admin_client.post(recover_url(Participation, participation_id))
    assert response.status_code == 200 and problem in response.context["error"]
    assert Change.objects.count() == writes  # nothing written, nothing half-restored

    # The exhibitor first, then its participation: the database is as it was.
    assert admin_client.post(recover_url(Exhibitor, dahua_id)).status_code == 302
    assert admin_client.post(recover_url(Participation, participation_id)).status_code == 302
    assert database_rows() == before


def test_history_names_each_editor_of_its_own_transaction(committed_seed, admin_client, admin_user):
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    Exhibitor.objects.filter(pk=dahua.pk).update(name_en="Dahua")  # no editor: a script
    Exhibitor.objects.filter(pk=dahua.pk).update(name_en="Dahua Technology")
    history = admin_client.get(admin_url(Exhibitor, "history", dahua.pk)).context["rows"]
    response = admin_client.post(history[-1]["restore_url"])
    assert response.status_code == 302
    rows = admin_client.get(admin_url(Exhibitor, "history", dahua.pk)).context["rows"]
    assert [(row["version"].operation, row["version"].editor) for row in rows] == [
        ("U", admin_user.username),
        ("U", ""),
        ("U", ""),
        ("I", ""),
    ]
    assert Exhibitor.objects.get(pk=dahua.pk).name_en == "Zhejiang Dahua Technology Co., Ltd."
