"""Reads that the pages and the API share."""

from django.db.models import Prefetch

from .models import Exhibitor, Sector


def exhibitor_list():
    """Exhibitors with their sectors, ready for a list page or an API list."""
    return Exhibitor.objects.prefetch_related(
        Prefetch("sectors", queryset=Sector.objects.order_by("name", "id"))
    )
