"""API writes that race: clients creating the same record at the same moment.

In its own module: the writes must commit, from threads that each hold their own database
connection, so these tests use `transactional_db`, which flushes the database afterwards.
"""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api import router
from core.provenance import Citation, Source
from expos import models
from tests import factories

from .test_write import model_permissions

CLIENTS = 16
ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}
NAME = "Atk Race Two"


@pytest.fixture
def editor_token(transactional_db, django_user_model):
    """A token that may write every kind of record."""

    def make(model):
        editor = django_user_model.objects.create_user("racer", password="racer-pw-123!")
        editor.user_permissions.set(model_permissions(model))
        return Token.objects.create(user=editor).key

    return make


def at_once(token, send, clients=CLIENTS):
    """`send(client, number)` for `clients` numbers at the same moment, each from its own
    thread and database connection, released together by a barrier: [(status, body)] in the
    numbers' order."""
    barrier = threading.Barrier(clients, timeout=30)
    answers = [None] * clients

    def run(number):
        try:
            client = APIClient(raise_request_exception=False)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait()
            response = send(client, number)
            json = response["Content-Type"] == "application/json"
            answers[number] = (response.status_code, response.json() if json else None)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"
    assert None not in answers, "a thread failed before it was answered"
    return answers


def post_at_once(token, path, payload_for):
    return at_once(token, lambda client, n: client.post(path, payload_for(n), format="json"))


def slug_payloads(expo):
    """{prefix: payload(number)} of a record with the same name for every endpoint whose
    records get a slug made from their name."""
    file_name = {"language": "en", "text": "Text.", "title": NAME}
    return {
        "exhibitors": lambda n: {"name_en": NAME, "country": "CN"},
        "expos": lambda n: {"name_en": NAME},
        "sectors": lambda n: {"name_en": NAME},
        "series": lambda n: {"name_en": NAME},
        "organisations": lambda n: {"name_en": NAME, "kind": "government"},
        "forums": lambda n: {"title_en": NAME, "expo": expo.slug, "kind": "round_table"},
        "speakers": lambda n: {"name": NAME},
        "deals": lambda n: {"title_en": NAME, "expo": expo.slug},
        # Each with a file name of its own: the same file twice is a true duplicate.
        "sources": lambda n: {**file_name, "file_name": f"atk-{n}.txt"},
    }


def test_slug_payloads_cover_every_endpoint_looked_up_by_slug(transactional_db):
    by_slug = {prefix for prefix, viewset in ENDPOINTS.items() if viewset.lookup_field == "slug"}
    assert set(slug_payloads(factories.ExpoFactory.build())) == by_slug


@pytest.mark.parametrize("prefix", sorted(slug_payloads(None)))
def test_same_name_created_at_once_gets_distinct_slugs(prefix, editor_token):
    expo = factories.ExpoFactory(slug="race-expo")
    model = ENDPOINTS[prefix].queryset.model
    token = editor_token(model)
    answers = post_at_once(token, f"/api/v1/{prefix}/", slug_payloads(expo)[prefix])
    assert [status for status, _body in answers] == [201] * CLIENTS, [
        a for a in answers if a[0] != 201
    ]
    slugs = {body["slug"] for _status, body in answers}
    assert slugs == {"atk-race-two", *(f"atk-race-two-{n}" for n in range(2, CLIENTS + 1))}
    assert (
        set(model.objects.filter(slug__startswith="atk-race-two").values_list("slug", flat=True))
        == slugs
    )


def duplicates(prefix):
    """(payload, fields of the unique constraint it repeats, count of the model's rows) for
    each kind of record whose unique constraint the API's writes can repeat."""
    if prefix == "participations":
        exhibitor = factories.ExhibitorFactory(slug="racer")
        expo = factories.ExpoFactory(slug="race-expo")
        return (
            {"exhibitor": exhibitor.slug, "expo": expo.slug},
            {"exhibitor", "expo"},
            models.Participation.objects.filter(exhibitor=exhibitor, expo=expo),
        )
    if prefix == "appearances":
        speaker = factories.SpeakerFactory(slug="racer")
        forum = factories.ForumFactory(slug="race-forum")
        return (
            {"speaker": speaker.slug, "forum": forum.slug},
            {"speaker", "forum"},
            models.Appearance.objects.filter(speaker=speaker, forum=forum),
        )
    if prefix == "citations":
        source = factories.SourceFactory(slug="race-source")
        expo = factories.ExpoFactory(slug="race-expo")
        quote = "It had 10 exhibitors."
        return (
            {
                "source": source.slug,
                "record_type": "expos.expo",
                "record_id": expo.pk,
                "quote": quote,
            },
            {"source", "record_type", "record_id", "quote"},
            Citation.objects.filter(
                source=source,
                content_type=ContentType.objects.get_for_model(expo),
                object_id=expo.pk,
                quote=quote,
            ),
        )
    assert prefix == "sources"
    return (
        {"title": NAME, "language": "en", "text": "Text.", "file_name": "atk.txt"},
        {"file_name"},
        Source.objects.filter(file_name="atk.txt"),
    )


TRUE_DUPLICATES = ["appearances", "citations", "participations", "sources"]


@pytest.mark.parametrize("prefix", TRUE_DUPLICATES)
def test_same_record_created_at_once_is_created_once(prefix, editor_token):
    payload, fields, rows = duplicates(prefix)
    token = editor_token(ENDPOINTS[prefix].queryset.model)
    answers = post_at_once(token, f"/api/v1/{prefix}/", lambda n: payload)
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [400] * (CLIENTS - 1), answers
    assert rows.count() == 1
    refused = [body for status, body in answers if status == 400]
    # Each refusal names the fields, as the same write sent later is refused (below).
    assert all(set(body) == fields for body in refused), refused
    later = APIClient()
    later.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    sequential = later.post(f"/api/v1/{prefix}/", payload, format="json")
    assert sequential.status_code == 400
    assert all(body == sequential.json() for body in refused), (refused[0], sequential.json())
    assert rows.count() == 1


def test_records_changed_into_the_same_one_at_once_are_changed_once(editor_token):
    """PATCHes that each turn a different participation into the same one: one is."""
    exhibitor = factories.ExhibitorFactory(slug="racer")
    target = factories.ExpoFactory(slug="race-expo")
    others = [factories.ParticipationFactory(exhibitor=exhibitor) for _ in range(CLIENTS)]
    token = editor_token(models.Participation)
    answers = at_once(
        token,
        lambda client, n: client.patch(
            f"/api/v1/participations/{others[n].pk}/", {"expo": target.slug}, format="json"
        ),
    )
    assert sorted(status for status, _body in answers) == [200] + [400] * (CLIENTS - 1), answers
    message = "Participation with this Exhibitor and Expo already exists."
    refused = [body for status, body in answers if status == 400]
    assert refused == [{"exhibitor": [message], "expo": [message]}] * (CLIENTS - 1)
    assert models.Participation.objects.filter(exhibitor=exhibitor, expo=target).count() == 1
    assert models.Participation.objects.filter(exhibitor=exhibitor).count() == CLIENTS
