"""Sources, citations and the import history."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin.citations import (
    CitationForm,
    CitedRecordSearchMixin,
    citation_records_prefetch,
    describe,
)
from core.admin.forms import (
    AsciiNumbersMixin,
    FittingFormsMixin,
    RecheckRacedWritesMixin,
    SlugFromNameMixin,
)
from core.history.admin import HistoryAdminMixin
from core.provenance import Citation, Source

from ..importing import plural_of_table
from ..models import ImportRun

# --- Provenance ----------------------------------------------------------------------------


@admin.register(Source)
class SourceAdmin(
    AsciiNumbersMixin,
    FittingFormsMixin,
    SlugFromNameMixin,
    RecheckRacedWritesMixin,
    HistoryAdminMixin,
    admin.ModelAdmin,
):
    list_display = ("title", "publisher", "published_on", "language", "file_name", "citation_count")
    list_filter = ("language", "publisher", "title_supplied")
    search_fields = ("title", "slug", "publisher", "author", "file_name")
    date_hierarchy = "published_on"
    prepopulated_fields = {"slug": ("title",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_citations=Count("citations"))

    @admin.display(description=_("citations"), ordering="num_citations")
    def citation_count(self, obj):
        return obj.num_citations


@admin.register(Citation)
class CitationAdmin(
    AsciiNumbersMixin,
    FittingFormsMixin,
    CitedRecordSearchMixin,
    RecheckRacedWritesMixin,
    HistoryAdminMixin,
    admin.ModelAdmin,
):
    """All citations in one list; they are usually edited inline on the record they cite.

    The record is picked by its name, across every kind of record that can be cited
    (core.admin.citations), and named in the list."""

    form = CitationForm
    list_display = ("short_quote", "source", "record_link")
    list_filter = ("source", ("content_type", admin.RelatedOnlyFieldListFilter))
    search_fields = ("quote", "source__title")
    list_select_related = ("source", "content_type")
    autocomplete_fields = ("source",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(citation_records_prefetch())

    @admin.display(description=_("quoted sentence"), ordering="quote")
    def short_quote(self, obj):
        return obj.quote if len(obj.quote) <= 80 else f"{obj.quote[:80]}…"

    @admin.display(description=_("record"), ordering="content_type")
    def record_link(self, obj):
        record = obj.record
        if record is None:  # gone since; its citations go with it
            return f"{obj.content_type.name} #{obj.object_id}"
        if not self.admin_site.is_registered(type(record)):
            return describe(record)
        opts = record._meta
        url = reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[record.pk]
        )
        return format_html('<a href="{}">{}</a>', url, describe(record))


# --- Import history ------------------------------------------------------------------------


@admin.register(ImportRun)
class ImportRunAdmin(AsciiNumbersMixin, admin.ModelAdmin):
    """What each bulk import did: written by the importer, read here, never edited. Superusers
    may delete old entries."""

    list_display = ("started", "file_name", "outcome", "user", "rows", "written", "finished")
    list_filter = ("outcome", ("started", admin.DateFieldListFilter))
    search_fields = ("file_name", "error", "user__username")
    list_select_related = ("user",)
    date_hierarchy = "started"
    # Without change permission every field is shown read-only; `written` reads `tables`.
    fields = ("file_name", "outcome", "user", "system_user", "started", "finished", "rows")
    fields += ("written", "error")
    readonly_fields = ("written",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description=_("rows written per table"))
    def written(self, obj):
        return "; ".join(
            _("%(table)s: %(inserted)s inserted, %(updated)s updated, %(deleted)s deleted")
            % {"table": plural_of_table(table), **counts}
            for table, counts in obj.tables.items()
        )
