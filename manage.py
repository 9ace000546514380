#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Without DATABASE_URL it starts the embedded PostgreSQL first (config.database): the one under
.data/postgres, or a throw-away cluster for the test settings.
"""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from config.database import use_embedded_postgres

    use_embedded_postgres(throwaway=os.environ["DJANGO_SETTINGS_MODULE"].endswith(".test"))
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
