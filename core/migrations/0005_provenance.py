# Sources and citations, moved here from expos (whose migration 0018 let go of them), so that
# every app's records can be cited (core.provenance). No row is copied: the tables are renamed,
# and every object of theirs takes the name Django and PostgreSQL give it on a table made in
# core (Django finds some of them by name: a slug's `_like` index). The content types change
# app and keep their ids, so permissions and admin log entries keep pointing at them; the change
# log's past entries are relabelled, so History and "Recover deleted" still find them. Then the
# change-log triggers, which write the new labels, are installed again.
#
# This depends on expos 0018, which is upside down for the layers but what a move needs: the
# tables are expos's until then, and every later migration of core finds them here.

import core.fields
import datetime
import django.core.validators
import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations, models

# Each constraint's and index's name after `<app>_<model>_`, as (in expos, in core): the same,
# but where Django's name holds a hash of the table's name.
APPS = ('expos', 'core')
COLUMN_CHECKS = ('author', 'file_name', 'language', 'publisher', 'slug', 'text', 'title')
CONSTRAINTS = {
    'source': [
        (name, name)
        for name in (
            'pkey',
            'unique_slug',
            'unique_file_name',
            'published_on_range',
            *(f'{column}_check' for column in COLUMN_CHECKS),
        )
    ],
    'citation': [
        *(
            (name, name)
            for name in ('pkey', 'unique_quote', 'quote_not_empty', 'object_id_check', 'quote_check')
        ),
        ('content_type_id_a6a635bb_fk_django_co', 'content_type_id_f3078145_fk_django_co'),
        ('source_id_2d21bc2c_fk_expos_source_id', 'source_id_b2a09eef_fk_core_source_id'),
    ],
}
INDEXES = {
    'source': [('slug_5cadb37f', 'slug_2fbea717'), ('slug_5cadb37f_like', 'slug_2fbea717_like')],
    'citation': [
        ('record', 'record'),
        ('content_type_id_a6a635bb', 'content_type_id_f3078145'),
        ('source_id_2d21bc2c', 'source_id_b2a09eef'),
    ],
}


# The functions of the change-log triggers below (pgtrigger's names: the trigger's name and a hash
# of `core.Model:trigger`).
FUNCTIONS = [
    'pgtrigger_change_log_insert_a0675',
    'pgtrigger_change_log_update_95e1f',
    'pgtrigger_change_log_delete_995af',
    'pgtrigger_change_log_truncate_f182e',
    'pgtrigger_change_log_insert_72813',
    'pgtrigger_change_log_update_41a93',
    'pgtrigger_change_log_delete_f2327',
    'pgtrigger_change_log_truncate_af234',
]


def move(old, new):
    """The SQL that hands the tables from app `old` to app `new` (expos or core)."""

    def named(model, pair, app):
        return f'{app}_{model}_{pair[APPS.index(app)]}'

    statements = []
    for model in CONSTRAINTS:
        table = f'{new}_{model}'
        statements += [
            f'ALTER TABLE {old}_{model} RENAME TO {table}',
            f'ALTER SEQUENCE {old}_{model}_id_seq RENAME TO {table}_id_seq',
            *(
                f'ALTER TABLE {table} RENAME CONSTRAINT'
                f' {named(model, pair, old)} TO {named(model, pair, new)}'
                for pair in CONSTRAINTS[model]
            ),
            *(
                f'ALTER INDEX {named(model, pair, old)} RENAME TO {named(model, pair, new)}'
                for pair in INDEXES[model]
            ),
            # Where both exist (a database migrated back and forth, whose post_migrate made the
            # other), the one there already is kept.
            f"UPDATE django_content_type SET app_label = '{new}'"
            f" WHERE app_label = '{old}' AND model = '{model}' AND NOT EXISTS"
            f" (SELECT 1 FROM django_content_type WHERE app_label = '{new}' AND model = '{model}')",
            f"UPDATE core_change SET model = '{new}.{model}' WHERE model = '{old}.{model}'",
        ]
    return ';\n'.join(statements) + ';'


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0004_change_log_deleted_index'),
        ('expos', '0018_provenance_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunSQL(move('expos', 'core'), move('core', 'expos'))],
            state_operations=[
                migrations.CreateModel(
                    name='Source',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('slug', core.fields.SingleLineSlugField(max_length=120, verbose_name='slug')),
                        ('title', core.fields.SingleLineField(max_length=300, verbose_name='title')),
                        ('title_supplied', models.BooleanField(default=False, help_text='The document has no title of its own; this one describes it.', verbose_name='title supplied by the directory')),
                        ('publisher', core.fields.SingleLineField(blank=True, max_length=200, verbose_name='publisher')),
                        ('author', core.fields.SingleLineField(blank=True, max_length=300, verbose_name='author')),
                        ('published_on', models.DateField(blank=True, null=True, validators=[django.core.validators.MinValueValidator(datetime.date(1900, 1, 1)), django.core.validators.MaxValueValidator(datetime.date(2100, 12, 31))], verbose_name='date')),
                        ('language', core.fields.SingleLineField(help_text='The language the document is written in.', max_length=8, verbose_name='language')),
                        ('file_name', core.fields.SingleLineField(max_length=200, verbose_name='file name')),
                        ('text', core.fields.MultiLineField(verbose_name='full text')),
                    ],
                    options={
                        'verbose_name': 'source document',
                        'verbose_name_plural': 'source documents',
                        'ordering': ['-published_on', 'title', 'id'],
                        'constraints': [models.UniqueConstraint(fields=('slug',), name='core_source_unique_slug'), models.UniqueConstraint(fields=('file_name',), name='core_source_unique_file_name'), models.CheckConstraint(condition=models.Q(('published_on__isnull', True), models.Q(('published_on__gte', datetime.date(1900, 1, 1)), ('published_on__lte', datetime.date(2100, 12, 31))), _connector='OR'), name='core_source_published_on_range', violation_error_message='A date must be between 1900-01-01 and 2100-12-31.')],
                    },
                ),
                migrations.CreateModel(
                    name='Citation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('object_id', models.PositiveBigIntegerField(verbose_name='record id')),
                        ('quote', core.fields.MultiLineField(help_text="Word for word, in the document's language.", verbose_name='quoted sentence')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='contenttypes.contenttype', verbose_name='record type')),
                        ('source', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='citations', to='core.source', verbose_name='source')),
                    ],
                    options={
                        'verbose_name': 'citation',
                        'verbose_name_plural': 'citations',
                        'ordering': ['content_type', 'object_id', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='citation',
                    index=models.Index(fields=['content_type', 'object_id'], name='core_citation_record'),
                ),
                migrations.AddConstraint(
                    model_name='citation',
                    constraint=models.UniqueConstraint(fields=('source', 'content_type', 'object_id', 'quote'), name='core_citation_unique_quote'),
                ),
                migrations.AddConstraint(
                    model_name='citation',
                    constraint=models.CheckConstraint(condition=models.Q(('quote', ''), _negated=True), name='core_citation_quote_not_empty'),
                ),
            ],
        ),
        # pgtrigger drops a trigger and leaves its function: backwards, after the triggers, the
        # functions go too.
        migrations.RunSQL(
            migrations.RunSQL.noop,
            ';\n'.join(f'DROP FUNCTION IF EXISTS {function}()' for function in FUNCTIONS) + ';',
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='source',
            trigger=pgtrigger.compiler.Trigger(name='change_log_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.source', r.id, r.slug, 'I', NULL, NULL FROM new_rows r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='cdbd7df21eb9bf43a4cd915e6c07c9376c1fa6af', level='STATEMENT', operation='INSERT', pgid='pgtrigger_change_log_insert_a0675', referencing='REFERENCING NEW TABLE AS new_rows ', table='core_source', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='source',
            trigger=pgtrigger.compiler.Trigger(name='change_log_update', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.source', r.id, r.slug, 'U', to_jsonb(o), NULL FROM old_rows o JOIN new_rows r ON r.id = o.id WHERE o IS DISTINCT FROM r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='6e2184fdb79f53f1a2373505a38c218d4f14f81a', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_change_log_update_95e1f', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='core_source', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='source',
            trigger=pgtrigger.compiler.Trigger(name='change_log_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.source', r.id, r.slug, 'D', to_jsonb(r), NULL FROM old_rows r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='442b28070eadbf7fb98dd1cd9e7e534d192ebf63', level='STATEMENT', operation='DELETE', pgid='pgtrigger_change_log_delete_995af', referencing='REFERENCING OLD TABLE AS old_rows ', table='core_source', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='source',
            trigger=pgtrigger.compiler.Trigger(name='change_log_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.source', r.id, r.slug, 'D', to_jsonb(r), NULL FROM core_source r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nSET CONSTRAINTS core_changeset_commit_time IMMEDIATE;\nSET CONSTRAINTS core_changeset_commit_time DEFERRED;\nRETURN NULL;", hash='9106a9586c1383a1afcb289dd7a7066a0ff1e003', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_change_log_truncate_f182e', table='core_source', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='citation',
            trigger=pgtrigger.compiler.Trigger(name='change_log_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.citation', r.id, NULL, 'I', NULL, NULL FROM new_rows r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='10564a35ca8737a582989d146addadb77c847296', level='STATEMENT', operation='INSERT', pgid='pgtrigger_change_log_insert_72813', referencing='REFERENCING NEW TABLE AS new_rows ', table='core_citation', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='citation',
            trigger=pgtrigger.compiler.Trigger(name='change_log_update', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.citation', r.id, NULL, 'U', to_jsonb(o), NULL FROM old_rows o JOIN new_rows r ON r.id = o.id WHERE o IS DISTINCT FROM r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='b444fe20f92fa3e976518ad82e5c011f17a47d8b', level='STATEMENT', operation='UPDATE', pgid='pgtrigger_change_log_update_41a93', referencing='REFERENCING OLD TABLE AS old_rows  NEW TABLE AS new_rows ', table='core_citation', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='citation',
            trigger=pgtrigger.compiler.Trigger(name='change_log_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.citation', r.id, NULL, 'D', to_jsonb(r), NULL FROM old_rows r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nRETURN NULL;", hash='89ebd3243e1bab833b1178a32a485b2e034be300', level='STATEMENT', operation='DELETE', pgid='pgtrigger_change_log_delete_f2327', referencing='REFERENCING OLD TABLE AS old_rows ', table='core_citation', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='citation',
            trigger=pgtrigger.compiler.Trigger(name='change_log_truncate', sql=pgtrigger.compiler.UpsertTriggerSql(func="INSERT INTO core_change (xid, model, record_id, slug, operation, before, owner_id) SELECT pg_current_xact_id(), 'core.citation', r.id, NULL, 'D', to_jsonb(r), NULL FROM core_citation r;\nIF FOUND THEN PERFORM core_note_write(); END IF;\nSET CONSTRAINTS core_changeset_commit_time IMMEDIATE;\nSET CONSTRAINTS core_changeset_commit_time DEFERRED;\nRETURN NULL;", hash='fdca04ce2e65a0623e30ccddaac2441909cbee5b', level='STATEMENT', operation='TRUNCATE', pgid='pgtrigger_change_log_truncate_af234', table='core_citation', when='BEFORE')),
        ),
    ]
