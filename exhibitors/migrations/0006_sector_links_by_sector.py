"""The sector links by sector, then exhibitor: the `sector` filter's EXISTS reads the exhibitors
of a sector from this index alone, where the index on sector_id only sent it to the table's
rows, one scattered page each (12,500 pages for a sector at a million exhibitors)."""

from django.db import migrations

INDEX = "exhibitor_sectors_sector_exhibitor"


class Migration(migrations.Migration):
    dependencies = [("exhibitors", "0005_facet_counts")]

    operations = [
        # Django's own through table has no model state to hold an index: SQL, as its triggers.
        migrations.RunSQL(
            f"CREATE INDEX {INDEX} ON exhibitors_exhibitor_sectors (sector_id, exhibitor_id)",
            reverse_sql=f"DROP INDEX {INDEX}",
        ),
    ]
