# The data version (until now in exhibitors: exhibitors 0004 moves its row here) and the
# search functions core.lists.search needs.

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        # pg_trgm for typo-tolerant names, unaccent so "Exposicion" finds "Exposición". Both,
        # and the function below, already exist where exhibitors 0002 ran: these are no-ops
        # there, and never undone (the apps' indexes use them).
        TrigramExtension(),
        UnaccentExtension(),
        # unaccent() is only STABLE (its dictionary could change), so an index cannot use it;
        # this wrapper names the dictionary and is declared IMMUTABLE.
        migrations.RunSQL(
            sql=(
                "CREATE OR REPLACE FUNCTION directory_unaccent(text) RETURNS text "
                "LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT "
                "AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$"
            ),
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.CreateModel(
            name='DataVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.BigIntegerField(default=0, verbose_name='number')),
                ('changed', models.DateTimeField(verbose_name='changed')),
            ],
            options={
                'verbose_name': 'data version',
                'verbose_name_plural': 'data versions',
                'ordering': ['id'],
            },
        ),
    ]
