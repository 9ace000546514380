"""The exhibitor pages as served: the exhibitors app's views, completed with what happens at
expos (the `expo` and `year` filters and facets, and each exhibitor's expos, people and deals).
"""

from exhibitors import views
from expos import selectors
from expos.filtersets import ExhibitorFilterSet


class ExhibitorListView(views.ExhibitorListView):
    filterset_class = ExhibitorFilterSet


class ExhibitorCSVView(views.ExhibitorCSVView):
    filterset_class = ExhibitorFilterSet


class ExhibitorDetailView(views.ExhibitorDetailView):
    def profile(self, exhibitor):
        return selectors.exhibitor_profile(exhibitor)
