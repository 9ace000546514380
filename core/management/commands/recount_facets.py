"""manage.py recount_facets: count every facet count table again from scratch.

The triggers keep the tables right through every write that goes through PostgreSQL's
triggers, TRUNCATE included. What bypasses them (a data-only restore with
--disable-triggers, session_replication_role = replica, a trigger disabled by hand) leaves
them behind; this counts them again, in one transaction, each with one GROUP BY.
"""

from django.core.management.base import BaseCommand
from django.db import DEFAULT_DB_ALIAS

from core.lists.counttables import recount_all


class Command(BaseCommand):
    help = (
        "Count the facet count tables again from the records they count (after writes that "
        "bypassed their triggers)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="default: default")

    def handle(self, *args, database, **options):
        models = recount_all(using=database)
        names = ", ".join(str(model._meta.verbose_name) for model in models)
        self.stdout.write(self.style.SUCCESS(f"Recounted {names}."))
