"""DELETE of a record that others depend on: 409 naming them, for every relation that keeps a
record of every endpoint (walked from the models, so a new relation is covered)."""

import factory
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api import router
from core.history.deletion import is_plain_link, keeping_relations, label, link_owner
from core.provenance import Citation
from exhibitors.models import Exhibitor, ExhibitorSector, Sector
from expos.models import (
    Area,
    Deal,
    DealParty,
    Expo,
    ExpoOrganiser,
    Forum,
    ForumOrganiser,
    ForumPartner,
    Organisation,
    Participation,
    Statement,
)
from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = {
    each._meta.model: each
    for each in vars(factories).values()
    if isinstance(each, type) and issubclass(each, factory.django.DjangoModelFactory)
}
ENDPOINTS = [(prefix, viewset, basename) for prefix, viewset, basename in router.registry]
CASES = [
    pytest.param(
        prefix, relation, id=f"{prefix}<-{relation.related_model.__name__}.{relation.field.name}"
    )
    for prefix, viewset, _basename in ENDPOINTS
    for relation in keeping_relations(viewset.queryset.model)
]


def editor_of(model, django_user_model):
    name = f"editor-of-{model._meta.model_name}"
    user = django_user_model.objects.create_user(name, password=f"{name}-pw-123!")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label=model._meta.app_label,
            codename=f"delete_{model._meta.model_name}",
        )
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def detail_url(prefix, record):
    viewset, basename = next((v, b) for p, v, b in ENDPOINTS if p == prefix)
    lookup = viewset.lookup_field
    return reverse(f"api:{basename}-detail", kwargs={lookup: getattr(record, lookup)})


def make_dependent(relation, record):
    """A record that depends on `record` through `relation`: (the row to delete to free it,
    the record reported for it)."""
    model = relation.related_model
    if is_plain_link(model):
        owner = link_owner(model)
        parent = FACTORIES[owner.related_model]()
        link = model.objects.create(**{owner.name: parent, relation.field.name: record})
        return link, parent
    dependent = FACTORIES[model](**{relation.field.name: record})
    return dependent, dependent


def test_every_endpoint_has_relations_walked():
    """The walk finds the relations the issue names (and so would find a new one)."""
    found = {(c.values[0], c.values[1].related_model) for c in CASES}
    for expected in [
        ("expos", Deal),
        ("expos", Forum),
        ("expos", Participation),
        ("expos", Statement),
        ("sectors", ExhibitorSector),
        ("sectors", Area),
        ("speakers", Statement),
        ("exhibitors", Participation),
        ("exhibitors", DealParty),
        ("organisations", ExpoOrganiser),
        ("organisations", ForumOrganiser),
        ("organisations", ForumPartner),
        ("sources", Citation),
    ]:
        assert expected in found, expected
    # expos 9, organisations 5, exhibitors 4, sectors 4, forums, speakers, areas, series 2 each,
    # sources 1.
    assert len(CASES) == 31


@pytest.mark.parametrize("prefix, relation", CASES)
def test_delete_of_a_record_others_depend_on_is_409_naming_them(
    prefix, relation, django_user_model
):
    model = {p: v.queryset.model for p, v, _b in ENDPOINTS}[prefix]
    record = FACTORIES[model]()
    row, reported = make_dependent(relation, record)
    client = editor_of(model, django_user_model)

    refused = client.delete(detail_url(prefix, record))
    assert refused.status_code == 409, refused.content
    body = refused.json()
    reported.refresh_from_db()  # its values as stored (a figure's 10 is 10.00)
    assert body["dependents"] == [
        {"type": type(reported)._meta.model_name, "count": 1, "examples": [label(reported)]}
    ]
    assert f"1 {type(reported)._meta.verbose_name}" in body["detail"]
    assert model.objects.filter(pk=record.pk).exists()
    assert type(row).objects.filter(pk=row.pk).exists()

    row.delete()
    assert client.delete(detail_url(prefix, record)).status_code == 204
    assert not model.objects.filter(pk=record.pk).exists()


def test_a_dependent_written_after_the_count_is_the_same_409(monkeypatch, django_user_model):
    """The view counts the dependents first; one written since makes Django refuse (PROTECT),
    and the answer is the same."""
    sector = factories.SectorFactory(slug="video-iot")
    exhibitors = [factories.ExhibitorFactory(slug=f"maker-{i}") for i in range(7)]
    for exhibitor in exhibitors:
        exhibitor.sectors.add(sector)
    client = editor_of(Sector, django_user_model)
    counted = client.delete("/api/v1/sectors/video-iot/").json()
    monkeypatch.setattr("core.api.writes.dependents", lambda record: [])
    raced = client.delete("/api/v1/sectors/video-iot/")
    assert raced.status_code == 409
    assert raced.json() == counted
    assert counted["dependents"] == [
        {
            "type": "exhibitor",
            "count": 7,
            "examples": ["maker-0", "maker-1", "maker-2", "maker-3", "maker-4"],
        }
    ]
    assert counted["detail"] == (
        "This sector cannot be deleted: other records depend on it (7 exhibitors). Delete "
        "them, or point them elsewhere, first."
    )
    assert sorted(sector.exhibitors.values_list("slug", flat=True)) == [e.slug for e in exhibitors]


def test_an_expo_names_every_kind_of_record_it_holds(django_user_model):
    expo = factories.ExpoFactory(slug="held")
    forum = factories.ForumFactory(expo=expo, slug="the-forum")
    factories.AppearanceFactory(forum=forum)
    factories.DealFactory(expo=expo, slug="a-deal")
    factories.ParticipationFactory(expo=expo, exhibitor=factories.ExhibitorFactory())
    factories.FigureFactory(expo=expo)
    factories.ExpoFactory(parent=expo, slug="within")
    response = editor_of(Expo, django_user_model).delete("/api/v1/expos/held/")
    assert response.status_code == 409
    assert {(d["type"], d["count"]) for d in response.json()["dependents"]} == {
        ("deal", 1),
        ("expo", 1),
        ("figure", 1),
        ("forum", 1),
        ("participation", 1),
    }
    assert Expo.objects.filter(slug="held").exists()


def test_an_organisation_organising_one_forum_and_partnering_another_names_both_once(
    django_user_model,
):
    """Two links to forums (organisers, partners) are one kind of dependent: the forums."""
    organisation = factories.OrganisationFactory(slug="both-ways")
    organised = factories.ForumFactory(slug="organised-forum")
    partnered = factories.ForumFactory(slug="partnered-forum")
    organised.organisers.add(organisation)
    organised.partners.add(organisation)
    partnered.partners.add(organisation)
    response = editor_of(Organisation, django_user_model).delete("/api/v1/organisations/both-ways/")
    assert response.status_code == 409
    assert response.json()["dependents"] == [
        {"type": "forum", "count": 2, "examples": ["organised-forum", "partnered-forum"]}
    ]
    assert "(2 forums)" in response.json()["detail"]
    assert list(organised.partners.all()) == [organisation]


def test_a_deal_is_deleted_with_its_parties_links_not_its_parties(django_user_model):
    deal = factories.DealFactory(slug="party-deal")
    party = factories.ExhibitorFactory(slug="the-party")
    deal.parties.add(party)
    response = editor_of(Deal, django_user_model).delete("/api/v1/deals/party-deal/")
    assert response.status_code == 204
    assert not DealParty.objects.exists()
    assert Exhibitor.objects.filter(slug="the-party").exists()


def test_every_delete_documents_its_409_with_the_dependents():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    deletes = [
        (path, operations["delete"])
        for path, operations in schema["paths"].items()
        if "delete" in operations
    ]
    assert len(deletes) == len(ENDPOINTS)
    for path, operation in deletes:
        conflict = operation["responses"]["409"]["content"]["application/json"]["schema"]
        assert conflict == {"$ref": "#/components/schemas/DependentsError"}, path
    component = schema["components"]["schemas"]["DependentsError"]
    assert sorted(component["required"]) == ["dependents", "detail"]


def test_an_exhibitor_without_dependents_is_deleted_with_its_sector_links(django_user_model):
    exhibitor = factories.ExhibitorFactory(slug="alone")
    exhibitor.sectors.add(factories.SectorFactory())
    response = editor_of(Exhibitor, django_user_model).delete("/api/v1/exhibitors/alone/")
    assert response.status_code == 204
    assert not ExhibitorSector.objects.exists()


@pytest.mark.usefixtures("seeded")
def test_the_seeded_expo_and_sector_of_the_issue_are_kept(django_user_model):
    """Both answered 204, taking the expo's records, and the sector from Dahua, with them."""
    expo_editor = editor_of(Expo, django_user_model)
    expo = expo_editor.delete("/api/v1/expos/smart-china-expo-2021/")
    assert expo.status_code == 409
    assert {(d["type"], d["count"]) for d in expo.json()["dependents"]} == {
        ("area", 3),
        ("deal", 1),
        ("figure", 4),
        ("forum", 1),
        ("highlight", 9),
        ("participation", 2),
        ("statement", 2),
    }
    assert Expo.objects.get(slug="smart-china-expo-2021").deals.count() == 1
    sector_editor = editor_of(Sector, django_user_model)
    sector = sector_editor.delete("/api/v1/sectors/video-iot/")
    assert sector.status_code == 409
    assert sector.json()["dependents"] == [
        {"type": "exhibitor", "count": 1, "examples": ["zhejiang-dahua-technology"]}
    ]
    assert (
        Exhibitor.objects.get(slug="zhejiang-dahua-technology")
        .sectors.filter(slug="video-iot")
        .exists()
    )


@pytest.mark.usefixtures("seeded")
def test_the_seeded_organiser_of_an_expo_is_kept(django_user_model):
    """An organisation organising an expo was deleted with its link, the expo left without it."""
    client = editor_of(Organisation, django_user_model)
    response = client.delete("/api/v1/organisations/zhejiang-department-of-commerce/")
    assert response.status_code == 409
    assert response.json()["dependents"] == [
        {"type": "expo", "count": 1, "examples": ["zhejiang-smart-city-exhibition-spain-2023"]}
    ]
    assert list(
        Expo.objects.get(slug="zhejiang-smart-city-exhibition-spain-2023").organisers.values_list(
            "slug", flat=True
        )
    ) == ["zhejiang-department-of-commerce"]


def test_records_written_after_the_count_are_named_by_their_own_type(
    monkeypatch, django_user_model
):
    """Records (not links) that Django's refusal names are counted by type, as the view's
    own count would."""
    expo = factories.ExpoFactory(slug="raced")
    exhibitors = [factories.ExhibitorFactory(slug=f"raced-maker-{i}") for i in range(6)]
    for exhibitor in exhibitors:
        factories.ParticipationFactory(expo=expo, exhibitor=exhibitor)
    factories.ForumFactory(expo=expo, slug="raced-forum")
    client = editor_of(Expo, django_user_model)
    counted = client.delete("/api/v1/expos/raced/").json()
    monkeypatch.setattr("core.api.writes.dependents", lambda record: [])
    raced = client.delete("/api/v1/expos/raced/")
    assert raced.status_code == 409
    body = raced.json()
    assert [(d["type"], d["count"]) for d in body["dependents"]] == [
        ("forum", 1),
        ("participation", 6),
    ]
    assert body["dependents"] == counted["dependents"]
    assert len(body["dependents"][1]["examples"]) == 5
    assert "(1 forum, 6 participations)" in body["detail"]
    assert Expo.objects.filter(slug="raced").exists()
