"""Deleting is explicit in the admin: a record others depend on shows them and is kept, on its
delete page and by "delete selected"; an expo goes with everything it holds only by "Remove
with everything", shown in full first, with every delete permission, in one transaction."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Permission
from django.db.models import ProtectedError, RestrictedError
from django.db.models.signals import post_delete
from django.urls import reverse

from core.history.deletion import KEEPING, keeping_relations
from core.provenance import Citation, Source
from exhibitors.models import Exhibitor, Sector
from expos import removal
from expos.models import (
    Appearance,
    Area,
    Award,
    Deal,
    Expo,
    Figure,
    Forum,
    Highlight,
    Participation,
    Speaker,
    Statement,
)
from tests import factories
from tests.api.test_deletes import make_dependent

pytestmark = pytest.mark.django_db

# Every relation that keeps a record of a model staff delete in the admin.
CASES = [
    pytest.param(model, relation, id=f"{model.__name__}<-{relation.name}")
    for model in admin.site._registry
    if model._meta.app_label in ("core", "exhibitors", "expos")
    for relation in keeping_relations(model)
]
FACTORIES = {each._meta.model: each for each in vars(factories).values() if hasattr(each, "_meta")}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_kept_model_of_the_admin_is_walked():
    kept = {c.values[0] for c in CASES}
    assert {Expo, Exhibitor, Sector, Speaker, Forum, Source, Area} <= kept


@pytest.mark.parametrize("model, relation", CASES)
def test_delete_page_lists_what_depends_and_refuses(admin_client, model, relation):
    record = FACTORIES[model]()
    row, reported = make_dependent(relation, record)
    row.refresh_from_db()  # its values as stored (a figure's 10 is 10.00)
    reported.refresh_from_db()
    url = admin_url(model, "delete", record.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert page.context["protected"], "nothing listed as protected"
    assert str(row) in page.content.decode() or str(reported) in page.content.decode()
    assert "Cannot delete" in page.content.decode()
    posted = admin_client.post(url, {"post": "yes"})
    assert posted.status_code == 200  # the same page again, nothing deleted
    assert model.objects.filter(pk=record.pk).exists()
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model, relation", CASES)
def test_delete_selected_refuses_too(admin_client, model, relation):
    record, other = FACTORIES[model](), FACTORIES[model]()
    make_dependent(relation, record)
    response = admin_client.post(
        admin_url(model, "changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            helpers.ACTION_CHECKBOX_NAME: [record.pk, other.pk],
        },
    )
    assert response.status_code == 200
    assert response.context["protected"]
    assert model.objects.filter(pk__in=[record.pk, other.pk]).count() == 2


# --- Remove with everything ------------------------------------------------------------------


@pytest.fixture
def full_expo():
    """An expo holding one of everything, its exhibitor, speaker and source kept apart."""
    expo = factories.ExpoFactory(slug="full")
    exhibitor = factories.ExhibitorFactory(slug="stays")
    speaker = factories.SpeakerFactory(slug="speaks")
    source = factories.SourceFactory()
    area = factories.AreaFactory(expo=expo, name="Hall 1")
    forum = factories.ForumFactory(expo=expo, slug="full-forum")
    held = {
        "area": area,
        "forum": forum,
        "appearance": factories.AppearanceFactory(forum=forum, speaker=speaker),
        "participation": factories.ParticipationFactory(expo=expo, exhibitor=exhibitor, area=area),
        "deal": factories.DealFactory(expo=expo, slug="full-deal"),
        "figure": factories.FigureFactory(expo=expo),
        "statement": factories.StatementFactory(expo=expo, speaker=speaker),
        "highlight": factories.HighlightFactory(expo=expo, area=area, forum=forum),
        "award": factories.AwardFactory(expo=expo),
    }
    held["deal"].sectors.add(factories.SectorFactory(slug="kept-sector"))
    expo.sectors.add(Sector.objects.get(slug="kept-sector"))
    citation = factories.CitationFactory(source=source, record=held["deal"])
    for record in held.values():
        record.refresh_from_db()  # its values as stored (a figure's 10 is 10.00)
    return expo, held, {"exhibitor": exhibitor, "speaker": speaker, "source": source}, citation


def test_what_an_expo_holds_is_every_relation_that_restricts_it():
    """A new record an expo holds must be added to expos.removal.HELD (or PROTECT the expo);
    and nothing an expo holds is kept by a record outside it, but for an expo within."""
    held = {model for model, _path in removal.HELD}
    # An expo's appearances are held through its forums.
    assert {r.related_model for r in keeping_relations(Expo)} == held - {Appearance} | {Expo}
    for model in held:
        for relation in keeping_relations(model):
            assert relation.related_model in held, relation
            assert relation.on_delete in KEEPING


def test_remove_with_everything_shows_it_all_then_removes_it_in_one_go(admin_client, full_expo):
    expo, held, kept, citation = full_expo
    data = {"action": "remove_with_everything", helpers.ACTION_CHECKBOX_NAME: [expo.pk]}
    page = admin_client.post(admin_url(Expo, "changelist"), data)
    assert page.status_code == 200
    assert not page.context["protected"] and not page.context["perms_lacking"]
    content = page.content.decode()
    for record in [expo, *held.values(), citation]:
        assert str(record).split("“")[0] in content, record
    counts = dict(page.context["model_count"])
    assert counts["deals"] == counts["forums"] == counts["citations"] == 1
    assert Expo.objects.filter(pk=expo.pk).exists()  # shown, not yet removed

    done = admin_client.post(admin_url(Expo, "changelist"), {**data, "post": "yes"}, follow=True)
    assert done.status_code == 200
    assert "with everything they held" in done.content.decode()
    assert not Expo.objects.filter(pk=expo.pk).exists()
    for record in held.values():
        assert not type(record).objects.filter(pk=record.pk).exists(), record
    assert not Citation.objects.filter(pk=citation.pk).exists()
    for record in kept.values():
        assert type(record).objects.filter(pk=record.pk).exists(), record
    assert Sector.objects.filter(slug="kept-sector").exists()


def test_remove_with_everything_refuses_what_else_depends(admin_client, full_expo):
    expo, held, _kept, _citation = full_expo
    within = factories.ExpoFactory(parent=expo, slug="within")
    elsewhere = factories.HighlightFactory(forum=held["forum"])  # of another expo
    data = {
        "action": "remove_with_everything",
        "post": "yes",
        helpers.ACTION_CHECKBOX_NAME: [expo.pk],
    }
    # Django names what PROTECTs first (the expo within), then what RESTRICTs.
    for blocker in (within, elsewhere):
        page = admin_client.post(admin_url(Expo, "changelist"), data)
        assert page.status_code == 200
        assert [str(blocker) in shown for shown in page.context["protected"]] == [True]
        assert "cannot be removed" in page.content.decode()
        assert Expo.objects.filter(pk=expo.pk).exists()
        assert all(type(r).objects.filter(pk=r.pk).exists() for r in held.values())
        with pytest.raises((ProtectedError, RestrictedError)):
            removal.remove_with_everything([expo])
        assert Forum.objects.filter(pk=held["forum"].pk).exists()
        blocker.delete()
    removal.remove_with_everything([expo])
    assert not Expo.objects.filter(pk=expo.pk).exists()


def test_remove_with_everything_needs_every_delete_permission(client, django_user_model, full_expo):
    expo, _held, _kept, _citation = full_expo
    staff = django_user_model.objects.create_user("staff", password="staff-pw-123!", is_staff=True)
    every = [Expo, Deal, Forum, Appearance, Figure, Area, Statement, Highlight, Award]
    every += [Participation, Citation]
    codenames = [f"delete_{m._meta.model_name}" for m in every if m is not Deal]
    staff.user_permissions.set(
        Permission.objects.filter(codename__in=[*codenames, "view_expo", "change_expo"])
    )
    client.force_login(staff)
    data = {
        "action": "remove_with_everything",
        "post": "yes",
        helpers.ACTION_CHECKBOX_NAME: [expo.pk],
    }
    page = client.post(admin_url(Expo, "changelist"), data)
    assert page.status_code == 403
    assert Expo.objects.filter(pk=expo.pk).exists()
    shown = client.post(admin_url(Expo, "changelist"), {**data, "post": ""})
    assert shown.status_code == 200
    assert set(shown.context["perms_lacking"]) == {"deal"}


def test_remove_with_everything_is_one_transaction(full_expo):
    """A failure on the last delete (the expo's own) leaves everything held in place."""
    expo, held, _kept, citation = full_expo

    def fail(sender, instance, **kwargs):
        raise RuntimeError("the expo's delete failed")

    post_delete.connect(fail, sender=Expo, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            removal.remove_with_everything([expo])
    finally:
        post_delete.disconnect(sender=Expo, dispatch_uid="test-fail")
    assert Expo.objects.filter(pk=expo.pk).exists()
    assert Citation.objects.filter(pk=citation.pk).exists()
    assert all(type(r).objects.filter(pk=r.pk).exists() for r in held.values())
