"""API: a typed client generated from the served schema by openapi-python-client works.

The schema at /api/schema/ must generate without a warning, and the client it gives must read
the directory: the Belarus exhibitors, and each expo's time zone as the string the seed has.
Every enum of the schema must also stay distinct once a generator turns its values into
identifiers (an enum of every IANA zone did not: `Etc/GMT+1` and `Etc/GMT-1` are both
`ETC_GMT_1`), and the time zone, now described as a string, is still checked by the server.
"""

import contextlib
import importlib
import os
import re
import subprocess
import sys
import urllib.request
import zoneinfo
from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from openapi_python_client import strings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from expos.models import Expo

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed.yaml"
PACKAGE = "expo_directory_client"
SCE = "smart-china-expo-2021"


def seed_records(model):
    return [r["fields"] for r in yaml.safe_load(SEED.read_text()) if r["model"] == model]


# --- The schema -----------------------------------------------------------------------------


def served_schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def enums_in(node, where="#"):
    """Every `enum` of the document, with the JSON path it is at."""
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield where, node["enum"]
        for key, value in node.items():
            yield from enums_in(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from enums_in(value, f"{where}/{index}")


def python_client_name(value, index):
    """openapi-python-client's member name (EnumProperty.values_from_list): the value cut
    into words if it starts with a letter, VALUE_<its position> otherwise."""
    if value and value[0].isalpha():
        return strings.snake_case(value.upper()).upper()
    return f"VALUE_{index}"


def openapi_generator_name(value, _index):
    """openapi-generator's default: every run of non-word characters becomes `_`."""
    return re.sub(r"\W+", "_", value).upper() or "EMPTY"


@pytest.mark.django_db
@pytest.mark.parametrize("mangle", [python_client_name, openapi_generator_name])
def test_no_enum_collides_once_its_values_are_identifiers(client, mangle):
    collisions = {}
    for where, values in enums_in(served_schema(client)):
        names = defaultdict(list)
        for index, value in enumerate(values):
            names[mangle(str(value), index)].append(value)
        clashes = {name: found for name, found in names.items() if len(found) > 1}
        if clashes:
            collisions[where] = clashes
    assert collisions == {}


@pytest.mark.django_db
def test_the_time_zone_is_a_string_every_zone_matches(client):
    schema = served_schema(client)["components"]["schemas"]
    for component in ("Expo", "ExpoRequest", "PatchedExpoRequest"):
        timezone = schema[component]["properties"]["timezone"]
        zone, blank = timezone["oneOf"]
        assert "enum" not in zone
        assert (zone["type"], zone["example"], blank) == (
            "string",
            "Asia/Shanghai",
            {"type": "string", "maxLength": 0},
        )
        # A client that checks the pattern never refuses a zone the server takes.
        pattern = re.compile(zone["pattern"])
        assert all(pattern.search(name) for name in zoneinfo.available_timezones())
    assert "TimezoneEnum" not in schema


# --- The server still checks the time zone --------------------------------------------------


@pytest.fixture
def editor(seeded, django_user_model):
    user = django_user_model.objects.create_superuser("editor", password="editor-pw-123!")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.mark.parametrize("value", ["Mars/Olympus_Mons", "Etc/GMT+15", "europe/madrid", "UTC "])
@pytest.mark.parametrize("method", ["post", "patch"])
def test_an_unknown_time_zone_is_a_400_naming_it(editor, method, value):
    url = "/api/v1/expos/" + (f"{SCE}/" if method == "patch" else "")
    body = {"timezone": value} if method == "patch" else {"name_en": "New", "timezone": value}
    response = getattr(editor, method)(url, body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["timezone"]
    assert "not a valid choice" in response.json()["timezone"][0]
    assert Expo.objects.get(slug=SCE).timezone == "Asia/Shanghai"


def test_zones_with_punctuation_are_kept_as_written(editor):
    url = f"/api/v1/expos/{SCE}/"
    for value in ("America/Port-au-Prince", "America/Argentina/Buenos_Aires", "UTC", "", None):
        response = editor.patch(url, {"timezone": value}, format="json")
        assert response.status_code == 200, response.content
        # No zone is null in an answer, whether "" or null was written; stored as "".
        assert response.json()["timezone"] == (value or None)
        assert Expo.objects.get(slug=SCE).timezone == (value or "")


# --- The generated client -------------------------------------------------------------------


@pytest.fixture
def seeded_live_server(live_server, transactional_db):
    """The live server, its database holding the seed (committed, then flushed)."""
    call_command("loaddata", "seed", verbosity=0)
    return live_server


def generate_client(schema_path, target):
    """Run openapi-python-client from this virtualenv; its ruff hooks are in the same bin."""
    bin_dir = Path(sys.executable).parent
    environment = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "openapi_python_client",
            "generate",
            "--path",
            str(schema_path),
            "--meta",
            "none",
            "--output-path",
            str(target),
            "--fail-on-warning",
        ],
        cwd=target.parent,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # Warnings (a skipped endpoint, a post-generation hook that could not run) fail the run
    # with --fail-on-warning; say what it printed if anything but the one line slipped by.
    assert output.strip() == f"Generating {target}", output
    assert (target / "client.py").is_file()


@contextlib.contextmanager
def imported(package_dir):
    """The generated package, imported from where it was written, then forgotten again."""
    sys.path.insert(0, str(package_dir.parent))
    try:
        yield importlib.import_module(package_dir.name)
    finally:
        sys.path.remove(str(package_dir.parent))
        for name in [m for m in sys.modules if m.partition(".")[0] == package_dir.name]:
            del sys.modules[name]


@pytest.mark.slow
def test_generated_client_lists_the_belarus_exhibitors(
    seeded_live_server, tmp_path, django_user_model
):
    exhibitors = seed_records("exhibitors.exhibitor")
    belarus = sorted((e["slug"], e["name_en"]) for e in exhibitors if e["country"] == "BY")
    assert belarus == [
        (
            "china-belarus-industrial-park-development-company",
            "China-Belarus Industrial Park Development Company",
        )
    ]
    # A zone the source does not give is null, as every missing text is.
    seed_zones = {e["slug"]: e["timezone"] or None for e in seed_records("expos.expo")}
    assert seed_zones[SCE] == "Asia/Shanghai"

    schema_path = tmp_path / "openapi.yaml"
    with urllib.request.urlopen(f"{seeded_live_server.url}/api/schema/", timeout=30) as answer:
        assert answer.status == 200
        schema_path.write_bytes(answer.read())
    generate_client(schema_path, tmp_path / PACKAGE)

    with imported(tmp_path / PACKAGE) as package:
        exhibitors_list = importlib.import_module(f"{PACKAGE}.api.exhibitors.exhibitors_list")
        expos_list = importlib.import_module(f"{PACKAGE}.api.expos.expos_list")
        expos_retrieve = importlib.import_module(f"{PACKAGE}.api.expos.expos_retrieve")
        models = importlib.import_module(f"{PACKAGE}.models")
        base_url = seeded_live_server.url
        with package.Client(base_url=base_url, raise_on_unexpected_status=True) as client:
            page = exhibitors_list.sync(client=client, country=["BY"])
            assert isinstance(page, models.PaginatedExhibitorList), page
            assert (page.count, page.count_exact) == (1, True)
            assert [(e.slug, e.name) for e in page.results] == belarus
            assert [(e.country, e.country_name) for e in page.results] == [("BY", "Belarus")]

            # A value the directory does not know is a 400 naming it, through the client too.
            refused = exhibitors_list.sync_detailed(client=client, country=["ZZ"])
            assert refused.status_code == 400
            assert list(refused.parsed.to_dict()) == ["country"]

            expo = expos_retrieve.sync(SCE, client=client)
            assert isinstance(expo, models.Expo), expo
            assert expo.timezone == "Asia/Shanghai"
            assert type(expo.timezone) is str

            expos = expos_list.sync(client=client, page_size=100)
            assert {e.slug: e.timezone for e in expos.results} == seed_zones

        # The time zone is a plain string to the client; the server still refuses a wrong one.
        user = django_user_model.objects.create_superuser("editor", password="editor-pw-123!")
        token = Token.objects.create(user=user).key
        expos_partial_update = importlib.import_module(f"{PACKAGE}.api.expos.expos_partial_update")
        with package.AuthenticatedClient(base_url=base_url, token=token, prefix="Token") as editor:

            def patch(zone):
                body = models.PatchedExpoRequest(timezone=zone)
                return expos_partial_update.sync_detailed(SCE, client=editor, body=body)

            refused = patch("Mars/Olympus_Mons")
            assert refused.status_code == 400
            assert refused.parsed.to_dict() == {
                "timezone": ['"Mars/Olympus_Mons" is not a valid choice.']
            }
            for zone in ("America/Port-au-Prince", "UTC", ""):
                saved = patch(zone)
                assert saved.status_code == 200, saved.content
                # No zone ("") is answered null, as every missing text is.
                assert saved.parsed.timezone == (zone or None)
