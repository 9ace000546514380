#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Without DATABASE_URL it starts the embedded PostgreSQL first (config.database): the one under
.data/postgres, or a throw-away cluster for the test settings.
"""

import os
import sys


def settings_module(argv):
    """The settings a command will use: --settings wins over DJANGO_SETTINGS_MODULE."""
    for index, argument in enumerate(argv):
        if argument.startswith("--settings="):
            return argument.partition("=")[2]
        if argument == "--settings" and index + 1 < len(argv):
            return argv[index + 1]
    return os.environ["DJANGO_SETTINGS_MODULE"]


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from config.database import use_embedded_postgres

    use_embedded_postgres(throwaway=settings_module(sys.argv).endswith(".test"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
