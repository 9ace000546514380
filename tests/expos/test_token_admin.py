"""API tokens in the admin: a member of staff creates, sees and revokes their own token, and
no one else's; a superuser sees everyone's. The key is shown once, on creation."""

import pytest
from django.apps import apps
from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from exhibitors.models import Exhibitor

pytestmark = pytest.mark.usefixtures("seeded")

TOKENS = "/admin/authtoken/tokenproxy/"
ADD = TOKENS + "add/"
TOKEN_PERMISSIONS = ["add_tokenproxy", "view_tokenproxy", "delete_tokenproxy"]


def editor(name, *codenames):
    user = get_user_model().objects.create_user(name, password="x", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=[*TOKEN_PERMISSIONS, *codenames])
    )
    client = Client()
    client.force_login(user)
    return user, client


def create_token(client):
    response = client.post(ADD, {})
    assert response.status_code == 200, response.content[:500]
    return response


def test_editor_creates_their_token_and_sees_its_key_once():
    alice, client = editor("alice")
    page = create_token(client).content.decode()
    key = Token.objects.get(user=alice).key
    assert page.count(key) == 1 and 'id="api-token-key"' in page
    listing = client.get(TOKENS).content.decode()
    assert key not in listing and f"{key[:4]}…" in listing and "alice" in listing
    confirm = client.get(f"{TOKENS}{alice.pk}/delete/").content.decode()
    assert key not in confirm and f"{key[:4]}…" in confirm
    assert client.get(f"{TOKENS}{alice.pk}/change/").status_code == 403  # nothing to see there
    revoked = client.post(f"{TOKENS}{alice.pk}/delete/", {"post": "yes"}, follow=True)
    assert "was revoked" in revoked.content.decode()
    actions = LogEntry.objects.filter(user=alice)
    assert sorted(actions.values_list("action_flag", flat=True)) == [ADDITION, DELETION]
    assert all(key not in entry.object_repr for entry in actions)
    assert key not in client.get("/admin/").content.decode()  # its recent actions


def test_a_second_token_is_a_form_error_not_a_500():
    alice, client = editor("alice")
    create_token(client)
    key = Token.objects.get(user=alice).key
    again = client.post(ADD, {})
    assert again.status_code == 200
    assert "has a token already" in again.content.decode()
    assert Token.objects.get(user=alice).key == key


def test_tokens_have_a_section_of_their_own_in_both_languages():
    _alice, client = editor("alice")
    index = client.get("/admin/").content.decode()
    assert "API tokens" in index and TOKENS in index
    with translation.override("es"):
        assert apps.get_app_config("authtoken").verbose_name == "Tokens de la API"


def test_editor_sees_only_their_own_token_and_cannot_touch_another():
    alice, alice_client = editor("alice")
    bob, bob_client = editor("bob")
    create_token(alice_client)
    create_token(bob_client)
    alice_key = Token.objects.get(user=alice).key
    listing = bob_client.get(TOKENS).content.decode()
    assert "bob" in listing and "alice" not in listing and alice_key[:4] + "…" not in listing
    for url in (f"{TOKENS}{alice.pk}/change/", f"{TOKENS}{alice.pk}/delete/"):
        assert bob_client.get(url).status_code == 302  # "does not exist": back to the index
    bob_client.post(f"{TOKENS}{alice.pk}/delete/", {"post": "yes"})
    assert Token.objects.filter(user=alice, key=alice_key).exists()
    # Nor can bob create one for alice: his form has no user to choose.
    bob.auth_token.delete()
    bob_client.post(ADD, {"user": alice.pk})
    assert Token.objects.get(user=alice).key == alice_key
    assert Token.objects.filter(user=bob).exists()


def test_superuser_sees_every_token_and_may_create_one_for_someone():
    alice, alice_client = editor("alice")
    create_token(alice_client)
    root = get_user_model().objects.create_superuser("root", password="x")
    client = Client()
    client.force_login(root)
    listing = client.get(TOKENS).content.decode()
    assert "alice" in listing
    bob = get_user_model().objects.create_user("bob", is_staff=True)
    assert client.post(ADD, {"user": bob.pk}).status_code == 200
    assert Token.objects.filter(user=bob).exists()
    again = client.post(ADD, {"user": alice.pk}).content.decode()
    assert "alice has a token already" in again


def test_staff_without_the_token_permissions_gets_no_token_admin():
    user = get_user_model().objects.create_user("carol", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(TOKENS).status_code == 403
    assert client.post(ADD, {}).status_code == 403
    assert not Token.objects.filter(user=user).exists()


def test_token_writes_through_the_api_until_it_is_revoked():
    alice, client = editor("alice", "change_exhibitor")
    create_token(client)
    key = Token.objects.get(user=alice).key
    exhibitor = Exhibitor.objects.order_by("pk").first()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/exhibitors/{exhibitor.slug}/"
    written = api.patch(url, {"website": "https://example.org/"}, format="json")
    assert written.status_code == 200, written.content
    assert Exhibitor.objects.get(pk=exhibitor.pk).website == "https://example.org/"
    revoked = client.post(f"{TOKENS}{alice.pk}/delete/", {"post": "yes"})
    assert revoked.status_code == 302 and not Token.objects.filter(user=alice).exists()
    refused = api.patch(url, {"website": "https://example.com/"}, format="json")
    assert refused.status_code == 401
    assert Exhibitor.objects.get(pk=exhibitor.pk).website == "https://example.org/"
