"""manage.py prune_changes: remove the change log's entries older than the days it keeps.

A mirror whose cursor is older than what is left is answered 410 by /api/v1/changes/ and
builds itself afresh. Run it daily (docs/deploy.md). The history of a record then starts at
its oldest entry kept.
"""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import ngettext

from core.models import Change, ChangeSet, Pruning


class Command(BaseCommand):
    help = "Remove change-log entries older than DIRECTORY_CHANGES_KEEP_DAYS (default 90)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="keep this many days (default: the DIRECTORY_CHANGES_KEEP_DAYS setting)",
        )

    def handle(self, *args, days, **options):
        days = settings.DIRECTORY_CHANGES_KEEP_DAYS if days is None else days
        if days < 1:
            raise CommandError("--days: keep at least 1 day.")
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic(), connection.cursor() as cursor:
            # One pruning at a time; the horizon is the newest transaction removed, plus one.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('core.prune_changes'))")
            cursor.execute(
                f"WITH gone AS (DELETE FROM {ChangeSet._meta.db_table} WHERE at < %s"
                " RETURNING xid),"
                f" entries AS (DELETE FROM {Change._meta.db_table} c USING gone"
                " WHERE c.xid = gone.xid RETURNING 1)"
                " SELECT (SELECT max(xid)::text FROM gone), (SELECT count(*) FROM gone),"
                " (SELECT count(*) FROM entries)",
                [cutoff],
            )
            newest, transactions, removed = cursor.fetchone()
            if newest is not None:
                Pruning.objects.create(horizon=int(newest) + 1, removed=removed)
        entries = ngettext("%(count)d entry", "%(count)d entries", removed)
        of = ngettext("%(count)d transaction", "%(count)d transactions", transactions)
        older = ngettext("%(count)d day", "%(count)d days", days)
        self.stdout.write(
            self.style.SUCCESS(
                f"Removed {entries % {'count': removed}} of {of % {'count': transactions}} "
                f"older than {older % {'count': days}}."
            )
        )
