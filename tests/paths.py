"""Where the project's files are, for tests that read them or run its commands."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
