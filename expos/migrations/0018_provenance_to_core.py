# Sources and citations move to core (core.provenance), so that a record of any app can be cited
# and have its citations deleted with it. This app lets go of them: their change-log triggers,
# which write `expos.source` and `expos.citation`, are dropped with their functions (pgtrigger
# drops a trigger and leaves its function), and the models leave this app's state. The tables
# stay; core's migration 0005 takes them over and renames them.

import pgtrigger.migrations
from django.db import migrations

TRIGGERS = ['change_log_insert', 'change_log_update', 'change_log_delete', 'change_log_truncate']
# pgtrigger's names for them: the trigger's name and a hash of `expos.Model:trigger`.
FUNCTIONS = [
    'pgtrigger_change_log_insert_1c481',
    'pgtrigger_change_log_update_1e99f',
    'pgtrigger_change_log_delete_d3af1',
    'pgtrigger_change_log_truncate_8277d',
    'pgtrigger_change_log_insert_135e0',
    'pgtrigger_change_log_update_d09ac',
    'pgtrigger_change_log_delete_2e363',
    'pgtrigger_change_log_truncate_c6416',
]


class Migration(migrations.Migration):

    dependencies = [
        ('expos', '0017_organiser_and_party_links_protect'),
    ]

    operations = [
        *(
            pgtrigger.migrations.RemoveTrigger(model_name=model, name=name)
            for model in ('citation', 'source')
            for name in TRIGGERS
        ),
        # Backwards, the triggers added again create their functions.
        migrations.RunSQL(
            ';\n'.join(f'DROP FUNCTION IF EXISTS {function}()' for function in FUNCTIONS) + ';',
            migrations.RunSQL.noop,
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='Citation'),
                migrations.DeleteModel(name='Source'),
            ],
        ),
    ]
