"""The sector links' triggers lock the exhibitors they read FOR SHARE before reading their
countries (see exhibitors.facetcounts): a link written while another transaction changes its
exhibitor's country was counted under the old country. Installed with pgtrigger's SQL, as in
0005_facet_counts: Django's own through table has no model state to hold them."""

import importlib

import pgtrigger.compiler
from django.db import migrations

LINK_TRIGGERS = [
    pgtrigger.compiler.Trigger(
        name="facet_counts_insert",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func="PERFORM 1 FROM exhibitors_exhibitor WHERE id IN (SELECT exhibitor_id FROM new_rows) ORDER BY id FOR SHARE;\n\n        INSERT INTO exhibitors_countrysectorcount (country, sector_id, n)\n        SELECT country, sector_id, sum(d) FROM (SELECT e.country, l.sector_id, 1 AS d FROM new_rows l JOIN exhibitors_exhibitor e ON e.id = l.exhibitor_id) AS deltas\n        GROUP BY country, sector_id HAVING sum(d) <> 0 ORDER BY country, sector_id\n        ON CONFLICT (country, sector_id) DO UPDATE SET n = exhibitors_countrysectorcount.n + excluded.n;\n    \nRETURN NULL;",
            hash="932d0e398d71b1869d07cde65e880b7aad8f872c",
            level="STATEMENT",
            operation="INSERT",
            pgid="pgtrigger_facet_counts_insert_21bbb",
            referencing="REFERENCING NEW TABLE AS new_rows ",
            table="exhibitors_exhibitor_sectors",
            when="AFTER",
        ),
    ),
    pgtrigger.compiler.Trigger(
        name="facet_counts_update",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func="PERFORM 1 FROM exhibitors_exhibitor WHERE id IN (SELECT exhibitor_id FROM old_rows UNION SELECT exhibitor_id FROM new_rows) ORDER BY id FOR SHARE;\n\n        INSERT INTO exhibitors_countrysectorcount (country, sector_id, n)\n        SELECT country, sector_id, sum(d) FROM (SELECT e.country, l.sector_id, -1 AS d FROM old_rows l JOIN exhibitors_exhibitor e ON e.id = l.exhibitor_id UNION ALL SELECT e.country, l.sector_id, 1 AS d FROM new_rows l JOIN exhibitors_exhibitor e ON e.id = l.exhibitor_id) AS deltas\n        GROUP BY country, sector_id HAVING sum(d) <> 0 ORDER BY country, sector_id\n        ON CONFLICT (country, sector_id) DO UPDATE SET n = exhibitors_countrysectorcount.n + excluded.n;\n    \nRETURN NULL;",
            hash="aef12dd49330ecdab37687ff529c59100c95977c",
            level="STATEMENT",
            operation="UPDATE",
            pgid="pgtrigger_facet_counts_update_547ca",
            referencing="REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ",
            table="exhibitors_exhibitor_sectors",
            when="AFTER",
        ),
    ),
    pgtrigger.compiler.Trigger(
        name="facet_counts_delete",
        sql=pgtrigger.compiler.UpsertTriggerSql(
            func="PERFORM 1 FROM exhibitors_exhibitor WHERE id IN (SELECT exhibitor_id FROM old_rows) ORDER BY id FOR SHARE;\n\n        INSERT INTO exhibitors_countrysectorcount (country, sector_id, n)\n        SELECT country, sector_id, sum(d) FROM (SELECT e.country, l.sector_id, -1 AS d FROM old_rows l JOIN exhibitors_exhibitor e ON e.id = l.exhibitor_id) AS deltas\n        GROUP BY country, sector_id HAVING sum(d) <> 0 ORDER BY country, sector_id\n        ON CONFLICT (country, sector_id) DO UPDATE SET n = exhibitors_countrysectorcount.n + excluded.n;\n    \nRETURN NULL;",
            hash="2d58ade2e1208ed83956faf4d78415a133ce4d8d",
            level="STATEMENT",
            operation="DELETE",
            pgid="pgtrigger_facet_counts_delete_620f2",
            referencing="REFERENCING OLD TABLE AS old_rows ",
            table="exhibitors_exhibitor_sectors",
            when="AFTER",
        ),
    ),
]

BEFORE = importlib.import_module("exhibitors.migrations.0005_facet_counts").LINK_TRIGGERS[:3]


class Migration(migrations.Migration):
    dependencies = [("exhibitors", "0007_text_characters")]

    operations = [
        migrations.RunSQL(trigger.install_sql, reverse_sql=before.install_sql)
        for trigger, before in zip(LINK_TRIGGERS, BEFORE, strict=True)
    ]
