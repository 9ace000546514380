"""manage.py backup [--output FILE]: the database in pg_dump's custom format (see core.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core import backups


class Command(BaseCommand):
    help = (
        "Back up the database (DATABASE_URL's, or else the embedded one) with pg_dump's custom "
        "format, to backups/<database>-<UTC time>.dump unless --output says where. Restore it "
        "with `manage.py restore FILE`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="the file to write (default: under backups/)")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="default: default")

    def handle(self, *args, output, database, **options):
        connection = connections[database]
        path = Path(output) if output else backups.default_path(connection.settings_dict["NAME"])
        if path.exists():
            raise CommandError(f"{path} exists already; choose another --output.")
        try:
            backups.back_up(
                path,
                settings_dict=connection.settings_dict,
                server=backups.server_major(connection),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}."))
