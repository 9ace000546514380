"""manage.py generate_directory: synthetic exhibitors, expos and participations for load tests."""

import csv

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import ngettext

from core.progress import ProgressBar
from expos import synthetic
from expos.importing import COLUMNS, ImportRejected, import_rows
from expos.importing.summary import counted


class Command(BaseCommand):
    help = (
        "Write realistic synthetic exhibitors (names in several scripts, spread over countries "
        "and sectors), expos over the years and about three participations an exhibitor, "
        "through the bulk importer's fast path. Every record is marked synthetic and kept "
        "apart from the seed records; --remove deletes them all."
    )

    def add_arguments(self, parser):
        parser.add_argument("--exhibitors", type=int, default=10_000, help="default: 10,000")
        parser.add_argument("--seed", type=int, default=1, help="the same seed, the same data")
        parser.add_argument("--expos", type=int, help="default: one per 200 exhibitors, 10–5,000")
        parser.add_argument(
            "--participations", type=float, default=3, help="expos an exhibitor, on average"
        )
        parser.add_argument(
            "--output",
            help="write the rows to this CSV file instead of importing them (the synthetic "
            "sectors they name are still created, so that the file can be imported here)",
        )
        parser.add_argument("--remove", action="store_true", help="delete all synthetic data")
        parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    def handle(self, *args, **options):
        if options["remove"]:
            return self.remove()
        if options["exhibitors"] < 1:
            raise CommandError("--exhibitors must be at least 1.")
        if options["expos"] is not None and options["expos"] < 1:
            raise CommandError("--expos must be at least 1.")
        generator = synthetic.Generator(
            options["exhibitors"],
            options["seed"],
            expos=options["expos"],
            participations=options["participations"],
        )
        bar = ProgressBar(
            self.stderr,
            total=round(options["exhibitors"] * options["participations"]),
            desc="rows",
            unit=" rows",
            disable=options["no_progress"],
        )
        try:
            synthetic.create_sectors()
            if options["output"]:
                return self.write_csv(options["output"], generator, bar)
            counts = import_rows(generator.rows(), synthetic=True, progress=bar.update)
        except ImportRejected as rejected:  # a bug in the generator, not bad input
            line, field, message = rejected.errors[0]
            raise CommandError(f"Generated row {line} is invalid ({field}: {message}).") from None
        finally:
            bar.close()
        self.stdout.write(self.style.SUCCESS(generated(counts)))

    def write_csv(self, path, generator, bar):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for count, (_line, row) in enumerate(generator.rows(), start=1):
                writer.writerow(row)
                if count % 1000 == 0:
                    bar.update(1000)
        wrote = ngettext(
            "Wrote %(count)d row to %(path)s.", "Wrote %(count)d rows to %(path)s.", count
        )
        self.stdout.write(self.style.SUCCESS(wrote % {"count": count, "path": path}))

    def remove(self):
        try:
            deleted = synthetic.remove()
        except synthetic.StillReferenced as error:
            raise CommandError(str(error)) from None
        summary = ", ".join(counted(rows, table) for table, rows in deleted.items())
        self.stdout.write(self.style.SUCCESS(f"Removed synthetic data: {summary or 'none'}."))


def generated(counts):
    """ "Generated 1 synthetic exhibitor, 1 expo and 2 participations (2 rows)."."""

    def say(key, one, several):
        return ngettext(one, several, counts[key]) % {"count": counts[key]}

    return "".join(
        [
            say(
                "exhibitors",
                "Generated %(count)d synthetic exhibitor",
                "Generated %(count)d synthetic exhibitors",
            ),
            say("expos", ", %(count)d expo", ", %(count)d expos"),
            say("participations", " and %(count)d participation", " and %(count)d participations"),
            say("rows", " (%(count)d row).", " (%(count)d rows)."),
        ]
    )
