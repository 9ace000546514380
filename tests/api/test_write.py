"""API v1 writes: who may write, validation with the admin's rules, history, tokens, limits."""

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api import router
from core.models import Change, ChangeSet
from exhibitors.models import Exhibitor, Sector
from expos.models import Expo

pytestmark = pytest.mark.usefixtures("seeded")

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}
READ_ONLY_OUTPUT = {"url", "id", "created", "updated", "country_name", "area_name", "speakers"}


def writable_payload(record):
    """A record's JSON turned into what a client would send back: slugs for relations."""
    payload = {}
    for name, value in record.items():
        if name in READ_ONLY_OUTPUT:
            continue
        if isinstance(value, dict):
            value = value["slug"]
        elif isinstance(value, list):
            value = [v["slug"] for v in value]
        if value is None:
            continue
        payload[name] = value
    return payload


def openapi_to_json_schema(node):
    """OpenAPI 3.0's `nullable: true` written as JSON Schema's `null` type, for jsonschema_rs."""
    if isinstance(node, list):
        return [openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: openapi_to_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def openapi():
    from drf_spectacular.generators import SchemaGenerator

    return openapi_to_json_schema(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def assert_matches_schema(openapi):
    """Checks a write's answer against the response the schema gives for it."""

    def check(response, prefix, method, *, detail):
        import jsonschema_rs

        lookup = "{slug}/" if ENDPOINTS[prefix].lookup_field == "slug" else "{id}/"
        path = f"/api/v1/{prefix}/" + (lookup if detail else "")
        answer = openapi["paths"][path][method]["responses"][str(response.status_code)]
        schema = {
            **answer["content"]["application/json"]["schema"],
            "components": openapi["components"],
        }
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        errors = [error.message for error in validator.iter_errors(response.json())]
        assert not errors, (method, path, errors)

    return check


@pytest.fixture
def users(django_user_model):
    def make(name, permissions=()):
        user = django_user_model.objects.create_user(name, password=f"{name}-pw-123!")
        user.user_permissions.set(permissions)
        return user

    return make


def client_for(user):
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def model_permissions(model):
    return Permission.objects.filter(
        content_type__app_label=model._meta.app_label,
        codename__in=[
            f"{action}_{model._meta.model_name}" for action in ("add", "change", "delete")
        ],
    )


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_permission_matrix(prefix, users, assert_matches_schema):
    """{anonymous, signed in without the permission, with it} × {POST, PUT, PATCH, DELETE}."""
    model = ENDPOINTS[prefix].queryset.model
    reader = APIClient()
    record = reader.get(f"/api/v1/{prefix}/").json()["results"][-1]
    detail = record["url"]
    before = model.objects.count()
    snapshot = reader.get(detail).json()

    for who, client in (
        ("anonymous", client_for(None)),
        ("no permission", client_for(users("nobody"))),
    ):
        expected = 401 if who == "anonymous" else 403
        assert client.post(f"/api/v1/{prefix}/", {}, format="json").status_code == expected
        assert client.put(detail, writable_payload(record), format="json").status_code == expected
        assert client.patch(detail, {}, format="json").status_code == expected
        assert client.delete(detail).status_code == expected
    assert model.objects.count() == before
    assert reader.get(detail).json() == snapshot

    editor = client_for(users("editor", model_permissions(model)))
    put = editor.put(detail, writable_payload(record), format="json")
    assert put.status_code == 200, put.json()
    assert_matches_schema(put, prefix, "put", detail=True)
    patch = editor.patch(detail, {}, format="json")
    assert patch.status_code == 200
    assert_matches_schema(patch, prefix, "patch", detail=True)
    assert patch.json() == {**put.json(), "updated": patch.json()["updated"]}
    deleted = editor.delete(detail)
    assert deleted.status_code in (204, 409), deleted.content
    if deleted.status_code == 204:
        assert model.objects.count() == before - 1
    else:
        assert "other records depend on it" in deleted.json()["detail"]
        assert deleted.json()["dependents"]
        assert_matches_schema(deleted, prefix, "delete", detail=True)
        assert model.objects.count() == before


def test_create_exhibitor_with_sectors_and_history(users):
    editor = users("editor", model_permissions(Exhibitor))
    response = client_for(editor).post(
        "/api/v1/exhibitors/",
        {
            "slug": "new-city-lab",
            "name_en": "New City Lab",
            "name_es": "Laboratorio Nueva Ciudad",
            "country": "ES",
            "sectors": ["digital-twin", "smart-lighting"],
            "website": "https://example.org/",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["name"] == "New City Lab"
    assert [s["slug"] for s in body["sectors"]] == ["digital-twin", "smart-lighting"]
    created = Exhibitor.objects.get(slug="new-city-lab")
    assert created.name_es == "Laboratorio Nueva Ciudad"
    # The change log records the write, with its editor.
    entry = Change.objects.get(model="exhibitors.exhibitor", record_id=created.pk)
    assert (entry.operation, entry.slug, entry.before) == ("I", "new-city-lab", None)
    assert ChangeSet.objects.get(xid=entry.xid).actor == editor.pk


def test_api_write_changes_the_etags_of_lists_and_records(users):
    reader = APIClient()
    urls = ("/api/v1/exhibitors/?country=CN", "/api/v1/sectors/video-iot/")
    etags = {url: reader.get(url)["ETag"] for url in urls}
    editor = client_for(users("editor", model_permissions(Exhibitor)))
    response = editor.patch("/api/v1/exhibitors/dell/", {"city": "Round Rock"}, format="json")
    assert response.status_code == 200
    for url, etag in etags.items():
        again = reader.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 200, url
        assert again["ETag"] != etag


def test_slug_is_made_from_the_name_and_kept_unique(users):
    client = client_for(users("editor", model_permissions(Exhibitor)))
    slugs = [
        client.post("/api/v1/exhibitors/", {"name_en": "Smart Poles Ltd."}, format="json").json()[
            "slug"
        ]
        for _ in range(2)
    ]
    assert slugs == ["smart-poles-ltd", "smart-poles-ltd-2"]
    renamed = client.patch(
        "/api/v1/exhibitors/smart-poles-ltd/", {"slug": "hijacked"}, format="json"
    )
    assert renamed.json()["slug"] == "smart-poles-ltd"


def test_slug_of_a_long_name_fits_the_slug_field(users):
    client = client_for(users("editor", model_permissions(Sector)))
    name = "Smart " * 19 + "city"  # 118 characters, within a sector's 120
    slugs = [
        client.post("/api/v1/sectors/", {"name_en": name}, format="json").json()["slug"]
        for _ in range(2)
    ]
    longest = Sector._meta.get_field("slug").max_length
    assert slugs[0] == ("smart-" * 10)[: longest - 20].strip("-")
    assert slugs[1] == f"{slugs[0]}-2"
    assert all(len(slug) <= longest for slug in slugs)


def test_slug_taken_at_every_attempt_is_409_and_writes_nothing(
    users, monkeypatch, assert_matches_schema
):
    """A slug found taken at the insert is picked again; one taken every time gives up."""
    from django.db.models.signals import pre_save

    from core.api import serializers

    monkeypatch.setattr(serializers, "WRITE_ATTEMPTS", 3)
    attempts = []

    def take_it_first(sender, instance, **kwargs):
        # Another writer's record with the slug picked, just before this one is written.
        attempts.append(instance.slug)
        Sector.objects.bulk_create([Sector(slug=instance.slug, name="Other")])

    pre_save.connect(take_it_first, sender=Sector, dispatch_uid="take-it-first")
    try:
        client = client_for(users("editor", model_permissions(Sector)))
        response = client.post("/api/v1/sectors/", {"name_en": "Raced"}, format="json")
    finally:
        pre_save.disconnect(sender=Sector, dispatch_uid="take-it-first")
    assert response.status_code == 409, response.content
    assert_matches_schema(response, "sectors", "post", detail=False)
    assert response.json() == {
        "slug": ["Writes at the same moment kept taking this value; send the record again."]
    }
    # Each attempt rolled back to its savepoint, the other writer's record with it.
    assert attempts == ["raced"] * 3
    assert not Sector.objects.filter(slug__startswith="raced").exists()


def test_id_slug_timestamps_read_only(users):
    editor = client_for(users("editor", model_permissions(Sector)))
    response = editor.patch(
        "/api/v1/sectors/video-iot/",
        {"id": 999, "created": "2000-01-01T00:00:00Z", "name_en": "Video IoT platforms"},
        format="json",
    )
    assert response.status_code == 200
    sector = Sector.objects.get(slug="video-iot")
    assert sector.pk != 999 and sector.created.year != 2000
    assert sector.name_en == "Video IoT platforms"


@pytest.mark.parametrize(
    ("prefix", "payload", "field"),
    [
        ("exhibitors", {"slug": "x", "name_en": "X", "website": "ftp://example.org"}, "website"),
        ("exhibitors", {"slug": "x", "name_en": "X", "country": "ZZ"}, "country"),
        ("exhibitors", {"slug": "x", "name_en": "X", "sectors": ["nope"]}, "sectors"),
        (
            "expos",
            {"slug": "x", "name_en": "X", "start_date": "2024-05-02", "end_date": "2024-05-01"},
            "non_field_errors",
        ),
        ("expos", {"slug": "x", "name_en": "X", "timezone": "Mars/Olympus"}, "timezone"),
        (
            "deals",
            {
                "slug": "x",
                "title_en": "X",
                "expo": "smart-china-expo-2021",
                "amount": "-5",
                "currency": "CNY",
            },
            "non_field_errors",
        ),
        (
            "deals",
            {"slug": "x", "title_en": "X", "expo": "smart-china-expo-2021", "currency": "cny"},
            "non_field_errors",
        ),
        (
            "participations",
            {
                "exhibitor": "zhejiang-dahua-technology",
                "expo": "zhejiang-smart-city-exhibition-spain-2023",
            },
            # A duplicate is an error of each field of the unique set it repeats.
            "exhibitor",
        ),
        (
            "citations",
            {
                "source": "smart-china-expo-2021-peoples-daily",
                "record_type": "expos.expo",
                "record_id": 3,
                "quote": "Visitors rode dragons.",
            },
            "quote",
        ),
    ],
)
def test_bad_write_is_400_naming_the_field(users, prefix, payload, field):
    model = ENDPOINTS[prefix].queryset.model
    before = model.objects.count()
    response = client_for(users("editor", model_permissions(model))).post(
        f"/api/v1/{prefix}/", payload, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert model.objects.count() == before


def test_malformed_json_is_400(users):
    client = client_for(users("editor", model_permissions(Sector)))
    response = client.generic(
        "POST", "/api/v1/sectors/", '{"slug": "x", ', content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_session_write_needs_csrf_token(users, client):
    user = users("editor", model_permissions(Sector))
    csrf_client = APIClient(enforce_csrf_checks=True)
    csrf_client.force_login(user)
    response = csrf_client.patch("/api/v1/sectors/video-iot/", {}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_token_command_creates_and_revokes(users, capsys):
    user = users("robot", model_permissions(Sector))
    call_command("api_token", "robot")
    key = capsys.readouterr().out.strip()
    assert Token.objects.get(user=user).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.patch("/api/v1/sectors/video-iot/", {}, format="json").status_code == 200
    call_command("api_token", "robot", "--revoke")
    assert client.patch("/api/v1/sectors/video-iot/", {}, format="json").status_code == 401


def test_request_body_is_capped(users, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = client_for(users("editor", model_permissions(Sector)))
    response = client.post("/api/v1/sectors/", {"slug": "x", "name_en": "x" * 2000}, format="json")
    assert response.status_code == 413
    assert not Sector.objects.filter(slug="x").exists()


def test_anonymous_clients_are_throttled(settings):
    from django.core.cache import cache
    from rest_framework.throttling import AnonRateThrottle

    cache.clear()
    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = {**original, "anon": "3/min"}
    try:
        client = APIClient()
        statuses = [client.get("/api/v1/sectors/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = client.get("/api/v1/sectors/")
        assert int(limited["Retry-After"]) > 0
        assert "throttled" in limited.json()["detail"]
    finally:
        AnonRateThrottle.THROTTLE_RATES = original


def test_delete_of_referenced_record_is_409(users):
    client = client_for(users("editor", model_permissions(Expo)))
    response = client.delete("/api/v1/expos/smart-city-expo-world-congress-2023/")
    assert response.status_code == 409
    assert Expo.objects.filter(slug="smart-city-expo-world-congress-2023").exists()


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_create_answers_as_the_schema_says(prefix, users, assert_matches_schema):
    model = ENDPOINTS[prefix].queryset.model
    record = APIClient().get(f"/api/v1/{prefix}/").json()["results"][0]
    payload = {name: value for name, value in writable_payload(record).items() if name != "slug"}
    if "file_name" in payload:
        payload["file_name"] = f"copy-{payload['file_name']}"
    editor = client_for(users("editor", model_permissions(model)))
    if prefix in ("appearances", "citations", "participations"):
        # One of each pair (or quote) only: the copy takes the place of the original.
        assert editor.delete(record["url"]).status_code == 204
    created = editor.post(f"/api/v1/{prefix}/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert_matches_schema(created, prefix, "post", detail=False)


@pytest.mark.parametrize(
    "website",
    [
        'http://x.example/"><img/src=x/onerror=alert(1)>',
        'http://x.example/"><img src=x onerror=alert(1)>',
        "http://x.example/<script>",
        "http://x.example/a b",
        "http://x.example/a\tb",
        "http://x.example/a\x7fb",
        "http://x.example/a\\b",
        "http://x.example/{a}|b^`",
        "http://x.example/%zz",
        "http://x.example/a#b#c",
        'http://us"er@x.example/',
        "javascript:alert(1)",
    ],
)
def test_website_that_is_not_a_uri_is_400(users, website):
    client = client_for(users("editor", model_permissions(Exhibitor)))
    response = client.patch("/api/v1/exhibitors/dell/", {"website": website}, format="json")
    assert response.status_code == 400, response.json()
    assert list(response.json()) == ["website"]
    assert Exhibitor.objects.get(slug="dell").website != website


@pytest.mark.parametrize(
    "website",
    [
        "https://bücher.example/",
        "https://xn--bcher-kva.example/straße?ä=1#ö",
        "http://user:pw@x.example:8080/a/b;c?d=e&f=%20#g",
        "http://[2001:db8::1]/",
    ],
)
def test_website_that_is_a_uri_or_an_international_name_is_kept(users, website):
    client = client_for(users("editor", model_permissions(Exhibitor)))
    response = client.patch("/api/v1/exhibitors/dell/", {"website": website}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["website"] == website
    assert Exhibitor.objects.get(slug="dell").website == website


def test_participation_patch_answers_with_every_field(users, assert_matches_schema):
    from expos.models import Participation

    client = client_for(users("editor", model_permissions(Participation)))
    participation = Participation.objects.filter(area__isnull=True).first()
    url = f"/api/v1/participations/{participation.pk}/"
    patched = client.patch(url, {"showcase_en": "Smart poles"}, format="json")
    assert patched.status_code == 200, patched.json()
    assert patched.json()["area_name"] is None
    assert_matches_schema(patched, "participations", "patch", detail=True)
    with_area = Participation.objects.filter(area__isnull=False).first()
    url = f"/api/v1/participations/{with_area.pk}/"
    patched = client.patch(url, {}, format="json")
    assert patched.json()["area_name"] == with_area.area.name


# --- Dates within the directory's years, time zones of places -----------------------------------

DATED = [
    ("expos", "smart-china-expo-2021", "start_date"),
    ("expos", "smart-china-expo-2021", "end_date"),
    ("forums", "empowering-smart-city-construction-with-digital-technology", "date"),
    ("deals", "smart-china-expo-2021-major-projects", "signed_on"),
    ("sources", "smart-china-expo-2021-peoples-daily", "published_on"),
]


@pytest.mark.parametrize(("prefix", "slug", "field"), DATED)
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "Ensure this value is greater than or equal to 1900-01-01."),
        ("1899-12-31", "Ensure this value is greater than or equal to 1900-01-01."),
        ("9999-12-31", "Ensure this value is less than or equal to 2100-12-31."),
    ],
)
def test_date_outside_the_directory_range_is_400_naming_it(
    users, prefix, slug, field, day, message
):
    model = ENDPOINTS[prefix].queryset.model
    before = model.objects.values(field).get(slug=slug)
    body = {field: day}
    if prefix == "expos":  # the other end alone would already refuse it
        body = {"start_date": None, "end_date": None, field: day}
    client = client_for(users("editor", model_permissions(model)))
    response = client.patch(f"/api/v1/{prefix}/{slug}/", body, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: [message]}
    assert model.objects.values(field).get(slug=slug) == before
    # The ends of the range themselves are kept.
    for edge in ("1900-01-01", "2100-12-31"):
        response = client.patch(f"/api/v1/{prefix}/{slug}/", body | {field: edge}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()[field] == edge
        assert str(getattr(model.objects.get(slug=slug), field)) == edge


def test_expo_created_from_year_one_to_9999_is_400_and_not_written(users):
    response = client_for(users("editor", model_permissions(Expo))).post(
        "/api/v1/expos/",
        {"name_en": "Atk Forever", "start_date": "0001-01-01", "end_date": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert response.json() == {
        "start_date": ["Ensure this value is greater than or equal to 1900-01-01."],
        "end_date": ["Ensure this value is less than or equal to 2100-12-31."],
    }
    assert not Expo.objects.filter(name_en="Atk Forever").exists()


@pytest.mark.parametrize(("prefix", "slug", "field"), DATED)
def test_the_schema_gives_each_date_its_range(openapi, prefix, slug, field):
    component = {
        "expos": "Expo",
        "forums": "Forum",
        "deals": "Deal",
        "sources": "Source",
    }[prefix]
    for name in (component, f"{component}Request", f"Patched{component}Request"):
        schema = openapi["components"]["schemas"][name]["properties"][field]
        date = next(part for part in schema["anyOf"] if part.get("format") == "date")
        # The field's help text first, then the days the model takes.
        assert date["description"].endswith(". A date from 1900-01-01 to 2100-12-31.")


@pytest.mark.parametrize("zone", ["localtime", "Factory", "EST5EDT", "Asia/Calcutta", "US/Eastern"])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_time_zone_that_is_not_a_place_is_400_naming_it(users, method, zone):
    client = client_for(users("editor", model_permissions(Expo)))
    if method == "post":
        response = client.post(
            "/api/v1/expos/", {"name_en": "Atk Zone", "timezone": zone}, format="json"
        )
    else:
        response = client.patch(
            "/api/v1/expos/smart-china-expo-2021/", {"timezone": zone}, format="json"
        )
    assert response.status_code == 400, response.content
    assert response.json() == {"timezone": [f'"{zone}" is not a valid choice.']}
    assert not Expo.objects.filter(name_en="Atk Zone").exists()
    assert Expo.objects.get(slug="smart-china-expo-2021").timezone == "Asia/Shanghai"
    # Zones of places, and UTC, are kept.
    for kept in ("UTC", "Asia/Kolkata", "America/Argentina/Buenos_Aires", ""):
        response = client.patch(
            "/api/v1/expos/smart-china-expo-2021/", {"timezone": kept}, format="json"
        )
        assert response.status_code == 200, response.content
        assert Expo.objects.get(slug="smart-china-expo-2021").timezone == kept


def single_line_inputs(prefix):
    """The writable fields of an endpoint that fill a single-line text field of its model,
    found from the serializer and the model's _meta: a field added later is walked too."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db.models import CharField

    viewset = ENDPOINTS[prefix]
    model = viewset.queryset.model
    for name, field in viewset.serializer_class().fields.items():
        try:
            model_field = model._meta.get_field(field.source)
        except FieldDoesNotExist:
            continue
        if not field.read_only and isinstance(model_field, CharField):
            yield name


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_a_control_character_in_any_single_line_field_is_400_naming_it(prefix, users):
    """A line break in a name went unescaped into a calendar; a bare CR injected an event."""
    model = ENDPOINTS[prefix].queryset.model
    editor = client_for(users("editor", model_permissions(model)))
    detail = APIClient().get(f"/api/v1/{prefix}/").json()["results"][-1]["url"]
    before = APIClient().get(detail).json()
    for name in single_line_inputs(prefix):
        for text in ("Atk\rBEGIN:VEVENT\rSUMMARY:Injected", "Two\nlines", "Esc\x1b[2J"):
            response = editor.patch(detail, {name: text}, format="json")
            assert response.status_code == 400, (name, response.content)
            assert list(response.json()) == [name], response.json()
    assert APIClient().get(detail).json() == before


def test_the_walk_finds_the_translated_fields():
    assert {"name_en", "name_es", "city_en", "venue_es"} <= set(single_line_inputs("expos"))


def test_a_description_keeps_its_line_breaks_and_refuses_an_escape(users):
    editor = client_for(users("editor", model_permissions(Exhibitor)))
    url = "/api/v1/exhibitors/zhejiang-dahua-technology/"
    kept = editor.patch(url, {"description_en": "One.\r\n\tTwo.\nThree."}, format="json")
    assert kept.status_code == 200, kept.content
    assert Exhibitor.objects.get(slug="zhejiang-dahua-technology").description_en == (
        "One.\r\n\tTwo.\nThree."
    )
    refused = editor.patch(url, {"description_es": "Uno\x1b[31m"}, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "description_es": ["Control characters are not allowed (line breaks and tabs are)."]
    }


# --- An expo's parents never loop ----------------------------------------------------------


@pytest.mark.parametrize("length", [2, 3])
def test_expo_parent_that_makes_a_loop_is_400_naming_parent(users, length):
    """After POST B with parent A, PATCH A with parent B was accepted: A→B→A was stored."""
    editor = client_for(users("editor", model_permissions(Expo)))
    slugs = []
    for number in range(length):
        payload = {"name_en": f"Loop {number}", "parent": slugs[-1] if slugs else None}
        created = editor.post("/api/v1/expos/", payload, format="json")
        assert created.status_code == 201, created.content
        slugs.append(created.json()["slug"])
    response = editor.patch(f"/api/v1/expos/{slugs[0]}/", {"parent": slugs[-1]}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "parent": ["An expo cannot be held within itself, nor within an expo held within it."]
    }
    assert Expo.objects.get(slug=slugs[0]).parent is None


def test_expo_parent_loop_refused_by_the_database_is_400_naming_parent(users, monkeypatch):
    """A loop the model's check could not see (another transaction made B's parent A after
    this request checked) is refused by the database's trigger: still a 400, never a 500."""
    editor = client_for(users("editor", model_permissions(Expo)))
    a = Expo.objects.create(slug="a", name_en="A")
    Expo.objects.create(slug="b", name_en="B", parent=a)
    monkeypatch.setattr(Expo, "clean", lambda self: None)  # as if checked before B existed
    response = editor.patch("/api/v1/expos/a/", {"parent": "b"}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {
        "parent": ["An expo cannot be held within itself, nor within an expo held within it."]
    }
    assert Expo.objects.get(slug="a").parent is None


def test_expo_parent_loop_message_is_in_the_language_asked(users, monkeypatch):
    editor = client_for(users("editor", model_permissions(Expo)))
    a = Expo.objects.create(slug="a", name_en="A")
    Expo.objects.create(slug="b", name_en="B", parent=a)
    for clean in (Expo.clean, lambda self: None):  # the model's check, then the trigger's
        monkeypatch.setattr(Expo, "clean", clean)
        response = editor.patch("/api/v1/expos/a/?lang=es", {"parent": "b"}, format="json")
        assert response.status_code == 400
        assert response.json()["parent"][0].startswith("Una exposición no puede celebrarse")
