"""Local development: `make run`. DEBUG comes from DJANGO_DEBUG, which `make run` turns on."""

from .base import *  # noqa: F403
