"""A citation's record in the admin: picked by name across every kind of record that can be
cited (core.admin.citations), checked again when saved, and named in the list."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.lists.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from core.provenance import Citation
from exhibitors.models import Exhibitor
from expos.models import Participation
from tests.factories import (
    CitationFactory,
    ExhibitorFactory,
    ParticipationFactory,
    SectorFactory,
    SourceFactory,
)

pytestmark = pytest.mark.usefixtures("seeded")

RECORDS = "/admin/core/citation/records/"
ADD = "/admin/core/citation/add/"
CHANGELIST = "/admin/core/citation/"
TEXT = "The expo opened. It had 10 exhibitors. Zyxwv Robotics showed a drone."


def value(record):
    return f"{ContentType.objects.get_for_model(record).pk}:{record.pk}"


def search(client, **params):
    return client.get(RECORDS, params)


def test_the_record_box_asks_the_search_view(admin_client):
    page = admin_client.get(ADD).content.decode()
    assert 'name="cited_record"' in page
    assert f'data-ajax--url="{reverse("admin:core_citation_records")}"' in page
    assert "admin-autocomplete" in page
    assert "admin/js/autocomplete.js" in page
    # Neither the kind-of-record menu nor the raw id is on the form any more.
    assert 'name="content_type"' not in page and 'name="object_id"' not in page


def test_records_are_found_by_name_across_kinds(admin_client):
    exhibitor = ExhibitorFactory(name="Zyxwv Robotics")
    sector = SectorFactory(name="Zyxwv sensing")
    response = search(admin_client, term="Zyxwv")
    assert response.status_code == 200
    results = response.json()["results"]
    assert {"id": value(exhibitor), "text": "Exhibitor: Zyxwv Robotics"} in results
    assert {"id": value(sector), "text": "Sector: Zyxwv sensing"} in results
    assert response.json()["pagination"] == {"more": False}


def test_a_participation_is_found_and_named_by_its_exhibitor_and_expo(admin_client):
    participation = ParticipationFactory(exhibitor=ExhibitorFactory(name="Qwmnb Lighting"))
    results = search(admin_client, term="Qwmnb").json()["results"]
    assert {"id": value(participation), "text": f"Participation: {participation}"} in results


def test_only_staff_who_may_see_citations_search(client, django_user_model):
    assert search(client, term="a").status_code == 302  # to the sign-in page
    editor = django_user_model.objects.create_user("editor", password="pw-editor-1", is_staff=True)
    client.force_login(editor)
    assert search(client, term="a").status_code == 403
    editor.user_permissions.add(Permission.objects.get(codename="view_citation"))
    ExhibitorFactory(name="Zyxwv Robotics")
    # Only the kinds of record the user may see are searched.
    assert search(client, term="Zyxwv").json()["results"] == []
    editor.user_permissions.add(Permission.objects.get(codename="view_exhibitor"))
    texts = [row["text"] for row in search(client, term="Zyxwv").json()["results"]]
    assert texts == ["Exhibitor: Zyxwv Robotics"]


@pytest.mark.parametrize(
    "params",
    [
        {"term": "x" * (MAX_SEARCH_LENGTH + 1)},
        {"term": " ".join(["word"] * (MAX_SEARCH_WORDS + 1))},
        {"term": "a\x00b"},
    ],
    ids=["too long", "too many words", "NUL"],
)
def test_hostile_searches_are_refused_with_400(admin_client, params):
    assert search(admin_client, **params).status_code == 400


@pytest.mark.parametrize(
    "params", [{}, {"term": ""}, {"term": "   "}, {"term": "%' OR 1=1 --"}, {"page": "abc"}]
)
def test_odd_searches_answer_nothing_found(admin_client, params):
    response = search(admin_client, **params)
    assert response.status_code == 200
    assert response.json() == {"results": [], "pagination": {"more": False}}


def add_citation(client, record_value, quote="Zyxwv Robotics showed a drone.", source=None):
    source = source or SourceFactory(text=TEXT)
    return client.post(ADD, {"source": source.pk, "cited_record": record_value, "quote": quote})


def test_a_citation_is_saved_by_picking_its_record(admin_client):
    exhibitor = ExhibitorFactory(name="Zyxwv Robotics")
    response = add_citation(admin_client, value(exhibitor))
    assert response.status_code == 302, response.context["adminform"].form.errors
    citation = Citation.objects.get(quote="Zyxwv Robotics showed a drone.")
    assert citation.record == exhibitor
    # Its change form shows the record by name, chosen.
    page = admin_client.get(reverse("admin:core_citation_change", args=[citation.pk])).content
    assert (
        f'<option value="{value(exhibitor)}" selected>Exhibitor: Zyxwv Robotics</option>'
        in page.decode()
    )


def test_a_record_not_citable_or_missing_is_the_fields_error(admin_client, admin_user):
    exhibitor = ExhibitorFactory()
    exhibitors = ContentType.objects.get_for_model(Exhibitor).pk
    for sent in [
        "",
        "abc",
        f"{exhibitors}",
        f"{exhibitors}:",
        f"{exhibitors}:99999999",
        f"{exhibitors}:{exhibitor.pk}:1",
        f"{exhibitors}:-{exhibitor.pk}",
        f"{exhibitors}:{'9' * 30}",
        f"{'9' * 12}:{exhibitor.pk}",
        "999999:1",
        value(admin_user),  # a user is no record of the directory
        f"{exhibitors}:١",
    ]:
        response = add_citation(admin_client, sent)
        assert response.status_code == 200, sent
        errors = response.context["adminform"].form.errors
        assert list(errors) == ["cited_record"], (sent, errors)
    assert not Citation.objects.filter(quote="Zyxwv Robotics showed a drone.").exists()


def test_the_same_quote_twice_on_a_record_is_a_form_error(admin_client):
    exhibitor = ExhibitorFactory()
    source = SourceFactory(text=TEXT)
    assert add_citation(admin_client, value(exhibitor), source=source).status_code == 302
    response = add_citation(admin_client, value(exhibitor), source=source)
    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors()
    assert Citation.objects.filter(object_id=exhibitor.pk, source=source).count() == 1


def test_the_list_names_each_record(admin_client):
    exhibitor = ExhibitorFactory(name="Zyxwv Robotics")
    CitationFactory(
        record=exhibitor, source=SourceFactory(text=TEXT), quote="It had 10 exhibitors."
    )
    page = admin_client.get(CHANGELIST).content.decode()
    change = reverse("admin:exhibitors_exhibitor_change", args=[exhibitor.pk])
    assert f'<a href="{change}">Exhibitor: Zyxwv Robotics</a>' in page
    assert "exhibitor #" not in page


def listing_queries(client, source):
    url, params = CHANGELIST, {"source__id__exact": source.pk}
    client.get(url, params)  # warms the content types' cache
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response.context["cl"].result_count


def test_the_list_costs_the_same_for_1_or_10_citations(admin_client):
    source = SourceFactory(text=TEXT)
    participations = ParticipationFactory.create_batch(10)
    exhibitors = ExhibitorFactory.create_batch(10)
    CitationFactory(source=source, record=participations[0])
    CitationFactory(source=source, record=exhibitors[0])
    one, listed = listing_queries(admin_client, source)
    assert listed == 2
    for record in [*participations[1:], *exhibitors[1:]]:
        CitationFactory(source=source, record=record)
    ten, listed = listing_queries(admin_client, source)
    assert listed == 20
    assert ten == one
    assert Participation.objects.count() >= 10
