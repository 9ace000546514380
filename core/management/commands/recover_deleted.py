"""manage.py recover_deleted: the admin's "Recover deleted", for an operator at the shell.

`recover_deleted exhibitors.exhibitor` lists the records of that type deleted and not restored
since, newest first, each with its entry number; `recover_deleted --entry N` restores that
delete with every record deleted in the same transaction (core.history.recovery), all or
nothing; `--dry-run` only says what it would write.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import ngettext

from core.changelog.log import TRACKED
from core.history.deleted import deleted_records
from core.history.recovery import plan_names, plan_restore, problems, restore
from core.history.versions import NotRestored
from core.models import Change, Operation


class Command(BaseCommand):
    help = "List deleted records of a type, or restore one with everything deleted with it."

    def add_arguments(self, parser):
        parser.add_argument("model", nargs="?", help="a record type, e.g. expos.expo")
        parser.add_argument("--entry", type=int, help="the change log entry of the delete")
        parser.add_argument("--dry-run", action="store_true", help="say what, write nothing")

    def handle(self, *args, model, entry, dry_run, **options):
        if entry is None:
            self.list_deleted(model)
            return
        found = Change.objects.filter(pk=entry, operation=Operation.DELETE).first()
        if found is None:
            raise CommandError(f"Entry {entry} is not a delete in the change log.")
        plan = plan_restore(found)
        if not plan.rows:
            raise CommandError(f"Entry {entry}: its records are no longer deleted.")
        for row, name in zip(plan.rows, plan_names(plan, plan.rows), strict=True):
            self.stdout.write(f"{row.model._meta.label_lower} {row.pk}: {name}")
        refused = problems(plan)
        if refused:
            raise CommandError(" ".join(refused))
        if dry_run:
            count = len(plan.rows)
            would = ngettext(
                "Would restore %(count)d record.", "Would restore %(count)d records.", count
            )
            self.stdout.write(would % {"count": count})
            return
        try:
            with transaction.atomic():
                restored = restore(plan_restore(found))
        except NotRestored as error:
            raise CommandError(str(error)) from error
        done = ngettext("Restored %(count)d record.", "Restored %(count)d records.", len(restored))
        self.stdout.write(self.style.SUCCESS(done % {"count": len(restored)}))

    def list_deleted(self, label):
        model = TRACKED.get((label or "").lower())
        if model is None:
            names = ", ".join(sorted(TRACKED))
            raise CommandError(f"Name a record type ({names}) or give --entry.")
        records, more = deleted_records(model)
        for record in records:
            self.stdout.write(
                f"{record.change_id}\t{record.at:%Y-%m-%d %H:%M:%S}\t{record.name}\t"
                + ngettext(
                    "(+%(count)d deleted with it)", "(+%(count)d deleted with it)", record.together
                )
                % {"count": record.together}
            )
        if more:
            self.stdout.write("… and older deletes (use the admin's Recover deleted to page).")
