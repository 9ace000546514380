"""manage.py import_directory FILE: exhibitors, expos and participations from CSV or JSONL."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from core.progress import ProgressBar
from expos.importing import (
    COLUMNS,
    ImportRejected,
    describe_changes,
    import_directory,
)

SHOWN_ERRORS = 200


class Command(BaseCommand):
    help = (
        "Import exhibitors, expos and participations from a CSV or JSON Lines file with the "
        f"columns: {', '.join(COLUMNS)}. A file with any bad row is rejected whole and "
        "nothing is written; an expo slug that matches no expo needs an expo_name to create it, "
        "and a sector slug must match a sector. Importing the same file again updates and never "
        "duplicates. Each run is recorded, successful or not, in the admin's import history."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "jsonl"], help="default: by extension")
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help="hide the progress bar (shown on a terminal only)",
        )
        parser.add_argument(
            "--keep-indexes",
            action="store_true",
            help="never drop and recreate the indexes of the tables written, even for a file as "
            "large as the tables (slower, but the site can read them while the import runs)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what importing it would create, update and remove, "
            "then undo it all: nothing is written, not even an entry in the import history",
        )
        parser.add_argument(
            "--user",
            help="the username of the staff member running the import, for the import history "
            "in the admin",
        )

    def handle(self, file, format, no_progress, keep_indexes, user, dry_run, **options):
        staff = self.staff_user(user) if user else None
        bar = ProgressBar(self.stderr, desc="checked", unit=" rows", disable=no_progress)
        try:
            counts = import_directory(
                file,
                fmt=format,
                progress=bar.update,
                stage_done=self.written(bar, no_progress),
                bulk=False if keep_indexes else None,
                user=staff,
                dry_run=dry_run,
            )
        except FileNotFoundError:
            raise CommandError(f"No such file: {file}") from None
        except UnicodeDecodeError as error:
            raise CommandError(f"{file} is not UTF-8 text ({error.reason}).") from None
        except ImportRejected as rejected:
            bar.close()
            for line, field, message in rejected.errors[:SHOWN_ERRORS]:
                where = f"line {line}" + (f", {field}" if field else "")
                self.stderr.write(f"{file}: {where}: {message}")
            shown = min(SHOWN_ERRORS, len(rejected.errors))
            more = rejected.total - shown
            if more > 0:
                self.stderr.write(
                    ngettext(
                        "… and %(more)d more, not listed: only the first problem is.",
                        "… and %(more)d more, not listed: only the first %(shown)d problems are.",
                        shown,
                    )
                    % {"more": more, "shown": shown}
                )
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(file)s; nothing was imported.",
                    "%(count)d problems in %(file)s; nothing was imported.",
                    rejected.total,
                )
                % {"count": rejected.total, "file": file}
            ) from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(imported(counts, dry_run=dry_run)))
        self.stdout.write(describe_changes(counts, dry_run=dry_run))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")

    def staff_user(self, username):
        """The active staff user `username`, checked before anything is read."""
        try:
            return get_user_model().objects.get(username=username, is_staff=True, is_active=True)
        except ObjectDoesNotExist:
            raise CommandError(
                f"--user {username}: no active staff user has this username."
            ) from None

    def written(self, bar, quiet):
        """After the rows are checked and copied, say as each table is written."""

        def say(table):
            bar.close()
            if not quiet:
                self.stderr.write(
                    "recreated the indexes" if table == "indexes" else f"wrote {table}"
                )

        return say


def imported(counts, *, dry_run=False):
    """ "Imported 1 row: 1 exhibitor, 1 expo, 1 participation." (Checked, for a dry run)."""
    parts = {
        "rows": ngettext("%(count)d row", "%(count)d rows", counts["rows"]),
        "exhibitors": ngettext("%(count)d exhibitor", "%(count)d exhibitors", counts["exhibitors"]),
        "expos": ngettext("%(count)d expo", "%(count)d expos", counts["expos"]),
        "participations": ngettext(
            "%(count)d participation", "%(count)d participations", counts["participations"]
        ),
    }
    shown = {key: text % {"count": counts[key]} for key, text in parts.items()}
    sentence = "Checked %(rows)s: %(exhibitors)s, %(expos)s, %(participations)s."
    if not dry_run:
        sentence = "Imported %(rows)s: %(exhibitors)s, %(expos)s, %(participations)s."
    return sentence % shown
