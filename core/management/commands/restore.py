"""manage.py restore FILE: replace the database's records with a backup (see core.backups)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

from core import backups


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup` (pg_dump's custom format) into the "
        "database (DATABASE_URL's, or else the embedded one): every table the backup holds is "
        "replaced, in one transaction, so a failed restore leaves the database as it was. "
        "Stop the site first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="the backup to restore")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="default: default")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="do not ask for confirmation",
        )

    def handle(self, *args, file, database, interactive, **options):
        if not file:
            raise CommandError("Name the backup to restore: manage.py restore FILE.")
        path = Path(file)
        connection = connections[database]
        name = connection.settings_dict["NAME"]
        if not path.is_file():
            raise CommandError(f"No such backup file: {path}")
        if interactive:
            try:
                answer = input(
                    f"This replaces the records of database “{name}” with those of {path}.\n"
                    "Type 'yes' to continue, or anything else to cancel: "
                )
            except EOFError:  # no terminal to answer from
                answer = ""
            if answer != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            backups.restore(
                path,
                settings_dict=connection.settings_dict,
                server=backups.server_major(connection),
            )
        except backups.BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into database “{name}”."))
