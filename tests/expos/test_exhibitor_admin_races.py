"""Admin forms saved at the same moment as a duplicate of theirs.

In its own module: the writes must commit, from threads that each hold their own database
connection, so these tests use `transactional_db`, which flushes the database afterwards.
"""

import threading

import pytest
from django.db import connection
from django.test import Client

from core.provenance import Source
from exhibitors.models import Sector

CLIENTS = 16

FORMS = {
    "exhibitors/sector": (
        Sector,
        {"slug": "atk-race", "name_en": "Atk Race", "_save": "Save"},
        ["Sector with this Slug already exists."],
    ),
    # An admin without TranslationAdmin, not DirectoryAdmin.
    "core/source": (
        Source,
        {
            "slug": "atk-race",
            "title": "Atk Race",
            "language": "en",
            "file_name": "atk.txt",
            "text": "Text.",
            "_save": "Save",
        },
        # Two unique fields: the form names one or both, as the other writer committed
        # before or between the form's checks of them.
        [
            "Source document with this Slug already exists.",
            "Source document with this File name already exists.",
        ],
    ),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_same_record_added_at_once_is_added_once(form, transactional_db, admin_user):
    model, data, messages = FORMS[form]
    signed_in = Client()
    signed_in.force_login(admin_user)
    barrier = threading.Barrier(CLIENTS, timeout=30)
    answers = [None] * CLIENTS

    def add(number):
        try:
            client = Client(raise_request_exception=False)
            client.cookies = signed_in.cookies
            barrier.wait()
            response = client.post(f"/admin/{form}/add/", data)
            answers[number] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,), daemon=True) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    statuses = sorted(status for status, _page in answers)
    unexpected = [(status, page[:2000]) for status, page in answers if status not in (200, 302)]
    assert statuses == [200] * (CLIENTS - 1) + [302], (statuses, unexpected)
    # Each refused form is shown again with the error on its field.
    refused = [page for status, page in answers if status == 200]
    unnamed = [page for page in refused if not any(message in page for message in messages)]
    assert not unnamed, [page[page.find("errorlist") - 500 :][:2000] for page in unnamed]
    assert model.objects.filter(slug="atk-race").count() == 1
