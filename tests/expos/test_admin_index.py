"""The admin's index: the directory's records first, access and security apart at the end;
and the admin in the visitor's language (the site's switch, else the browser's)."""

import re

import pytest
from django.conf import settings

pytestmark = pytest.mark.usefixtures("seeded")

ACCESS = ["auth", "authtoken", "axes"]


def app_labels(html):
    return re.findall(r'<div class="app-(\w+) module', html)


def test_directory_apps_come_first_and_access_apps_apart(admin_client):
    response = admin_client.get("/admin/")
    html = response.content.decode()
    # Each group in the order of the apps' names (Auth Token, Authentication…, Sign-in…).
    assert app_labels(html) == ["core", "exhibitors", "expos", "authtoken", "auth", "axes"]
    directory, _, access = html.partition('<section class="access-apps"')
    assert app_labels(directory) == ["core", "exhibitors", "expos"]
    assert sorted(app_labels(access)) == ACCESS
    assert '<h2 id="access-apps-title">Access and security</h2>' in access
    # The side bar of every other page lists them in the same order.
    sidebar = admin_client.get("/admin/expos/expo/").context["available_apps"]
    labels = [app["app_label"] for app in sidebar]
    assert labels[:3] == ["core", "exhibitors", "expos"]
    assert sorted(labels[3:]) == ACCESS


def test_sign_in_records_have_a_name_an_editor_understands(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert ">Sign-in attempts</a>" in html
    assert ">Axes</a>" not in html
    assert admin_client.get("/admin/axes/").context["title"] == "Sign-in attempts administration"


def test_a_staff_member_without_access_permissions_sees_no_empty_section(client, django_user_model):
    from django.contrib.auth.models import Permission

    editor = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_expo"))
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert app_labels(html) == ["expos"]
    assert "access-apps" not in html


# --- Language ------------------------------------------------------------------------------


def spanish_index(html):
    assert '<html lang="es"' in html
    assert "Sitio administrativo" in html
    assert "Directorio de exposiciones de ciudades inteligentes" in html
    assert ">Expositores</a>" in html  # an app's name
    assert ">Exposiciones</a>" in html
    assert ">Acceso y seguridad</h2>" in html
    assert ">Intentos de inicio de sesión</a>" in html
    assert ">Intentos de acceso</a>" in html  # a third-party model's name


@pytest.mark.parametrize("accept", ["es-ES,es;q=0.9", "es", "es-MX,en;q=0.5"])
def test_admin_follows_a_spanish_browser(admin_client, accept):
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE=accept)
    spanish_index(response.content.decode())
    assert response["Content-Language"] == "es"
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" in response["Vary"]


def test_admin_stays_english_for_an_english_browser(admin_client):
    response = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    html = response.content.decode()
    assert "Site administration" in html
    assert "Access and security" in html
    assert response["Content-Language"] == "en"


def test_admin_pages_other_than_the_index_are_spanish_too(admin_client, client):
    html = admin_client.get(
        "/admin/exhibitors/exhibitor/", HTTP_ACCEPT_LANGUAGE="es"
    ).content.decode()
    assert "Seleccione expositor a modificar" in html
    html = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="es"' in html
    assert "Nombre de usuario" in html


def test_the_sites_switch_chooses_the_admins_language(admin_client):
    cookie = settings.LANGUAGE_COOKIE_NAME
    # The ES link of the switch leads to the page under /es/: it remembers Spanish.
    response = admin_client.get("/es/exhibitors/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.cookies[cookie].value == "es"
    spanish_index(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    # Another Spanish page sets nothing more.
    assert cookie not in admin_client.get("/es/expos/").cookies
    # The EN link leads to the page without the prefix: English again, whatever the browser.
    response = admin_client.get("/exhibitors/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.cookies[cookie].value == "en"
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Site administration" in html


def test_reading_english_pages_without_the_switch_leaves_the_browsers_choice(admin_client):
    response = admin_client.get("/exhibitors/", HTTP_ACCEPT_LANGUAGE="es")
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert '<html lang="en">' in response.content.decode()  # the page stays English
    spanish_index(admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="es").content.decode())


def test_api_and_admin_answers_set_no_language_cookie(admin_client):
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    for path in ["/admin/", "/api/v1/expos/", "/health/live/"]:
        assert settings.LANGUAGE_COOKIE_NAME not in admin_client.get(path).cookies, path
