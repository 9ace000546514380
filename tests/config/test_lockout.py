"""Admin sign-in lockout (django-axes): by account and by address after five failures, a clear
page in both languages, the lockouts in the admin, and staff's ways to lift them."""

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "editor-pw-123!"
LOGIN = "/admin/login/"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def sign_in(username, password, address="127.0.0.1", **headers):
    """POST the admin's sign-in form from `address`; the response and the client."""
    client = Client(REMOTE_ADDR=address, **headers)
    response = client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"})
    return response, client


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(times, username="editor", address="127.0.0.1", **headers):
    return [sign_in(username, "wrong", address, **headers)[0].status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(editor):
    assert fail(4) == [200, 200, 200, 200]
    locked = sign_in("editor", "wrong")[0]
    assert locked.status_code == 429
    assert locked["Retry-After"] == "900"
    html = locked.content.decode()
    assert "<h1>Sign-in locked</h1>" in html
    assert "Sign-in failed 5 times" in html
    assert "Try again in 15 minutes, after" in html
    assert "manage.py axes_reset_username NAME" in html
    response, client = sign_in("editor", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)


def test_right_password_before_the_limit_signs_in_and_clears_the_count(editor):
    assert fail(4) == [200] * 4
    response, client = sign_in("editor", PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)
    assert fail(4) == [200] * 4


def test_lockout_by_address_covers_every_account(editor):
    assert fail(1, "alice") + fail(1, "bob") + fail(3, "carol") == [200, 200, 200, 200, 429]
    response, client = sign_in("editor", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(client)
    # From another address the account is not locked: its own failures are below the limit.
    assert sign_in("editor", PASSWORD, address="198.51.100.7")[0].status_code == 302


def test_lockout_by_account_covers_every_address(editor):
    addresses = [f"198.51.100.{n}" for n in range(5)]
    assert [fail(1, address=a)[0] for a in addresses] == [200, 200, 200, 200, 429]
    assert sign_in("editor", PASSWORD, address="203.0.113.9")[0].status_code == 429


def test_lockout_is_not_dodged_by_a_forged_forwarded_for(editor):
    statuses = [
        sign_in(f"user{n}", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")[0].status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_lockout_page_is_in_spanish_for_a_spanish_browser(editor):
    fail(4)
    locked = sign_in("editor", "wrong", HTTP_ACCEPT_LANGUAGE="es")[0]
    assert locked.status_code == 429
    html = locked.content.decode()
    assert '<html lang="es">' in html
    assert "<h1>Inicio de sesión bloqueado</h1>" in html
    assert "Vuelva a intentarlo dentro de 15 minutos" in html


def test_lockout_ends_after_the_cool_off(editor):
    fail(5)
    assert sign_in("editor", PASSWORD)[0].status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=16))
    assert sign_in("editor", PASSWORD)[0].status_code == 302


def test_staff_see_lockouts_in_the_admin_and_delete_them(editor, django_user_model):
    assert fail(5)[-1] == 429
    admin_user = django_user_model.objects.create_superuser("boss", password="boss-pw-123!")
    staff = Client(REMOTE_ADDR="203.0.113.1")
    staff.force_login(admin_user)
    listing = staff.get("/admin/axes/accessattempt/?locked_out=yes")
    assert listing.status_code == 200
    assert "editor" in listing.content.decode()
    assert "Locked Out" in listing.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = staff.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert sign_in("editor", PASSWORD)[0].status_code == 302


@pytest.mark.parametrize(
    "command", [("axes_reset_username", "editor"), ("axes_reset_ip", "127.0.0.1"), ("axes_reset",)]
)
def test_axes_reset_commands_unlock(editor, command):
    assert fail(5)[-1] == 429
    call_command(*command, verbosity=0)
    assert sign_in("editor", PASSWORD)[0].status_code == 302


def test_admin_lockout_does_not_lock_the_token_api(editor):
    fail(5)
    client = APIClient(REMOTE_ADDR="127.0.0.1")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    response = client.get("/api/v1/sectors/")
    assert response.status_code == 200
    assert "results" in response.json()
    # Nor do wrong tokens count as failed sign-ins.
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/sectors/").status_code == 401
    assert AccessAttempt.objects.get(username="editor").failures_since_start == 5
