"""The documented production configuration passes Django's deployment checklist."""

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


# Variables the test run sets for itself, which a deployment would not have.
TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_EMBEDDED_THROWAWAY", "DJANGO_SETTINGS_MODULE"}


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
