"""Exhibitors, seen from the expos."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin.changelists import AutocompleteFilter
from exhibitors.admin import ExhibitorAdmin
from exhibitors.models import Exhibitor

from ..models import Participation
from .base import CitationInline, ParticipationInline

# --- Exhibitors, seen from the expos ------------------------------------------------------
# `exhibitors` is the lower layer and never imports from `expos`, so its ExhibitorAdmin cannot
# show where an exhibitor took part. This app can: replace that admin with a subclass that adds
# the participations inline, the citations inline, an expo count and expo filters. INSTALLED_APPS
# lists exhibitors before expos, so exhibitors/admin.py has registered Exhibitor by now (the
# import above would register it anyway).
admin.site.unregister(Exhibitor)


@admin.register(Exhibitor)
class ExhibitorWithParticipationsAdmin(ExhibitorAdmin):
    list_display = (*ExhibitorAdmin.list_display, "expo_count")
    list_filter = (
        *ExhibitorAdmin.list_filter,
        ("participations__expo", AutocompleteFilter),
        "participations__expo__edition_year",
    )
    inlines = [*ExhibitorAdmin.inlines, ParticipationInline, CitationInline]

    def annotate_page(self, request, rows):
        # Counted for the rows of the page only (core.admin.changelists.CountedChangeList), in one
        # query: counted for the whole list, as an annotation, it grouped three million
        # participations before the first page, and so the column is not sortable.
        # (exhibitor, expo) is unique, so its rows count the expos.
        counts = dict(
            Participation.objects.filter(exhibitor__in=[row.pk for row in rows])
            .order_by()
            .values("exhibitor")
            .annotate(expos=Count("pk"))
            .values_list("exhibitor", "expos")
        )
        for row in rows:
            row.num_expos = counts.get(row.pk, 0)

    @admin.display(description=_("expos"))
    def expo_count(self, obj):
        return obj.num_expos
