"""What the importer tests share: the sectors the files name, and the files themselves."""

from unittest import mock

from django.core.management import call_command, execute_from_command_line
from django.db import connections

HEADER = "slug,name,country,city,sectors,website,expo,expo_name,expo_year,expo_country,showcase\n"
GOOD = HEADER + (
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "scewc-2030,SCEWC 2030,2030,ES,Twin city demo\n"
    "acme-iot,Acme IoT,ES,Barcelona,digital-twin;smart-lighting,https://acme.example,"
    "sce-2031,SCE 2031,2031,CN,Lamps\n"
    "beijing-zhicheng,北京智城科技,CN,北京,,,scewc-2030,SCEWC 2030,2030,ES,\n"
)


def write(tmp_path, text, name="directory.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(path, *options):
    call_command("import_directory", path, "--no-progress", *options)


def exit_code(*arguments):
    """The exit code of `manage.py *arguments`, run as from a shell (errors go to stderr).

    Run from the shell, a command closes the database connections as it ends; here they hold
    the test's transaction, so they stay open. Nor does it set Django up again, as the shell's
    run does: that would point LOGGING's console handlers at this test's captured stderr,
    closed when the test ends, and a later test that swaps their stream would fail on it.
    """
    try:
        with mock.patch.object(connections, "close_all"), mock.patch("django.setup"):
            execute_from_command_line(["manage.py", *arguments])
    except SystemExit as exit:
        return exit.code
    return 0
