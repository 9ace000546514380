"""Count tables apply their triggers' deltas at commit (see core.lists.counttables): the table
marking a transaction that has pending deltas, its constraint trigger deferred to the commit,
and the functions the triggers call. `counttables_flush()`, which applies them, is empty here:
the apps' migrations install it once their count tables have pending twins."""

from django.db import migrations

FORWARD = [
    "CREATE UNLOGGED TABLE core_countflush (armed boolean)",
    "CREATE OR REPLACE FUNCTION counttables_flush() RETURNS void AS $$ BEGIN END; $$\n"
    "LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION counttables_arm() RETURNS void AS $$\n"
    "BEGIN\n"
    "    IF current_setting('counttables.armed', true) IS DISTINCT FROM 'on' THEN\n"
    "        PERFORM set_config('counttables.armed', 'on', true);\n"
    "        INSERT INTO core_countflush (armed) VALUES (true);\n"
    "    END IF;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION counttables_flush_now() RETURNS void AS $$\n"
    "BEGIN\n"
    "    IF current_setting('counttables.armed', true) = 'on' THEN\n"
    "        PERFORM set_config('counttables.armed', '', true);\n"
    "        DELETE FROM core_countflush;\n"
    "        PERFORM counttables_flush();\n"
    "    END IF;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION counttables_flush_at_commit() RETURNS trigger AS $$\n"
    "BEGIN\n"
    "    PERFORM counttables_flush_now();\n"
    "    RETURN NULL;\n"
    "END;\n"
    "$$ LANGUAGE plpgsql",
    "CREATE CONSTRAINT TRIGGER counttables_flush_at_commit AFTER INSERT ON core_countflush\n"
    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION counttables_flush_at_commit()",
]

BACKWARD = [
    "DROP TABLE core_countflush",
    "DROP FUNCTION counttables_flush_at_commit()",
    "DROP FUNCTION counttables_flush_now()",
    "DROP FUNCTION counttables_arm()",
    "DROP FUNCTION counttables_flush()",
]


class Migration(migrations.Migration):
    dependencies = [("core", "0002_change_log")]

    operations = [migrations.RunSQL(FORWARD, reverse_sql=BACKWARD)]
