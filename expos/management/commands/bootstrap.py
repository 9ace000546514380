"""Prepare a local directory: migrate, load the seed once, and create the first admin account."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from core.provenance import Source

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Migrate, load the seed data on the first run (later runs keep your edits), and create "
        "an admin account with a generated password, printed once."
    )

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database migrated.")

        if Source.objects.exists():
            self.stdout.write("Seed data already loaded; keeping your edits (`make seed` reloads).")
        else:
            call_command("loaddata", "seed", verbosity=0)
            self.stdout.write(self.style.SUCCESS("Seed data loaded from fixtures/seed.yaml."))

        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            password = secrets.token_urlsafe(12)
            with transaction.atomic():
                User.objects.create_superuser(ADMIN_USERNAME, email="", password=password)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the admin account.\n"
                    f"    username: {ADMIN_USERNAME}\n"
                    f"    password: {password}\n"
                    f"This password is shown only now. Change it at /admin/password_change/."
                )
            )
