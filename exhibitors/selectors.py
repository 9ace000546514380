"""Reads that the pages and the API share."""

from .models import Exhibitor


def exhibitor_list():
    """Exhibitors with their sectors (in Sector's ordering, as the downloads' SQL reads them
    too), ready for a list page or an API list."""
    return Exhibitor.objects.prefetch_related("sectors")
