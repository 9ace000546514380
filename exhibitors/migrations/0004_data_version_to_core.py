# The data version is the whole directory's, not the exhibitors': it moved to core. Its one
# row is copied there, so ETags and cached answers carry on from the same number.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('exhibitors', '0003_scale'),
    ]

    operations = [
        migrations.RunSQL(
            sql=(
                "INSERT INTO core_dataversion (id, number, changed) "
                "SELECT id, number, changed FROM exhibitors_dataversion "
                "ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, "
                "changed = EXCLUDED.changed"
            ),
            reverse_sql=(
                "INSERT INTO exhibitors_dataversion (id, number, changed) "
                "SELECT id, number, changed FROM core_dataversion"
            ),
        ),
        migrations.DeleteModel(name='DataVersion'),
    ]
